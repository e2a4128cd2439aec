"""服务阵地与服务 (issue 18): the service positions a union runs (职工之家、司机之家、户外劳动者
服务站点), the services ledger with the people served, the collective-consultation register and
the social workers assigned to unions. Every write goes through `positions.services`; every
read starts from the scoped queryset (`scope_field`)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ruhui.orgs.models import validate_division
from ruhui.positions.choices import (
    FACILITIES,
    STATION_STANDARD,
    ActivityKind,
    ConsultationLevel,
    PositionKind,
    PositionStatus,
)
from ruhui.tabular.stored import StoredFile


class ServicePosition(models.Model):
    """A service position run by a union, with where it is (GCJ-02, as 高德 shows it), when it
    is open, what it offers and which standard flags it meets."""

    scope_field = "running_union__path"

    code = models.CharField(_("站点编号"), max_length=30, blank=True)
    kind = models.CharField(_("类型"), max_length=10, choices=PositionKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    running_union = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("运营工会"),
    )
    partner = models.CharField(
        _("合作单位"), max_length=100, blank=True, help_text=_("如银行网点、加油站、企业")
    )
    division_code = models.CharField(
        _("所在行政区划"), max_length=12, validators=[validate_division]
    )
    township = models.CharField(_("乡镇（街道）"), max_length=40, blank=True)
    address = models.CharField(_("地址"), max_length=200)
    park = models.ForeignKey(
        "enterprises.Park",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所在园区"),
    )
    #: GCJ-02 (the coordinates 高德 shows), 6 decimals (about 0.1 m).
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=10, decimal_places=6, null=True, blank=True
    )
    hours = models.CharField(_("开放时间"), max_length=60, blank=True)
    open_24h = models.BooleanField(_("24 小时开放"), default=False)
    groups = models.ManyToManyField(
        "orgs.WorkerGroup", blank=True, related_name="+", verbose_name=_("服务群体")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=PositionStatus.choices, default=PositionStatus.RUNNING
    )
    #: Codes of `choices.FACILITIES`.
    facilities = models.JSONField(_("设施"), default=list, blank=True)
    has_sign = models.BooleanField(STATION_STANDARD[0][1], default=False)
    has_premises = models.BooleanField(STATION_STANDARD[1][1], default=False)
    has_facilities = models.BooleanField(STATION_STANDARD[2][1], default=False)
    has_rules = models.BooleanField(STATION_STANDARD[3][1], default=False)
    has_staff = models.BooleanField(STATION_STANDARD[4][1], default=False)
    on_map = models.BooleanField(STATION_STANDARD[5][1], default=False)
    opened_on = models.DateField(_("启用日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("服务阵地")
        verbose_name_plural = _("服务阵地")
        ordering = ["division_code", "township", "name", "pk"]
        indexes = [models.Index(fields=["division_code", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def facility_labels(self) -> list[str]:
        chosen = set(self.facilities or ())
        return [str(label) for code, label in FACILITIES if code in chosen]

    @property
    def standard(self) -> list[tuple[str, bool]]:
        """The stations' 六有 as (label, met) pairs."""
        return [(str(label), getattr(self, field)) for field, label in STATION_STANDARD]


class PositionPhoto(StoredFile):
    """A photo of a position (JPG/PNG, metadata removed: it may be shown publicly)."""

    scope_field = "position__running_union__path"

    position = models.ForeignKey(ServicePosition, on_delete=models.CASCADE, related_name="photos")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)


