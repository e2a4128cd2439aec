"""工作台 (the workbench): what a cadre sees after signing in, figures of their own subtree, each
linking to the rows behind it. It reads several features' selectors, so it sits above them
(docs/architecture.md); web below stays the features' common kit."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from ruhui.members.models import HELD_STATUSES
from ruhui.members.selectors import member_counts_by_status, new_member_count
from ruhui.orgs.selectors import organization_summary
from ruhui.web.access import cadre_required
from ruhui.workbench.todos import workbench


@require_GET
@cadre_required
def home(request):
    """工作台: what to do today (each count opens its list), then figures of the user's own
    subtree, each linking to the rows behind it."""
    summary = organization_summary(user=request.user)
    stats = [
        {
            "label": "有效工会组织",
            "value": summary["total"],
            "url": reverse("orgs:list") + "?active=1",
        },
        {
            "label": "其中基层工会及分会、小组",
            "value": summary["base"],
            "url": reverse("orgs:list") + "?active=1&base=1",
        },
        {
            "label": "已撤销组织",
            "value": summary["inactive"],
            "url": reverse("orgs:list") + "?active=0",
        },
    ]
    by_status = member_counts_by_status(user=request.user)
    today = timezone.localdate()
    year_start = today.replace(month=1, day=1)
    members_url = reverse("members:list")
    stats += [
        {
            "label": "在册会员（在籍、保留、接转中）",
            "value": sum(by_status.get(s, 0) for s in HELD_STATUSES),
            "url": members_url + "?status=held",
        },
        {
            "label": f"{today.year} 年新发展会员（入会）",
            "value": new_member_count(user=request.user, start=year_start, end=today),
            "url": members_url + f"?joined_from={year_start.isoformat()}",
        },
        {
            "label": "其中农民工",
            "value": new_member_count(user=request.user, start=year_start, end=today, migrant=True),
            "url": members_url + f"?joined_from={year_start.isoformat()}&migrant=1",
        },
    ]
    shortcuts = [
        {"label": "组织树", "url": reverse("orgs:tree")},
        {"label": "会员名册", "url": members_url},
    ]
    if request.user.has_perm("orgs.manage_organization"):
        shortcuts.append({"label": "新建组织", "url": reverse("orgs:create")})
    board = workbench(user=request.user, today=today)
    return render(
        request,
        "workbench/home.html",
        {
            "stats": stats,
            "shortcuts": shortcuts,
            "todos": [todo for todo in board.todos if todo.count],
            "done": [todo for todo in board.todos if not todo.count],
            "units": board.units,
            "unit_columns": board.unit_columns,
        },
    )
