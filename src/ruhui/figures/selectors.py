"""Registry figures for any scope and period, in set-based queries: one query per figure
whatever the number of units (`ruhui.figures.scope`). Reads only; plain values back.

The counting rule is the registry's (`members.selectors`, research/domain.md c13):
- new members: persons (blind index of the ID number) with a 入会 event dated in [start, end]
  at a union of the unit's subtree — 转入 is not new, a person who joins twice counts once —
  and, for 农民工 only, on a membership marked 农民工. A person is placed in the month of their
  first such join at that unit (ties: the earlier event) and in the group of that membership.
  Per unit the same number as `members.selectors.new_member_count`.
- members held on a date: memberships in 在籍、保留、接转中 on that date, placed where their
  latest event on or before it left them (`members.selectors.members_at`). Each unit also gets
  how many memberships stood there on that date in any status, so that a caller can tell
  "no record that early" (absent) from "none held" (0).
- unions founded: base unions (not a 分会 or 小组) of the unit's subtree founded in [start, end].
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from ruhui.core import bulk
from ruhui.figures.scope import Scope, month, rows, table
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


@dataclass(frozen=True)
class Cell:
    """New members of one unit, one month ('YYYY-MM') and one group code."""

    unit_id: int
    month: str
    group: str
    persons: int


@dataclass(frozen=True)
class NewMembers:
    """New members by unit × month × group. A person is in one cell per unit, so any sum of a
    unit's cells counts persons."""

    cells: list[Cell] = field(default_factory=list)

    def totals(self) -> dict[int, int]:
        """{unit id: new members}."""
        return self._sum(lambda c: c.unit_id)

    def by_month(self) -> dict[tuple[int, str], int]:
        """{(unit id, 'YYYY-MM'): new members}."""
        return self._sum(lambda c: (c.unit_id, c.month))

    def by_group(self) -> dict[tuple[int, str], int]:
        """{(unit id, group code): new members}."""
        return self._sum(lambda c: (c.unit_id, c.group))

    def _sum(self, key) -> dict:
        found: dict = defaultdict(int)
        for cell in self.cells:
            found[key(cell)] += cell.persons
        return dict(found)


@dataclass(frozen=True)
class Held:
    """Memberships of a unit's subtree on a date: held (在籍、保留、接转中, 农民工 only when
    asked) and placed there in any status (0 never appears: such a unit is absent)."""

    held: int
    placed: int


def fresh_statistics() -> list[str]:
    """PostgreSQL: bring the planner statistics of the registry tables these figures read up
    to date where they are stale (`core.bulk.fresh_statistics`); the tables refreshed. A
    recomputation runs right after the change that asked for it — often a large import — and
    with the statistics of the tables before that import PostgreSQL planned the campaign query
    as nested loops: over 10 minutes at 1M members instead of 3 s. Called once at the start of
    each whole-campaign recomputation."""
    tables = (MembershipEvent, Member, Organization)
    return [m._meta.db_table for m in tables if bulk.fresh_statistics(m._meta.db_table)]


def _held_list() -> str:
    return ", ".join(f"'{status}'" for status in HELD_STATUSES)  # fixed model constants


def new_members(
    *, scope: Scope, start: datetime.date, end: datetime.date, migrant_only: bool = False
) -> NewMembers:
    """New members (入会 only, a person once, 农民工 only when asked) in [start, end], by unit
    of the scope × month × group of each person's first join there."""
    levels, level_params = scope.levels()
    within, within_params = scope.within("o.path")
    reported, reported_params = scope.reported("j.path")
    migrant = " AND m.is_migrant_worker" if migrant_only else ""
    orgs = table(Organization)
    sql = (
        f"WITH RECURSIVE {levels}, "  # noqa: S608 (names from the models, values as parameters)
        "joins AS ("
        " SELECT e.id AS event_id, e.effective_on AS day, m.id_number_hash AS person,"
        ' m."group" AS grp, o.path AS path'
        f" FROM {table(MembershipEvent)} e JOIN {table(Member)} m ON m.id = e.member_id"
        f" JOIN {orgs} o ON o.id = e.union_id"
        " WHERE e.change_type = %s AND e.effective_on >= %s AND e.effective_on <= %s"
        f" AND {within}{migrant}"
        "), placed AS ("
        f" SELECT {scope.unit('j.path')} AS unit_path, j.person, j.day, j.grp, j.event_id"
        f" FROM joins j {scope.join('j.path')} WHERE {reported}"
        "), firsts AS ("
        " SELECT unit_path, day, grp, ROW_NUMBER() OVER ("
        "  PARTITION BY unit_path, person ORDER BY day, event_id) AS rn FROM placed"
        "), totals AS ("
        f" SELECT unit_path, {month('day')} AS month, grp, COUNT(*) AS n FROM firsts"
        f" WHERE rn = 1 GROUP BY unit_path, {month('day')}, grp"
        ") "
        f"SELECT u.id, t.month, t.grp, t.n FROM totals t JOIN {orgs} u ON u.path = t.unit_path"
    )
    params = [
        *level_params,
        str(ChangeType.JOIN),
        start,
        end,
        *within_params,
        *reported_params,
    ]
    return NewMembers(
        cells=[Cell(unit_id, key, group, int(n)) for unit_id, key, group, n in rows(sql, params)]
    )


