"""Every write of the campaigns app: campaigns with their phases, deadlines and responsibility
map; targets and decomposition tables; and the queueing of progress computations when the
records change. Each service checks the actor's role and jurisdiction, validates, writes in one
transaction and leaves an audit entry."""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ruhui.audit.services import Action, audit_record, diff, snapshot
from ruhui.campaigns.models import (
    Campaign,
    Decomposition,
    GroupAssignment,
    Milestone,
    Phase,
    Target,
)
from ruhui.campaigns.selectors import next_level_targets
from ruhui.orgs.choices import LEADING_KINDS
from ruhui.orgs.models import Organization, WorkerGroup
from ruhui.orgs.scoping import in_jurisdiction

MSG_OWNER_KIND = _(
    "只有市、县(市、区)总工会和产业工会、市直工会可以组织集中行动：请在上级工会的账号下新建。"
)
MSG_OUTSIDE = _("所选单位不在您的管辖范围内。")
MSG_FORBIDDEN = _("您的角色没有此项操作的权限，如需办理请联系本单位管理员。")
MSG_NOT_IN_CAMPAIGN = _("「%(unit)s」不在这次行动的组织单位「%(owner)s」之下。")
MSG_NOT_BELOW = _("「%(unit)s」不是「%(parent)s」的下级单位，不能列入它的任务分解表。")
MSG_PHASE_OUTSIDE = _(
    "阶段「%(name)s」的日期应在行动的开始和结束日期之间（%(start)s 至 %(end)s）。"
)
MSG_PHASE_ORDER = _("阶段「%(name)s」的结束日期早于开始日期。")
MSG_MILESTONE_OUTSIDE = _("时间节点「%(title)s」的日期应在行动期间（%(start)s 至 %(end)s）。")
MSG_DUPLICATE_GROUP = _("群体「%(group)s」列了两次：每个群体只由一个单位协助推动。")
MSG_DUPLICATE_UNIT = _("「%(unit)s」在任务分解表中出现了两次。")
MSG_OWN_TARGET = _("不能给组织单位本身下达任务：它的目标就是行动目标。")
MSG_SLUG_RESERVED = _("编号「%(slug)s」是系统保留字，请换一个，例如 pds-2019。")
RESERVED_SLUGS = {"new"}

CAMPAIGN_FIELDS = [
    "name",
    "year",
    "goal_statement",
    "starts_on",
    "ends_on",
    "baseline_on",
    "goal_new_members",
    "goal_growth_pct",
    "goal_new_unions",
    "migrant_only",
    "focus_sectors",
]


@dataclass
class PhaseData:
    name: str
    starts_on: datetime.date
    ends_on: datetime.date
    tasks: str = ""


@dataclass
class MilestoneData:
    title: str
    due_on: datetime.date
    note: str = ""


@dataclass
class TargetLine:
    """One line of a decomposition: a sub-unit, its declared baseline and its target."""

    unit: Organization
    baseline: int | None
    target: int | None
    note: str = ""


