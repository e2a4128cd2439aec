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
"""

import datetime
import time
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from ruhui.campaigns.models import Campaign, UnitFigure, UnitTally
from ruhui.enterprises.choices import UnionStatus
from ruhui.enterprises.models import Enterprise
from ruhui.importing import bulk
from ruhui.members.models import HELD_STATUSES, ChangeType, Member, MembershipEvent
from ruhui.orgs.choices import OrgKind
from ruhui.orgs.models import Organization

#: Base unions (a 工会分会 or 工会小组 is part of one, not a new union).
BASE_KINDS = (
    OrgKind.TOWNSHIP,
    OrgKind.COMMUNITY,
    OrgKind.ENTERPRISE,
    OrgKind.TRADE,
    OrgKind.REGIONAL_FEDERATION,
    OrgKind.JOINT,
)
STEP = Organization.steplen


@dataclass
class RefreshResult:
    units: int
    tallies: int
    seconds: float


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "events": quote(MembershipEvent._meta.db_table),
        "members": quote(Member._meta.db_table),
        "orgs": quote(Organization._meta.db_table),
        "enterprises": quote(Enterprise._meta.db_table),
    }


def _levels(owner: Organization) -> tuple[str, list]:
    """A CTE of the tree depths from the owner's down to the deepest in its subtree: a path cut
    to STEP × depth characters is the path of the ancestor at that depth."""
    deepest = (
        Organization.objects.filter(path__startswith=owner.path)
        .order_by("-depth")
        .values_list("depth", flat=True)
        .first()
    ) or owner.depth
    return (
        "levels(k) AS (SELECT CAST(%s AS INTEGER) UNION ALL SELECT k + 1 FROM levels WHERE k < %s)",
        [owner.depth, deepest],
    )


def _month(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"to_char({column}, 'YYYY-MM')"
    return f"strftime('%%Y-%%m', {column})"


def _held_list() -> str:
    return ", ".join(f"'{status}'" for status in HELD_STATUSES)  # fixed model constants


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def new_member_cells(campaign: Campaign) -> list[tuple[str, str, str, int]]:
    """(unit path, 'YYYY-MM', group code, persons) for every unit of the campaign's subtree:
    each person counted once per unit, in the month and group of their first join there."""
    owner = campaign.owner
    levels, level_params = _levels(owner)
    t = _tables()
    migrant = " AND m.is_migrant_worker" if campaign.migrant_only else ""
    sql = (
        f"WITH RECURSIVE {levels}, "  # noqa: S608 (names from the models, values as parameters)
        "joins AS ("
        " SELECT e.id AS event_id, e.effective_on AS day, m.id_number_hash AS person,"
        ' m."group" AS grp, o.path AS path'
        f" FROM {t['events']} e JOIN {t['members']} m ON m.id = e.member_id"
        f" JOIN {t['orgs']} o ON o.id = e.union_id"
        " WHERE e.change_type = %s AND e.effective_on >= %s AND e.effective_on <= %s"
        f" AND o.path LIKE %s{migrant}"
        "), placed AS ("
        f" SELECT substr(j.path, 1, {STEP} * l.k) AS unit_path, j.person, j.day, j.grp,"
        " j.event_id FROM joins j"
        f" JOIN levels l ON {STEP} * l.k <= length(j.path)"
        "), firsts AS ("
        " SELECT unit_path, day, grp, ROW_NUMBER() OVER ("
        "  PARTITION BY unit_path, person ORDER BY day, event_id) AS rn FROM placed"
        ") "
        f"SELECT unit_path, {_month('day')} AS month, grp, COUNT(*) FROM firsts WHERE rn = 1 "
        f"GROUP BY unit_path, {_month('day')}, grp"
    )
    params = [
        *level_params,
        str(ChangeType.JOIN),
        campaign.starts_on,
        campaign.ends_on,
        owner.path + "%",
    ]
    return _rows(sql, params)


def baseline_counts(campaign: Campaign) -> dict[str, tuple[int, int]]:
    """{unit path: (memberships held on the baseline date, memberships the registry placed
    there by that date in any status)} for the units of the campaign's subtree; a unit absent
    from the result has no record on or before the date."""
    if campaign.baseline_on is None:
        return {}
    owner = campaign.owner
    levels, level_params = _levels(owner)
    t = _tables()
    counted = "m.is_migrant_worker" if campaign.migrant_only else "1 = 1"
    sql = (
        f"WITH RECURSIVE {levels}, "  # noqa: S608 (names from the models, values as parameters)
        "latest AS ("
        " SELECT e.member_id, e.union_id, e.status_after, ROW_NUMBER() OVER ("
        "  PARTITION BY e.member_id ORDER BY e.effective_on DESC, e.id DESC) AS rn"
        f" FROM {t['events']} e WHERE e.effective_on <= %s"
        "), standing AS ("
        " SELECT o.path AS path,"
        f" CASE WHEN latest.status_after IN ({_held_list()}) AND {counted} THEN 1 ELSE 0 END"
        " AS held"
        f" FROM latest JOIN {t['orgs']} o ON o.id = latest.union_id"
        f" JOIN {t['members']} m ON m.id = latest.member_id"
        " WHERE latest.rn = 1 AND o.path LIKE %s"
        ") "
        f"SELECT substr(s.path, 1, {STEP} * l.k), SUM(s.held), COUNT(*) FROM standing s "
        f"JOIN levels l ON {STEP} * l.k <= length(s.path) "
        f"GROUP BY substr(s.path, 1, {STEP} * l.k)"
    )
    params = [*level_params, campaign.baseline_on, owner.path + "%"]
    return {path: (int(held), int(known)) for path, held, known in _rows(sql, params)}


def unions_founded(campaign: Campaign) -> dict[str, int]:
    """{unit path: base unions of its subtree founded in the campaign window}."""
    owner = campaign.owner
    levels, level_params = _levels(owner)
    t = _tables()
    kinds = ", ".join(f"'{k}'" for k in BASE_KINDS)  # fixed model constants
    sql = (
        f"WITH RECURSIVE {levels} "  # noqa: S608 (names from the models, values as parameters)
        f"SELECT substr(o.path, 1, {STEP} * l.k), COUNT(*) FROM {t['orgs']} o "
        f"JOIN levels l ON {STEP} * l.k <= length(o.path) "
        f"WHERE o.path LIKE %s AND o.kind IN ({kinds}) "
        "AND o.founded_on >= %s AND o.founded_on <= %s "
        f"GROUP BY substr(o.path, 1, {STEP} * l.k)"
    )
    params = [*level_params, owner.path + "%", campaign.starts_on, campaign.ends_on]
    return {path: int(n) for path, n in _rows(sql, params)}


def enterprise_counts(campaign: Campaign) -> dict[str, tuple[int, int, int]]:
    """{unit path: (enterprises its subtree is responsible for, surveyed, with a union)}."""
    owner = campaign.owner
    levels, level_params = _levels(owner)
    t = _tables()
    sql = (
        f"WITH RECURSIVE {levels} "  # noqa: S608 (names from the models, values as parameters)
        f"SELECT substr(o.path, 1, {STEP} * l.k), COUNT(*),"
        " SUM(CASE WHEN e.last_surveyed_on IS NOT NULL THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN e.union_status = %s THEN 1 ELSE 0 END)"
        f" FROM {t['enterprises']} e JOIN {t['orgs']} o ON o.id = e.responsible_unit_id"
        f" JOIN levels l ON {STEP} * l.k <= length(o.path)"
        " WHERE o.path LIKE %s"
        f" GROUP BY substr(o.path, 1, {STEP} * l.k)"
    )
    params = [*level_params, str(UnionStatus.BUILT), owner.path + "%"]
    return {path: (int(a), int(b), int(c)) for path, a, b, c in _rows(sql, params)}


def progress_refresh(campaign: Campaign) -> RefreshResult:
    """Recompute a campaign's figures from the records and replace the stored ones, in one
    transaction (a dashboard reads either the old figures or the new, never a mix)."""
    started = time.perf_counter()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().select_related("owner").get(pk=campaign.pk)
        cells = new_member_cells(campaign)
        baselines = baseline_counts(campaign)
        founded = unions_founded(campaign)
        enterprises = enterprise_counts(campaign)
        ids = dict(
            Organization.objects.filter(path__startswith=campaign.owner.path).values_list(
                "path", "id"
            )
        )
        totals: dict[str, int] = defaultdict(int)
        months: dict[tuple[str, str], int] = defaultdict(int)
        groups: dict[tuple[str, str], int] = defaultdict(int)
        group_months: dict[str, int] = defaultdict(int)
        for path, month, group, count in cells:
            totals[path] += count
            months[path, month] += count
            groups[path, group] += count
            if path == campaign.owner.path:
                group_months[f"{group}|{month}"] += count
        figure_rows = []
        for path in sorted(set(totals) | set(baselines) | set(founded) | set(enterprises)):
            held, _known = baselines.get(path, (None, 0))
            surveyed = enterprises.get(path, (0, 0, 0))
            figure_rows.append(
                (
                    campaign.pk,
                    ids[path],
                    totals.get(path, 0),
                    held,
                    founded.get(path, 0),
                    *surveyed,
                )
            )
        owner_id = ids[campaign.owner.path]
        tally_rows = [
            (campaign.pk, ids[path], UnitTally.Dimension.MONTH.value, month, n)
            for (path, month), n in months.items()
        ]
        tally_rows += [
            (campaign.pk, ids[path], UnitTally.Dimension.GROUP.value, group, n)
            for (path, group), n in groups.items()
        ]
        tally_rows += [
            (campaign.pk, owner_id, UnitTally.Dimension.GROUP_MONTH.value, key, n)
            for key, n in group_months.items()
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
    keys = []
    day = campaign.starts_on.replace(day=1)
    while day <= campaign.ends_on:
        keys.append(f"{day.year:04d}-{day.month:02d}")
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return keys
