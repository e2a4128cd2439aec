"""Every read of the campaigns app, starting from the jurisdiction scope.

A cadre sees a campaign when it is run by their organization, by one above it or by one below
it (`Campaign.scope_reaches_down`), and within it only their own subtree: the dashboard's unit
is the cadre's own organization (or the campaign's, when that is lower), or one below it.
The one read that looks beyond the subtree is `assisted_groups`: a union the campaign makes
responsible for assisting a group sees that group's progress across the campaign, as counts per
unit only (no person, no list) — the 2019 plan's 「协助推动」 (docs/decisions/0010).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from ruhui.campaigns.checks import (
    Check,
    Line,
    decomposition_checks,
    growth,
    needed_for,
)
from ruhui.campaigns.models import (
    Campaign,
    Decomposition,
    GroupAssignment,
    Target,
    UnitFigure,
    UnitTally,
)
from ruhui.campaigns.progress import BASE_KINDS, month_keys
from ruhui.members.codes import EIGHT_GROUPS
from ruhui.members.models import ChangeType, MembershipEvent
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import NOT_FOUND, get_scoped_or_404, jurisdiction_root, scoped

GROUP_NAMES = dict(EIGHT_GROUPS.items)


def campaign_list(*, user) -> QuerySet[Campaign]:
    """Campaigns the user may see, newest first."""
    return scoped(user, Campaign).select_related("owner")


def campaign_get(*, user, slug: str) -> Campaign:
    """One campaign by its number, or 404 (missing and outside look the same)."""
    return get_scoped_or_404(
        user, Campaign.objects.select_related("owner").prefetch_related("focus_groups"), slug=slug
    )


def default_unit(*, user, campaign: Campaign) -> Organization:
    """The unit a cadre's dashboard opens on: their own organization inside the campaign, or
    the campaign's organization when the cadre sits above it."""
    root = jurisdiction_root(user)
    if root is None:
        raise Http404(NOT_FOUND)
    if root.path.startswith(campaign.owner.path):
        return root
    return campaign.owner


def unit_get(*, user, campaign: Campaign, pk) -> Organization:
    """A unit of the campaign within the user's jurisdiction, or 404."""
    unit = get_scoped_or_404(user, Organization, pk=pk)
    if not unit.path.startswith(campaign.owner.path):
        raise Http404(NOT_FOUND)
    return unit


# --- targets ----------------------------------------------------------------------------------


@dataclass
class DecompositionView:
    """A unit's decomposition: its own target, its sub-units' lines and the checks they fail."""

    unit: Organization
    parent_target: int | None
    parent_target_note: str
    lines: list[Line]
    targets: dict[int, Target]
    declared: Decomposition | None
    checks: list[Check]


def next_level_targets(campaign: Campaign, unit: Organization) -> list[Target]:
    """The targets one level below a unit: in its subtree, with no other target between."""
    below = list(
        Target.objects.filter(campaign=campaign, unit__path__startswith=unit.path)
        .exclude(unit=unit)
        .select_related("unit")
        .order_by("unit__path")
    )
    chosen: list[Target] = []
    for target in below:
        if not any(target.unit.path.startswith(c.unit.path) for c in chosen):
            chosen.append(target)
    return chosen


def unit_target(campaign: Campaign, unit: Organization, baseline_total: int | None = None):
    """(target, note) of a unit: its Target; for the campaign's own organization the campaign's
    goal, or what its growth goal asks of the baseline when it states no number."""
    if unit.pk == campaign.owner_id:
        if campaign.goal_new_members is not None:
            return campaign.goal_new_members, "行动目标"
        if campaign.goal_growth_pct is not None and baseline_total:
            needed = needed_for(baseline_total, campaign.goal_growth_pct)
            return needed, f"按较基数增长 {campaign.goal_growth_pct.normalize():f}% 计算"
        return None, ""
    target = Target.objects.filter(campaign=campaign, unit=unit).first()
    if target is None:
        return None, ""
    return target.new_members, "上级下达"


