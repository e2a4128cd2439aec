"""Campaigns (集中行动): a year's drive with its goals, phases and deadlines, the
responsibility map for the eight groups, and the targets each unit is given and passes on
(任务分解); plus the progress figures computed from the registry for every unit of the drive.

A campaign belongs to the organization that runs it (the city federation for both seed plans);
every unit under it sees the campaign on its own part of the tree (`scope_reaches_down`).
The figures (`UnitFigure`, `UnitTally`) are computed from the records only, by
`progress.progress_refresh` (docs/decisions/0010-campaign-progress.md): nothing here is typed in
as a total except what a source document declares, and that is kept apart (`Target`,
`Decomposition`) and checked against the rest, never silently replaced.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

SLUG_RE = r"^[a-z0-9][a-z0-9-]{1,47}$"
MSG_SLUG = _("编号只能由 2–48 位小写字母、数字和连字符组成，例如 pds-2019。")


class Campaign(models.Model):
    """One drive: goals, window, baseline date, focus groups and sectors."""

    scope_field = "owner__path"
    scope_reaches_down = True

    owner = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("组织单位"),
    )
    slug = models.CharField(
        _("编号"),
        max_length=48,
        unique=True,
        validators=[RegexValidator(SLUG_RE, MSG_SLUG)],
        help_text=_("命令行和链接里用它指明这次行动，例如 pds-2019。"),
    )
    name = models.CharField(_("行动名称"), max_length=120)
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    goal_statement = models.TextField(_("目标任务"), blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    baseline_on = models.DateField(
        _("基数日期"),
        null=True,
        blank=True,
        help_text=_("增长率的基数所在日期，例如 2014-12-31（“较 2014 年增长”）。"),
    )
    goal_new_members = models.PositiveIntegerField(_("新发展会员目标（人）"), null=True, blank=True)
    goal_growth_pct = models.DecimalField(
        _("较基数增长（%）"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
    )
    goal_new_unions = models.PositiveIntegerField(
        _("新建基层工会目标（个）"), null=True, blank=True
    )
    migrant_only = models.BooleanField(
        _("只计农民工会员"),
        default=True,
        help_text=_("两份实施方案的目标都是农民工会员；取消后按全部会员统计。"),
    )
    focus_groups = models.ManyToManyField(
        "orgs.WorkerGroup", blank=True, related_name="+", verbose_name=_("重点群体")
    )
    focus_sectors = models.TextField(_("重点区域及行业"), blank=True, help_text=_("每行一项。"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # The progress figures: when they were last computed, and whether a change of the records
    # since then waits for the next computation.
    progress_at = models.DateTimeField(_("统计时间"), null=True, blank=True, editable=False)
    progress_seconds = models.FloatField(null=True, blank=True, editable=False)
    progress_queued = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("集中行动")
        verbose_name_plural = _("集中行动")
        ordering = ["-year", "-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="campaign_window_ordered"
            ),
            models.CheckConstraint(
                condition=Q(baseline_on__isnull=True) | Q(baseline_on__lt=F("starts_on")),
                name="campaign_baseline_before_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    @property
    def sectors(self) -> list[str]:
        return [line.strip() for line in self.focus_sectors.splitlines() if line.strip()]


class Phase(models.Model):
    """A phase of the campaign with its window (调查摸底 4–5月 …)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("阶段"), max_length=40)
    starts_on = models.DateField(_("开始"))
    ends_on = models.DateField(_("结束"))
    tasks = models.TextField(_("主要任务"), blank=True)

    class Meta:
        verbose_name = _("阶段")
        verbose_name_plural = _("阶段")
        ordering = ["starts_on", "ends_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="phase_window_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    """A deadline of the campaign (于5月初制定出台实施方案 …)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("事项"), max_length=120)
    due_on = models.DateField(_("截止日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("时间节点")
        verbose_name_plural = _("时间节点")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class GroupAssignment(models.Model):
    """The responsibility map: which union assists the drive for a group city-wide (the 2019
    plan: 工交工会 → 货车司机、快递员、网约送餐员 …). The assisting union sees the group's
    progress across the campaign as aggregates only."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments")
    group = models.ForeignKey(
        "orgs.WorkerGroup", on_delete=models.PROTECT, related_name="+", verbose_name=_("群体")
    )
    unit = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="campaign_assignments",
        verbose_name=_("协助推动单位"),
    )

    class Meta:
        verbose_name = _("群体责任分工")
        verbose_name_plural = _("群体责任分工")
        ordering = ["group__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "group"], name="one_assisting_unit_per_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.group} → {self.unit}"


class Target(models.Model):
    """A unit's target in a campaign, as the unit above it set it (or a source table declares
    it): the declared baseline and the number of new members asked for."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="campaign_targets",
        verbose_name=_("单位"),
    )
    baseline_declared = models.PositiveIntegerField(_("基数（人，申报）"), null=True, blank=True)
    new_members = models.PositiveIntegerField(_("新增任务数（人）"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("目标任务")
        verbose_name_plural = _("目标任务")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="one_target_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit}：{self.new_members}"


class Decomposition(models.Model):
    """A unit's task-decomposition table (任务分解表) for its sub-units as a whole: the totals
    its 合计 row declares and where the table came from. Each sub-unit's line is a Target."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="decompositions")
    unit = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="campaign_decompositions",
        verbose_name=_("分解单位"),
    )
    declared_baseline_total = models.PositiveIntegerField(
        _("合计基数（申报）"), null=True, blank=True
    )
    declared_target_total = models.PositiveIntegerField(
        _("合计任务数（申报）"), null=True, blank=True
    )
    source = models.CharField(_("来源"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("任务分解表")
        verbose_name_plural = _("任务分解表")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="one_decomposition_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} / {self.unit}"


class UnitFigure(models.Model):
    """A unit's figures in a campaign, computed from the records (see progress.py); one row for
    every organization of the campaign's subtree that has anything to count."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    new_members = models.PositiveIntegerField(default=0)
    baseline = models.PositiveIntegerField(null=True)  # None: the registry does not reach back
    unions_founded = models.PositiveIntegerField(default=0)
    enterprises = models.PositiveIntegerField(default=0)
    enterprises_surveyed = models.PositiveIntegerField(default=0)
    enterprises_unionised = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="one_figure_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.new_members}"


class UnitTally(models.Model):
    """New members of a unit in a campaign by one dimension: the month of their first join in
    the window (key 'YYYY-MM'), their group (key = group code), or both (key 'CC|YYYY-MM',
    kept for the campaign's own organization and the units one level under it, which report
    monthly)."""

    class Dimension(models.TextChoices):
        MONTH = "month"
        GROUP = "group"
        GROUP_MONTH = "group_month"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=12, choices=Dimension.choices)
    key = models.CharField(max_length=12)
    new_members = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "dimension", "key"], name="one_tally_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.dimension} {self.key}: {self.new_members}"
