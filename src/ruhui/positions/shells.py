"""The 空壳 risk list (issue 18, item 5; the 2019 plan's 「防止新建工会组织空壳化、形式化」):
base unions founded more than `RUHUI_EMPTY_SHELL_DAYS` days ago that meet any of these —
a 六有 item missing, no member held, no entry in the services ledger for six months. Each row
says which. Four queries whatever the number of unions; members and ledger entries of a base
union's 分会 and 小组 count for it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Max
from django.http import Http404
from django.utils import timezone

from ruhui.core.changes import remembered
from ruhui.figures.selectors import BASE_KINDS
from ruhui.members.models import HELD_STATUSES, Member
from ruhui.orgs.choices import SIX_HAVES
from ruhui.orgs.models import Organization, StandardItem
from ruhui.orgs.scoping import NOT_FOUND, in_jurisdiction, jurisdiction_root, under
from ruhui.positions.models import ServiceActivity

#: Months without a ledger entry after which a union is listed.
QUIET_MONTHS = 6
STEP = Organization.steplen

#: Condition codes → what a row says.
MISSING_SIX = "six"
NO_MEMBERS = "members"
NO_ACTIVITY = "activity"
CONDITIONS = {
    MISSING_SIX: "“六有”不全",
    NO_MEMBERS: "无在籍会员",
    NO_ACTIVITY: "6 个月无服务活动",
}


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` months earlier (the month's last day when it has no such day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass
class ShellRow:
    """A base union at risk of being an empty shell, and why."""

    union: Organization
    founded_on: datetime.date
    missing: list[str] = field(default_factory=list)
    members: int = 0
    last_activity: datetime.date | None = None
    conditions: list[str] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        return [CONDITIONS[code] for code in self.conditions]


@dataclass
class Shells:
    rows: list[ShellRow]
    founded_before: datetime.date
    quiet_since: datetime.date
    days: int


def shell_candidates(
    *, user, unit: Organization | None = None, today: datetime.date | None = None
) -> Shells:
    """Base unions of the scope founded more than RUHUI_EMPTY_SHELL_DAYS days ago with a 六有
    item missing, no member held or no ledger entry in the last six months, in division and
    tree order."""
    root = unit if unit is not None else jurisdiction_root(user)
    if root is None or not in_jurisdiction(user, root):
        raise Http404(NOT_FOUND)
    today = today or timezone.localdate()
    days = int(getattr(settings, "RUHUI_EMPTY_SHELL_DAYS", 180))
    founded_before = today - datetime.timedelta(days=days)
    quiet_since = months_before(today, QUIET_MONTHS)
    unions = {
        union.path: union
        for union in under(root, Organization)
        .filter(kind__in=BASE_KINDS, is_active=True, founded_on__lt=founded_before)
        .only("pk", "name", "code", "kind", "path", "depth", "division_code", "founded_on")
        .order_by("division_code", "path")
    }
    if not unions:
        return Shells([], founded_before, quiet_since, days)
    met: dict[int, set[str]] = {}
    for union_id, item in StandardItem.objects.filter(
        union__in=[u.pk for u in unions.values()],
        item__in=[code for code, _label in SIX_HAVES],
        met=True,
    ).values_list("union_id", "item"):
        met.setdefault(union_id, set()).add(item)
    members: dict[str, int] = {}
    for path, kind, n in _members_by_union(root):
        owner = _base_of(path, kind, unions)
        if owner is not None:
            members[owner] = members.get(owner, 0) + n
    last: dict[str, datetime.date] = {}
    for path, kind, day in (
        under(root, ServiceActivity)
        .filter(starts_on__lte=today)
        .values_list("union__path", "union__kind")
        .annotate(last=Max("starts_on"))
        .order_by()
    ):
        owner = _base_of(path, kind, unions)
        if owner is not None and (owner not in last or day > last[owner]):
            last[owner] = day
    rows = []
    for path, union in unions.items():
        row = ShellRow(
            union=union,
            founded_on=union.founded_on,
            missing=[
                str(label) for code, label in SIX_HAVES if code not in met.get(union.pk, set())
            ],
            members=members.get(path, 0),
            last_activity=last.get(path),
        )
        if row.missing:
            row.conditions.append(MISSING_SIX)
        if not row.members:
            row.conditions.append(NO_MEMBERS)
        if row.last_activity is None or row.last_activity < quiet_since:
            row.conditions.append(NO_ACTIVITY)
        if row.conditions:
            rows.append(row)
    return Shells(rows, founded_before, quiet_since, days)


def _members_by_union(root: Organization) -> list[tuple[str, str, int]]:
    """(union path, kind, members held now) of a subtree, remembered until the registry changes
    (`core.changes.remembered`, as coverage's count)."""

    def compute() -> list[tuple[str, str, int]]:
        return list(
            under(root, Member)
            .filter(status__in=HELD_STATUSES)
            .values_list("union__path", "union__kind")
            .annotate(n=Count("pk"))
            .order_by()
        )

    return remembered("positions.shell_members", (root.path,), compute)


def _base_of(path: str, kind: str, unions: dict[str, Organization]) -> str | None:
    """The listed base union a record at `path` belongs to: that union, or for a 分会 or 小组
    the nearest listed union above it."""
    if kind in BASE_KINDS:
        return path if path in unions else None
    for end in range(len(path), 0, -STEP):
        if path[:end] in unions:
            return path[:end]
    return None
