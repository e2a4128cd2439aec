"""Every read of the enterprise survey, starting from the jurisdiction scope.

Definitions the pages, exports, API and reports share:
- 已建会 (unionised): union status 已建会 — linked to a union in the tree by 「建会」, or
  reported as having one by the latest survey (then it waits to be linked);
- surveyed: at least one survey recorded; overdue: none within RUHUI_SURVEY_INTERVAL_DAYS;
- complete: the latest survey makes all five 清 clear (Survey.completeness);
- members of an enterprise: held memberships (在籍、保留、接转中) in its linked union. When that
  union covers this enterprise only, all its members count. When it covers several (a joint or
  trade union), a member counts for the enterprise whose credit code equals the member's
  工作单位统一社会信用代码, else whose normalised name equals the member's 工作单位; members
  matching none are not attributed to any enterprise (never shared out proportionally);
- 建会率 = unionised / enterprises; 入会率 = members / employees (None, shown n/a, when 0).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Abs, Coalesce, Substr
from django.utils import timezone

from ruhui.core import divisions
from ruhui.enterprises.choices import FLAG_FIELDS, UnionStatus
from ruhui.enterprises.codes import normalize_name, normalize_uscc
from ruhui.enterprises.models import Enterprise, HeadcountSnapshot, Park, Survey
from ruhui.members.models import HELD_STATUSES, Member
from ruhui.orgs.choices import Industry
from ruhui.orgs.models import Organization, WorkerGroup
from ruhui.orgs.scoping import scoped, under

#: The headcount at which an enterprise should have its own union committee (工会法: 25 人以上
#: 建立基层工会委员会).
COMMITTEE_THRESHOLD = 25
NOT_BUILT = (UnionStatus.NONE, UnionStatus.PREPARING)
NEVER = datetime.date(1900, 1, 1)


def enterprise_list(
    *,
    user,
    q: str = "",
    division: str = "",
    township: str = "",
    park: Park | int | None = None,
    industry: str = "",
    group: str = "",
    union_status: str = "",
    responsible_unit: Organization | None = None,
    flags: tuple[str, ...] | list[str] = (),
) -> QuerySet[Enterprise]:
    """Enterprises in the user's jurisdiction, filtered; largest first."""
    qs = scoped(user, Enterprise).select_related("responsible_unit", "union", "park")
    if q:
        text = q.strip()
        code = normalize_uscc(text)
        qs = qs.filter(
            Q(name__icontains=text)
            | Q(normalised_name__contains=normalize_name(text))
            | Q(uscc=code)
            | Q(legacy_registration_number=code)
        )
    if division:
        # A prefecture code (4104 00) selects all its counties.
        qs = qs.filter(
            division_code__startswith=division[:4] if division.endswith("00") else division
        )
    if township:
        qs = qs.filter(township=township)
    if park is not None:
        qs = qs.filter(park=park)
    if industry:
        qs = qs.filter(industry=industry)
    if group:
        qs = qs.filter(groups__code=group)
    if union_status == "not_built":
        qs = qs.filter(union_status__in=NOT_BUILT)
    elif union_status:
        qs = qs.filter(union_status=union_status)
    if responsible_unit is not None:
        qs = qs.filter(responsible_unit__path__startswith=responsible_unit.path)
    for flag in flags:
        if flag in FLAG_FIELDS:
            qs = qs.filter(**{flag: True})
    return qs.order_by(F("employees_total").desc(nulls_last=True), "name", "id")


def named_under(root: Organization, texts: list[str]) -> dict[str, list[Enterprise]]:
    """{text: the enterprises of `root`'s subtree it names}: a text is a 统一社会信用代码 (any
    spacing or width) or a name (compared as `normalize_name` keys, so brackets and spaces do
    not matter). One query, whatever the number of texts; an empty list for a text that names
    none, several for a name that several enterprises share."""
    keys = {text: (normalize_uscc(text), normalize_name(text)) for text in texts}
    codes = {code for code, _name in keys.values() if len(code) == 18}
    names = {name for _code, name in keys.values()}
    found = list(
        under(root, Enterprise)
        .filter(Q(uscc__in=codes) | Q(normalised_name__in=names))
        .order_by("name", "pk")
    )
    return {
        text: [e for e in found if (e.uscc and e.uscc == code) or e.normalised_name == name]
        for text, (code, name) in keys.items()
    }


def enterprise_surveys(*, enterprise: Enterprise) -> QuerySet[Survey]:
    """An enterprise's survey history, newest first (the enterprise came through the scope)."""
    return enterprise.surveys.select_related("surveyor_unit", "park").order_by(
        "-surveyed_on", "-id"
    )


def enterprise_headcounts(*, enterprise: Enterprise) -> QuerySet[HeadcountSnapshot]:
    """An enterprise's headcount history, oldest first (for the chart)."""
    return enterprise.headcounts.order_by("on", "id")