def _require(actor, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(MSG_FORBIDDEN)


def _require_unit(actor, unit: Organization) -> None:
    """Commands run without an actor (the operator is trusted); cadres only in their subtree."""
    if actor is not None and not in_jurisdiction(actor, unit):
        raise PermissionDenied(MSG_OUTSIDE)


def _check_plan(
    campaign: Campaign, phases: list[PhaseData], milestones: list[MilestoneData]
) -> None:
    errors: dict[str, list] = {}
    for phase in phases:
        if phase.ends_on < phase.starts_on:
            errors.setdefault("phases", []).append(MSG_PHASE_ORDER % {"name": phase.name})
        elif phase.starts_on < campaign.starts_on or phase.ends_on > campaign.ends_on:
            errors.setdefault("phases", []).append(
                MSG_PHASE_OUTSIDE
                % {"name": phase.name, "start": campaign.starts_on, "end": campaign.ends_on}
            )
    for item in milestones:
        if not campaign.starts_on <= item.due_on <= campaign.ends_on:
            errors.setdefault("milestones", []).append(
                MSG_MILESTONE_OUTSIDE
                % {"title": item.title, "start": campaign.starts_on, "end": campaign.ends_on}
            )
    if errors:
        raise ValidationError(errors)


def _check_assignments(campaign: Campaign, assignments: list[tuple[WorkerGroup, Organization]]):
    seen = set()
    for group, unit in assignments:
        if group.pk in seen:
            raise ValidationError({"assignments": MSG_DUPLICATE_GROUP % {"group": group.name}})
        seen.add(group.pk)
        if not unit.path.startswith(campaign.owner.path):
            raise ValidationError(
                {
                    "assignments": MSG_NOT_IN_CAMPAIGN
                    % {"unit": unit.name, "owner": campaign.owner.name}
                }
            )


def _write_plan(campaign, phases, milestones, assignments) -> None:
    campaign.phases.all().delete()
    Phase.objects.bulk_create(
        Phase(
            campaign=campaign, name=p.name, starts_on=p.starts_on, ends_on=p.ends_on, tasks=p.tasks
        )
        for p in phases
    )
    campaign.milestones.all().delete()
    Milestone.objects.bulk_create(
        Milestone(campaign=campaign, title=m.title, due_on=m.due_on, note=m.note)
        for m in milestones
    )
    campaign.assignments.all().delete()
    GroupAssignment.objects.bulk_create(
        GroupAssignment(campaign=campaign, group=group, unit=unit) for group, unit in assignments
    )


def suggest_slug(owner: Organization, year: int) -> str:
    """A campaign number from the organization's code and the year (PDS, 2026 → pds-2026),
    with -2, -3… when that one is taken; only the characters a number may hold."""
    code = re.sub(r"[^a-z0-9-]+", "-", (owner.code or "").lower()).strip("-") or "campaign"
    base = f"{code[:40]}-{year}"
    taken = (
        set(Campaign.objects.filter(slug__startswith=base).values_list("slug", flat=True))
        | RESERVED_SLUGS
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def campaign_create(
    *,
    actor,
    owner: Organization,
    slug: str = "",
    data: dict,
    focus_groups=(),
    phases: list[PhaseData] = (),
    milestones: list[MilestoneData] = (),
    assignments: list[tuple[WorkerGroup, Organization]] = (),
) -> Campaign:
    """Start a campaign run by `owner` (a city, county or industry union). Without a number
    (`slug`), one is made from the organization's code and the year (`suggest_slug`)."""
    _require(actor, "campaigns.manage_campaign")
    _require_unit(actor, owner)
    if owner.kind not in LEADING_KINDS:
        raise ValidationError({"owner": MSG_OWNER_KIND})
    slug = (slug or "").strip()
    if not slug and data.get("year"):
        slug = suggest_slug(owner, data["year"])
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": MSG_SLUG_RESERVED % {"slug": slug}})
    campaign = Campaign(owner=owner, slug=slug, created_by=actor if actor else None, **data)
    campaign.full_clean()
    campaign.save()
    campaign.focus_groups.set(focus_groups)
    phases, milestones, assignments = list(phases), list(milestones), list(assignments)
    _check_plan(campaign, phases, milestones)
    _check_assignments(campaign, assignments)
    _write_plan(campaign, phases, milestones, assignments)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=campaign,
        changes={"行动": [None, campaign.name], "编号": [None, campaign.slug]},
    )
    progress_request([campaign.pk])
    return campaign


@transaction.atomic
def campaign_update(
    *,
    actor,
    campaign: Campaign,
    data: dict,
    focus_groups=None,
    phases: list[PhaseData] | None = None,
    milestones: list[MilestoneData] | None = None,
    assignments: list[tuple[WorkerGroup, Organization]] | None = None,
) -> Campaign:
    """Change a campaign's goals, window and plan (its organization's cadres only)."""
    _require(actor, "campaigns.manage_campaign")
    _require_unit(actor, campaign.owner)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    before = snapshot(campaign, CAMPAIGN_FIELDS)
    for name, value in data.items():
        if name in CAMPAIGN_FIELDS:
            setattr(campaign, name, value)
    campaign.full_clean()
    campaign.save()
    if focus_groups is not None:
        campaign.focus_groups.set(focus_groups)
    phases = list(campaign.phases.all()) if phases is None else list(phases)
    milestones = list(campaign.milestones.all()) if milestones is None else list(milestones)
    if assignments is None:
        assignments = [
            (a.group, a.unit) for a in campaign.assignments.select_related("group", "unit")
        ]
    _check_plan(campaign, phases, milestones)
    _check_assignments(campaign, assignments)
    _write_plan(
        campaign,
        [PhaseData(p.name, p.starts_on, p.ends_on, p.tasks) for p in phases],
        [MilestoneData(m.title, m.due_on, m.note) for m in milestones],
        assignments,
    )
    changes = diff(before, snapshot(campaign, CAMPAIGN_FIELDS))
    audit_record(actor=actor, action=Action.UPDATE, obj=campaign, changes=changes)
    progress_request([campaign.pk])
    return campaign


@transaction.atomic
def decomposition_save(
    *,
    actor,
    campaign: Campaign,
    unit: Organization,
    lines: list[TargetLine],
    declared_baseline_total: int | None = None,
    declared_target_total: int | None = None,
    source: str = "页面录入",
    replace: bool = True,
) -> Decomposition:
    """Store a unit's decomposition to its sub-units: one target per line (a line without a
    baseline or target clears it), the declared totals of its 合计 row and where it came from.
    With `replace`, the unit's next-level targets not in `lines` are removed."""
    _require(actor, "campaigns.set_targets")
    _require_unit(actor, unit)
    if not unit.path.startswith(campaign.owner.path):
        raise PermissionDenied(
            MSG_NOT_IN_CAMPAIGN % {"unit": unit.name, "owner": campaign.owner.name}
        )
    # Two saves at once are taken one after the other (the campaign's row lock): otherwise the
    # second read its `before` while the first wrote, and kept some of the first's lines.
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    seen = set()
    for line in lines:
        if line.unit.pk == campaign.owner_id:
            raise ValidationError({"targets": MSG_OWN_TARGET})
        if line.unit.pk == unit.pk or not line.unit.path.startswith(unit.path):
            raise ValidationError(
                {"targets": MSG_NOT_BELOW % {"unit": line.unit.name, "parent": unit.name}}
            )
        if line.unit.pk in seen:
            raise ValidationError({"targets": MSG_DUPLICATE_UNIT % {"unit": line.unit.name}})
        seen.add(line.unit.pk)
    before = {
        t.unit_id: (t.baseline_declared, t.new_members) for t in next_level_targets(campaign, unit)
    }
    for line in lines:
        Target.objects.update_or_create(
            campaign=campaign,
            unit=line.unit,
            defaults={
                "baseline_declared": line.baseline,
                "new_members": line.target,
                "note": line.note[:200],
                "source": source[:200],
                "updated_by": actor if actor else None,
            },
        )
    if replace:
        gone = set(before) - seen
        Target.objects.filter(campaign=campaign, unit_id__in=gone).delete()
    decomposition, _created = Decomposition.objects.update_or_create(
        campaign=campaign,
        unit=unit,
        defaults={
            "declared_baseline_total": declared_baseline_total,
            "declared_target_total": declared_target_total,
            "source": source[:200],
            "updated_by": actor if actor else None,
        },
    )
    after = {line.unit.pk: (line.baseline, line.target) for line in lines}
    changed = {
        str(pk): [before.get(pk), after.get(pk)]
        for pk in set(before) | set(after)
        if before.get(pk) != after.get(pk)
    }
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=campaign,
        object_repr=f"{campaign.name}：{unit.name}的任务分解"[:200],
        org_path=unit.path,
        changes={
            "来源": [None, source],
            "合计": [None, [declared_baseline_total, declared_target_total]],
            "各单位（基数, 任务）": changed,
        },
    )
    return decomposition