def members_held(*, scope: Scope, on: datetime.date, migrant_only: bool = False) -> dict[int, Held]:
    """{unit id: memberships held on a date, placed by their latest event on or before it};
    a unit of the scope without any membership placed there by that date is absent."""
    levels, level_params = scope.levels()
    within, within_params = scope.within("o.path")
    reported, reported_params = scope.reported("s.path")
    counted = "m.is_migrant_worker" if migrant_only else "1 = 1"
    orgs = table(Organization)
    sql = (
        f"WITH RECURSIVE {levels}, "  # noqa: S608 (names from the models, values as parameters)
        "latest AS ("
        " SELECT e.member_id, e.union_id, e.status_after, ROW_NUMBER() OVER ("
        "  PARTITION BY e.member_id ORDER BY e.effective_on DESC, e.id DESC) AS rn"
        f" FROM {table(MembershipEvent)} e WHERE e.effective_on <= %s"
        "), standing AS ("
        " SELECT o.path AS path,"
        f" CASE WHEN latest.status_after IN ({_held_list()}) AND {counted} THEN 1 ELSE 0 END"
        " AS held"
        f" FROM latest JOIN {orgs} o ON o.id = latest.union_id"
        f" JOIN {table(Member)} m ON m.id = latest.member_id"
        f" WHERE latest.rn = 1 AND {within}"
        "), totals AS ("
        f" SELECT {scope.unit('s.path')} AS unit_path, SUM(s.held) AS held, COUNT(*) AS placed"
        f" FROM standing s {scope.join('s.path')} WHERE {reported}"
        f" GROUP BY {scope.unit('s.path')}"
        ") "
        f"SELECT u.id, t.held, t.placed FROM totals t JOIN {orgs} u ON u.path = t.unit_path"
    )
    params = [*level_params, on, *within_params, *reported_params]
    return {
        unit_id: Held(held=int(held), placed=int(placed))
        for unit_id, held, placed in rows(sql, params)
    }


def unions_founded(
    *, scope: Scope, start: datetime.date, end: datetime.date
) -> dict[int, dict[str, int]]:
    """{unit id: {'YYYY-MM': base unions of its subtree founded that month in [start, end]}}."""
    levels, level_params = scope.levels()
    where, where_params = scope.where("o.path")
    kinds = ", ".join(f"'{k}'" for k in BASE_KINDS)  # fixed model constants
    orgs = table(Organization)
    sql = (
        f"WITH RECURSIVE {levels}, "  # noqa: S608 (names from the models, values as parameters)
        "totals AS ("
        f" SELECT {scope.unit('o.path')} AS unit_path, {month('o.founded_on')} AS month,"
        f" COUNT(*) AS n FROM {orgs} o {scope.join('o.path')}"
        f" WHERE {where} AND o.kind IN ({kinds})"
        " AND o.founded_on >= %s AND o.founded_on <= %s"
        f" GROUP BY {scope.unit('o.path')}, {month('o.founded_on')}"
        ") "
        f"SELECT u.id, t.month, t.n FROM totals t JOIN {orgs} u ON u.path = t.unit_path"
    )
    params = [*level_params, *where_params, start, end]
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for unit_id, key, n in rows(sql, params):
        found[unit_id][key] = int(n)
    return dict(found)


def months(start: datetime.date, end: datetime.date) -> list[str]:
    """'YYYY-MM' of every month [start, end] touches, in order."""
    keys = []
    day = start.replace(day=1)
    while day <= end:
        keys.append(f"{day.year:04d}-{day.month:02d}")
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return keys
