"""考核评比 (2019 plan: 「各级工会对项目实施情况进行总结，提出项目实施绩效自评报告」;
「各县（市、区）项目完成情况作为年终工会评先重要依据」).

- `AssessmentScheme`: one per campaign, kept by the campaign owner (the city): the criteria
  (`Criterion`, a fixed set of codes) and their whole-number weights, which must sum to 100.
- `UnitSelfAssessment`: a unit's own 自评 text and attachments (its projects' self-assessments
  are listed beside it, read-only, from `projects.SelfAssessment`).
- `UnitAssessment`: one per (scheme, unit): the score of every criterion computed from the
  records (`assessment.scoring`), the reviewer's adjustment (signed, with a reason), the result
  (优秀/合格/不合格) and 推荐评先, the 逾期整改 flag. Finalizing (已定稿) freezes the figures and
  scores: nothing changes them afterwards.

Every change is a service (`assessment.services`) that locks the row and writes an
append-only `AssessmentEvent` and an audit row in one transaction.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ruhui.assessment.choices import (
    AssessmentResult,
    AssessmentStatus,
    CriterionCode,
    EventKind,
)
from ruhui.tabular.stored import StoredFile


def _is_cadre(actor) -> bool:
    return bool(
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and getattr(actor, "organization_id", None)
    )


class AssessmentScheme(models.Model):
    """The assessment of one campaign: its criteria and weights, and whether it is final."""

    scope_field = "campaign__owner__path"
    scope_reaches_down = True

    campaign = models.OneToOneField(
        "campaigns.Campaign",
        verbose_name=_("集中行动"),
        on_delete=models.CASCADE,
        related_name="assessment_scheme",
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    computed_on = models.DateField(_("计算截止日期"), null=True, blank=True)
    finalized_at = models.DateTimeField(_("定稿时间"), null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")

    def __str__(self) -> str:
        return f"{self.campaign} 考核评比"

    @property
    def is_final(self) -> bool:
        return self.status == AssessmentStatus.FINAL

    def managed_by(self, unit) -> bool:
        """The campaign owner (the city) or a unit above it keeps the scheme and reviews."""
        return unit is not None and self.campaign.owner.path.startswith(unit.path)

    def can_manage(self, actor) -> bool:
        return (
            _is_cadre(actor)
            and actor.has_perm("assessment.manage_assessment")
            and self.managed_by(actor.organization)
        )

    def can_edit(self, actor) -> bool:
        return not self.is_final and self.can_manage(actor)


class Criterion(models.Model):
    """One criterion of a scheme and its weight (a whole number, 0–100)."""

    scope_field = "scheme__campaign__owner__path"
    scope_reaches_down = True

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(_("考核项目"), max_length=24, choices=CriterionCode.choices)
    weight = models.PositiveSmallIntegerField(_("权重（分）"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("考核项目")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="criterion_once_per_scheme"),
            models.CheckConstraint(condition=Q(weight__lte=100), name="criterion_weight_le_100"),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} {self.weight}"


class UnitSelfAssessment(models.Model):
    """A unit's 绩效自评报告 in a campaign, written by the unit's own cadres."""

    scope_field = "unit__path"

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="unit_self_assessments"
    )
    unit = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("自评报告"))
    submitted_at = models.DateTimeField(_("报送时间"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("单位自评")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit"], name="one_self_assessment_per_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} 自评"

    def paragraphs(self) -> list[str]:
        return [line.strip() for line in self.text.splitlines() if line.strip()]


class SelfAssessmentFile(StoredFile):
    """An attachment of a unit's self-assessment (checked by `tabular.attachments`)."""

    scope_field = "self_assessment__unit__path"

    self_assessment = models.ForeignKey(
        UnitSelfAssessment, on_delete=models.CASCADE, related_name="files"
    )


class UnitAssessment(models.Model):
    """A unit's assessment under a scheme: computed scores, adjustment, result, 评先."""

    scope_field = "unit__path"

    scheme = models.ForeignKey(
        AssessmentScheme, on_delete=models.CASCADE, related_name="assessments"
    )
    unit = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    #: {code: {"weight", "measure", "score", "detail"}} as computed (`scoring.unit_scores`).
    scores = models.JSONField(default=dict, blank=True)
    #: The raw figures the scores were computed from (new members, target, projects …).
    figures = models.JSONField(default=dict, blank=True)
    computed_total = models.DecimalField(
        _("计算得分"), max_digits=6, decimal_places=2, default=Decimal("0")
    )
    adjustment = models.DecimalField(
        _("调整分"), max_digits=6, decimal_places=2, default=Decimal("0")
    )
    adjustment_reason = models.TextField(_("调整理由"), blank=True)
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2, default=Decimal("0"))
    result = models.CharField(
        _("考核结果"), max_length=10, choices=AssessmentResult.choices, blank=True
    )
    recommended = models.BooleanField(_("推荐评先"), default=False)
    overdue_flag = models.BooleanField(_("有逾期整改"), default=False)
    status = models.CharField(
        _("状态"), max_length=8, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-total", "unit__path"]
        verbose_name = _("单位考核")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "unit"], name="one_assessment_per_unit"),
            models.CheckConstraint(
                condition=Q(adjustment=0) | ~Q(adjustment_reason=""),
                name="assessment_adjustment_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.total}"

    @property
    def is_final(self) -> bool:
        return self.status == AssessmentStatus.FINAL

    def can_review(self, actor) -> bool:
        return not self.is_final and self.scheme.can_manage(actor)


class AssessmentEvent(models.Model):
    """One step of a unit's assessment (append-only): who, when, what, the reason."""

    scope_field = "assessment__unit__path"

    assessment = models.ForeignKey(UnitAssessment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=60, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.assessment} {self.get_kind_display()}"