def park_list(*, user, q: str = "", division: str = "") -> QuerySet[Park]:
    """The park directory (名录) in the user's jurisdiction, with enterprise counts."""
    qs = scoped(user, Park).select_related("responsible_unit", "union")
    if q:
        qs = qs.filter(name__icontains=q.strip())
    if division:
        qs = qs.filter(division_code=division)
    return qs.annotate(
        enterprises_count=Count("enterprises", distinct=True),
        unionised_count=Count(
            "enterprises", filter=Q(enterprises__union_status=UnionStatus.BUILT), distinct=True
        ),
    ).order_by("division_code", "name")


def worklist(
    *,
    user,
    unit: Organization | None = None,
    today: datetime.date | None = None,
    overdue_first: bool = False,
) -> QuerySet[Enterprise]:
    """The union-building worklist: enterprises without a union (未建会、筹建中) for which the
    user's units are responsible, the most workers first, with the latest survey's next action,
    its due date and `action_overdue` (due date passed)."""
    today = today or timezone.localdate()
    qs = enterprise_list(user=user, union_status="not_built", responsible_unit=unit)
    qs = qs.select_related("latest_survey", "latest_survey__next_action_owner").annotate(
        next_action_due=F("latest_survey__next_action_due"),
        action_overdue=Case(
            When(latest_survey__next_action_due__lt=today, then=Value(True)),
            default=Value(False),
        ),
    )
    order = [F("employees_total").desc(nulls_last=True), "name", "id"]
    if overdue_first:
        order = ["-action_overdue", *order]
    return qs.order_by(*order)


@dataclass
class Alerts:
    """The three monitoring lists (computed, never stored: they follow the data and settings)."""

    threshold: QuerySet[Enterprise]
    sharp_change: QuerySet[Enterprise]
    overdue: QuerySet[Enterprise]

    @property
    def total(self) -> int:
        return self.threshold.count() + self.sharp_change.count() + self.overdue.count()


def _snapshots(**filters):
    return HeadcountSnapshot.objects.filter(enterprise=OuterRef("pk"), **filters).order_by(
        "-on", "-id"
    )


def over_threshold_condition() -> Q:
    """No union yet (or one being prepared) and the latest headcount at least
    COMMITTEE_THRESHOLD (25): the 动态监控 threshold alert."""
    return Q(union_status__in=NOT_BUILT, employees_total__gte=COMMITTEE_THRESHOLD)


def overdue_condition(today: datetime.date) -> Q:
    """Not surveyed within RUHUI_SURVEY_INTERVAL_DAYS (or never): the overdue alert."""
    cutoff = today - datetime.timedelta(days=settings.RUHUI_SURVEY_INTERVAL_DAYS)
    return Q(last_surveyed_on__isnull=True) | Q(last_surveyed_on__lt=cutoff)


def without_union_over_threshold(*, user) -> QuerySet[Enterprise]:
    """Enterprises of the jurisdiction with no union yet (or one being prepared) whose latest
    headcount is at least COMMITTEE_THRESHOLD (25): the 动态监控 threshold alert's rows."""
    return scoped(user, Enterprise).filter(over_threshold_condition())


def survey_overdue(*, user, today: datetime.date | None = None) -> QuerySet[Enterprise]:
    """Enterprises of the jurisdiction not surveyed within RUHUI_SURVEY_INTERVAL_DAYS (or
    never): the 动态监控 overdue alert's rows."""
    return scoped(user, Enterprise).filter(overdue_condition(today or timezone.localdate()))


def alert_counts_by_unit(
    *, user, width: int, today: datetime.date, root: Organization | None = None
) -> dict[str, dict[str, int]]:
    """How many enterprises of the jurisdiction each alert holds ("threshold", "overdue"), by
    the first `width` characters of the responsible unit's path (the unit at that depth it lies
    under; shorter: a unit above it), in one pass over the enterprises. The totals are the sums
    over every key; the rows are those of without_union_over_threshold and survey_overdue. With
    no user: the enterprises of `root`'s subtree (the workbench's figure recomputed in the
    background)."""
    conditions = {"threshold": over_threshold_condition(), "overdue": overdue_condition(today)}
    rows = (
        (scoped(user, Enterprise) if user is not None else under(root, Enterprise))
        .filter(conditions["threshold"] | conditions["overdue"])
        .order_by()
        .annotate(unit=Substr("responsible_unit__path", 1, width))
        .values("unit")
        .annotate(**{key: Count("pk", filter=q) for key, q in conditions.items()})
    )
    return {row["unit"]: {key: row[key] for key in conditions} for row in rows}


