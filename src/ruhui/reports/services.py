"""Every change to a 月报: one service per step, called from the pages and the demo alike.

Each step checks the model guard (`MonthlyReport.can_submit(actor)` …) for who may act, locks
the row, checks the guard again on the locked row (someone else may have acted: 「已被他人处
理」), then writes the change, one append-only `ReportEvent` and one audit row in one
transaction. Bad input raises ValidationError with a Chinese message that names the field and
says how to fix it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ruhui.audit.services import Action, audit_record
from ruhui.campaigns.models import Campaign
from ruhui.orgs.models import Organization
from ruhui.reports.choices import NARRATIVE, ReportKind, ReportStatus
from ruhui.reports.figures import report_figures
from ruhui.reports.models import (
    MonthlyReport,
    ReportAttachment,
    ReportEvent,
    ReportSchedule,
    month_bounds,
)
from ruhui.reports.selectors import reporting_units, valid_month
from ruhui.tabular.stored import attach_uploads

MSG_TAKEN = "已被他人处理：该月报现在的状态是「{status}」，请刷新页面查看最新状态。"
MSG_MONTH = "月份应写成 2019-06 的形式：请从列表中选择月份。"
MSG_FUTURE = "{month}还没有结束，不能填报未来月份的月报：请在该月结束后再填报。"
MSG_OUTSIDE = "月份 {month} 不在集中行动期间（{start} 至 {end}）内：请选择行动期间的月份。"
MSG_DUPLICATE = (
    "{unit}{month}的{kind}已经建立（{status}）：请打开已有的报告继续填写，不要重复填报。"
)
MSG_NOT_REPORTING = (
    "{unit}不是「{campaign}」的报送单位：月报由{owner}下一级有任务的单位（或下一级单位）报送。"
)
MSG_NOT_OWN_UNIT = "只有{unit}的工作人员可以填报和修改本单位的月报。"
MSG_LOCKED = "该月报已报送（{status}），不能修改；如需修改，请联系{owner}退回。"
MSG_NOT_REVIEWER = "月报由{owner}审阅；您所在的单位不能审阅它。"
MSG_PROGRESS = "请填写工作进展：报送前至少写明本月的工作进展。"
MSG_OPINION = "退回修改时请填写意见，说明需要修改的地方。"
MSG_TOO_LONG = "{label}最多 {limit} 字，现在有 {count} 字：请精简后再保存。"
MAX_TEXT = 5000


def _error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _actor_name(actor) -> str:
    return (getattr(actor, "display_name", "") or getattr(actor, "username", "") or "")[:60]


def _month_label(month: str) -> str:
    return f"{month[:4]}年{int(month[5:7])}月"


def _kind_label(kind: str) -> str:
    return str(ReportKind(kind).label)


def _lock(report: MonthlyReport) -> MonthlyReport:
    return (
        MonthlyReport.objects.select_for_update(of=("self",))
        .select_related("campaign__owner", "unit")
        .get(pk=report.pk)
    )


def _taken(report: MonthlyReport) -> ValidationError:
    return ValidationError(MSG_TAKEN.format(status=report.get_status_display()))


def _event(report, actor, from_status, opinion: str = "") -> ReportEvent:
    return ReportEvent.objects.create(
        report=report,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_actor_name(actor),
        at=timezone.now(),
        from_status=from_status,
        to_status=report.status,
        opinion=opinion,
    )


def _audit(actor, report, action, changes) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=report,
        org_path=report.unit.path,
        object_repr=str(report),
        changes=changes,
    )


def _check_edit(actor, report: MonthlyReport) -> None:
    if actor.organization_id != report.unit_id or not actor.has_perm("reports.edit_report"):
        if not actor.has_perm("reports.edit_report"):
            raise PermissionDenied
        raise ValidationError(MSG_NOT_OWN_UNIT.format(unit=report.unit.name))
    if not report.editable:
        raise ValidationError(
            MSG_LOCKED.format(status=report.get_status_display(), owner=report.campaign.owner.name)
        )


def check_month(*, campaign: Campaign, month: str, kind: str, today) -> None:
    """A month the unit may report: well formed, in the campaign window, already over (a
    year-end report: the campaign year's December, which may be written in December)."""
    if not valid_month(month):
        raise _error("month", MSG_MONTH)
    first, last = month_bounds(month)
    if last < campaign.starts_on or first > campaign.ends_on:
        raise _error(
            "month",
            MSG_OUTSIDE.format(
                month=_month_label(month), start=campaign.starts_on, end=campaign.ends_on
            ),
        )
    if first > today or (kind == ReportKind.MONTHLY and last >= today):
        raise _error("month", MSG_FUTURE.format(month=_month_label(month)))


@transaction.atomic
def report_open(
    *,
    actor,
    campaign: Campaign,
    unit: Organization,
    month: str,
    kind: str = ReportKind.MONTHLY,
) -> MonthlyReport:
    """Start a unit's report of a month: only the reporting unit's own cadres, a month of the
    window that is over, one report per (unit, kind, month)."""
    if not actor.has_perm("reports.edit_report"):
        raise PermissionDenied
    if actor.organization_id != unit.pk:
        raise ValidationError(MSG_NOT_OWN_UNIT.format(unit=unit.name))
    if not any(u.pk == unit.pk for u in reporting_units(campaign)):
        raise ValidationError(
            MSG_NOT_REPORTING.format(
                unit=unit.name, campaign=campaign.name, owner=campaign.owner.name
            )
        )
    if kind == ReportKind.YEAR_END:
        month = f"{campaign.year}-12"
    check_month(campaign=campaign, month=month, kind=kind, today=timezone.localdate())
    existing = MonthlyReport.objects.filter(
        campaign=campaign, unit=unit, kind=kind, month=month
    ).first()
    if existing is not None:
        raise _error("month", _duplicate(existing))
    try:
        with transaction.atomic():
            report = MonthlyReport.objects.create(
                campaign=campaign, unit=unit, kind=kind, month=month, created_by=actor
            )
    except IntegrityError:  # opened by a colleague at the same moment
        existing = MonthlyReport.objects.get(campaign=campaign, unit=unit, kind=kind, month=month)
        raise _error("month", _duplicate(existing)) from None
    _event(report, actor, "")
    _audit(actor, report, Action.CREATE, {"状态": [None, str(report.get_status_display())]})
    return report


def _duplicate(existing: MonthlyReport) -> str:
    return MSG_DUPLICATE.format(
        unit=existing.unit.name,
        month=_month_label(existing.month),
        kind=_kind_label(existing.kind),
        status=existing.get_status_display(),
    )


def _clean_text(data: dict) -> dict[str, str]:
    cleaned = {}
    for name, label in NARRATIVE.items():
        text = str(data.get(name) or "").replace("\r\n", "\n").strip()
        if len(text) > MAX_TEXT:
            raise _error(name, MSG_TOO_LONG.format(label=label, limit=MAX_TEXT, count=len(text)))
        cleaned[name] = text
    return cleaned


@transaction.atomic
def report_save(*, actor, report: MonthlyReport, data: dict, uploads=()) -> MonthlyReport:
    """The unit's narrative (工作进展, 典型经验和创新做法, 存在问题, 下月打算) and attachments,
    while the report is a draft or returned."""
    seen = report.status
    report = _lock(report)
    if report.status != seen and not report.editable:
        raise _taken(report)
    _check_edit(actor, report)
    cleaned = _clean_text(data)
    changes = {
        NARRATIVE[name]: [getattr(report, name), value]
        for name, value in cleaned.items()
        if getattr(report, name) != value
    }
    for name, value in cleaned.items():
        setattr(report, name, value)
    report.save(update_fields=[*cleaned, "updated_at"])
    rows = _attach(actor, report, uploads)
    if rows:
        changes["附件"] = [None, "、".join(r.original_name for r in rows)]
    if changes:
        _audit(actor, report, Action.UPDATE, changes)
    return report


def _attach(actor, report: MonthlyReport, uploads) -> list[ReportAttachment]:
    """Check, keep and record every upload (`tabular.stored.attach_uploads`)."""
    return attach_uploads(ReportAttachment, uploads, actor=actor, field="files", report=report)


@transaction.atomic
def report_submit(*, actor, report: MonthlyReport) -> MonthlyReport:
    """报送: freezes the figures (as computed now from the records) with the campaign's
    `progress_at`; the first submission's time is the one punctuality is judged by."""
    seen = report.status
    report = _lock(report)
    if report.status != seen and not report.editable:
        raise _taken(report)
    _check_edit(actor, report)
    if not report.progress.strip():
        raise _error("progress", MSG_PROGRESS)
    campaign = Campaign.objects.get(pk=report.campaign_id)
    before = report.status
    report.figures = report_figures(campaign=campaign, unit=report.unit, month=report.month)
    report.figures_at = campaign.progress_at
    report.status = ReportStatus.SUBMITTED
    fields = ["figures", "figures_at", "status", "updated_at"]
    if report.submitted_at is None:
        report.submitted_at = timezone.now()
        report.submitted_by = actor
        fields += ["submitted_at", "submitted_by"]
    report.save(update_fields=fields)
    _event(report, actor, before)
    _audit(actor, report, Action.UPDATE, {"状态": [str(ReportStatus(before).label), "已报送"]})
    return report


def _review(actor, report: MonthlyReport, to_status: str, opinion: str) -> MonthlyReport:
    if not actor.has_perm("reports.review_report"):
        raise PermissionDenied
    seen = report.status
    report = _lock(report)
    if report.status != ReportStatus.SUBMITTED:
        if seen == ReportStatus.SUBMITTED:
            raise _taken(report)
        raise ValidationError(MSG_TAKEN.format(status=report.get_status_display()))
    if actor.organization_id != report.campaign.owner_id:
        raise ValidationError(MSG_NOT_REVIEWER.format(owner=report.campaign.owner.name))
    report.status = to_status
    report.save(update_fields=["status", "updated_at"])
    _event(report, actor, ReportStatus.SUBMITTED, opinion)
    changes = {"状态": ["已报送", str(ReportStatus(to_status).label)]}
    if opinion:
        changes["意见"] = [None, opinion]
    _audit(actor, report, Action.UPDATE, changes)
    return report


@transaction.atomic
def report_read(*, actor, report: MonthlyReport, opinion: str = "") -> MonthlyReport:
    """已阅: the campaign owner's reviewers mark a submitted report read (an opinion is optional)."""
    return _review(actor, report, ReportStatus.READ, (opinion or "").strip())


@transaction.atomic
def report_return(*, actor, report: MonthlyReport, opinion: str) -> MonthlyReport:
    """退回修改: the campaign owner's reviewers send it back, saying what to change."""
    opinion = (opinion or "").strip()
    if not opinion:
        raise _error("opinion", MSG_OPINION)
    return _review(actor, report, ReportStatus.RETURNED, opinion)


MSG_DUE_DAY = "月报报送截止日应为 1 到 28 之间的整数（次月几号），如 5。"
MSG_FIRST_MONTH = (
    "首个报送月份应为行动期间的月份，写成 2019-06 的形式；留空表示从行动开始的月份起。"
)
MSG_NOT_OWNER_ADMIN = "只有{owner}的管理员可以设置月报的报送时间。"


def can_set_schedule(actor, campaign: Campaign) -> bool:
    """The campaign owner's admins set when its monthly reports are due."""
    return actor.organization_id == campaign.owner_id and actor.has_perm("reports.set_schedule")


@transaction.atomic
def schedule_set(
    *, actor, campaign: Campaign, due_day: int, first_month: str = ""
) -> ReportSchedule:
    """When the campaign's monthly reports are due (day of the next month, 1–28) and from which
    month they are reported; the campaign owner's admins only."""
    if not can_set_schedule(actor, campaign):
        raise ValidationError(MSG_NOT_OWNER_ADMIN.format(owner=campaign.owner.name))
    try:
        day = int(due_day)
    except (TypeError, ValueError):
        raise _error("due_day", MSG_DUE_DAY) from None
    if not 1 <= day <= 28:
        raise _error("due_day", MSG_DUE_DAY)
    first_month = (first_month or "").strip()
    if first_month:
        if not valid_month(first_month):
            raise _error("first_month", MSG_FIRST_MONTH)
        first, last = month_bounds(first_month)
        if last < campaign.starts_on or first > campaign.ends_on:
            raise _error("first_month", MSG_FIRST_MONTH)
    schedule = ReportSchedule.objects.select_for_update().filter(campaign=campaign).first()
    before = (schedule.due_day, schedule.first_month) if schedule else (None, None)
    if schedule is None:
        schedule = ReportSchedule(campaign=campaign)
    schedule.due_day, schedule.first_month = day, first_month
    schedule.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=schedule,
        org_path=campaign.owner.path,
        object_repr=f"{campaign.name} 月报报送时间",
        changes={"截止日": [before[0], day], "首个报送月份": [before[1], first_month]},
    )
    return schedule