def decomposition_view(*, campaign: Campaign, unit: Organization) -> DecompositionView:
    """A unit's decomposition with its checks (the caller has checked the jurisdiction)."""
    targets = next_level_targets(campaign, unit)
    declared = Decomposition.objects.filter(campaign=campaign, unit=unit).first()
    computed = _computed_baselines(campaign, [t.unit_id for t in targets])
    lines = [
        Line(
            unit_id=t.unit_id,
            unit_name=t.unit.short_name or t.unit.name,
            baseline=t.baseline_declared,
            target=t.new_members,
            computed_baseline=computed.get(t.unit_id),
        )
        for t in targets
    ]
    baseline_total = (
        declared.declared_baseline_total
        if declared and declared.declared_baseline_total is not None
        else sum(line.baseline or 0 for line in lines)
    )
    parent_target, note = unit_target(campaign, unit, baseline_total)
    derived = unit.pk == campaign.owner_id and campaign.goal_new_members is None
    checks = decomposition_checks(
        parent_name="本级" if unit.pk != campaign.owner_id else campaign.owner.name,
        # A target derived from the growth goal is checked by the growth check itself.
        parent_target=None if derived else parent_target,
        lines=lines,
        policy_pct=campaign.goal_growth_pct,
        declared_baseline_total=declared.declared_baseline_total if declared else None,
        declared_target_total=declared.declared_target_total if declared else None,
        baseline_date=campaign.baseline_on.isoformat() if campaign.baseline_on else "",
    )
    return DecompositionView(
        unit=unit,
        parent_target=parent_target,
        parent_target_note=note,
        lines=lines,
        targets={t.unit_id: t for t in targets},
        declared=declared,
        checks=checks,
    )


def _computed_baselines(campaign: Campaign, unit_ids: list[int]) -> dict[int, int]:
    if campaign.baseline_on is None or not unit_ids:
        return {}
    return dict(
        UnitFigure.objects.filter(
            campaign=campaign, unit_id__in=unit_ids, baseline__isnull=False
        ).values_list("unit_id", "baseline")
    )


# --- progress ---------------------------------------------------------------------------------


@dataclass
class Timing:
    """Where the campaign stands in time on a day."""

    state: str  # "pending", "running", "finished"
    elapsed_days: int
    days: int

    @property
    def share(self) -> Decimal:
        return (Decimal(self.elapsed_days) * 100 / Decimal(self.days)).quantize(Decimal("0.1"))


def timing(campaign: Campaign, today: datetime.date) -> Timing:
    if today < campaign.starts_on:
        return Timing("pending", 0, campaign.days)
    if today > campaign.ends_on:
        return Timing("finished", campaign.days, campaign.days)
    return Timing("running", (today - campaign.starts_on).days + 1, campaign.days)


@dataclass
class UnitProgress:
    """A unit's progress in a campaign: everything a row of the dashboard shows."""

    unit: Organization
    target: int | None
    target_note: str = ""
    baseline_declared: int | None = None
    baseline_computed: int | None = None
    new_members: int = 0
    unions_founded: int = 0
    enterprises: int = 0
    enterprises_surveyed: int = 0
    enterprises_unionised: int = 0
    pct_of_target: Decimal | None = None
    growth_pct: Decimal | None = None
    target_growth_pct: Decimal | None = None
    projection: int | None = None
    behind_pace: bool = False
    met_target: bool | None = None
    met_policy: bool | None = None

    @property
    def unionised_pct(self) -> Decimal | None:
        return _share(self.enterprises_unionised, self.enterprises)

    @property
    def surveyed_pct(self) -> Decimal | None:
        return _share(self.enterprises_surveyed, self.enterprises)


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _progress(
    campaign: Campaign,
    unit: Organization,
    figure: UnitFigure | None,
    target: int | None,
    baseline: int | None,
    when: Timing,
    note: str = "",
) -> UnitProgress:
    row = UnitProgress(unit=unit, target=target, target_note=note, baseline_declared=baseline)
    if figure is not None:
        row.new_members = figure.new_members
        row.baseline_computed = figure.baseline
        row.unions_founded = figure.unions_founded
        row.enterprises = figure.enterprises
        row.enterprises_surveyed = figure.enterprises_surveyed
        row.enterprises_unionised = figure.enterprises_unionised
    if target:
        row.pct_of_target = _share(row.new_members, target)
        row.met_target = row.new_members >= target
    row.growth_pct = growth(row.new_members, baseline)
    row.target_growth_pct = growth(target, baseline)
    if campaign.goal_growth_pct is not None and row.growth_pct is not None:
        row.met_policy = row.growth_pct >= campaign.goal_growth_pct
    if when.state == "running" and when.elapsed_days:
        # The trend so far, carried to the end date.
        row.projection = round(row.new_members * when.days / when.elapsed_days)
        if row.pct_of_target is not None:
            row.behind_pace = row.pct_of_target < when.share
    elif when.state == "finished":
        row.projection = row.new_members
        row.behind_pace = bool(target) and row.new_members < target
    return row


