"""The figures of a unit's month, computed from the records (never typed), in a fixed number
of queries whatever the size of the registry.

- new members: the campaign's month tallies (`campaigns.UnitTally`, dimension `month`, one row
  per unit covering its subtree, each person counted in the month of their first join); the
  cumulative at the end of month M is the sum of the keys ≤ M. They are as fresh as the
  campaign's `progress_at`.
- by group: the group × month tallies (kept for the units one level under the campaign
  owner, the ones that report): the month's new members of each group and the cumulative up
  to the month's end, as fresh as `progress_at`.
- unions founded (this month, and since the start up to the month's end): base unions of the
  unit's subtree by founding date (`figures.selectors.unions_founded`).
- enterprises: surveyed this month (a 五清 survey dated in the month) and unionised this
  month (`unionised_on`), of the enterprises the unit's subtree is responsible for; the
  totals as of `progress_at` from `campaigns.UnitFigure`.
- projects by state: the projects of the plans of the unit and below.
- 省库已录入: the month's new members whose real name is entered in the provincial database
  (`projects.figures.provincial_entered`).
"""

from __future__ import annotations

from django.db.models import Count

from ruhui.campaigns.models import Campaign, Target, UnitFigure, UnitTally
from ruhui.enterprises.models import Enterprise, Survey
from ruhui.figures import selectors as registry
from ruhui.figures.scope import Scope
from ruhui.orgs.models import Organization, WorkerGroup
from ruhui.projects.choices import ProjectStatus
from ruhui.projects.figures import provincial_entered
from ruhui.projects.models import Project
from ruhui.reports.models import month_bounds


def _pct(part: int, whole: int | None) -> str | None:
    if not whole:
        return None
    return f"{part * 100 / whole:.1f}"


def report_figures(*, campaign: Campaign, unit: Organization, month: str) -> dict:
    """The figures of `unit`'s `month` in `campaign`, as a JSON-ready dict (what submission
    freezes). Fixed number of queries."""
    first, last = month_bounds(month)
    start, end = max(first, campaign.starts_on), min(last, campaign.ends_on)
    subtree = unit.path
    tallies = list(
        UnitTally.objects.filter(
            campaign=campaign,
            unit=unit,
            dimension__in=[UnitTally.Dimension.MONTH, UnitTally.Dimension.GROUP_MONTH],
        ).values_list("dimension", "key", "new_members")
    )
    by_month = {k: n for d, k, n in tallies if d == UnitTally.Dimension.MONTH}
    by_group: dict[str, list[int]] = {}  # code → [this month, cumulative to the month's end]
    for dimension, key, n in tallies:
        if dimension == UnitTally.Dimension.GROUP_MONTH:
            code, key_month = key.split("|", 1)
            if key_month <= month:
                counts = by_group.setdefault(code, [0, 0])
                counts[1] += n
                if key_month == month:
                    counts[0] += n
    names = dict(WorkerGroup.objects.values_list("code", "name"))
    scope = Scope.units(campaign.owner, [unit])
    founded = (
        registry.unions_founded(scope=scope, start=campaign.starts_on, end=end).get(unit.pk, {})
        if start <= end
        else {}
    )
    # The month's new members are those whose first join in the campaign falls in it (a person
    # who joined earlier in the campaign and again this month is not counted again).
    entered = (
        provincial_entered(
            scope=scope,
            start=campaign.starts_on,
            end=end,
            since=start,
            migrant_only=campaign.migrant_only,
        ).get(unit.pk, 0)
        if start <= end
        else 0
    )
    figure = UnitFigure.objects.filter(campaign=campaign, unit=unit).first()
    surveyed = (
        Survey.objects.filter(
            enterprise__responsible_unit__path__startswith=subtree,
            surveyed_on__gte=first,
            surveyed_on__lte=last,
        )
        .values("enterprise_id")
        .distinct()
        .count()
    )
    unionised = Enterprise.objects.filter(
        responsible_unit__path__startswith=subtree,
        unionised_on__gte=first,
        unionised_on__lte=last,
    ).count()
    states = dict(
        Project.objects.filter(plan__campaign=campaign, plan__unit__path__startswith=subtree)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    target = (
        Target.objects.filter(campaign=campaign, unit=unit)
        .values_list("new_members", flat=True)
        .first()
    )
    new_members = by_month.get(month, 0)
    cumulative = sum(n for key, n in by_month.items() if key <= month)
    return {
        "month": month,
        "target": target,
        "new_members": new_members,
        "new_members_total": cumulative,
        "target_pct": _pct(cumulative, target),
        "by_group": [
            {
                "code": code,
                "name": names.get(code, code),
                "new_members": this_month,
                "new_members_total": total,
            }
            for code, (this_month, total) in sorted(by_group.items())
        ],
        "unions_founded": founded.get(month, 0),
        "unions_founded_total": sum(n for key, n in founded.items() if key <= month),
        "enterprises_surveyed": surveyed,
        "enterprises_unionised": unionised,
        "enterprises_surveyed_total": figure.enterprises_surveyed if figure else 0,
        "enterprises_unionised_total": figure.enterprises_unionised if figure else 0,
        "projects": [
            {"status": value, "label": str(label), "count": states.get(value, 0)}
            for value, label in ProjectStatus.choices
        ],
        "projects_total": sum(states.values()),
        "provincial_entered": entered,
    }
