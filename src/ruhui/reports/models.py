"""月报: each reporting unit's monthly report to the campaign owner (2015 plan: 「每月要向市总报告
集中行动进展情况，突出典型经验和创新做法」; at year end 「形成专题报告，向市总报送」).

A report belongs to its unit (`scope_field`): the unit sees its own, the city every one below
it, a sibling county none. Every state change is a service (`reports.services`) that locks the
row and writes an append-only `ReportEvent` and an audit row in one transaction. The figures
are never typed: while a draft they are computed live (`reports.figures`), and submission
freezes them as JSON together with the campaign's `progress_at`.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ruhui.reports.choices import (
    BULLETIN_ACTIONS,
    DEFAULT_DUE_DAY,
    REPORT_EDITABLE,
    BulletinStatus,
    ReportKind,
    ReportStatus,
)
from ruhui.tabular.stored import StoredFile

MONTH_RE = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


def month_bounds(month: str) -> tuple[datetime.date, datetime.date]:
    """First and last day of a 'YYYY-MM' month."""
    year, number = int(month[:4]), int(month[5:7])
    first = datetime.date(year, number, 1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def due_date(month: str, due_day: int) -> datetime.date:
    """A month's report is due on `due_day` of the month after it."""
    _first, last = month_bounds(month)
    return (last + datetime.timedelta(days=1)).replace(day=due_day)


def _acts_for(actor, unit) -> bool:
    """The actor is a cadre of exactly this unit (not above it, not below)."""
    return bool(
        unit is not None
        and getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.organization_id == unit.pk
    )


class ReportSchedule(models.Model):
    """When a campaign's monthly reports are due: on `due_day` of the next month. (Issue 17 asks
    for `Campaign.report_due_day`; the campaigns app belongs to another feature, so the day is
    kept here, one row per campaign. No row: the 5th.)"""

    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="report_schedule"
    )
    due_day = models.PositiveSmallIntegerField(
        _("月报报送截止日（次月几号）"),
        default=DEFAULT_DUE_DAY,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    first_month = models.CharField(
        _("首个报送月份"),
        max_length=7,
        blank=True,
        validators=[RegexValidator(MONTH_RE, _("月份应写成 2019-06 的形式。"))],
        help_text=_("从这个月起按月报送（空：行动开始的月份），如 2019-06。"),
    )

    class Meta:
        verbose_name = _("月报报送时间")
        constraints = [
            models.CheckConstraint(
                condition=Q(due_day__gte=1, due_day__lte=28), name="report_due_day_1_28"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} 次月{self.due_day}日前报送"


class MonthlyReport(models.Model):
    """One unit's report of one month (or its year-end 专题报告) in one campaign."""

    scope_field = "unit__path"

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="monthly_reports"
    )
    unit = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="monthly_reports"
    )
    kind = models.CharField(
        _("报告类型"), max_length=10, choices=ReportKind.choices, default=ReportKind.MONTHLY
    )
    month = models.CharField(
        _("月份"),
        max_length=7,
        validators=[RegexValidator(MONTH_RE, _("月份应写成 2019-06 的形式。"))],
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    progress = models.TextField(_("工作进展"), blank=True)
    experience = models.TextField(_("典型经验和创新做法"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下月打算"), blank=True)
    #: The figures as submitted (reports.figures.report_figures), and the campaign's
    #: `progress_at` they were computed from; empty while a draft.
    figures = models.JSONField(default=dict, blank=True)
    figures_at = models.DateTimeField(_("统计时间"), null=True, blank=True)
    #: The first submission: punctuality is judged by it (a return for changes does not make
    #: a report late).
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("月报")
        verbose_name_plural = _("月报")
        ordering = ["campaign_id", "unit__path", "month", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "kind", "month"], name="one_report_per_month"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "month"])]

    def __str__(self) -> str:
        if self.kind == ReportKind.YEAR_END:
            return f"{self.unit.name}{self.month[:4]}年度专题报告"
        return f"{self.unit.name}{self.month[:4]}年{int(self.month[5:7])}月月报"

    @property
    def editable(self) -> bool:
        return self.status in REPORT_EDITABLE

    def can_edit(self, actor) -> bool:
        """Its own unit's cadres, while it is a draft or returned."""
        return (
            self.editable and _acts_for(actor, self.unit) and actor.has_perm("reports.edit_report")
        )

    def can_submit(self, actor) -> bool:
        return self.can_edit(actor)

    def can_review(self, actor) -> bool:
        """Read or return: the campaign owner's reviewers, while it is submitted."""
        return (
            self.status == ReportStatus.SUBMITTED
            and _acts_for(actor, self.campaign.owner)
            and actor.has_perm("reports.review_report")
        )


