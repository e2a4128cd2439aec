"""The workspace home page."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from ruhui.orgs.selectors import organization_summary
from ruhui.web.access import cadre_required


@require_GET
@cadre_required
def home(request):
    """工作台: figures of the user's own subtree, each linking to the rows behind it."""
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
    shortcuts = [{"label": "组织树", "url": reverse("orgs:tree")}]
    if request.user.has_perm("orgs.manage_organization"):
        shortcuts.append({"label": "新建组织", "url": reverse("orgs:create")})
    return render(request, "web/home.html", {"stats": stats, "shortcuts": shortcuts})


@require_GET
def healthz(request):
    """Liveness for load balancers: answers without touching the session."""
    from django.http import JsonResponse

    return JsonResponse({"status": "ok"})
