"""Coverage of 服务阵地与服务 (issue 18, item 6): per division (county) and per group, within a
user's scope — running positions and positions per 1,000 members of the outdoor groups; services
and the workers served ÷ members of the group; spending; base unions meeting all 六有 ÷ base
unions; consultations and the workers they cover.

One selector, read by the coverage page, its export, the API and the campaign dashboard panel.
Five queries whatever the number of units (each figure grouped in the database or read as one
set of rows): positions, members held now, the ledger, the base unions, the consultations; four
when the members' count is remembered from an earlier request (the registry unchanged since).

Counting rules:
- a position counts when running (状态「运行」), at its own division, for each group it serves;
- members are those held now (在籍、保留、接转中, as the registry counts them), placed at their
  union's division, by `Member.group`;
- services are the ledger entries starting in [start, end], at the organizing union's division;
  for a group, those that served anyone of it, and the workers of it they served
  (`group_counts`); spending is by division only (an activity's cost is not split by group);
- a base union (figures.selectors.BASE_KINDS, active) meets 六有 when its six `StandardItem`
  rows of the 六有 codes are met; by group, the base unions covering the group;
- consultations are those held in [start, end], at the union side's division; by group, those
  covering the group.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Substr
from django.http import Http404

from ruhui.core import divisions
from ruhui.core.changes import remembered
from ruhui.figures.scope import rows, table
from ruhui.figures.selectors import BASE_KINDS
from ruhui.members.models import HELD_STATUSES, Member
from ruhui.orgs.choices import SIX_HAVE_CODES, WORKER_GROUPS
from ruhui.orgs.models import Organization, StandardItem
from ruhui.orgs.scoping import NOT_FOUND, in_jurisdiction, jurisdiction_root, under
from ruhui.positions.choices import OUTDOOR_GROUPS, PositionStatus
from ruhui.positions.models import Consultation, ServiceActivity, ServicePosition

#: Group codes in the plan's order (八大群体, then 其他).
GROUP_CODES = tuple(code for code, _name in WORKER_GROUPS)
GROUP_NAMES = dict(WORKER_GROUPS)
SIX = len(SIX_HAVE_CODES)
CENTS = Decimal("0.01")


def _ratio(part: int | Decimal, whole: int, scale: int = 1) -> Decimal | None:
    """part × scale ÷ whole to 2 decimals; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * scale / Decimal(whole)).quantize(CENTS)


@dataclass
class Line:
    """One row of a coverage table: a division or a group (or the total)."""

    key: str
    label: str
    positions: int = 0
    members: int = 0
    outdoor_members: int = 0
    activities: int = 0
    served: int = 0
    spending: Decimal = Decimal("0.00")
    base_unions: int = 0
    six_met: int = 0
    consultations: int = 0
    covered: int = 0
    #: By group: whether it is an outdoor group (positions per 1,000 members are counted).
    outdoor: bool = True

    @property
    def positions_per_1000(self) -> Decimal | None:
        """Running positions per 1,000 members of the outdoor groups."""
        if not self.outdoor:
            return None
        return _ratio(self.positions, self.outdoor_members, 1000)

    @property
    def served_per_member(self) -> Decimal | None:
        """Workers served ÷ members held (by group: members of the group)."""
        return _ratio(self.served, self.members)

    @property
    def six_share(self) -> Decimal | None:
        """Base unions meeting all 六有 ÷ base unions, in %."""
        return _ratio(self.six_met, self.base_unions, 100)


@dataclass
class Coverage:
    """The figures of a scope and period: per division, per group and in total."""

    unit: Organization
    start: datetime.date
    end: datetime.date
    divisions: list[Line] = field(default_factory=list)
    groups: list[Line] = field(default_factory=list)
    total: Line = field(default_factory=lambda: Line("", "合计"))


def _division_label(code: str) -> str:
    """The division's short name; a city's own code (……00) stands for the units at city level."""
    found = divisions.get(code)
    if found is None:
        return code or "未填写"
    if code.endswith("00") and not code.endswith("0000"):
        return f"{found.name}（市直）"
    return found.name


def coverage(
    *,
    user,
    unit: Organization | None = None,
    start: datetime.date,
    end: datetime.date,
) -> Coverage:
    """Service positions, services, 六有 and consultations of the user's scope (or of `unit`,
    which must lie in it) per division and per group, in five queries."""
    root = unit if unit is not None else jurisdiction_root(user)
    if root is None or not in_jurisdiction(user, root):
        raise Http404(NOT_FOUND)
    by_division: dict[str, Line] = {}
    by_group = {
        code: Line(code, name, outdoor=code in OUTDOOR_GROUPS) for code, name in WORKER_GROUPS
    }
    total = Line("", "合计")

    def division(code: str) -> Line:
        code = (code or "")[:6]
        if code not in by_division:
            by_division[code] = Line(code, _division_label(code))
        return by_division[code]

    _count_positions(root, division, by_group, total)
    _count_members(root, division, by_group, total)
    _count_activities(root, start, end, division, by_group, total)
    _count_base_unions(root, division, by_group, total)
    _count_consultations(root, start, end, division, by_group, total)
    return Coverage(
        unit=root,
        start=start,
        end=end,
        divisions=[by_division[code] for code in sorted(by_division)],
        groups=[by_group[code] for code in GROUP_CODES],
        total=total,
    )


