"""Pages of coverage, the 空壳 risk list and the social workers' 倾斜 list (read-only): every
cadre of a unit sees its own subtree; a unit outside it is 404."""

from __future__ import annotations

import datetime

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import NOT_FOUND, get_scoped_or_404, jurisdiction_root, scoped
from ruhui.positions import coverage as cover
from ruhui.positions import priority, shells
from ruhui.positions.coverage_export import coverage_download
from ruhui.web.access import cadre_required, require_perm

MSG_ORDER = "开始日期晚于结束日期：请把开始日期改为结束日期当天或之前。"
MSG_DATE = "日期格式不对：请填写如 2019-01-01 的日期。"


class PeriodForm(forms.Form):
    start = forms.DateField(label="开始日期", required=False, error_messages={"invalid": MSG_DATE})
    end = forms.DateField(label="结束日期", required=False, error_messages={"invalid": MSG_DATE})

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("start", MSG_ORDER)
        return data


def _unit(request) -> Organization | None:
    """The unit chosen with ?unit=<id> (its subtree), or None for the whole scope; one outside
    the user's scope, or not a number, is 404."""
    pk = request.GET.get("unit", "").strip()
    if not pk:
        return None
    if not pk.isdigit():
        raise Http404(NOT_FOUND)
    return get_scoped_or_404(request.user, Organization, pk=int(pk))


def _units(user) -> list[Organization]:
    """The units offered in the filter: the user's own and those one level under it."""
    root = jurisdiction_root(user)
    return list(
        scoped(user, Organization)
        .filter(depth__lte=root.depth + 1, is_active=True)
        .only("pk", "name", "depth", "path")
        .order_by("path")
    )


def _period(request) -> tuple[PeriodForm, datetime.date, datetime.date]:
    today = timezone.localdate()
    start, end = cover.default_period(today)
    form = PeriodForm(request.GET or None)
    if form.is_bound and form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
        if start > end:
            start, end = cover.default_period(today)
    return form, start, end


@require_GET
@cadre_required
def coverage(request):
    require_perm(request.user, "positions.view_position")
    unit = _unit(request)
    form, start, end = _period(request)
    figures = cover.coverage(user=request.user, unit=unit, start=start, end=end)
    if request.GET.get("format") == "xlsx":
        return coverage_download(figures)
    return render(
        request,
        "positions/coverage_page.html",
        {
            "figures": figures,
            "form": form,
            "start": start,
            "end": end,
            "unit": unit,
            "units": _units(request.user),
            "query": request.GET.urlencode(),
        },
    )


@require_GET
@cadre_required
def shell_list(request):
    require_perm(request.user, "positions.view_position")
    unit = _unit(request)
    found = shells.shell_candidates(user=request.user, unit=unit)
    return render(
        request,
        "positions/coverage_shells.html",
        {
            "found": found,
            "unit": unit,
            "units": _units(request.user),
            "conditions": shells.CONDITIONS,
        },
    )


@require_GET
@cadre_required
def priority_list(request):
    require_perm(request.user, "positions.view_social_worker")
    unit = _unit(request)
    campaigns = priority.campaigns_for(request.user)
    slug = request.GET.get("campaign", "").strip()
    campaign = campaigns[0] if campaigns else None
    if slug:
        campaign = next((c for c in campaigns if c.slug == slug), None)
        if campaign is None:
            raise Http404(NOT_FOUND)
    rows = priority.priority_list(user=request.user, campaign=campaign, unit=unit)
    return render(
        request,
        "positions/coverage_priority.html",
        {
            "rows": rows,
            "campaign": campaign,
            "campaigns": campaigns,
            "unit": unit,
            "units": _units(request.user),
        },
    )