@dataclass
class Dashboard:
    campaign: Campaign
    unit: Organization
    timing: Timing
    total: UnitProgress
    rows: list[UnitProgress]
    months: list[dict]
    groups: list[dict]
    decomposition: DecompositionView
    assisted: list[dict] = field(default_factory=list)

    @property
    def behind(self) -> list[UnitProgress]:
        return [row for row in self.rows if row.behind_pace]


def dashboard(
    *, user, campaign: Campaign, unit: Organization, today: datetime.date | None = None
) -> Dashboard:
    """A unit's dashboard: its own progress, its sub-units ranked by share of target, the month
    and group breakdowns, the checks of its decomposition (and, for a union that assists
    groups, those groups across the campaign). A constant number of small queries."""
    today = today or timezone.localdate()
    when = timing(campaign, today)
    view = decomposition_view(campaign=campaign, unit=unit)
    children = list(
        Organization.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by(
            "path"
        )
    )
    ids = [unit.pk, *(c.pk for c in children)]
    figures = {f.unit_id: f for f in UnitFigure.objects.filter(campaign=campaign, unit_id__in=ids)}
    targets = {
        t.unit_id: t
        for t in Target.objects.filter(campaign=campaign, unit_id__in=ids).select_related("unit")
    }
    own = targets.get(unit.pk)
    baseline_total = (
        view.declared.declared_baseline_total
        if view.declared and view.declared.declared_baseline_total is not None
        else (own.baseline_declared if own else None)
    )
    if baseline_total is None and view.lines:
        baseline_total = sum(line.baseline or 0 for line in view.lines) or None
    total = _progress(
        campaign,
        unit,
        figures.get(unit.pk),
        view.parent_target,
        baseline_total,
        when,
        view.parent_target_note,
    )
    rows = []
    for child in children:
        target = targets.get(child.pk)
        if not child.is_active and child.pk not in figures and target is None:
            continue
        rows.append(
            _progress(
                campaign,
                child,
                figures.get(child.pk),
                target.new_members if target else None,
                target.baseline_declared if target else None,
                when,
            )
        )
    rows.sort(
        key=lambda r: (
            r.pct_of_target is None,
            -(r.pct_of_target or 0),
            -r.new_members,
            r.unit.path,
        )
    )
    tallies = UnitTally.objects.filter(campaign=campaign, unit=unit).values_list(
        "dimension", "key", "new_members"
    )
    by_month: dict[str, int] = {}
    by_group: dict[str, int] = {}
    for dimension, key, count in tallies:
        if dimension == UnitTally.Dimension.MONTH:
            by_month[key] = count
        elif dimension == UnitTally.Dimension.GROUP:
            by_group[key] = count
    return Dashboard(
        campaign=campaign,
        unit=unit,
        timing=when,
        total=total,
        rows=rows,
        months=_month_series(campaign, by_month, total.target),
        groups=[
            {"code": code, "name": name, "new_members": by_group.get(code, 0)}
            for code, name in EIGHT_GROUPS.items
        ],
        decomposition=view,
        assisted=assisted_groups(user=user, campaign=campaign),
    )


def _month_series(campaign: Campaign, by_month: dict[str, int], target: int | None) -> list[dict]:
    """Each month of the window: new members, running total, and where an even pace to the
    target would stand at the month's end."""
    series, running = [], 0
    for key in month_keys(campaign):
        running += by_month.get(key, 0)
        year, month = (int(part) for part in key.split("-"))
        end = (datetime.date(year, month, 28) + datetime.timedelta(days=4)).replace(day=1)
        end = min(end - datetime.timedelta(days=1), campaign.ends_on)
        elapsed = (end - campaign.starts_on).days + 1
        pace = round(target * elapsed / campaign.days) if target else None
        series.append(
            {"month": key, "new_members": by_month.get(key, 0), "running": running, "pace": pace}
        )
    return series


