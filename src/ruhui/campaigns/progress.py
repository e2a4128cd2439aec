"""A campaign's progress figures, computed from the records in a handful of set-based queries
and kept per unit (`UnitFigure`, `UnitTally`), so that every dashboard reads a few small rows
however large the registry (docs/decisions/0010-campaign-progress.md).

The definitions (research/domain.md c13), for every organization U of the campaign's subtree:
- new members: persons (blind index of the ID number) with a 入会 event dated in the campaign
  window at a union of U's subtree — 转入 is not new, a person who joins twice counts once —
  and, when the campaign counts 农民工 only, on a membership marked 农民工. A person is placed
  in the month of their first such join and in the group of that membership. These are the
  same figures `members.selectors.new_member_count` gives (tests/campaigns/test_progress.py
  compares them on constructed histories).
- baseline (computed): memberships held (在籍、保留、接转中) on the baseline date, placed where
  their latest event on or before that date left them (`members.selectors.members_at`); None
  where the registry holds no event of U's subtree on or before the date ("does not reach
  back"), so that a registry started later is never read as a baseline of zero.
- unions founded: base unions of U's subtree with a founding date in the window.
- enterprises: those U's subtree is responsible for surveying; surveyed; with a union.

The registry figures (new members, baseline, unions founded) come from the figures layer
(`ruhui.figures.selectors`), which knows nothing of campaigns; the enterprise figures stay here
because the enterprise register is a feature beside this one, not below it.
"""

import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ruhui.campaigns.models import Campaign, UnitFigure, UnitTally
from ruhui.core import bulk
from ruhui.enterprises.choices import UnionStatus
from ruhui.enterprises.models import Enterprise
from ruhui.figures import selectors as figures
from ruhui.figures.scope import Scope, rows, table
from ruhui.figures.selectors import BASE_KINDS  # noqa: F401 (campaigns.selectors reads it here)
from ruhui.orgs.models import Organization


@dataclass
class RefreshResult:
    units: int
    tallies: int
    seconds: float


def enterprise_counts(scope: Scope) -> dict[int, tuple[int, int, int]]:
    """{unit id: (enterprises its subtree is responsible for, surveyed, with a union)}."""
    levels, level_params = scope.levels()
    where, where_params = scope.where("o.path")
    orgs = table(Organization)
    sql = (
        f"WITH RECURSIVE {levels}, "  # noqa: S608 (names from the models, values as parameters)
        "totals AS ("
        f" SELECT {scope.unit('o.path')} AS unit_path, COUNT(*) AS n,"
        " SUM(CASE WHEN e.last_surveyed_on IS NOT NULL THEN 1 ELSE 0 END) AS surveyed,"
        " SUM(CASE WHEN e.union_status = %s THEN 1 ELSE 0 END) AS unionised"
        f" FROM {table(Enterprise)} e JOIN {orgs} o ON o.id = e.responsible_unit_id"
        f" {scope.join('o.path')} WHERE {where}"
        f" GROUP BY {scope.unit('o.path')}"
        ") "
        "SELECT u.id, t.n, t.surveyed, t.unionised"
        f" FROM totals t JOIN {orgs} u ON u.path = t.unit_path"
    )
    params = [*level_params, str(UnionStatus.BUILT), *where_params]
    return {unit_id: (int(a), int(b), int(c)) for unit_id, a, b, c in rows(sql, params)}


def progress_refresh(campaign: Campaign) -> RefreshResult:
    """Recompute a campaign's figures from the records and replace the stored ones, in one
    transaction (a dashboard reads either the old figures or the new, never a mix)."""
    started = time.perf_counter()
    figures.fresh_statistics()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().select_related("owner").get(pk=campaign.pk)
        scope = Scope.subtree(campaign.owner)
        window = {"start": campaign.starts_on, "end": campaign.ends_on}
        joined = figures.new_members(scope=scope, **window, migrant_only=campaign.migrant_only)
        baselines = (
            figures.members_held(
                scope=scope, on=campaign.baseline_on, migrant_only=campaign.migrant_only
            )
            if campaign.baseline_on is not None
            else {}
        )
        founded = figures.unions_founded(scope=scope, **window)
        enterprises = enterprise_counts(scope)
        totals = joined.totals()
        figure_rows = []
        for unit_id in sorted(set(totals) | set(baselines) | set(founded) | set(enterprises)):
            baseline = baselines.get(unit_id)
            figure_rows.append(
                (
                    campaign.pk,
                    unit_id,
                    totals.get(unit_id, 0),
                    baseline.held if baseline else None,
                    sum(founded.get(unit_id, {}).values()),
                    *enterprises.get(unit_id, (0, 0, 0)),
                )
            )
        owner_id = campaign.owner.pk
        # Group × month for the owner and the units one level under it (those that send it
        # monthly reports: a report shows its month by group); deeper units have month and
        # group apart only, so that the tallies stay small however large the tree.
        children = Organization.objects.get_children(campaign.owner).values_list("pk", flat=True)
        with_group_month = {owner_id, *children}
        tally_rows = [
            (campaign.pk, unit_id, UnitTally.Dimension.MONTH.value, month, n)
            for (unit_id, month), n in joined.by_month().items()
        ]
        tally_rows += [
            (campaign.pk, unit_id, UnitTally.Dimension.GROUP.value, group, n)
            for (unit_id, group), n in joined.by_group().items()
        ]
        tally_rows += [
            (
                campaign.pk,
                c.unit_id,
                UnitTally.Dimension.GROUP_MONTH.value,
                f"{c.group}|{c.month}",
                c.persons,
            )
            for c in joined.cells
            if c.unit_id in with_group_month
        ]
        UnitFigure.objects.filter(campaign=campaign).delete()
        UnitTally.objects.filter(campaign=campaign).delete()
        bulk.insert_rows(
            UnitFigure._meta.db_table,
            [
                "campaign_id",
                "unit_id",
                "new_members",
                "baseline",
                "unions_founded",
                "enterprises",
                "enterprises_surveyed",
                "enterprises_unionised",
            ],
            figure_rows,
        )
        bulk.insert_rows(
            UnitTally._meta.db_table,
            ["campaign_id", "unit_id", "dimension", "key", "new_members"],
            tally_rows,
        )
        seconds = time.perf_counter() - started
        Campaign.objects.filter(pk=campaign.pk).update(
            progress_at=timezone.now(), progress_seconds=round(seconds, 3)
        )
    return RefreshResult(units=len(figure_rows), tallies=len(tally_rows), seconds=seconds)


def month_keys(campaign: Campaign) -> list[str]:
    """'YYYY-MM' of every month the campaign window touches, in order."""
    return figures.months(campaign.starts_on, campaign.ends_on)