def alerts(*, user, today: datetime.date | None = None) -> Alerts:
    """动态监控 alerts in the user's jurisdiction:
    - threshold: no union yet and the latest headcount ≥ 25; `crossed_on` is the first record at
      or above 25 after the last one below it (the day it crossed);
    - sharp_change: the latest two headcounts differ by at least RUHUI_HEADCOUNT_CHANGE_PCT per
      cent of the earlier one and at least RUHUI_HEADCOUNT_CHANGE_MIN people (`previous_total`,
      `change`);
    - overdue: not surveyed within RUHUI_SURVEY_INTERVAL_DAYS (or never)."""
    today = today or timezone.localdate()
    base = scoped(user, Enterprise).select_related("responsible_unit", "union", "park")
    last_below = Subquery(
        _snapshots(employees_total__lt=COMMITTEE_THRESHOLD).values("on")[:1],
        output_field=DateField(),
    )
    first_above = HeadcountSnapshot.objects.filter(
        enterprise=OuterRef("pk"),
        employees_total__gte=COMMITTEE_THRESHOLD,
        on__gt=OuterRef("last_below"),
    ).order_by("on", "id")
    threshold = (
        without_union_over_threshold(user=user)
        .select_related("responsible_unit", "union", "park")
        .annotate(last_below=Coalesce(last_below, Value(NEVER)))
        .annotate(
            crossed_on=Subquery(first_above.values("on")[:1]),
            crossed=Case(When(last_below__gt=NEVER, then=Value(True)), default=Value(False)),
        )
        .order_by("-crossed_on", F("employees_total").desc(nulls_last=True), "id")
    )
    pct = settings.RUHUI_HEADCOUNT_CHANGE_PCT
    minimum = settings.RUHUI_HEADCOUNT_CHANGE_MIN
    sharp = (
        base.filter(employees_total__isnull=False)
        .annotate(previous_total=Subquery(_snapshots().values("employees_total")[1:2]))
        .filter(previous_total__isnull=False)
        .annotate(
            change=F("employees_total") - F("previous_total"),
            abs_change=Abs(F("employees_total") - F("previous_total")),
        )
        .annotate(abs_change_pct=F("abs_change") * 100)
        .filter(abs_change__gte=minimum, abs_change_pct__gte=F("previous_total") * pct)
        .order_by("-headcount_on", "-abs_change", "id")
    )
    overdue = (
        survey_overdue(user=user, today=today)
        .select_related("responsible_unit", "union", "park")
        .order_by(F("last_surveyed_on").asc(nulls_first=True), "id")
    )
    return Alerts(threshold=threshold, sharp_change=sharp, overdue=overdue)


@dataclass
class CoverageRow:
    """One line of the coverage table; figures are counts, rates are None when undefined."""

    key: str
    label: str
    enterprises: int = 0
    surveyed: int = 0
    unionised: int = 0
    complete: int = 0
    employees: int = 0
    members: int = 0
    enterprise_ids: list[int] = field(default_factory=list, repr=False)

    @property
    def unionised_rate(self) -> float | None:
        """建会率."""
        return self.unionised / self.enterprises if self.enterprises else None

    @property
    def membership_rate(self) -> float | None:
        """入会率 (members / employees of the enterprises on this line)."""
        return self.members / self.employees if self.employees else None

    @property
    def completeness_rate(self) -> float | None:
        """Share of enterprises whose latest survey has all five 清."""
        return self.complete / self.enterprises if self.enterprises else None


@dataclass
class Coverage:
    by: str
    rows: list[CoverageRow]
    total: CoverageRow


COVERAGE_KEYS = {
    "division": "division_code",
    "park": "park_id",
    "industry": "industry",
    "group": "groups__code",
    "responsible_unit": "responsible_unit_id",
}
NONE_LABELS = {
    "park": "不在园区",
    "industry": "未填行业",
    "group": "未标注群体",
}