class ReportEvent(models.Model):
    """One step of a report (append-only): who, when, from, to, opinion."""

    scope_field = "report__unit__path"

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=60, blank=True)
    at = models.DateTimeField()
    from_status = models.CharField(max_length=10, choices=ReportStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=ReportStatus.choices)
    opinion = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report} {self.get_to_status_display()}"


class ReportAttachment(StoredFile):
    """A file kept with a report (photos, a signed copy): checked and stored by
    `tabular.attachments`, served only by the scoped download view."""

    scope_field = "report__unit__path"

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="attachments")


#: A rendering queued longer than this is shown as stalled (it takes seconds).
RENDER_STALLED_AFTER = datetime.timedelta(minutes=15)

#: 文号: the issuer's 2–8 character abbreviation, 〔year〕, a number, 号 (平工组〔2019〕12号).
BULLETIN_NUMBER_RE = r"^[\u4e00-\u9fff]{2,8}〔[0-9]{4}〕[0-9]{1,4}号$"


class Bulletin(models.Model):
    """通报: the campaign owner's bimonthly bulletin of every reporting unit's progress as of a
    cut-off (a month end). A draft is rendered (figures + files) by a task and may be edited
    and re-rendered; publishing freezes the figures and the files with their SHA-256; a
    published bulletin never changes — a correction is a new version naming its reason.

    Scope: the campaign owner's path, reaching down like the campaign itself, so the counties
    of a city campaign see its bulletins; drafts are kept to the owner's level by the
    selectors (`reports.selectors.bulletins_visible`)."""

    scope_field = "campaign__owner__path"
    scope_reaches_down = True

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="bulletins"
    )
    cut_off = models.DateField(_("数据截止日期"))
    title = models.CharField(_("标题"), max_length=120)
    number = models.CharField(
        _("文号"),
        max_length=30,
        validators=[
            RegexValidator(BULLETIN_NUMBER_RE, _("文号应写成 平工组〔2019〕12号 的形式。"))
        ],
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT
    )
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    correction_reason = models.TextField(_("更正原因"), blank=True)
    #: The figures as of the cut-off (reports.bulletins.bulletin_figures) the files were written
    #: from; frozen on publishing.
    figures = models.JSONField(default=dict, blank=True)
    figures_at = models.DateTimeField(_("统计时间"), null=True, blank=True)
    #: kind (docx / pdf / xlsx / png) → {"path", "name", "size", "sha256"}.
    files = models.JSONField(default=dict, blank=True)
    missing_characters = models.JSONField(default=list, blank=True)
    render_queued = models.BooleanField(default=False)
    #: Why the last rendering failed (cleared by the next one); the page shows it.
    render_error = models.TextField(_("生成失败原因"), blank=True)
    rendered_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["campaign_id", "-cut_off", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "cut_off", "version"], name="one_bulletin_version"
            ),
        ]

    def __str__(self) -> str:
        suffix = f"（更正第{self.version - 1}次）" if self.version > 1 else ""
        return f"{self.title}{suffix}"

    @property
    def editable(self) -> bool:
        return self.status == BulletinStatus.DRAFT

    @property
    def render_stalled(self) -> bool:
        """Queued longer than a rendering can take: its worker died, or no worker runs."""
        return self.render_queued and self.updated_at < timezone.now() - RENDER_STALLED_AFTER

    @property
    def rendered(self) -> bool:
        return self.rendered_at is not None and all(k in self.files for k in ("docx", "pdf"))

    def _owner_cadre(self, actor, perm: str) -> bool:
        return _acts_for(actor, self.campaign.owner) and actor.has_perm(perm)

    def can_edit(self, actor) -> bool:
        """Edit, render: the campaign owner's admins and reviewers, while a draft."""
        return self.editable and self._owner_cadre(actor, "reports.edit_bulletin")

    def can_publish(self, actor) -> bool:
        """Publish: the campaign owner's admins, a rendered draft."""
        return (
            self.editable and self.rendered and self._owner_cadre(actor, "reports.publish_bulletin")
        )

    def can_correct(self, actor) -> bool:
        """A correction of the published version: the campaign owner's admins."""
        return self.status == BulletinStatus.PUBLISHED and self._owner_cadre(
            actor, "reports.publish_bulletin"
        )


class BulletinEvent(models.Model):
    """One step of a bulletin (append-only): created, edited, rendered, published, corrected."""

    scope_field = "bulletin__campaign__owner__path"

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=60, blank=True)
    at = models.DateTimeField()
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=10, choices=BulletinStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=BulletinStatus.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.bulletin} {self.action_label}"

    @property
    def action_label(self) -> str:
        return BULLETIN_ACTIONS.get(self.action, self.action)
