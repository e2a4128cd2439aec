"""Every read of 典型经验. The cadre pages start from the jurisdiction scope
(`orgs.scoping.scoped`): a unit sees the cases of its subtree. The public pages read published
cases only, through `published_cases` — nothing else of a case leaves the system."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from ruhui.campaigns.models import Campaign
from ruhui.cases.models import Case, CaseEvent, CasePhoto, CaseStatus
from ruhui.orgs.models import WorkerGroup
from ruhui.orgs.scoping import get_scoped_or_404, scoped
from ruhui.reports.choices import ReportStatus
from ruhui.reports.selectors import reports_of

PUBLIC_NOT_FOUND = "没有找到这篇典型经验：它可能尚未发布或已撤下。"


def case_list(
    *, user, status: str = "", campaign_id=None, group: str = "", unit_id=None
) -> QuerySet[Case]:
    """The cases of the user's subtree, newest first, filtered by status, campaign and group."""
    cases = scoped(user, Case).select_related("unit", "campaign").prefetch_related("groups")
    if status:
        cases = cases.filter(status=status)
    if campaign_id:
        cases = cases.filter(campaign_id=campaign_id)
    if group:
        cases = cases.filter(groups__code=group)
    if unit_id:
        cases = cases.filter(unit_id=unit_id)
    return cases.order_by("-submitted_at", "-pk")


def case_get(*, user, pk) -> Case:
    """One case of the user's subtree (with its photos and history), or the same 404."""
    queryset = Case.objects.select_related(
        "unit", "campaign__owner", "submitted_by", "published_by"
    ).prefetch_related(
        "groups",
        "photos",
        Prefetch("events", queryset=CaseEvent.objects.select_related("actor_unit")),
    )
    return get_scoped_or_404(user, queryset, pk=pk)


def photo_get(*, user, pk) -> CasePhoto:
    """A photo of a case the user sees, or 404."""
    return get_scoped_or_404(user, CasePhoto.objects.select_related("case"), pk=pk)


def visible_campaigns(*, user) -> QuerySet[Campaign]:
    """The campaigns a cadre may file a case under or filter by."""
    return scoped(user, Campaign).select_related("owner").order_by("-year", "name")


def selected_for_export(*, user, ids=None) -> list[Case]:
    """The selected (and published) cases of the user's subtree in the newspaper's order:
    by unit, then by submission. `ids` narrows to the cases ticked on the list page."""
    cases = case_list(user=user).filter(status__in=(CaseStatus.SELECTED, CaseStatus.PUBLISHED))
    if ids:
        cases = cases.filter(pk__in=ids)
    return list(cases.order_by("unit__path", "submitted_at", "pk"))


def reports_to_turn(*, user, limit: int = 10) -> list:
    """The latest monthly reports of the user's subtree whose 典型经验和创新做法 is written and
    not yet submitted as a case (the list page offers each in one click)."""
    taken = Case.objects.filter(source_report__isnull=False).values("source_report_id")
    reports = (
        reports_of(user=user)
        .exclude(experience="")
        .exclude(status=ReportStatus.DRAFT)
        .exclude(pk__in=taken)
        .order_by("-month", "unit__path")
    )
    return list(reports[:limit])


def groups() -> QuerySet[WorkerGroup]:
    return WorkerGroup.objects.order_by("code")


# --- the public pages -------------------------------------------------------------------


def published_cases(*, group: str = "") -> QuerySet[Case]:
    """Published cases, newest first, optionally of one of the eight groups."""
    cases = (
        Case.objects.filter(status=CaseStatus.PUBLISHED)
        .select_related("unit")
        .prefetch_related("groups")
        .order_by("-published_at", "-pk")
    )
    if group:
        cases = cases.filter(groups__code=group)
    return cases


def published_case(*, slug: str) -> Case:
    """A published case by its slug; unpublished, withdrawn or unknown → the same 404."""
    try:
        return published_cases().prefetch_related("photos").get(slug=slug)
    except (Case.DoesNotExist, ValueError):
        raise Http404(PUBLIC_NOT_FOUND) from None


def published_photo(*, slug: str, pk) -> CasePhoto:
    """A photo of a published case, or 404."""
    try:
        return CasePhoto.objects.select_related("case").get(
            pk=pk, case__slug=slug, case__status=CaseStatus.PUBLISHED
        )
    except (CasePhoto.DoesNotExist, ValueError, TypeError):
        raise Http404(PUBLIC_NOT_FOUND) from None


def bulletin_excerpts(campaign: Campaign, cut_off) -> list[tuple[str, str, str]]:
    """The campaign's cases the city published by the cut-off, oldest first, as (title, unit,
    text): the 典型经验摘编 of a 通报 (registered in reports.bulletins.EXCERPT_SOURCES)."""
    return [
        (case.title, case.unit.name, case.text)
        for case in Case.objects.filter(
            campaign=campaign,
            status=CaseStatus.PUBLISHED,
            published_at__date__lte=cut_off,
        )
        .select_related("unit")
        .order_by("published_at", "pk")
    ]
