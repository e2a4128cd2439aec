"""Every read of the 考核评比 pages, starting from the jurisdiction scope (`orgs.scoping`): a
unit sees the assessment rows of its own subtree, the city every one. The ranking is a fixed
number of queries whatever the number of units."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import Http404

from ruhui.assessment.choices import CriterionCode
from ruhui.assessment.models import (
    AssessmentScheme,
    SelfAssessmentFile,
    UnitAssessment,
    UnitSelfAssessment,
)
from ruhui.assessment.services import assessed_units, default_weights, scheme_for
from ruhui.campaigns.models import Campaign
from ruhui.campaigns.selectors import campaign_get  # re-exported
from ruhui.campaigns.selectors import unit_get as campaign_unit_get  # re-exported
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import NOT_FOUND, get_scoped_or_404, jurisdiction_root, scoped, under
from ruhui.projects.models import SelfAssessment

__all__ = ["campaign_get", "campaign_unit_get"]


def campaigns(*, user) -> list[Campaign]:
    """The campaigns the user sees, newest first; each carries `scheme` (or None)."""
    items = list(scoped(user, Campaign).select_related("owner").order_by("-starts_on", "pk"))
    schemes = {s.campaign_id: s for s in AssessmentScheme.objects.filter(campaign__in=items)}
    for item in items:
        item.scheme = schemes.get(item.pk)
    return items


@dataclass
class Column:
    code: str
    label: str
    weight: int


@dataclass
class Ranking:
    scheme: AssessmentScheme
    columns: list[Column]
    rows: list[UnitAssessment] = field(default_factory=list)

    @property
    def weights_total(self) -> int:
        return sum(c.weight for c in self.columns)


def ranking(*, user, campaign: Campaign) -> Ranking:
    """The units of the campaign the user sees, by total (highest first), each with its score
    per criterion (`row.cells`, in the scheme's order) and its rank. Four queries."""
    scheme = scheme_for(campaign)
    labels = dict(CriterionCode.choices)
    if scheme.pk:
        criteria = list(scheme.criteria.all())
        columns = [Column(c.code, str(labels[c.code]), c.weight) for c in criteria]
    else:
        columns = [Column(k, str(labels[k]), w) for k, w in default_weights(campaign).items()]
    rows = []
    if scheme.pk:
        rows = list(
            scoped(user, UnitAssessment)
            .filter(scheme=scheme)
            .select_related("unit")
            .order_by("-total", "unit__path")
        )
    for rank, row in enumerate(rows, start=1):
        row.rank = rank
        row.cells = [row.scores.get(c.code, {}) for c in columns]
    return Ranking(scheme=scheme, columns=columns, rows=rows)


def assessment_find(*, user, scheme: AssessmentScheme, unit: Organization):
    """A unit's assessment row (inside the user's jurisdiction), or None."""
    if not scheme.pk:
        return None
    return (
        scoped(user, UnitAssessment)
        .filter(scheme=scheme, unit=unit)
        .select_related("unit", "scheme__campaign__owner")
        .prefetch_related("events")
        .first()
    )


def assessment_get(*, user, pk) -> UnitAssessment:
    return get_scoped_or_404(
        user, UnitAssessment.objects.select_related("unit", "scheme__campaign__owner"), pk=pk
    )


def assessed_unit_get(*, user, campaign: Campaign, pk) -> Organization:
    """An assessed unit of the campaign inside the user's jurisdiction, or the same 404."""
    unit = campaign_unit_get(user=user, campaign=campaign, pk=pk)
    if all(u.pk != unit.pk for u in assessed_units(campaign)):
        raise Http404(NOT_FOUND)
    return unit


def self_assessment_find(*, user, campaign: Campaign, unit: Organization):
    """The unit's self-assessment (with its files), or None."""
    return (
        scoped(user, UnitSelfAssessment)
        .filter(campaign=campaign, unit=unit)
        .select_related("submitted_by")
        .prefetch_related("files")
        .first()
    )


def project_self_assessments(*, campaign: Campaign, unit: Organization) -> list[SelfAssessment]:
    """The self-assessments of the projects of the plans of the unit's subtree (read-only)."""
    return list(
        under(unit, SelfAssessment)
        .filter(project__plan__campaign=campaign)
        .select_related("project__plan__unit")
        .order_by("project__plan__unit__path", "project__position", "-submitted_at")
    )


def file_get(*, user, pk) -> SelfAssessmentFile:
    return get_scoped_or_404(
        user, SelfAssessmentFile.objects.select_related("self_assessment"), pk=pk
    )


def units_of(*, user, campaign: Campaign) -> list[Organization]:
    """The assessed units the user sees (their own and those of their subtree)."""
    root = jurisdiction_root(user)
    if root is None:
        return []
    return [u for u in assessed_units(campaign) if u.path.startswith(root.path)]


def units_with_self_assessment(*, user, campaign: Campaign) -> list[Organization]:
    """The assessed units the user sees, each carrying `own`: its self-assessment or None."""
    units = units_of(user=user, campaign=campaign)
    found = {s.unit_id: s for s in scoped(user, UnitSelfAssessment).filter(campaign=campaign)}
    for unit in units:
        unit.own = found.get(unit.pk)
    return units
