"""Every read of the campaigns app, starting from the jurisdiction scope.

A cadre sees a campaign when it is run by their organization, by one above it or by one below
it (`Campaign.scope_reaches_down`), and within it only their own subtree: the dashboard's unit
is the cadre's own organization (or the campaign's, when that is lower), or one below it.
The one read that looks beyond the subtree is `dashboard.assisted_groups`: a union the campaign makes
responsible for assisting a group sees that group's progress across the campaign, as counts per
unit only (no person, no list) — the 2019 plan's 「协助推动」 (docs/decisions/0010).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404

from ruhui.campaigns.checks import (
    Check,
    Line,
    decomposition_checks,
    needed_for,
)
from ruhui.campaigns.models import (
    Campaign,
    Decomposition,
    Target,
    UnitFigure,
)
from ruhui.campaigns.progress import BASE_KINDS
from ruhui.members.codes import EIGHT_GROUPS
from ruhui.members.models import ChangeType, Member, MembershipEvent
from ruhui.members.selectors import members_at
from ruhui.orgs.models import Organization, standards_prefetch
from ruhui.orgs.scoping import NOT_FOUND, get_scoped_or_404, jurisdiction_root, scoped

GROUP_NAMES = dict(EIGHT_GROUPS.items)


def campaign_list(*, user) -> QuerySet[Campaign]:
    """Campaigns the user may see, newest first."""
    return scoped(user, Campaign).select_related("owner")


def campaign_rows(*, user) -> list[Campaign]:
    """The campaigns a user may see, each with the unit its dashboard opens on (`own_unit`),
    that unit's target as its dashboard states it (`own_target`, `unit_target`: for the
    campaign's own organization its goal, or what its growth goal asks of the decomposition's
    baseline) and stored figures (`own_figure`): three queries in all however many campaigns,
    two more when a campaign's own target comes from its growth goal."""
    root = jurisdiction_root(user)
    campaigns = list(campaign_list(user=user))
    if root is None or not campaigns:
        return campaigns
    for campaign in campaigns:
        campaign.own_unit = root if root.path.startswith(campaign.owner.path) else campaign.owner
    units = {c.own_unit.pk for c in campaigns}
    figures = {
        (f.campaign_id, f.unit_id): f
        for f in UnitFigure.objects.filter(campaign__in=campaigns, unit_id__in=units)
    }
    targets = {
        (t.campaign_id, t.unit_id): t.new_members
        for t in Target.objects.filter(campaign__in=campaigns, unit_id__in=units)
    }
    derived = [
        c
        for c in campaigns
        if c.own_unit.pk == c.owner_id
        and c.goal_new_members is None
        and c.goal_growth_pct is not None
    ]
    baselines = _owner_baseline_totals(derived)
    for campaign in campaigns:
        key = (campaign.pk, campaign.own_unit.pk)
        campaign.own_figure = figures.get(key)
        if campaign.own_unit.pk == campaign.owner_id:
            campaign.own_target, _note = unit_target(
                campaign, campaign.own_unit, baselines.get(campaign.pk)
            )
        else:
            campaign.own_target = targets.get(key)
    return campaigns


def _owner_baseline_totals(campaigns: list[Campaign]) -> dict[int, int]:
    """The baseline total each campaign's own organization's decomposition states, as
    `decomposition_view` reads it: its 合计 row's declared baseline, else the sum of its
    next-level lines' declared baselines. Two queries for any number of campaigns."""
    if not campaigns:
        return {}
    totals = dict(
        Decomposition.objects.filter(
            campaign__in=campaigns,
            unit_id=F("campaign__owner_id"),
            declared_baseline_total__isnull=False,
        ).values_list("campaign_id", "declared_baseline_total")
    )
    rest = [c for c in campaigns if c.pk not in totals]
    if not rest:
        return totals
    chosen: dict[int, list[Target]] = defaultdict(list)
    below = (
        Target.objects.filter(campaign__in=rest)
        .exclude(unit_id=F("campaign__owner_id"))
        .select_related("unit")
        .order_by("unit__path")
    )
    for target in below:  # the next level: no other target between (`next_level_targets`)
        lines = chosen[target.campaign_id]
        if not any(target.unit.path.startswith(line.unit.path) for line in lines):
            lines.append(target)
    for pk, lines in chosen.items():
        totals[pk] = sum(line.baseline_declared or 0 for line in lines)
    return totals


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


def decomposable_units(*, view: DecompositionView) -> list[Organization]:
    """The sub-units a unit's decomposition form lists: its active children, then any unit
    already holding one of its next-level targets."""
    children = list(Organization.objects.get_children(view.unit).filter(is_active=True))
    listed = {c.pk for c in children}
    return children + [t.unit for t in view.targets.values() if t.unit_id not in listed]


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
        .prefetch_related(standards_prefetch())  # 六有 per row, one query for the page
    )


def baseline_members(*, user, campaign: Campaign, unit: Organization):
    """The memberships behind `UnitFigure.baseline`: held on the baseline date in `unit`'s
    subtree (placed where they stood that day; 农民工 when the campaign counts them only), in
    the user's jurisdiction. Each row carries `path_at`, the union it stood at on the date."""
    if campaign.baseline_on is None:
        return Member.objects.none()
    members = members_at(user=user, on=campaign.baseline_on, root=unit)
    if campaign.migrant_only:
        members = members.filter(is_migrant_worker=True)
    return members.order_by("path_at", "member_number")


def label_unions_at(*, user, members) -> None:
    """Give each membership of a `baseline_members` page the name of the union it stood at
    (`union_at`): one query for the page."""
    paths = {m.path_at for m in members}
    names = dict(scoped(user, Organization).filter(path__in=paths).values_list("path", "name"))
    for member in members:
        member.union_at = names.get(member.path_at, "")
