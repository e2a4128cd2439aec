"""Every read of the 项目清单+责任制 pages, starting from the jurisdiction scope
(`orgs.scoping.scoped`): the plans of a campaign, the consolidated list with its totals, the
review queue of a level, one project with its whole history. Each is a fixed number of queries
whatever the number of projects."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum, Value, Window
from django.db.models.functions import Coalesce
from django.utils import timezone

from ruhui.campaigns.models import Campaign
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import get_scoped_or_404, jurisdiction_root, scoped
from ruhui.projects.choices import (
    PlanStatus,
    ProjectKind,
    ProjectStatus,
    SubsidyStatus,
)
from ruhui.projects.models import (
    ActionPlan,
    Attachment,
    Disbursement,
    Inspection,
    PlanTask,
    Project,
    ProjectEvent,
    ProjectFigure,
    SelfAssessment,
    SubsidyApplication,
    SubsidyEvent,
)


def campaign_plans(*, user, campaign: Campaign) -> QuerySet[ActionPlan]:
    """The plans of a campaign the user may see (their unit's and those below), with their
    project counts."""
    return (
        scoped(user, ActionPlan)
        .filter(campaign=campaign)
        .select_related("unit")
        .annotate(
            project_count=Count("projects", distinct=True),
            planned_members=Sum("projects__planned_members"),
        )
        .order_by("unit__path")
    )


def overview(*, user) -> list[Campaign]:
    """The campaigns the user sees, each with `plans`: the plans of the user's units in it."""
    campaigns = list(scoped(user, Campaign).select_related("owner").order_by("-starts_on", "pk"))
    plans = (
        scoped(user, ActionPlan)
        .filter(campaign__in=campaigns)
        .select_related("unit")
        .annotate(project_count=Count("projects"))
        .order_by("unit__path")
    )
    by_campaign: dict[int, list] = {}
    for plan in plans:
        by_campaign.setdefault(plan.campaign_id, []).append(plan)
    root = jurisdiction_root(user)
    for campaign in campaigns:
        campaign.plans = by_campaign.get(campaign.pk, [])
        campaign.own_plan = next((p for p in campaign.plans if p.unit_id == root.pk), None)
        campaign.user_in_tree = root is not None and root.path.startswith(campaign.owner.path)
    return campaigns


def plan_find(*, user, campaign: Campaign, unit: Organization) -> ActionPlan | None:
    """The unit's plan in the campaign (within the user's scope), or None when not yet begun."""
    return (
        scoped(user, ActionPlan)
        .filter(campaign=campaign, unit=unit)
        .select_related("campaign__owner", "unit")
        .first()
    )


def plan_page(*, plan: ActionPlan) -> dict:
    """What the plan page lists: the work list, the projects of each kind, the 实施方案
    attachments and the event history (five queries)."""
    projects = list(
        plan.projects.select_related("responsible_unit", "existing_union").prefetch_related(
            "groups"
        )
    )
    return {
        "tasks": list(PlanTask.objects.filter(plan=plan)),
        "build_projects": [p for p in projects if p.kind == ProjectKind.BUILD],
        "service_projects": [p for p in projects if p.kind == ProjectKind.SERVICE],
        "schemes": list(plan.attachments.filter(purpose="scheme")),
        "events": list(plan.events.select_related("actor_unit")),
    }


@dataclass
class Filters:
    unit: Organization | None = None
    kind: str = ""
    status: str = ""
    group: str = ""
    overdue: bool = False


def consolidated(*, user, campaign: Campaign, filters: Filters) -> QuerySet[Project]:
    """The projects of every plan of the campaign the user sees, filtered (unit subtree, kind,
    status, group, 逾期整改); related rows come in a fixed number of queries."""
    projects = scoped(user, Project).filter(plan__campaign=campaign)
    if filters.unit is not None:
        projects = projects.filter(plan__unit__path__startswith=filters.unit.path)
    if filters.kind:
        projects = projects.filter(kind=filters.kind)
    if filters.status:
        projects = projects.filter(status=filters.status)
    if filters.group:
        projects = projects.filter(groups__code=filters.group)
    if filters.overdue:
        projects = projects.filter(overdue_q())
    return (
        projects.select_related("plan__unit", "responsible_unit", "subsidy")
        .prefetch_related("groups")
        .order_by("plan__unit__path", "kind", "position", "pk")
    )


def overdue_q(today: datetime.date | None = None) -> Q:
    """限期整改 past its deadline (逾期整改)."""
    today = today or timezone.localdate()
    return Q(status=ProjectStatus.RECTIFYING, rectify_by__lt=today)


def consolidated_totals(projects: QuerySet[Project]) -> dict:
    """The totals of a filtered list: projects, planned members and coverage, by status (two
    queries)."""
    base = projects.order_by().values("pk").distinct()
    plain = Project.objects.filter(pk__in=base)
    sums = plain.aggregate(
        projects=Count("pk"),
        planned_members=Sum("planned_members"),
        planned_coverage=Sum("planned_coverage"),
    )
    counts = dict(plain.values_list("status").annotate(n=Count("pk")).order_by())
    sums["by_status"] = [
        {"code": code, "label": label, "count": counts.get(code, 0)}
        for code, label in ProjectStatus.choices
    ]
    return sums


#: Items listed per part of the review queue (the oldest first); the count covers them all.
QUEUE_SHOWN = 20


@dataclass
class Waiting:
    """One part of the review queue: the oldest QUEUE_SHOWN items and how many wait in all."""

    items: list = field(default_factory=list)
    count: int = 0

    @classmethod
    def of(cls, queryset: QuerySet) -> "Waiting":
        """One query: the count of every row rides on the listed ones (a window over the whole
        result, computed before the LIMIT)."""
        items = list(queryset.annotate(waiting=Window(Count("pk")))[:QUEUE_SHOWN])
        return cls(items=items, count=items[0].waiting if items else 0)

    @property
    def more(self) -> int:
        return self.count - len(self.items)


@dataclass
class Queue:
    """What waits for the user's level."""

    plans: Waiting = field(default_factory=Waiting)
    city_subsidies: Waiting = field(default_factory=Waiting)
    province_subsidies: Waiting = field(default_factory=Waiting)
    disbursements: Waiting = field(default_factory=Waiting)
    assessments: Waiting = field(default_factory=Waiting)
    overdue: Waiting = field(default_factory=Waiting)

    @property
    def total(self) -> int:
        return sum(
            part.count
            for part in (
                self.plans,
                self.city_subsidies,
                self.province_subsidies,
                self.disbursements,
                self.assessments,
                self.overdue,
            )
        )


def _reviewed_by(unit: Organization, prefix: str) -> Q:
    """Rows whose plan the unit reviews: the campaigns it owns (their units below it), and the
    campaigns of its children (their owner's own plan)."""
    below = Q(**{f"{prefix}campaign__owner": unit}) & ~Q(**{f"{prefix}unit": unit})
    owner_plan = Q(
        **{
            f"{prefix}campaign__owner__path__startswith": unit.path,
            f"{prefix}campaign__owner__depth": unit.depth + 1,
            f"{prefix}unit_id": F(f"{prefix}campaign__owner_id"),
        }
    )
    return below | owner_plan


def review_queue(*, user, today: datetime.date | None = None) -> Queue:
    """The plans awaiting the user's review, the subsidy steps waiting for their level (市总初审,
    省总审核, 下拨), the self-assessments awaiting 审核认定 and the overdue rectifications: the
    oldest QUEUE_SHOWN of each with their count (one query each)."""
    unit = jurisdiction_root(user)
    queue = Queue()
    if unit is None:
        return queue
    queue.plans = Waiting.of(
        scoped(user, ActionPlan)
        .filter(_reviewed_by(unit, ""), status=PlanStatus.SUBMITTED)
        .select_related("campaign", "unit")
        .order_by("submitted_at", "pk")
    )
    subsidies = scoped(user, SubsidyApplication).select_related(
        "project__plan__unit", "project__plan__campaign"
    )
    queue.city_subsidies = Waiting.of(
        subsidies.filter(
            status=SubsidyStatus.SUBMITTED, project__plan__campaign__owner=unit
        ).order_by("created_at", "pk")
    )
    province_owned = Q(project__plan__campaign__owner__path__startswith=unit.path) & Q(
        project__plan__campaign__owner__depth=unit.depth + 1
    )
    queue.province_subsidies = Waiting.of(
        subsidies.filter(
            province_owned, status__in=(SubsidyStatus.SENT, SubsidyStatus.FIRST_APPROVED)
        ).order_by("updated_at", "pk")
    )
    queue.disbursements = Waiting.of(
        subsidies.filter(province_owned, status=SubsidyStatus.APPROVED)
        .annotate(paid=Coalesce(Sum("disbursements__amount"), Value(Decimal(0))))
        .filter(paid__lt=F("approved_amount"))
        .order_by("updated_at", "pk")
    )
    projects = scoped(user, Project).select_related("plan__unit", "plan__campaign")
    queue.assessments = Waiting.of(
        projects.filter(_reviewed_by(unit, "plan__"), status=ProjectStatus.ASSESSED).order_by(
            "updated_at", "pk"
        )
    )
    queue.overdue = Waiting.of(projects.filter(overdue_q(today)).order_by("rectify_by", "pk"))
    return queue


def project_get(*, user, pk) -> Project:
    """One project in the user's jurisdiction, or 404."""
    return get_scoped_or_404(
        user,
        Project.objects.select_related(
            "plan__campaign__owner",
            "plan__unit",
            "responsible_unit",
            "existing_union",
            "founded_union",
        ),
        pk=pk,
    )


def union_candidates(*, project: Project) -> QuerySet[Organization]:
    """The unions a 建会入会 project may name as founded: active, in the responsible unit's
    subtree, founded inside the campaign window; the unions of its linked enterprises first.
    (The service checks each rule again, with its message.)"""
    campaign = project.plan.campaign
    linked = project.enterprises.exclude(union=None).values("union_id")
    return (
        Organization.objects.filter(
            path__startswith=project.responsible_unit.path,
            is_active=True,
            founded_on__range=(campaign.starts_on, campaign.ends_on),
        )
        .annotate(linked=Exists(linked.filter(union_id=OuterRef("pk"))))
        .order_by("-linked", "-founded_on", "path")
    )


def project_history(*, project: Project) -> dict:
    """A project's full history: events, updates, assessments (each with its files),
    inspections, the subsidy with its events and payments, and the close-out figure."""
    files = Prefetch("files", queryset=Attachment.objects.order_by("uploaded_at", "pk"))
    subsidy = SubsidyApplication.objects.filter(project=project).first()
    figure = ProjectFigure.objects.filter(project=project).select_related("union").first()
    history = {
        "events": list(ProjectEvent.objects.filter(project=project)),
        "updates": list(project.updates.select_related("author").prefetch_related(files)),
        "assessments": list(
            SelfAssessment.objects.filter(project=project)
            .select_related("submitted_by")
            .prefetch_related(files)
        ),
        "inspections": list(
            Inspection.objects.filter(projects=project)
            .select_related("inspecting_unit", "inspected_unit")
            .prefetch_related(files)
        ),
        "subsidy": subsidy,
        "subsidy_events": list(SubsidyEvent.objects.filter(subsidy=subsidy)) if subsidy else [],
        "disbursements": list(Disbursement.objects.filter(subsidy=subsidy)) if subsidy else [],
        "figure": figure,
        "groups": list(project.groups.all()),
        "enterprises": list(project.enterprises.all()),
    }
    if subsidy:
        paid = sum((d.amount for d in history["disbursements"]), start=0)
        history["paid"] = paid
        history["balance"] = (subsidy.approved_amount or 0) - paid
    latest = history["assessments"][-1] if history["assessments"] else None
    history["closeout"] = closeout(project, figure, latest)
    return history


def closeout(project: Project, figure, assessment) -> dict:
    """Planned vs claimed vs recorded new members and the gaps between them."""
    claimed = assessment.claimed_members if assessment else None
    recorded = figure.new_members if figure else None
    planned = project.planned_members
    return {
        "planned": planned,
        "claimed": claimed,
        "recorded": recorded,
        "provincial": figure.provincial_entered if figure else None,
        "gap_planned": (recorded - planned) if recorded is not None and planned else None,
        "gap_claimed": (recorded - claimed)
        if recorded is not None and claimed is not None
        else None,
    }


def attachment_get(*, user, pk) -> Attachment:
    return get_scoped_or_404(user, Attachment, pk=pk)


def panel_rows(*, user, campaign: Campaign, unit: Organization) -> list[dict]:
    """The dashboard panel: projects per plan unit (the unit and those below) by status, one
    query."""
    rows: dict[int, dict] = {}
    counts = (
        scoped(user, Project)
        .filter(plan__campaign=campaign, plan__unit__path__startswith=unit.path)
        .values("plan__unit_id", "plan__unit__name", "plan__unit__path", "status")
        .annotate(n=Count("pk"))
        .order_by("plan__unit__path")
    )
    for row in counts:
        line = rows.setdefault(
            row["plan__unit_id"],
            {
                "unit_id": row["plan__unit_id"],
                "name": row["plan__unit__name"],
                "by": {},
                "total": 0,
            },
        )
        line["by"][row["status"]] = row["n"]
        line["total"] += row["n"]
    statuses = ProjectStatus.choices
    for line in rows.values():
        line["cells"] = [line["by"].get(code, 0) for code, _label in statuses]
    return list(rows.values())
