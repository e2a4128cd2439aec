"""Campaign pages that read: the list, the dashboards, the rows behind their figures; and the
buttons that start the workbook export (a job) and ask for a fresh computation. Thin: parse,
fetch through the scoped selectors, render."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ruhui.campaigns import dashboard as boards
from ruhui.campaigns import selectors, services
from ruhui.campaigns.jobs import campaign_export_start
from ruhui.campaigns.presenting import chart_data, drill_links, unit_trail
from ruhui.campaigns.progress import month_keys
from ruhui.members.codes import EIGHT_GROUPS
from ruhui.web.access import cadre_required, require_perm

PAGE_SIZE = 50
#: htmx stops polling an element when its request answers 286.
STOP_POLLING = 286
GROUP_CODES = dict(EIGHT_GROUPS.items)


@require_GET
@cadre_required
def campaign_list(request):
    """Each campaign with the figures its dashboard opens on (`progress`: target, new members,
    share of target and pace, by the dashboard's own rule for its total row)."""
    campaigns = selectors.campaign_rows(user=request.user)
    today = timezone.localdate()
    for campaign in campaigns:
        campaign.timing = boards.timing(campaign, today)
        if getattr(campaign, "own_unit", None) is not None:
            campaign.progress = boards.unit_progress(  # the dashboard's rule, not a copy
                campaign,
                campaign.own_unit,
                campaign.own_figure,
                campaign.own_target,
                None,
                campaign.timing,
            )
    return render(request, "campaigns/list.html", {"campaigns": campaigns})


def _dashboard(request, campaign, unit):
    board = boards.dashboard(user=request.user, campaign=campaign, unit=unit)
    links = drill_links(campaign, board)
    return render(
        request,
        "campaigns/dashboard.html",
        {
            "campaign": campaign,
            "board": board,
            "links": links,
            "trail": unit_trail(user=request.user, campaign=campaign, unit=unit),
            "charts": chart_data(board),
            "phases": list(campaign.phases.all()),
            "milestones": list(campaign.milestones.all()),
            "assignments": list(campaign.assignments.select_related("group", "unit")),
            "today": timezone.localdate(),
            "panels": [
                render_to_string(template, context, request=request)
                for template, context in (
                    panel(campaign, unit, request.user) for panel in boards.PANELS
                )
            ],
        },
    )


@require_GET
@cadre_required
def dashboard(request, campaign_slug):
    campaign = selectors.campaign_get(user=request.user, slug=campaign_slug)
    unit = selectors.default_unit(user=request.user, campaign=campaign)
    return _dashboard(request, campaign, unit)


@require_GET
@cadre_required
def unit_dashboard(request, campaign_slug, org_pk):
    campaign = selectors.campaign_get(user=request.user, slug=campaign_slug)
    unit = selectors.unit_get(user=request.user, campaign=campaign, pk=org_pk)
    return _dashboard(request, campaign, unit)


def _drill_unit(request, campaign):
    pk = request.GET.get("unit")
    if pk:
        return selectors.unit_get(user=request.user, campaign=campaign, pk=pk)
    return selectors.default_unit(user=request.user, campaign=campaign)


@require_GET
@cadre_required
def new_members(request, campaign_slug):
    """The people behind a 新发展会员 figure (of a unit, a month, a group)."""
    campaign = selectors.campaign_get(user=request.user, slug=campaign_slug)
    unit = _drill_unit(request, campaign)
    month = request.GET.get("month", "")
    month = month if month in set(month_keys(campaign)) else ""
    group = request.GET.get("group", "")
    group = group if group in GROUP_CODES else ""
    events = selectors.new_member_events(
        user=request.user, campaign=campaign, unit=unit, month=month, group=group
    )
    page_obj = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/new_members.html",
        {
            "campaign": campaign,
            "unit": unit,
            "month": month,
            "group": GROUP_CODES.get(group, ""),
            "page_obj": page_obj,
            "query": _without_page(request),
        },
    )


@require_GET
@cadre_required
def new_unions(request, campaign_slug):
    """The base unions behind a 新建基层工会 figure."""
    campaign = selectors.campaign_get(user=request.user, slug=campaign_slug)
    unit = _drill_unit(request, campaign)
    unions = selectors.unions_founded(user=request.user, campaign=campaign, unit=unit)
    page_obj = Paginator(unions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/new_unions.html",
        {"campaign": campaign, "unit": unit, "page_obj": page_obj, "query": _without_page(request)},
    )


@require_GET
@cadre_required
def baseline_members(request, campaign_slug):
    """The memberships behind a 名册基数 figure, as they stood on the baseline date."""
    campaign = selectors.campaign_get(user=request.user, slug=campaign_slug)
    unit = _drill_unit(request, campaign)
    members = selectors.baseline_members(user=request.user, campaign=campaign, unit=unit)
    page_obj = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.label_unions_at(user=request.user, members=page_obj)
    return render(
        request,
        "campaigns/baseline_members.html",
        {"campaign": campaign, "unit": unit, "page_obj": page_obj, "query": _without_page(request)},
    )


def _without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_POST
@cadre_required
def export(request, campaign_slug):
    """Start the export of a unit's dashboard as an .xlsx workbook (a job: the file is on its
    page). The unit is the POSTed one, else the one the dashboard opens on."""
    campaign = selectors.campaign_get(user=request.user, slug=campaign_slug)
    pk = request.POST.get("unit")
    if pk:
        unit = selectors.unit_get(user=request.user, campaign=campaign, pk=pk)
    else:
        unit = selectors.default_unit(user=request.user, campaign=campaign)
    job = campaign_export_start(actor=request.user, campaign=campaign, unit=unit)
    return redirect("jobs:detail", job_pk=job.pk)


@require_GET
@cadre_required
def progress_state(request, campaign_slug):
    """Polled by a dashboard while its figures are being computed again (htmx, every few
    seconds): 204 (nothing to swap) while the computation is queued; once it has run, 200 with
    `HX-Refresh`, and the page reloads with the new figures; 286 (htmx: stop polling) when
    nothing is queued and the figures are those the page shows. `since` is the computation
    time the page showed."""
    campaign = selectors.campaign_get(user=request.user, slug=campaign_slug)
    shown = request.GET.get("since", "")
    current = campaign.progress_at.isoformat() if campaign.progress_at else ""
    if campaign.progress_queued:
        return HttpResponse(status=204)
    if current == shown:
        return HttpResponse(status=STOP_POLLING)
    response = HttpResponse("数字已更新。")
    response["HX-Refresh"] = "true"
    return response


@require_POST
@cadre_required
def refresh(request, campaign_slug):
    """Ask for the figures to be computed again now (they are also recomputed on changes)."""
    campaign = selectors.campaign_get(user=request.user, slug=campaign_slug)
    require_perm(request.user, "campaigns.refresh_progress")
    services.progress_request([campaign.pk], force=True)
    messages.success(request, "已提交重新统计，稍候刷新本页即可看到最新数字。")
    back = request.POST.get("unit")
    if back:
        unit = selectors.unit_get(user=request.user, campaign=campaign, pk=back)
        return redirect(reverse("campaigns:unit", args=[campaign.slug, unit.pk]))
    return redirect(reverse("campaigns:dashboard", args=[campaign.slug]))
