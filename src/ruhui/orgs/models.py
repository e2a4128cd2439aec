"""The union organization tree: every union form from the province down to a 工会小组."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc as stdnum_uscc
from treebeard.mp_tree import MP_Node

from ruhui.core import divisions
from ruhui.orgs.choices import (
    ADMITTING_KINDS,
    SIX_HAVE_CODES,
    SIX_HAVES,
    HomeRating,
    Industry,
    OrgKind,
    Standard,
)
from ruhui.tabular.stored import StoredFile

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$")
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")

MSG_CODE = _("组织代码只能由 2–32 位字母、数字、下划线或连字符组成，例如 WG-KD01。")
MSG_PHONE = _(
    "联系电话格式不正确：请填写 11 位手机号（如 13812345678）或带区号的固定电话（如 0375-2345678）。"
)
MSG_USCC = _(
    "统一社会信用代码「%(value)s」无效：应为 18 位，且校验位正确，请核对营业执照或工会法人资格证书。"
)
MSG_USCC_UNION = _(
    "统一社会信用代码「%(value)s」不是工会的代码：工会法人的代码以 81 或 89 开头，请核对工会法人资格证书。"
)


def validate_org_code(value: str) -> None:
    if not CODE_RE.match(value or ""):
        raise ValidationError(MSG_CODE, code="code")


def validate_phone(value: str) -> None:
    if value and not PHONE_RE.match(value):
        raise ValidationError(MSG_PHONE, code="phone")


def validate_union_uscc(value: str) -> None:
    """A union's own unified social credit code: GB 32100 check, registration authority 8 (工会)."""
    if not value:
        return
    if not stdnum_uscc.is_valid(value):
        raise ValidationError(MSG_USCC, code="uscc", params={"value": value})
    if stdnum_uscc.compact(value)[:2] not in ("81", "89"):
        raise ValidationError(MSG_USCC_UNION, code="uscc_kind", params={"value": value})


def validate_division(value: str) -> None:
    divisions.validate_division_code(value, field="所在行政区划")


class WorkerGroup(models.Model):
    """The eight groups of the 2019 plan (八大群体) and 其他: fixed reference data."""

    code = models.CharField(_("代码"), max_length=2, unique=True)
    name = models.CharField(_("群体名称"), max_length=20, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("职工群体")
        verbose_name_plural = _("职工群体")

    def __str__(self) -> str:
        return self.name


class Organization(MP_Node):
    """A union organization; the tree path is the jurisdiction (a subtree is one prefix query)."""

    #: The lookup that holds the tree path this record is scoped by (see ruhui.orgs.scoping).
    scope_field = "path"
    steplen = 4

    name = models.CharField(_("工会名称"), max_length=120)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    code = models.CharField(
        _("组织代码"),
        max_length=32,
        unique=True,
        validators=[validate_org_code],
        help_text=_("稳定的简短代码，导入和命令行用它指明工会，例如 WG 或 WG-KD01。"),
    )
    kind = models.CharField(_("组织形式"), max_length=20, choices=OrgKind.choices)
    division_code = models.CharField(
        _("所在行政区划"),
        max_length=6,
        validators=[validate_division],
        help_text=_("GB/T 2260 行政区划代码（6 位）。"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    industry = models.CharField(_("所属行业"), max_length=1, choices=Industry.choices, blank=True)
    groups = models.ManyToManyField(
        WorkerGroup, blank=True, related_name="organizations", verbose_name=_("覆盖群体")
    )
    founded_on = models.DateField(_("建会日期"), null=True, blank=True)
    chair_name = models.CharField(_("工会主席"), max_length=40, blank=True)
    contact_phone = models.CharField(
        _("联系电话"), max_length=20, blank=True, validators=[validate_phone]
    )
    uscc = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        blank=True,
        validators=[validate_union_uscc],
        help_text=_("工会法人资格证书上的代码（选填）。"),
    )
    home_rating = models.CharField(
        _("职工之家"), max_length=10, choices=HomeRating.choices, blank=True
    )
    is_active = models.BooleanField(_("有效"), default=True)
    deactivated_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    deactivation_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("工会组织")
        verbose_name_plural = _("工会组织")
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~Q(uscc=""), name="org_uscc_unique_when_set"
            ),
            models.CheckConstraint(condition=Q(kind__in=OrgKind.values), name="org_kind_known"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def admits_members(self) -> bool:
        """Base unions and their branches admit members; federations lead but do not admit."""
        return self.kind in ADMITTING_KINDS

    @property
    def division_name(self) -> str:
        return divisions.full_name(self.division_code) if self.division_code else ""

    def met_standards(self) -> set[str]:
        """The codes of the items this union meets: from `standards_prefetch()` when the rows
        came through it (a list page: one query for the page), else one query."""
        cache = self.__dict__.get(MET_STANDARDS_ATTR)
        if cache is None:
            prefetched = getattr(self, "_prefetched_objects_cache", {}).get("standard_items")
            if prefetched is not None:
                return {item.item for item in prefetched if item.met}
            return set(self.standard_items.filter(met=True).values_list("item", flat=True))
        return {item.item for item in cache}

    @property
    def six_haves(self) -> list[tuple[str, bool]]:
        """The 六有 checklist as (label, met) pairs."""
        met = self.met_standards()
        return [(label, code in met) for code, label in SIX_HAVES]

    @property
    def six_haves_met(self) -> int:
        return len(self.met_standards() & set(SIX_HAVE_CODES))


#: Where `standards_prefetch()` puts a union's met items.
MET_STANDARDS_ATTR = "met_standard_items"


def standards_prefetch() -> models.Prefetch:
    """Prefetch a union's met items in one query for a whole page of unions (pass it to
    `prefetch_related`), so `six_haves` and `six_haves_met` ask nothing more per row."""
    return models.Prefetch(
        "standard_items",
        queryset=StandardItem.objects.filter(met=True).only("pk", "union_id", "item"),
        to_attr=MET_STANDARDS_ATTR,
    )


class StandardItem(models.Model):
    """One item of a base union's standard (六有, an internal system, the fund set-up): met or
    not, when it was checked (or, for the funds, arranged), by whom, with a note and evidence."""

    scope_field = "union__path"

    union = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="standard_items",
        verbose_name=_("工会组织"),
    )
    item = models.CharField(_("项目"), max_length=24, choices=Standard.choices)
    met = models.BooleanField(_("已达标"), default=False)
    checked_on = models.DateField(_("检查日期"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("检查人"),
    )
    note = models.TextField(_("说明"), blank=True)
    detail = models.CharField(_("方式"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("达标项目")
        verbose_name_plural = _("达标项目")
        constraints = [
            models.UniqueConstraint(fields=["union", "item"], name="standard_item_once_per_union"),
            models.CheckConstraint(
                condition=Q(item__in=Standard.values), name="standard_item_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.union.name} · {self.get_item_display()}"


class StandardEvidence(StoredFile):
    """A file that shows an item is met (a 选举结果批复, a 制度文本, a photo of the venue)."""

    scope_field = "item__union__path"

    item = models.ForeignKey(
        StandardItem, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("达标项目")
    )

    class Meta(StoredFile.Meta):
        verbose_name = _("达标佐证材料")
        verbose_name_plural = _("达标佐证材料")