def assisted_groups(*, user, campaign: Campaign) -> list[dict]:
    """The groups the user's organization is responsible for assisting in this campaign, each
    with its new members across the campaign: in total, by month and per unit directly under
    the campaign's organization. Counts only (docs/decisions/0010)."""
    root = jurisdiction_root(user)
    if root is None:
        return []
    codes = list(
        GroupAssignment.objects.filter(campaign=campaign, unit=root)
        .order_by("group__code")
        .values_list("group__code", flat=True)
    )
    if not codes:
        return []
    owner = campaign.owner
    children = {
        o.pk: o
        for o in Organization.objects.filter(
            path__startswith=owner.path, depth=owner.depth + 1
        ).order_by("path")
    }
    per_unit: dict[str, list[dict]] = defaultdict(list)
    totals: dict[str, int] = {}
    months: dict[str, dict[str, int]] = defaultdict(dict)
    rows = UnitTally.objects.filter(
        Q(campaign=campaign)
        & (
            Q(unit=owner, dimension=UnitTally.Dimension.GROUP, key__in=codes)
            | Q(unit_id__in=list(children), dimension=UnitTally.Dimension.GROUP, key__in=codes)
            | Q(unit=owner, dimension=UnitTally.Dimension.GROUP_MONTH)
        )
    ).values_list("unit_id", "dimension", "key", "new_members")
    for unit_id, dimension, key, count in rows:
        if dimension == UnitTally.Dimension.GROUP_MONTH:
            group, month = key.split("|")
            if group in codes:
                months[group][month] = count
        elif unit_id == owner.pk:
            totals[key] = count
        else:
            per_unit[key].append({"unit": children[unit_id].name, "new_members": count})
    result = []
    for code in codes:
        units = sorted(per_unit[code], key=lambda r: (-r["new_members"], r["unit"]))
        result.append(
            {
                "code": code,
                "name": GROUP_NAMES.get(code, code),
                "new_members": totals.get(code, 0),
                "units": units,
                "months": [
                    {"month": key, "new_members": months[code].get(key, 0)}
                    for key in month_keys(campaign)
                ],
            }
        )
    return result


# --- the rows behind the figures -----------------------------------------------------------


def new_member_events(
    *,
    user,
    campaign: Campaign,
    unit: Organization,
    month: str = "",
    group: str = "",
) -> QuerySet[MembershipEvent]:
    """The first 入会 event in the window of each person counted as a new member of `unit`
    (the rows behind `UnitFigure.new_members` and its month and group tallies), in the user's
    jurisdiction, oldest first."""
    window = {
        "change_type": ChangeType.JOIN,
        "effective_on__gte": campaign.starts_on,
        "effective_on__lte": campaign.ends_on,
        "union__path__startswith": unit.path,
    }
    if campaign.migrant_only:
        window["member__is_migrant_worker"] = True
    earlier = MembershipEvent.objects.filter(
        **window,
        member__id_number_hash=OuterRef("member__id_number_hash"),
    ).filter(
        Q(effective_on__lt=OuterRef("effective_on"))
        | Q(effective_on=OuterRef("effective_on"), id__lt=OuterRef("id"))
    )
    events = (
        scoped(user, MembershipEvent)
        .filter(**window)
        .exclude(Exists(earlier))
        .select_related("member", "union")
    )
    if month:
        year, number = (int(part) for part in month.split("-"))
        first = datetime.date(year, number, 1)
        last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        events = events.filter(effective_on__gte=first, effective_on__lte=last)
    if group:
        events = events.filter(member__group=group)
    return events.order_by("effective_on", "id")


def unions_founded(*, user, campaign: Campaign, unit: Organization) -> QuerySet[Organization]:
    """The base unions of `unit`'s subtree founded in the campaign window (the rows behind
    `UnitFigure.unions_founded`)."""
    return (
        scoped(user, Organization)
        .filter(
            path__startswith=unit.path,
            kind__in=BASE_KINDS,
            founded_on__gte=campaign.starts_on,
            founded_on__lte=campaign.ends_on,
        )
        .order_by("founded_on", "path")
    )
