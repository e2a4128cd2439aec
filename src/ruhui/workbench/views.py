"""工作台 (the workbench): what a cadre sees after signing in, figures of their own subtree, each
linking to the rows behind it. It reads several features' selectors, so it sits above them
(docs/architecture.md); web below stays the features' common kit."""

import datetime

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from ruhui.core.changes import Recalled
from ruhui.orgs.scoping import jurisdiction_root
from ruhui.orgs.selectors import organization_summary
from ruhui.web.access import cadre_required
from ruhui.workbench.figures import member_figures, recounted
from ruhui.workbench.todos import workbench


def _member_figures(user, start, end) -> Recalled[dict[str, int]] | None:
    """The registry's figures on the workbench: they run over every membership of the
    jurisdiction, so they are remembered until the records change, and while a slow count is
    redone after a change the page shows the previous one (workbench.figures)."""
    root = jurisdiction_root(user)
    return member_figures(root, start, end) if root is not None else None


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
    today = timezone.localdate()
    year_start = today.replace(month=1, day=1)
    recalled = _member_figures(request.user, year_start, today)
    figures = recalled.value if recalled else {"held": 0, "new": 0, "new_migrant": 0}
    members_url = reverse("members:list")
    stats += [
        {
            "label": "在册会员（在籍、保留、接转中）",
            "value": figures["held"],
            "url": members_url + "?status=held",
        },
        {
            "label": f"{today.year} 年新发展会员（入会）",
            "value": figures["new"],
            "url": members_url + f"?joined_from={year_start.isoformat()}",
        },
        {
            "label": "其中农民工",
            "value": figures["new_migrant"],
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
    # 「数字统计于 …，正在按最新记录重新统计」: the oldest of the figures shown from before a change.
    stale = [r.as_of for r in (recalled, board.alerts) if r is not None and r.stale]
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
            "figures_as_of": min(stale) if stale else None,
        },
    )


@require_GET
@cadre_required
def figures_state(request):
    """Polled by the workbench while figures it shows stale are counted again (htmx, every few
    seconds; only the cache is read): 204 (nothing to swap) until they are counted under the
    records' current version, then 200 with `HX-Refresh` and the page reloads with them. `on`:
    the page's day (its figures are of that day's year)."""
    root = jurisdiction_root(request.user)
    try:
        today = datetime.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        today = timezone.localdate()
    alerts = request.user.has_perm("enterprises.view_enterprise")
    if root is not None and not recounted(root, today.replace(month=1, day=1), today, alerts):
        return HttpResponse(status=204)
    response = HttpResponse("数字已更新。")
    response["HX-Refresh"] = "true"
    return response