# --- progress ---------------------------------------------------------------------------------


def progress_request(campaign_ids, *, force: bool = False) -> int:
    """Queue a computation of these campaigns' figures after the current transaction commits,
    unless one is already queued (a burst of changes costs one computation; `force` queues
    anyway, for the 重新统计 button). Returns how many campaigns were queued."""
    ids = list(campaign_ids)
    if not ids:
        return 0
    waiting = Campaign.objects.filter(pk__in=ids)
    if not force:
        waiting = waiting.filter(progress_queued=False)
    queued = list(waiting.values_list("pk", flat=True))
    if queued:
        Campaign.objects.filter(pk__in=queued).update(progress_queued=True)
        transaction.on_commit(lambda: _enqueue(queued))
    return len(queued)


def _enqueue(ids: list[int]) -> None:
    from ruhui.campaigns.tasks import refresh_progress

    for pk in ids:
        refresh_progress.enqueue(pk)


def registry_changed(*, since: datetime.date | None) -> int:
    """The records changed on or after `since` (None: anything may have changed): queue the
    campaigns whose figures that can move — those ending on or after the date, or counting a
    baseline on or after it."""
    campaigns = Campaign.objects.all()
    if since is not None:
        campaigns = campaigns.filter(Q(ends_on__gte=since) | Q(baseline_on__gte=since))
    return progress_request(campaigns.values_list("pk", flat=True))


def progress_run(campaign_id: int) -> dict:
    """Compute a campaign's figures now (the task; also `ruhui refresh_progress`)."""
    from ruhui.campaigns.progress import progress_refresh

    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return {"missing": campaign_id}
    # Taken off the queue first: a change made while this runs queues the next run.
    Campaign.objects.filter(pk=campaign_id).update(progress_queued=False)
    result = progress_refresh(campaign)
    return {"units": result.units, "tallies": result.tallies, "seconds": round(result.seconds, 3)}
