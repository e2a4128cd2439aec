"""A unit's campaign dashboard, assembled from the stored figures (`UnitFigure`, `UnitTally`)
and the targets: its own progress, its sub-units ranked, the month and group series, the checks
of its decomposition, and for a union assisting groups those groups' counts across the campaign
(`assisted_groups`: the one read beyond the user's subtree, counts only; docs/decisions/0010).
Every figure here is arithmetic on stored counts: nothing is queried per unit."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from ruhui.campaigns.checks import growth
from ruhui.campaigns.models import Campaign, GroupAssignment, Target, UnitFigure, UnitTally
from ruhui.campaigns.progress import month_keys
from ruhui.campaigns.selectors import GROUP_NAMES, DecompositionView, decomposition_view
from ruhui.members.codes import EIGHT_GROUPS
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import jurisdiction_root

#: Panels that features above campaigns add to the dashboard (campaigns imports none of them):
#: callables (campaign, unit, user) -> (template_name, context), registered in their
#: AppConfig.ready() and rendered below the figures, in order.
PANELS: list = []


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


def unit_progress(
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
    total = unit_progress(
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
            unit_progress(
                campaign,
                child,
                figures.get(child.pk),
                target.new_members if target else None,
                target.baseline_declared if target else None,
                when,
                target.note if target else "",
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


@dataclass
class BehindPace:
    """A running campaign's units, directly below the user's own unit, behind an even pace."""

    campaign: Campaign
    unit: Organization
    timing: Timing
    behind: list[UnitProgress]


def behind_pace(*, user, today: datetime.date | None = None) -> list[BehindPace]:
    """For every running campaign the user may see: the sub-units of the unit its dashboard
    opens on (`campaign_rows`) whose share of target trails the share of time elapsed, worst
    first — the same rule as the dashboard's rows. Six queries whatever the number of
    campaigns and units."""
    from ruhui.campaigns.selectors import campaign_rows

    today = today or timezone.localdate()
    running = [c for c in campaign_rows(user=user) if timing(c, today).state == "running"]
    running = [c for c in running if getattr(c, "own_unit", None) is not None]
    if not running:
        return []
    units = {c.own_unit.pk: c.own_unit for c in running}
    below = Q()
    for unit in units.values():
        below |= Q(path__startswith=unit.path, depth=unit.depth + 1)
    children: dict[int, list[Organization]] = defaultdict(list)
    by_path = {unit.path: pk for pk, unit in units.items()}
    step = Organization.steplen
    found = list(Organization.objects.filter(below).order_by("path"))
    for child in found:
        children[by_path[child.path[:-step]]].append(child)
    ids = [child.pk for child in found]
    figures = {
        (f.campaign_id, f.unit_id): f
        for f in UnitFigure.objects.filter(campaign__in=running, unit_id__in=ids)
    }
    targets = {
        (t.campaign_id, t.unit_id): t
        for t in Target.objects.filter(campaign__in=running, unit_id__in=ids)
    }
    result = []
    for campaign in running:
        when = timing(campaign, today)
        rows = []
        for child in children[campaign.own_unit.pk]:
            target = targets.get((campaign.pk, child.pk))
            if target is None or not target.new_members:
                continue  # no target, no pace to keep
            row = unit_progress(
                campaign,
                child,
                figures.get((campaign.pk, child.pk)),
                target.new_members,
                target.baseline_declared,
                when,
            )
            if row.behind_pace:
                rows.append(row)
        rows.sort(key=lambda r: (r.pct_of_target or 0, r.unit.path))
        result.append(BehindPace(campaign, campaign.own_unit, when, rows))
    return result
