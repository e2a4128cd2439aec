"""Enterprise survey (拉网式排查): the park directory, the enterprise registry, the append-only
五清 survey records and the headcount history behind dynamic monitoring (动态监控).

An enterprise is visible from the unit responsible for surveying it (a county federation or an
industry union) and from the union that covers it, like a transfer is visible from both ends.
The latest survey and headcount are copied onto the enterprise by the services only, so lists
and worklists read one row per enterprise.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ruhui.core import divisions
from ruhui.enterprises.choices import (
    ATTITUDES,
    FIVE_CLEAR,
    NEXT_ACTIONS,
    REASON_OTHER,
    REASONS,
    HeadcountSource,
    ParkKind,
    ProjectScale,
    UnionStatus,
)
from ruhui.orgs.choices import Industry


class Park(models.Model):
    """A park or zone (产业集聚区、开发区、工业园区、物流园区…): the 2015 plan's 基本名录."""

    scope_field = "responsible_unit__path"

    name = models.CharField(_("园区名称"), max_length=120)
    kind = models.CharField(_("园区类型"), max_length=12, choices=ParkKind.choices)
    division_code = models.CharField(_("所在行政区划"), max_length=6)
    responsible_unit = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="responsible_parks",
        verbose_name=_("责任单位"),
    )
    union = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parks",
        verbose_name=_("园区工会"),
    )
    notes = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("园区")
        verbose_name_plural = _("园区")
        ordering = ["division_code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["division_code", "name"], name="park_unique_name"),
            models.CheckConstraint(condition=Q(kind__in=ParkKind.values), name="park_kind_known"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_union(self) -> bool:
        return self.union_id is not None


class Enterprise(models.Model):
    """One enterprise (or 民办 institution, construction project, co-op…) in the survey."""

    scope_field = ("responsible_unit__path", "union__path")

    name = models.CharField(_("企业名称"), max_length=120)
    normalised_name = models.CharField(max_length=120, editable=False)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    legacy_registration_number = models.CharField(
        _("原注册号"),
        max_length=30,
        blank=True,
        help_text=_("无统一社会信用代码时填写：15 位工商注册号或其他旧证照号码。"),
    )
    division_code = models.CharField(_("所在县(市、区)"), max_length=6)
    township = models.CharField(_("乡镇(街道)"), max_length=40, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    park = models.ForeignKey(
        Park,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        verbose_name=_("所在园区"),
    )
    industry = models.CharField(_("所属行业"), max_length=1, choices=Industry.choices, blank=True)
    is_non_public = models.BooleanField(_("非公有制企业"), default=True)
    is_platform_company = models.BooleanField(_("平台企业"), default=False)
    is_third_party_delivery = models.BooleanField(_("第三方配送企业"), default=False)
    is_delivery_station = models.BooleanField(_("配送站（点）"), default=False)
    is_affiliated_operator = models.BooleanField(_("挂靠经营企业"), default=False)
    is_private_non_enterprise = models.BooleanField(_("民办单位（民办机构）"), default=False)
    is_construction_project = models.BooleanField(_("在建项目"), default=False)
    project_scale = models.CharField(
        _("项目规模"), max_length=5, choices=ProjectScale.choices, blank=True
    )
    is_property_company = models.BooleanField(_("物业公司"), default=False)
    is_agricultural_coop = models.BooleanField(_("农业专业合作组织"), default=False)
    groups = models.ManyToManyField(
        "orgs.WorkerGroup", blank=True, related_name="enterprises", verbose_name=_("用工群体")
    )
    responsible_unit = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="responsible_enterprises",
        verbose_name=_("责任单位"),
    )
    union = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="covered_enterprises",
        verbose_name=_("所在工会"),
    )
    union_status = models.CharField(
        _("建会情况"),
        max_length=10,
        choices=UnionStatus.choices,
        default=UnionStatus.NONE,
        editable=False,
    )
    unionised_on = models.DateField(_("建会（纳入工会）日期"), null=True, editable=False)
    # Copied from the latest survey and headcount by the services (listing speed).
    latest_survey = models.ForeignKey(
        "Survey", on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    last_surveyed_on = models.DateField(_("最近排查日期"), null=True, editable=False)
    employees_total = models.PositiveIntegerField(_("职工人数"), null=True, editable=False)
    migrant_workers = models.PositiveIntegerField(_("农民工人数"), null=True, editable=False)
    headcount_on = models.DateField(_("人数统计日期"), null=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~Q(uscc=""), name="enterprise_uscc_unique"
            ),
            models.UniqueConstraint(
                fields=["normalised_name", "division_code"],
                condition=Q(uscc=""),
                name="enterprise_name_unique_without_uscc",
            ),
            models.CheckConstraint(
                condition=Q(union_status__in=UnionStatus.values), name="enterprise_status_known"
            ),
            models.CheckConstraint(
                condition=Q(union__isnull=True) | Q(union_status=UnionStatus.BUILT),
                name="enterprise_linked_union_means_built",
            ),
            models.CheckConstraint(
                condition=Q(project_scale="") | Q(is_construction_project=True),
                name="enterprise_scale_only_for_projects",
            ),
        ]
        indexes = [
            models.Index(fields=["normalised_name", "division_code"]),
            models.Index(fields=["union_status", "employees_total"]),
            models.Index(fields=["last_surveyed_on"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def division_name(self) -> str:
        return divisions.full_name(self.division_code) if self.division_code else ""

    @property
    def is_unionised(self) -> bool:
        return self.union_status == UnionStatus.BUILT


class Survey(models.Model):
    """One 五清 survey of an enterprise on a date; append-only: a correction is a new record."""

    scope_field = ("enterprise__responsible_unit__path", "enterprise__union__path")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="surveys")
    surveyed_on = models.DateField(_("排查日期"))
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("排查人账号"),
    )
    surveyor_name = models.CharField(_("排查人"), max_length=40, blank=True)
    surveyor_unit = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("排查单位"),
    )
    # 未建会企业数量清 / 未建会原因清 / 企业法人思想动态清
    union_status = models.CharField(_("建会情况"), max_length=10, choices=UnionStatus.choices)
    reason = models.CharField(_("未建会原因"), max_length=2, choices=REASONS.choices, blank=True)
    reason_text = models.CharField(_("原因说明"), max_length=200, blank=True)
    legal_rep_attitude = models.CharField(
        _("法人态度"), max_length=1, choices=ATTITUDES.choices, blank=True
    )
    attitude_notes = models.CharField(_("法人思想动态"), max_length=200, blank=True)
    # 职工人数清
    employees_total = models.PositiveIntegerField(_("职工人数"), null=True, blank=True)
    migrant_workers = models.PositiveIntegerField(_("农民工人数"), null=True, blank=True)
    #: {worker-group code: count}; the group codes of ruhui.orgs.choices.WORKER_GROUPS.
    group_counts = models.JSONField(_("各群体人数"), default=dict, blank=True)
    # 所处区域清: copied from the enterprise at the time of the survey.
    division_code = models.CharField(_("所在县(市、区)"), max_length=6)
    township = models.CharField(_("乡镇(街道)"), max_length=40, blank=True)
    park = models.ForeignKey(
        Park, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # 一推进
    next_action = models.CharField(
        _("推进措施"), max_length=2, choices=NEXT_ACTIONS.choices, blank=True
    )
    next_action_text = models.CharField(_("推进措施说明"), max_length=200, blank=True)
    next_action_due = models.DateField(_("完成时限"), null=True, blank=True)
    next_action_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任人账号"),
    )
    next_action_owner_name = models.CharField(_("责任人"), max_length=40, blank=True)
    #: All five 清 filled (computed once when written; the record never changes).
    is_complete = models.BooleanField(_("五清齐全"), default=False, editable=False)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("排查记录")
        verbose_name_plural = _("排查记录")
        ordering = ["-surveyed_on", "-id"]
        indexes = [models.Index(fields=["enterprise", "surveyed_on", "id"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(union_status__in=UnionStatus.values), name="survey_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.surveyed_on}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("survey records are append-only; record a new survey instead")
        self.is_complete = all(self.completeness().values())
        super().save(*args, **kwargs)

    def completeness(self) -> dict[str, bool]:
        """Which of the five 清 this record makes clear (keys of choices.FIVE_CLEAR). For an
        enterprise that has a union, the reason and the legal representative's attitude are
        moot and count as clear."""
        built = self.union_status == UnionStatus.BUILT
        reason_clear = bool(self.reason) and (
            self.reason != REASON_OTHER or bool(self.reason_text.strip())
        )
        result = {
            "status": self.union_status in UnionStatus.values,
            "reason": built or reason_clear,
            "attitude": built or bool(self.legal_rep_attitude),
            "headcount": self.employees_total is not None and self.migrant_workers is not None,
            "area": bool(self.division_code) and bool(self.township or self.park_id),
        }
        return {key: result[key] for key, _label in FIVE_CLEAR}


class HeadcountSnapshot(models.Model):
    """One observation of an enterprise's headcount (动态监控): from a survey, an import or a
    manual entry. The history is what the monitoring alerts compare."""

    scope_field = ("enterprise__responsible_unit__path", "enterprise__union__path")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="headcounts")
    on = models.DateField(_("日期"))
    employees_total = models.PositiveIntegerField(_("职工人数"))
    migrant_workers = models.PositiveIntegerField(_("农民工人数"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=8, choices=HeadcountSource.choices)
    survey = models.OneToOneField(
        Survey, on_delete=models.PROTECT, null=True, blank=True, related_name="headcount"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("职工人数记录")
        verbose_name_plural = _("职工人数记录")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["enterprise", "on", "id"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.on}: {self.employees_total}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("headcount snapshots are append-only")
        super().save(*args, **kwargs)