def enterprise_members(enterprises: QuerySet[Enterprise]) -> dict[int, int]:
    """Held members per enterprise (see the module docstring), in four queries whatever the
    number of enterprises. Counts only: no member's data leaves this function."""
    rows = list(
        enterprises.filter(union__isnull=False)
        .order_by()
        .values_list("id", "union_id", "uscc", "normalised_name")
    )
    if not rows:
        return {}
    union_ids = {union_id for _pk, union_id, _u, _n in rows}
    covering = dict(
        Enterprise.objects.filter(union_id__in=union_ids)
        .order_by()
        .values("union_id")
        .annotate(n=Count("id"))
        .values_list("union_id", "n")
    )
    sole = {u for u in union_ids if covering.get(u) == 1}
    shared = union_ids - sole
    result: dict[int, int] = {}
    held = Member.objects.filter(status__in=HELD_STATUSES).order_by()
    if sole:
        per_union = dict(
            held.filter(union_id__in=sole)
            .values("union_id")
            .annotate(n=Count("id"))
            .values_list("union_id", "n")
        )
        for pk, union_id, _uscc, _name in rows:
            if union_id in sole:
                result[pk] = per_union.get(union_id, 0)
    if shared:
        # Every enterprise a shared union covers (also outside this selection), so a member
        # is matched against all of them and counted at most once.
        by_uscc: dict[tuple[int, str], int] = {}
        by_name: dict[tuple[int, str], int] = {}
        for pk, union_id, uscc, name in (
            Enterprise.objects.filter(union_id__in=shared)
            .order_by("id")
            .values_list("id", "union_id", "uscc", "normalised_name")
        ):
            if uscc:
                by_uscc.setdefault((union_id, uscc), pk)
            by_name.setdefault((union_id, name), pk)
        wanted = {pk for pk, union_id, _u, _n in rows if union_id in shared}
        for pk in wanted:
            result[pk] = 0
        grouped = (
            held.filter(union_id__in=shared)
            .values("union_id", "employer_uscc", "employer_name")
            .annotate(n=Count("id"))
        )
        for row in grouped:
            union_id = row["union_id"]
            target = by_uscc.get((union_id, row["employer_uscc"] or ""))
            if target is None and row["employer_name"]:
                target = by_name.get((union_id, normalize_name(row["employer_name"])))
            if target in wanted:
                result[target] += row["n"]
    return result


def _labels(by: str, keys: set) -> dict:
    keys = {k for k in keys if k not in (None, "")}
    if by == "division":
        return {k: divisions.get(k).name if divisions.get(k) else k for k in keys}
    if by == "park":
        return dict(Park.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "industry":
        return {k: str(Industry(k).label) for k in keys if k in Industry.values}
    if by == "group":
        return dict(WorkerGroup.objects.filter(code__in=keys).values_list("code", "name"))
    return dict(Organization.objects.filter(pk__in=keys).values_list("pk", "name"))


def coverage(
    *, user, by: str = "division", enterprises: QuerySet[Enterprise] | None = None
) -> Coverage:
    """Coverage figures (建会率, 入会率, 五清 completeness) of the user's enterprises, grouped by
    division, park, industry, worker group or responsible unit; `enterprises` narrows the set
    (e.g. an `enterprise_list` with filters). By group an enterprise counts on each of its groups'
    lines, so lines may overlap; the total counts every enterprise once. A constant number of
    queries (at most ten) whatever the number of enterprises."""
    if by not in COVERAGE_KEYS:
        raise ValueError(f"coverage by {by!r}: use one of {', '.join(COVERAGE_KEYS)}")
    base = scoped(user, Enterprise) if enterprises is None else enterprises
    base = base.order_by()
    key = COVERAGE_KEYS[by]
    built = Q(union_status=UnionStatus.BUILT)
    figures = {
        "enterprises": Count("id", distinct=True),
        "surveyed": Count("id", filter=Q(last_surveyed_on__isnull=False), distinct=True),
        "unionised": Count("id", filter=built, distinct=True),
        "complete": Count("id", filter=Q(latest_survey__is_complete=True), distinct=True),
        "employees": Coalesce(Sum("employees_total"), 0),
    }
    grouped = list(base.values(key).annotate(**figures).order_by(key))
    total_row = base.aggregate(**figures)
    members = enterprise_members(base)
    keyed_members: dict = defaultdict(int)
    if members:
        for pk, value in base.filter(pk__in=list(members)).values_list("id", key):
            keyed_members[value] += members[pk]
    labels = _labels(by, {row[key] for row in grouped})
    rows = []
    for row in grouped:
        value = row[key]
        label = labels.get(value) or NONE_LABELS.get(by, "—")
        rows.append(
            CoverageRow(
                key="" if value is None else str(value),
                label=label,
                enterprises=row["enterprises"],
                surveyed=row["surveyed"],
                unionised=row["unionised"],
                complete=row["complete"],
                employees=row["employees"],
                members=keyed_members.get(value, 0),
            )
        )
    rows.sort(key=lambda r: (r.key == "", -r.enterprises, r.key))
    total = CoverageRow(
        key="",
        label="合计",
        enterprises=total_row["enterprises"],
        surveyed=total_row["surveyed"],
        unionised=total_row["unionised"],
        complete=total_row["complete"],
        employees=total_row["employees"],
        members=sum(members.values()),
    )
    return Coverage(by=by, rows=rows, total=total)


def park_coverage(*, user) -> dict:
    """F04: parks in the directory and how many have a union (园区工会)."""
    parks = scoped(user, Park)
    total = parks.count()
    with_union = parks.filter(union__isnull=False).count()
    return {
        "parks": total,
        "with_union": with_union,
        "rate": with_union / total if total else None,
    }
