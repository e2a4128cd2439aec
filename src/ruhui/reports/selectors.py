"""Every read of the 月报 pages, starting from the jurisdiction scope (`orgs.scoping.scoped`):
the units that report, the months they report, the city's matrix of units × months, one
report with its history. Each is a fixed number of queries whatever the number of units."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from ruhui.campaigns.models import Campaign
from ruhui.campaigns.selectors import (
    campaign_get,  # re-exported
    next_level_targets,
)
from ruhui.campaigns.selectors import unit_get as campaign_unit_get  # re-exported
from ruhui.figures.selectors import months
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import NOT_FOUND, get_scoped_or_404, jurisdiction_root, scoped
from ruhui.reports.choices import DEFAULT_DUE_DAY, BulletinStatus, ReportKind, ReportStatus
from ruhui.reports.models import (
    MONTH_RE,
    Bulletin,
    MonthlyReport,
    ReportAttachment,
    ReportSchedule,
    due_date,
)

__all__ = ["campaign_get", "campaign_unit_get"]


def schedule(campaign: Campaign) -> ReportSchedule:
    """A campaign's report schedule (unsaved default — due on the 5th, from the first month of
    the window — when it has none)."""
    found = ReportSchedule.objects.filter(campaign=campaign).first()
    return found or ReportSchedule(campaign=campaign, due_day=DEFAULT_DUE_DAY)


def due_day(campaign: Campaign) -> int:
    """The day of the next month a campaign's monthly reports are due (5 when not set)."""
    return schedule(campaign).due_day


def reporting_units(campaign: Campaign) -> list[Organization]:
    """The units that report: those with a target one level under the campaign owner; where
    no target exists, the owner's active children."""
    units = [t.unit for t in next_level_targets(campaign, campaign.owner)]
    if units:
        return units
    return list(
        Organization.objects.get_children(campaign.owner).filter(is_active=True).order_by("path")
    )


def report_months(campaign: Campaign, today: datetime.date, first_month: str = "") -> list[str]:
    """The campaign window's months from the first reported one up to the current one
    ('YYYY-MM', in order)."""
    if today < campaign.starts_on:
        return []
    keys = months(campaign.starts_on, min(campaign.ends_on, today))
    return [key for key in keys if key >= first_month]


def valid_month(month: str) -> bool:
    import re

    return bool(re.fullmatch(MONTH_RE, month or ""))


@dataclass
class Cell:
    """A unit's month in the matrix: 按时 / 迟报 N 天 / 未报 / 退回 / 草稿 / 待报."""

    month: str
    code: str
    label: str
    report: MonthlyReport | None = None
    days_late: int = 0
    due: datetime.date | None = None

    @property
    def missing(self) -> bool:
        return self.code in ("missing", "draft_late")


def cell_of(
    report: MonthlyReport | None, month: str, due: datetime.date, today: datetime.date
) -> Cell:
    """Where a unit's month stands: on time when first submitted on or before the due date;
    late by the days after it; missing when nothing was submitted and the due date has
    passed."""
    past_due = today > due
    if report is None:
        if past_due:
            return Cell(month, "missing", "未报", None, due=due)
        return Cell(month, "pending", "待报", None, due=due)
    if report.status == ReportStatus.RETURNED:
        return Cell(month, "returned", "退回", report, due=due)
    if report.status == ReportStatus.DRAFT or report.submitted_at is None:
        if past_due:
            return Cell(month, "draft_late", "未报（草稿）", report, due=due)
        return Cell(month, "draft", "草稿", report, due=due)
    sent_on = timezone.localtime(report.submitted_at).date()
    if sent_on <= due:
        return Cell(month, "on_time", "按时", report, due=due)
    days = (sent_on - due).days
    return Cell(month, "late", f"迟报 {days} 天", report, days_late=days, due=due)


@dataclass
class MatrixRow:
    unit: Organization
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Matrix:
    months: list[str]
    rows: list[MatrixRow]
    due_day: int
    #: Per month: units missing (no report after the due date).
    missing: dict[str, list[Organization]]


def visible_reporting_units(*, user, campaign: Campaign) -> list[Organization]:
    """The reporting units a user sees: their own unit and those of their subtree."""
    root = jurisdiction_root(user)
    if root is None:
        return []
    return [u for u in reporting_units(campaign) if u.path.startswith(root.path)]


def matrix(*, user, campaign: Campaign, today: datetime.date) -> Matrix:
    """The units × months matrix of a campaign's monthly reports, the rows the user sees.
    A fixed number of queries (targets or children, schedule, reports) whatever the size."""
    units = visible_reporting_units(user=user, campaign=campaign)
    plan = schedule(campaign)
    keys = report_months(campaign, today, plan.first_month)
    day = plan.due_day
    reports = {
        (r.unit_id, r.month): r
        for r in scoped(user, MonthlyReport).filter(
            campaign=campaign, kind=ReportKind.MONTHLY, unit__in=[u.pk for u in units]
        )
    }
    rows = []
    missing: dict[str, list[Organization]] = {key: [] for key in keys}
    for unit in units:
        row = MatrixRow(unit)
        for key in keys:
            cell = cell_of(reports.get((unit.pk, key)), key, due_date(key, day), today)
            row.cells.append(cell)
            if cell.missing:
                missing[key].append(unit)
        rows.append(row)
    return Matrix(months=keys, rows=rows, due_day=day, missing=missing)


