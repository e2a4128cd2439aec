"""The unit names of a task-decomposition table matched to organizations.

Tables name units the short way (舞钢, 高新区, 平煤神马, 工交工会) while the register holds
full names (舞钢市总工会, 高新区工会, 中国平煤神马集团工会, 平顶山市工交工会). A name is looked
for among the decomposing unit's direct children first, then deeper in its subtree; in each of
the two, by these rules in turn, the first rule that finds anything deciding:

1. the exact name, 2. the exact 简称, 3. the exact 组织代码;
4. the normalised name (`unit_key`): both sides without the place names of the decomposing
   unit and the federations above it (平顶山市/平顶山, 河南省/河南), 中国, and the endings
   总工会/工会/工会联合会/集团/有限公司, then a trailing 市/县/区 when two characters remain;
5. the normalised table name contained in one organization's name.

A rule that finds two organizations makes the name ambiguous (an active one wins over
deactivated ones); none found anywhere leaves it unmatched. Whitespace and full-width forms are
ignored throughout (「舞 钢」 is 「舞钢」).
"""

import re
import unicodedata
from dataclasses import dataclass, field

from ruhui.orgs.choices import OrgKind
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import ancestor_paths

MSG_UNMATCHED = (
    "第 {row} 行「{name}」在{unit}之下找不到对应的工会组织：请在组织管理中为该工会填写与表中"
    "一致的“简称”，或在表中改用工会全称（或组织代码）后重新导入。"
)
MSG_AMBIGUOUS = (
    "第 {row} 行「{name}」可以对应多个工会组织（{candidates}），无法确定是哪一个：请在表中改用"
    "工会全称或组织代码后重新导入。"
)

FIXED_PREFIXES = ("中国", "河南省")
SUFFIXES = ("工会联合会", "有限责任公司", "股份有限公司", "有限公司", "总工会", "工会", "集团")
PLACE_KINDS = {OrgKind.PROVINCE_FEDERATION, OrgKind.CITY_FEDERATION, OrgKind.COUNTY_FEDERATION}
PLACE_ENDINGS = ("省", "市", "县", "区")
RULES = ("name", "short_name", "code", "normalised", "contained")


def clean(name: str) -> str:
    """A name as compared: NFKC (full-width forms folded), without any whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))


def _strip_suffixes(text: str) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[: -len(suffix)], True
    return text


def place_names(units: list[Organization]) -> list[str]:
    """The place names a federation's name gives (平顶山市总工会 → 平顶山市, 平顶山), longest first."""
    names: set[str] = set(FIXED_PREFIXES)
    for unit in units:
        if unit.kind not in PLACE_KINDS:
            continue
        place = _strip_suffixes(clean(unit.name))
        names.add(place)
        if place.endswith(PLACE_ENDINGS) and len(place) >= 3:
            names.add(place[:-1])
    return sorted(names, key=lambda text: (-len(text), text))


def unit_key(name: str, prefixes: list[str]) -> str:
    """A name without place-name prefixes, 中国, union and company endings and a trailing
    市/县/区 (kept when fewer than two characters would remain): 舞钢市总工会 → 舞钢."""
    text = clean(name)
    changed = True
    while changed:
        changed = False
        for prefix in prefixes:
            if text.startswith(prefix) and len(text) > len(prefix):
                text, changed = text[len(prefix) :], True
    text = _strip_suffixes(text)
    if text.endswith(("市", "县", "区")) and len(text) >= 3:
        text = text[:-1]
    return text


@dataclass(frozen=True)
class Candidate:
    pk: int
    name: str
    short_name: str
    code: str
    is_active: bool
    keys: tuple[str, str, str, str]  # clean name and 简称, normalised name and 简称


@dataclass
class Outcome:
    """What a name matched: one organization (`pk`, by `rule`), or several (`ambiguous`)."""

    pk: int | None = None
    rule: str = ""
    ambiguous: list[Candidate] = field(default_factory=list)