def _count_positions(root, division, by_group, total) -> None:
    """Running positions: one per position at its division, one per group it serves."""
    rows = (
        under(root, ServicePosition)
        .filter(status=PositionStatus.RUNNING)
        .annotate(div=Substr("division_code", 1, 6))
        .values_list("pk", "div", "groups__code")
    )
    seen: set[int] = set()
    for pk, div, group in rows:
        if pk not in seen:
            seen.add(pk)
            division(div).positions += 1
            total.positions += 1
        if group in by_group:
            by_group[group].positions += 1


def members_by_division_and_group(root: Organization) -> list[tuple[str, str, int]]:
    """(division, group, members held now) of a subtree, remembered until the registry changes
    (`core.changes.remembered`): counting a million members takes about a second; a page that
    reads the figure again after no change reads it from the shared cache."""

    def compute() -> list[tuple[str, str, int]]:
        return list(
            under(root, Member)
            .filter(status__in=HELD_STATUSES)
            .values_list("union__division_code", "group")
            .annotate(n=Count("pk"))
            .order_by()
        )

    return remembered("positions.members", (root.path,), compute)


def _count_members(root, division, by_group, total) -> None:
    """Members held now by their union's division and their group."""
    for div, group, n in members_by_division_and_group(root):
        line = division(div)
        line.members += n
        total.members += n
        if group in by_group:
            by_group[group].members += n
            by_group[group].outdoor_members += n
        if group in OUTDOOR_GROUPS:
            line.outdoor_members += n
            total.outdoor_members += n


def _served_sql(code: str) -> str:
    """Workers of one group an activity served: `group_counts[code]` as an integer (NULL when
    absent). Django's JSON key lookups read a key such as "01" as an array index, and building
    18 aggregate expressions through the ORM cost more than the query: hence plain SQL, from
    fixed codes only."""
    if code not in GROUP_NAMES:
        raise ValueError(code)
    if connection.vendor == "postgresql":
        return f"CAST((a.group_counts ->> '{code}') AS INTEGER)"
    return f"CAST(json_extract(a.group_counts, '$.\"{code}\"') AS INTEGER)"


def _count_activities(root, start, end, division, by_group, total) -> None:
    """Ledger entries starting in [start, end] by division, with each group's served."""
    per_group = []
    for code in GROUP_CODES:
        served = _served_sql(code)
        per_group.append(f"COALESCE(SUM({served}), 0)")
        per_group.append(f"SUM(CASE WHEN {served} > 0 THEN 1 ELSE 0 END)")
    sql = (
        "SELECT o.division_code, COUNT(*), COALESCE(SUM(a.workers_served), 0), SUM(a.amount), "  # noqa: S608 (names from the models, values as parameters)
        + ", ".join(per_group)
        + f" FROM {table(ServiceActivity)} a JOIN {table(Organization)} o ON o.id = a.union_id"
        " WHERE o.path LIKE %s AND a.starts_on >= %s AND a.starts_on <= %s"
        " GROUP BY o.division_code"
    )
    for div, n, workers, spent, *groups in rows(sql, [root.path + "%", start, end]):
        line = division(div)
        spent = Decimal(spent or 0).quantize(CENTS)  # SQLite sums lose the scale
        line.activities += n
        line.served += workers
        line.spending += spent
        total.activities += n
        total.served += workers
        total.spending += spent
        for i, code in enumerate(GROUP_CODES):
            by_group[code].served += int(groups[2 * i] or 0)
            by_group[code].activities += int(groups[2 * i + 1] or 0)


def _count_base_unions(root, division, by_group, total) -> None:
    """Active base unions, and those whose six 六有 items are all met, by division and by the
    groups each covers."""
    six = (
        StandardItem.objects.filter(union=OuterRef("pk"), item__in=SIX_HAVE_CODES, met=True)
        .values("union")
        .annotate(c=Count("pk"))
        .values("c")
    )
    rows = (
        under(root, Organization)
        .filter(kind__in=BASE_KINDS, is_active=True)
        .annotate(six=Coalesce(Subquery(six, output_field=IntegerField()), Value(0)))
        .values_list("pk", "division_code", "six", "groups__code")
    )
    seen: set[int] = set()
    for pk, div, met, group in rows:
        complete = met >= SIX
        if pk not in seen:
            seen.add(pk)
            line = division(div)
            line.base_unions += 1
            total.base_unions += 1
            if complete:
                line.six_met += 1
                total.six_met += 1
        if group in by_group:
            by_group[group].base_unions += 1
            by_group[group].six_met += int(complete)


def _count_consultations(root, start, end, division, by_group, total) -> None:
    """Consultations held in [start, end] and the workers they cover, by the union side's
    division and by the groups covered."""
    rows = (
        under(root, Consultation)
        .filter(held_on__gte=start, held_on__lte=end)
        .values_list("pk", "union__division_code", "workers_covered", "groups__code")
    )
    seen: set[int] = set()
    for pk, div, covered, group in rows:
        if pk not in seen:
            seen.add(pk)
            line = division(div)
            line.consultations += 1
            line.covered += covered
            total.consultations += 1
            total.covered += covered
        if group in by_group:
            by_group[group].consultations += 1
            by_group[group].covered += covered


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The year so far: 1 January to today."""
    return datetime.date(today.year, 1, 1), today