class PositionAward(models.Model):
    """An award or title a position received (e.g. 最美工会户外劳动者服务站点)."""

    scope_field = "position__running_union__path"

    position = models.ForeignKey(ServicePosition, on_delete=models.CASCADE, related_name="awards")
    name = models.CharField(_("荣誉名称"), max_length=100)
    awarded_by = models.CharField(_("授予单位"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"))

    class Meta:
        ordering = ["-year", "pk"]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class ServiceActivity(models.Model):
    """One entry of the services ledger: a service a union gave (四季送、互助保险、帮扶、法律援助、
    普惠服务、教育培训 …), when, where, what it cost and whom it reached, by group."""

    scope_field = "union__path"

    kind = models.CharField(_("服务类别"), max_length=12, choices=ActivityKind.choices)
    title = models.CharField(_("活动名称"), max_length=100)
    union = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("组织工会"),
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    position = models.ForeignKey(
        ServicePosition,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("服务阵地"),
    )
    amount = models.DecimalField(
        _("支出金额（元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    #: {worker-group code: workers served} (the codes of orgs.choices.WORKER_GROUPS).
    group_counts = models.JSONField(_("各群体服务人数"), default=dict, blank=True)
    workers_served = models.PositiveIntegerField(_("服务职工人数"), default=0)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("维护服务项目"),
    )
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("服务活动")
        verbose_name_plural = _("服务台账")
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["union", "starts_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="activity_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_on} {self.title}"


class ServiceRecipient(models.Model):
    """One person an activity served. A member is linked (matched by ID number through the
    registry's blind index) with a masked name; a non-member is only counted — no identity is
    kept. 帮扶 and 法律援助 recipients are shown to reviewers and admins only."""

    scope_field = "activity__union__path"

    activity = models.ForeignKey(
        ServiceActivity, on_delete=models.CASCADE, related_name="recipients"
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    masked_name = models.CharField(_("姓名"), max_length=20, blank=True)
    is_member = models.BooleanField(_("会员"), default=False)
    group = models.CharField(_("群体"), max_length=2, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "member"],
                condition=Q(member__isnull=False),
                name="one_recipient_per_member",
            )
        ]

    def __str__(self) -> str:
        return self.masked_name or "非会员"


class Consultation(models.Model):
    """A collective consultation (集体协商): level, the two sides, topics, the agreement and its
    term, the workers and groups it covers, the 职工（代表）大会 held, the signed text."""

    scope_field = "union__path"

    level = models.CharField(_("协商层级"), max_length=10, choices=ConsultationLevel.choices)
    industry = models.CharField(_("行业"), max_length=60, blank=True)
    union = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("工会方"),
    )
    employer = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("企业方"),
    )
    employer_association = models.CharField(_("行业协会（企业方）"), max_length=100, blank=True)
    #: Codes of `choices.TOPICS`.
    topics = models.JSONField(_("协商内容"), default=list)
    held_on = models.DateField(_("协商日期"))
    agreed = models.BooleanField(_("达成协议"), default=False)
    term_from = models.DateField(_("协议期限自"), null=True, blank=True)
    term_to = models.DateField(_("协议期限至"), null=True, blank=True)
    workers_covered = models.PositiveIntegerField(_("覆盖职工人数"), default=0)
    groups = models.ManyToManyField(
        "orgs.WorkerGroup", blank=True, related_name="+", verbose_name=_("覆盖群体")
    )
    congress_on = models.DateField(_("职工（代表）大会召开日期"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("集体协商")
        verbose_name_plural = _("集体协商")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(employer__isnull=False) | ~Q(employer_association=""),
                name="consultation_has_employer_side",
            ),
            models.CheckConstraint(
                condition=Q(term_from__isnull=True)
                | Q(term_to__isnull=True)
                | Q(term_to__gte=models.F("term_from")),
                name="consultation_term_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_level_display()}集体协商"


class ConsultationFile(StoredFile):
    """The signed agreement (or its minutes), checked by the general attachment check."""

    scope_field = "consultation__union__path"

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="files")


class SocialWorker(models.Model):
    """A 社会化工会工作者 assigned to a union for a period. The phone is shown masked."""

    scope_field = "union__path"

    name = models.CharField(_("姓名"), max_length=40)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    union = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("派驻工会"),
    )
    starts_on = models.DateField(_("派驻日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("社会化工会工作者")
        verbose_name_plural = _("社会化工会工作者")
        ordering = ["union_id", "-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="social_worker_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.union_id}）"