def overview(*, user, today: datetime.date) -> list[Campaign]:
    """The campaigns the user sees; each carries `reporting` (whether the user's unit reports
    in it), `cells` (its months, when it does) and `year_end` (its year-end report, if any)."""
    campaigns = list(scoped(user, Campaign).select_related("owner").order_by("-starts_on", "pk"))
    own = {
        (r.campaign_id, r.kind, r.month): r
        for r in MonthlyReport.objects.filter(campaign__in=campaigns, unit_id=user.organization_id)
    }
    for campaign in campaigns:
        campaign.is_owner = campaign.owner_id == user.organization_id
        units = reporting_units(campaign)
        campaign.reporting = any(u.pk == user.organization_id for u in units)
        campaign.cells = []
        campaign.year_end = own.get((campaign.pk, ReportKind.YEAR_END, f"{campaign.year}-12"))
        if campaign.reporting:
            plan = schedule(campaign)
            campaign.cells = [
                cell_of(
                    own.get((campaign.pk, ReportKind.MONTHLY, key)),
                    key,
                    due_date(key, plan.due_day),
                    today,
                )
                for key in reversed(report_months(campaign, today, plan.first_month))
            ]
    return campaigns


def report_find(
    *, user, campaign: Campaign, unit: Organization, month: str, kind: str
) -> MonthlyReport | None:
    """The unit's report of the month, if opened (inside the user's jurisdiction)."""
    return (
        scoped(user, MonthlyReport)
        .filter(campaign=campaign, unit=unit, month=month, kind=kind)
        .select_related("campaign__owner", "unit", "submitted_by")
        .first()
    )


def report_get(*, user, pk) -> MonthlyReport:
    return get_scoped_or_404(
        user, MonthlyReport.objects.select_related("campaign__owner", "unit"), pk=pk
    )


def report_history(*, report: MonthlyReport) -> dict:
    """A report's events and attachments (two queries)."""
    return {
        "events": list(report.events.select_related("actor")),
        "attachments": list(report.attachments.all()),
    }


def attachment_get(*, user, pk) -> ReportAttachment:
    return get_scoped_or_404(user, ReportAttachment, pk=pk)


def reports_of(*, user) -> QuerySet[MonthlyReport]:
    """Every report the user sees (the API's list)."""
    return (
        scoped(user, MonthlyReport)
        .select_related("campaign", "unit")
        .order_by("campaign__starts_on", "campaign_id", "unit__path", "month", "kind")
    )


def month_or_404(month: str) -> str:
    if not valid_month(month):
        raise Http404(NOT_FOUND)
    return month


# --- 通报 ---------------------------------------------------------------------------------------


def _bulletin_reader(user, campaign: Campaign) -> bool:
    """Whether the user may see drafts: a cadre of the campaign owner or above it."""
    root = jurisdiction_root(user)
    return root is not None and campaign.owner.path.startswith(root.path)


def bulletins_visible(*, user, campaign: Campaign) -> QuerySet[Bulletin]:
    """A campaign's bulletins the user sees: every version for the owner's level (and above),
    the published (and corrected) ones for the units under it."""
    bulletins = scoped(user, Bulletin).filter(campaign=campaign)
    if not _bulletin_reader(user, campaign):
        bulletins = bulletins.exclude(status=BulletinStatus.DRAFT)
    return bulletins.select_related("published_by").order_by("-cut_off", "-version")


def bulletin_get(*, user, campaign: Campaign, pk) -> Bulletin:
    """One bulletin of the campaign; a draft outside the owner's level is as missing (404)."""
    return get_scoped_or_404(
        user,
        bulletins_visible(user=user, campaign=campaign).select_related(
            "campaign__owner", "corrects"
        ),
        pk=pk,
    )


def bulletin_history(*, user, bulletin: Bulletin) -> dict:
    """A bulletin's events and its other versions the user sees (two queries)."""
    return {
        "events": list(bulletin.events.all()),
        "versions": list(
            bulletins_visible(user=user, campaign=bulletin.campaign)
            .filter(cut_off=bulletin.cut_off)
            .exclude(pk=bulletin.pk)
            .order_by("version")
        ),
    }


def bulletin_index(*, user, campaign: Campaign) -> dict:
    """The bulletins the user sees and the default cut-offs with the bulletin of each (if any)."""
    from ruhui.reports.bulletins import default_cut_offs

    bulletins = list(bulletins_visible(user=user, campaign=campaign))
    by_cut_off: dict = {}
    for bulletin in bulletins:
        by_cut_off.setdefault(bulletin.cut_off, bulletin)
    return {
        "bulletins": bulletins,
        "cut_offs": [(day, by_cut_off.get(day)) for day in default_cut_offs(campaign)],
    }


def bulletins_of(*, user) -> QuerySet[Bulletin]:
    """Every bulletin the user sees (the API's list): drafts of the campaigns owned at the
    user's level or below it, published and corrected ones of every campaign in scope."""
    root = jurisdiction_root(user)
    if root is None:
        return Bulletin.objects.none()
    return (
        scoped(user, Bulletin)
        .filter(~Q(status=BulletinStatus.DRAFT) | Q(campaign__owner__path__startswith=root.path))
        .select_related("campaign__owner")
        .order_by("campaign__starts_on", "campaign_id", "cut_off", "version")
    )
