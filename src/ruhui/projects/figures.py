"""Close-out against the records (2019 plan 四(四) 「结合…会员实名信息录入情况…审核认定」): for
each 建会入会 project of a campaign, what the registry says it achieved.

For every project: its union (the union founded for it; for 已有工会发展会员 the existing union
until then), that union's founding date; the new members in the union's subtree from the
campaign window's start to the review date, by the campaign's counting rule (a person by blind
index, 转入 not new, a rejoiner once, only 农民工 when the campaign counts 农民工 only — the
figures layer's `new_members`, the same rule as `campaigns.progress`); how many of those persons
are 省库已录入 (a membership of theirs joined in that period marked entered); and the inspection
findings with a rectification asked and not yet closed.

A whole campaign costs a fixed number of queries however many projects it has: every union is a
unit of one `Scope.units` query. The figures are kept in `ProjectFigure` rows, recomputed by a
task when the records change (`projects.tasks`); a close-out decision freezes them
(`project_figures`).
"""

import datetime
import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from ruhui.campaigns.models import Campaign
from ruhui.figures import selectors as registry
from ruhui.figures.scope import STEP, Scope, rows, table
from ruhui.members.codes import PROVINCIAL_ENTRY_STATUSES
from ruhui.members.models import ChangeType, Member, MembershipEvent
from ruhui.orgs.models import Organization
from ruhui.projects.choices import BuildType, ProjectKind
from ruhui.projects.models import FigureRun, Inspection, Project, ProjectFigure, SelfAssessment

#: Callables (project ids) → {project id: workers served}: the coverage the records show for
#: 维护服务 projects, beside the planned coverage on the close-out. Registered by apps above
#: projects (positions: the services ledger entries linked to a project).
COVERAGE_SOURCES: list = []


def recorded_coverage(project_ids) -> dict[int, int] | None:
    """{project id: workers served as recorded} summed over the registered sources; None when
    no source is registered (nothing records services)."""
    if not COVERAGE_SOURCES:
        return None
    ids = list(project_ids)
    totals = dict.fromkeys(ids, 0)
    for source in COVERAGE_SOURCES:
        for pk, served in source(ids).items():
            totals[pk] = totals.get(pk, 0) + served
    return totals


#: The 省库录入状态 code of a record entered into the provincial database (「已录入」).
PROVINCIAL_ENTERED = next(
    code for code, label in PROVINCIAL_ENTRY_STATUSES.choices if label == "已录入"
)


@dataclass(frozen=True)
class CloseoutResult:
    projects: int
    until: datetime.date
    seconds: float


def review_until(campaign: Campaign, until: datetime.date | None = None) -> datetime.date:
    """The review date the figures run to: the one given, else today, never past the window."""
    return until or min(timezone.localdate(), campaign.ends_on)


def project_union(project: Project) -> Organization | None:
    """The union whose subtree a project's new members are counted in: the union founded for
    it; for 已有工会发展会员, the existing union as long as none was founded."""
    if project.founded_union_id:
        return project.founded_union
    if project.build_type == BuildType.EXISTING:
        return project.existing_union
    return None


def _common_root(owner: Organization, unions: list[Organization]) -> Organization:
    """The campaign owner, or the nearest unit above it that also holds every union (a union
    placed outside the owner's subtree still counts its own members)."""
    prefix = owner.path
    for union in unions:
        while not union.path.startswith(prefix):
            prefix = prefix[:-STEP]
    if prefix == owner.path:
        return owner
    return Organization.objects.get(path=prefix)