class UnitMatcher:
    """Matches table names to organizations under `unit`; the subtree below the children is
    loaded only when a name is not found among them."""

    FIELDS = ("pk", "name", "short_name", "code", "is_active")

    def __init__(self, unit: Organization):
        self.unit = unit
        above = Organization.objects.filter(path__in=ancestor_paths(unit))
        self.prefixes = place_names([*above, unit])
        below = Organization.objects.filter(path__startswith=unit.path).order_by("path")
        self._children = self._load(below.filter(depth=unit.depth + 1))
        self._deeper_query = below.filter(depth__gt=unit.depth + 1)
        self._deeper: list[Candidate] | None = None

    def _load(self, queryset) -> list[Candidate]:
        candidates = []
        for row in queryset.values_list(*self.FIELDS):
            name, short = row[1], row[2]
            keys = (clean(name), clean(short), unit_key(name, self.prefixes))
            short_key = unit_key(short, self.prefixes) if short else ""
            candidates.append(Candidate(*row, keys=(*keys, short_key)))
        return candidates

    def _tiers(self):
        yield self._children
        if self._deeper is None:
            self._deeper = self._load(self._deeper_query)
        yield self._deeper

    def _hits(self, rule: str, name: str, key: str, pool: list[Candidate]) -> list[Candidate]:
        if rule == "name":
            return [c for c in pool if c.keys[0] == name]
        if rule == "short_name":
            return [c for c in pool if c.keys[1] == name]
        if rule == "code":
            return [c for c in pool if c.code.casefold() == name.casefold()]
        if rule == "normalised":
            return [c for c in pool if key in (c.keys[2], c.keys[3])]
        if len(key) < 2:
            return []
        return [c for c in pool if key in c.keys[0]]

    def match(self, name: str) -> Outcome:
        """The organization a table name stands for: children before deeper units, each by the
        rules in order; two hits under the deciding rule make it ambiguous."""
        name = clean(name)
        if not name:
            return Outcome()
        key = unit_key(name, self.prefixes)
        for pool in self._tiers():
            for rule in RULES:
                hits = self._hits(rule, name, key, pool)
                if len(hits) > 1:
                    active = [c for c in hits if c.is_active]
                    hits = active if len(active) == 1 else hits
                if len(hits) == 1:
                    return Outcome(pk=hits[0].pk, rule=rule)
                if hits:
                    return Outcome(rule=rule, ambiguous=hits)
        return Outcome()


@dataclass
class Unmatched:
    """A table name that found no organization (`reason` 'unmatched') or several ('ambiguous')."""

    row: int
    name: str
    reason: str
    message: str
    candidates: list[str] = field(default_factory=list)


@dataclass
class Resolution:
    matched: list[tuple] = field(default_factory=list)  # (row, organization, rule)
    unmatched: list[Unmatched] = field(default_factory=list)
    duplicates: list[tuple] = field(default_factory=list)  # (row, organization, first row)


def resolve_rows(unit: Organization, rows: list) -> Resolution:
    """Each table row's organization under `unit` (rows have `.row` and `.name`); a row naming
    the organization an earlier row named is a duplicate, not a second line."""
    matcher, result, first = UnitMatcher(unit), Resolution(), {}
    for row in rows:
        outcome = matcher.match(row.name)
        if outcome.ambiguous:
            names = [c.name for c in outcome.ambiguous]
            message = MSG_AMBIGUOUS.format(
                row=row.row, name=row.name, candidates="、".join(names[:5])
            )
            result.unmatched.append(Unmatched(row.row, row.name, "ambiguous", message, names))
        elif outcome.pk is None:
            message = MSG_UNMATCHED.format(row=row.row, name=row.name, unit=unit.name)
            result.unmatched.append(Unmatched(row.row, row.name, "unmatched", message))
        elif outcome.pk in first:
            result.duplicates.append((row, outcome.pk, first[outcome.pk]))
        else:
            first[outcome.pk] = row.row
            result.matched.append((row, outcome.pk, outcome.rule))
    units = Organization.objects.in_bulk([pk for _row, pk, _rule in result.matched])
    units |= Organization.objects.in_bulk([pk for _row, pk, _first in result.duplicates])
    result.matched = [(row, units[pk], rule) for row, pk, rule in result.matched]
    result.duplicates = [(row, units[pk], at) for row, pk, at in result.duplicates]
    return result