def provincial_entered(
    *,
    scope: Scope,
    start: datetime.date,
    end: datetime.date,
    migrant_only: bool,
    since: datetime.date | None = None,
) -> dict[int, int]:
    """{unit id: new members (the `new_members` rule) of whom a membership joined in [start,
    end] in the unit's subtree is 省库已录入}. With `since`: only those whose first such join
    is on or after it (a month's new members: start = the campaign's start, since = the
    month's first day), in the same one query."""
    levels, level_params = scope.levels()
    within, within_params = scope.within("o.path")
    reported, reported_params = scope.reported("j.path")
    migrant = " AND m.is_migrant_worker" if migrant_only else ""
    orgs = table(Organization)
    sql = (
        f"WITH RECURSIVE {levels}, "  # noqa: S608 (names from the models, values as parameters)
        "joins AS ("
        " SELECT m.id_number_hash AS person, e.effective_on AS day, o.path AS path"
        f" FROM {table(MembershipEvent)} e JOIN {table(Member)} m ON m.id = e.member_id"
        f" JOIN {orgs} o ON o.id = e.union_id"
        " WHERE e.change_type = %s AND e.effective_on >= %s AND e.effective_on <= %s"
        f" AND m.provincial_status = %s AND {within}{migrant}"
        "), placed AS ("
        f" SELECT {scope.unit('j.path')} AS unit_path, j.person, j.day"
        f" FROM joins j {scope.join('j.path')} WHERE {reported}"
        "), firsts AS ("
        " SELECT unit_path, person, MIN(day) AS first_day FROM placed GROUP BY unit_path, person"
        "), totals AS ("
        " SELECT unit_path, COUNT(*) AS n FROM firsts WHERE first_day >= %s GROUP BY unit_path"
        ") "
        f"SELECT u.id, t.n FROM totals t JOIN {orgs} u ON u.path = t.unit_path"
    )
    params = [
        *level_params,
        str(ChangeType.JOIN),
        start,
        end,
        PROVINCIAL_ENTERED,
        *within_params,
        *reported_params,
        since or start,
    ]
    return {unit_id: int(n) for unit_id, n in rows(sql, params)}


def _open_findings(project_ids: list[int]) -> dict[int, int]:
    """{project id: inspections of it that asked for a rectification not yet closed}."""
    return dict(
        Inspection.projects.through.objects.filter(
            project_id__in=project_ids, inspection__closed_on__isnull=True
        )
        .exclude(inspection__rectification="")
        .values("project_id")
        .annotate(n=Count("inspection_id", distinct=True))
        .values_list("project_id", "n")
    )


def open_findings(project: Project) -> int:
    """Inspections of a project that asked for a rectification not yet closed."""
    return _open_findings([project.pk]).get(project.pk, 0)


def _figures(campaign: Campaign, projects: list[Project], until: datetime.date) -> list:
    """Unsaved ProjectFigure rows of these projects (one campaign), in four queries."""
    unions = {u.pk: u for p in projects if (u := project_union(p)) is not None}
    new: dict[int, int] = {}
    entered: dict[int, int] = {}
    if unions and until >= campaign.starts_on:
        root = _common_root(campaign.owner, list(unions.values()))
        scope = Scope.units(root, list(unions.values()))
        window = {"start": campaign.starts_on, "end": until, "migrant_only": campaign.migrant_only}
        new = registry.new_members(scope=scope, **window).totals()
        entered = provincial_entered(scope=scope, **window)
    findings = _open_findings([p.pk for p in projects])
    now = timezone.now()
    figures = []
    for project in projects:
        union = project_union(project)
        figures.append(
            ProjectFigure(
                project=project,
                union=union,
                founded_on=union.founded_on if union else None,
                new_members=new.get(union.pk, 0) if union else 0,
                provincial_entered=entered.get(union.pk, 0) if union else 0,
                open_findings=findings.get(project.pk, 0),
                until=until,
                computed_at=now,
            )
        )
    return figures


def _build_projects(campaign: Campaign):
    return Project.objects.filter(plan__campaign=campaign, kind=ProjectKind.BUILD).select_related(
        "founded_union", "existing_union"
    )


def closeout_refresh(campaign: Campaign, until: datetime.date | None = None) -> CloseoutResult:
    """Recompute the close-out figures of every 建会入会 project of a campaign from the
    records and replace the stored ones, in one transaction (a page reads the old figures or
    the new, never a mix)."""
    started = time.perf_counter()
    registry.fresh_statistics()
    with transaction.atomic():
        campaign = Campaign.objects.select_related("owner").get(pk=campaign.pk)
        run, _ = FigureRun.objects.select_for_update().get_or_create(campaign=campaign)
        until = review_until(campaign, until)
        figures = _figures(campaign, list(_build_projects(campaign)), until)
        ProjectFigure.objects.filter(project__plan__campaign=campaign).delete()
        ProjectFigure.objects.bulk_create(figures, batch_size=2000)
        seconds = time.perf_counter() - started
        FigureRun.objects.filter(pk=run.pk).update(
            computed_at=timezone.now(), seconds=round(seconds, 3)
        )
    return CloseoutResult(projects=len(figures), until=until, seconds=seconds)


def closeout_run(campaign_id: int) -> dict:
    """Compute a campaign's close-out figures now (the task)."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return {"missing": campaign_id}
    # Taken off the queue first: a change made while this runs queues the next run.
    FigureRun.objects.filter(campaign_id=campaign_id).update(queued=False)
    result = closeout_refresh(campaign)
    return {"projects": result.projects, "seconds": round(result.seconds, 3)}


def project_figure(project: Project) -> ProjectFigure | None:
    """The close-out figure of a 建会入会 project as of today's review date: the stored one,
    or — when there is none, when it runs to an earlier day, when the records changed since
    and the campaign's computation is still queued, or when the project's union or its open
    findings changed since — computed for this one project on the spot and kept. None for a
    维护服务 project."""
    if project.kind != ProjectKind.BUILD:
        return None
    fresh = Project.objects.select_related(
        "plan__campaign__owner", "founded_union", "existing_union"
    ).get(pk=project.pk)
    campaign = fresh.plan.campaign
    until = review_until(campaign)
    figure = ProjectFigure.objects.filter(project=project).select_related("union").first()
    union = project_union(fresh)
    stale = (
        figure is None
        or figure.until != until
        or figure.union_id != (union.pk if union else None)
        or figure.open_findings != open_findings(fresh)
        or FigureRun.objects.filter(campaign=campaign, queued=True).exists()
    )
    if not stale:
        return figure
    (computed,) = _figures(campaign, [fresh], until)
    values = {
        f.attname: getattr(computed, f.attname)
        for f in ProjectFigure._meta.concrete_fields
        if f.attname not in ("id", "project_id")
    }
    figure, _ = ProjectFigure.objects.update_or_create(project=project, defaults=values)
    return figure


def project_figures(project: Project) -> dict:
    """What a close-out decision is taken on (kept on its event): planned, claimed (the latest
    self-assessment) and recorded new members, how many of them are 省库已录入, the union and its
    founding date, the open inspection findings, and the review date the figures run to."""
    latest = SelfAssessment.objects.filter(project=project).order_by("-submitted_at", "-pk").first()
    claimed = latest.claimed_members if latest else None
    figure = project_figure(project)
    if figure is None:  # a 维护服务 project: no registry figure, only its open findings
        return {
            "planned": project.planned_members,
            "claimed": claimed,
            "recorded": None,
            "provincial": None,
            "union": None,
            "founded_on": None,
            "open_findings": open_findings(project),
            "until": None,
        }
    return {
        "planned": project.planned_members,
        "claimed": claimed,
        "recorded": figure.new_members,
        "provincial": figure.provincial_entered,
        "union": figure.union.name if figure.union else None,
        "founded_on": figure.founded_on.isoformat() if figure.founded_on else None,
        "open_findings": figure.open_findings,
        "until": figure.until.isoformat(),
    }


def closeout_request(campaign_ids) -> int:
    """Queue a computation of these campaigns' close-out figures after the current transaction
    commits, unless one is already queued (a burst of changes costs one computation). Returns
    how many campaigns were queued."""
    ids = list(campaign_ids)
    if not ids:
        return 0
    FigureRun.objects.bulk_create([FigureRun(campaign_id=pk) for pk in ids], ignore_conflicts=True)
    queued = list(
        FigureRun.objects.filter(campaign_id__in=ids, queued=False).values_list(
            "campaign_id", flat=True
        )
    )
    if queued:
        FigureRun.objects.filter(campaign_id__in=queued).update(queued=True)
        transaction.on_commit(lambda: _enqueue(queued))
    return len(queued)


def _enqueue(ids: list[int]) -> None:
    from ruhui.projects.tasks import refresh_closeout

    for pk in ids:
        refresh_closeout.enqueue(pk)


def records_changed_receiver(sender, since: datetime.date | None = None, **kwargs) -> int:
    """The records changed on or after `since` (None: any date): queue the campaigns with
    建会入会 projects whose figures that can move (the window ends on or after the date)."""
    campaigns = Campaign.objects.filter(action_plans__projects__kind=ProjectKind.BUILD).distinct()
    if since is not None:
        campaigns = campaigns.filter(ends_on__gte=since)
    return closeout_request(campaigns.values_list("pk", flat=True))


def follow_records() -> None:
    """Recompute the close-out figures whenever the records change (from ProjectsConfig.ready)."""
    from ruhui.core.changes import records_changed

    records_changed.connect(records_changed_receiver, dispatch_uid="projects.figures")
