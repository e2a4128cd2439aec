"""Read endpoints for 项目清单+责任制 (action plans, their projects, subsidies), scoped like the
pages: a plan and everything on it is seen from its unit up, so a county sees its own plan, the
city every plan below it, the province all of them; a sibling county sees none (404).

Read-only: every step of the chain (报送, 退回, 汇总, 立项, 拨付…) is taken on the pages, through
ruhui.projects.services, where the guards and the event trail live. Each list is one page of
100 with a fixed number of queries."""

from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router

from ruhui.api.auth import require_perm
from ruhui.api.errors import Area, choices_text
from ruhui.api.project_schemas import (
    PlanDetailOut,
    PlanFilters,
    PlanPage,
    ProjectDetailOut,
    ProjectFilters,
    ProjectPage,
    SubsidyDetailOut,
    SubsidyFilters,
    SubsidyPage,
)
from ruhui.api.schemas import errors
from ruhui.campaigns.models import Campaign
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import get_scoped_or_404, in_jurisdiction, scoped
from ruhui.projects.choices import (
    AttachmentPurpose,
    PlanStatus,
    ProjectKind,
    ProjectStatus,
    SubsidyStatus,
)
from ruhui.projects.models import (
    ActionPlan,
    Attachment,
    Disbursement,
    PlanEvent,
    Project,
    ProjectEvent,
    SubsidyApplication,
    SubsidyEvent,
)

router = Router(tags=["项目清单+责任制"])
PAGE_SIZE = 100

MSG_NO_VIEW = "您的账号没有查看项目清单的权限。"
MSG_CAMPAIGN_UNKNOWN = (
    "集中行动「{slug}」不存在，或不在您的管辖范围内：请核对行动标识，如 pds-2019。"
)
MSG_UNIT_UNKNOWN = "组织代码「{code}」不存在，或不在您的管辖范围内：请核对组织代码，如 WG。"
MSG_STATUS = "状态「{value}」无效：行动计划请填写 {plans}；项目请填写 {projects}；补助申请请填写 {subsidies}。"
MSG_KIND = "项目类型「{value}」无效：请填写 {choices}。"

AREA = Area(
    {
        "campaign": "集中行动",
        "unit": "编制单位",
        "kind": "项目类型",
        "overdue": "逾期整改",
        "plan_id": "行动计划编号",
        "project_id": "项目编号",
        "subsidy_id": "补助申请编号",
    },
    {
        "kind": lambda value: MSG_KIND.format(value=value, choices=choices_text(ProjectKind)),
        # The three lists share the first path segment (and so this message): it names each
        # list's own states.
        "status": lambda value: MSG_STATUS.format(
            value=value,
            plans=choices_text(PlanStatus),
            projects=choices_text(ProjectStatus),
            subsidies=choices_text(SubsidyStatus),
        ),
    },
)


# --- helpers --------------------------------------------------------------------------------


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{Decimal(amount):.2f}"


def _filter(request: HttpRequest, queryset: QuerySet, filters, plan: str) -> QuerySet:
    """Narrow a scoped queryset by campaign (its slug) and unit (a code, with its subtree);
    `plan` is the lookup from the model to its ActionPlan ("" for ActionPlan itself). An unknown
    or unseen campaign or unit is a 404 naming it."""
    prefix = f"{plan}__" if plan else ""
    slug = filters.campaign.strip()
    if slug:
        campaign = scoped(request.user, Campaign).filter(slug=slug).first()
        if campaign is None:
            raise Http404(MSG_CAMPAIGN_UNKNOWN.format(slug=slug))
        queryset = queryset.filter(**{f"{prefix}campaign": campaign})
    code = filters.unit.strip()
    if code:
        unit = scoped(request.user, Organization).filter(code=code).first()
        if unit is None:
            raise Http404(MSG_UNIT_UNKNOWN.format(code=code))
        queryset = queryset.filter(**{f"{prefix}unit__path__startswith": unit.path})
    return queryset


def _page(queryset: QuerySet, number: int):
    return Paginator(queryset, PAGE_SIZE).get_page(number)


def _label(obj, field: str) -> str:
    return str(getattr(obj, f"get_{field}_display")()) if getattr(obj, field) else ""


def _ref(user, org: Organization | None) -> dict | None:
    """A union named on a project: shown only inside the caller's jurisdiction."""
    if org is None or not in_jurisdiction(user, org):
        return None
    return {"code": org.code, "name": org.name}


# --- plans ----------------------------------------------------------------------------------


def _plans(user) -> QuerySet[ActionPlan]:
    return (
        scoped(user, ActionPlan)
        .select_related("campaign__owner", "unit")
        .annotate(
            build_projects=Count("projects", filter=Q(projects__kind=ProjectKind.BUILD)),
            service_projects=Count("projects", filter=Q(projects__kind=ProjectKind.SERVICE)),
            planned_members_total=Coalesce(Sum("projects__planned_members"), 0),
            planned_coverage_total=Coalesce(Sum("projects__planned_coverage"), 0),
        )
        .order_by("campaign__starts_on", "campaign_id", "unit__path")
    )


def _reviewers(plans: list[ActionPlan]) -> dict[int, Organization | None]:
    """Each plan's reviewing unit (ruhui.projects.models.reviewing_unit) in one query: the
    campaign owner, or for the owner's own plan the owner's parent."""
    step = Organization.steplen
    parent_paths = {
        p.campaign.owner.path[:-step]
        for p in plans
        if p.unit_id == p.campaign.owner_id and p.campaign.owner.depth > 1
    }
    parents = {o.path: o for o in Organization.objects.filter(path__in=parent_paths)}
    return {
        p.pk: (
            parents.get(p.campaign.owner.path[:-step])
            if p.unit_id == p.campaign.owner_id
            else p.campaign.owner
        )
        for p in plans
    }


def _plan(plan: ActionPlan, reviewer: Organization | None) -> dict:
    return {
        "id": plan.pk,
        "campaign_slug": plan.campaign.slug,
        "campaign_name": plan.campaign.name,
        "unit_id": plan.unit_id,
        "unit_code": plan.unit.code,
        "unit_name": plan.unit.name,
        "reviewer_code": reviewer.code if reviewer else None,
        "reviewer_name": reviewer.name if reviewer else None,
        "status": plan.status,
        "status_label": str(plan.get_status_display()),
        **{
            name: getattr(plan, name)
            for name in (
                "leader_name",
                "leader_title",
                "contact_name",
                "contact_phone",
                "scheme_submitted_on",
                "submitted_at",
                "build_projects",
                "service_projects",
                "created_at",
                "updated_at",
            )
        },
        "planned_members": plan.planned_members_total,
        "planned_coverage": plan.planned_coverage_total,
    }


@router.get(
    "/projects/plans",
    response={200: PlanPage, **errors(401, 403, 404, 422)},
    summary="行动计划列表（本辖区）",
    description="各单位的“项目清单+责任制”行动计划：本单位的，以及下级单位的；按集中行动、编制单位"
    "（组织代码，含下级）和状态筛选，每页 100 条。行动标识或组织代码不在管辖范围内时返回 404。",
)
def list_plans(request: HttpRequest, filters: PlanFilters = Query(...)):  # noqa: B008
    require_perm(request, "projects.view_plan", MSG_NO_VIEW)
    queryset = _filter(request, _plans(request.user), filters, plan="")
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    page = _page(queryset, filters.page)
    plans = list(page)
    reviewers = _reviewers(plans)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [_plan(p, reviewers[p.pk]) for p in plans],
    }


@router.get(
    "/projects/plans/{int:plan_id}",
    response={200: PlanDetailOut, **errors(401, 403, 404)},
    summary="行动计划详情",
    description="计划的责任领导、联系人、实施方案、工作清单（时间表和路线图）、审核经过和全部项目。",
)
def get_plan(request: HttpRequest, plan_id: int):
    require_perm(request, "projects.view_plan", MSG_NO_VIEW)
    plan = get_scoped_or_404(request.user, _plans(request.user), pk=plan_id)
    events = PlanEvent.objects.filter(plan=plan).select_related("actor_unit")
    files = Attachment.objects.filter(plan=plan, purpose=AttachmentPurpose.SCHEME)
    return {
        **_plan(plan, _reviewers([plan])[plan.pk]),
        "tasks": [
            {"task": t.task, "owner": t.owner, "due_on": t.due_on, "done_on": t.done_on}
            for t in plan.tasks.all()
        ],
        "events": [
            {
                "at": e.at,
                "actor_name": e.actor_name,
                "actor_unit_name": e.actor_unit.name if e.actor_unit_id else None,
                "from_status": e.from_status,
                "from_status_label": _label(e, "from_status"),
                "to_status": e.to_status,
                "to_status_label": _label(e, "to_status"),
                "opinion": e.opinion,
                "frozen_name": e.frozen_name,
            }
            for e in events
        ],
        "scheme_files": [
            {"name": f.original_name, "kind": f.kind, "size": f.size, "uploaded_at": f.uploaded_at}
            for f in files
        ],
        "projects": [
            _project(p, request.user)
            for p in _projects(request.user).filter(plan=plan).order_by("kind", "position", "pk")
        ],
    }


# --- projects -------------------------------------------------------------------------------


def _projects(user) -> QuerySet[Project]:
    return (
        scoped(user, Project)
        .select_related("plan__campaign", "plan__unit", "responsible_unit", "subsidy")
        .prefetch_related("groups")
        .order_by("plan__campaign_id", "plan__unit__path", "kind", "position", "pk")
    )


def _project(project: Project, user) -> dict:
    subsidy = getattr(project, "subsidy", None)
    plan = project.plan
    return {
        "id": project.pk,
        "plan_id": plan.pk,
        "campaign_slug": plan.campaign.slug,
        "unit_code": plan.unit.code,
        "unit_name": plan.unit.name,
        "kind": project.kind,
        "kind_label": str(project.get_kind_display()),
        "subtype": project.build_type or project.category,
        "subtype_label": str(project.subtype_label),
        "status": project.status,
        "status_label": str(project.get_status_display()),
        "overdue_rectification": project.overdue_rectification,
        "responsible_unit_code": project.responsible_unit.code,
        "responsible_unit_name": project.responsible_unit.name,
        "groups": sorted(g.code for g in project.groups.all()),
        "subsidy_id": subsidy.pk if subsidy else None,
        "subsidy_status": subsidy.status if subsidy else None,
        "subsidy_status_label": str(subsidy.get_status_display()) if subsidy else None,
        **{
            name: getattr(project, name)
            for name in (
                "name",
                "rectify_by",
                "division_code",
                "address",
                "planned_members",
                "responsible_person",
                "responsible_phone",
                "due_on",
                "starts_on",
                "ends_on",
                "planned_coverage",
            )
        },
    }


@router.get(
    "/projects",
    response={200: ProjectPage, **errors(401, 403, 404, 422)},
    summary="项目清单（本辖区）",
    description="建会入会和维护服务项目：按集中行动、编制单位（组织代码，含下级）、项目类型、状态筛选，"
    "`overdue=true` 只列逾期整改（限期整改已过期限）的项目；每页 100 条。",
)
def list_projects(request: HttpRequest, filters: ProjectFilters = Query(...)):  # noqa: B008
    require_perm(request, "projects.view_plan", MSG_NO_VIEW)
    queryset = _filter(request, _projects(request.user), filters, plan="plan")
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    overdue = Q(status=ProjectStatus.RECTIFYING, rectify_by__lt=timezone.localdate())
    if filters.overdue is True:
        queryset = queryset.filter(overdue)
    elif filters.overdue is False:
        queryset = queryset.exclude(overdue)
    page = _page(queryset, filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [_project(p, request.user) for p in page],
    }


@router.get(
    "/projects/{int:project_id}",
    response={200: ProjectDetailOut, **errors(401, 403, 404)},
    summary="项目详情",
    description="项目的全部经过（立项、实施、自评、审核认定），实施进展，绩效自评；建会入会项目另有"
    "按入会名册核验的数字：建成的工会及其建会日期、新发展会员数、其中省库已录入、未整改的检查问题。",
)
def get_project(request: HttpRequest, project_id: int):
    require_perm(request, "projects.view_plan", MSG_NO_VIEW)
    queryset = _projects(request.user).select_related(
        "existing_union", "founded_union", "figure__union"
    )
    project = get_scoped_or_404(request.user, queryset, pk=project_id)
    user = request.user
    assessments = list(project.assessments.all())
    latest = assessments[-1] if assessments else None
    figure = getattr(project, "figure", None)
    return {
        **_project(project, user),
        "existing_union": _ref(user, project.existing_union),
        "founded_union": _ref(user, project.founded_union),
        "enterprises": [
            {"id": e.pk, "name": e.name}
            for e in scoped(user, project.enterprises.all()).order_by("name", "pk")
        ],
        "claimed_members": latest.claimed_members if latest else None,
        "claimed_coverage": latest.claimed_coverage if latest else None,
        "figures": None if figure is None else _figures(figure, user),
        "events": [
            {
                "at": e.at,
                "actor_name": e.actor_name,
                "from_status": e.from_status,
                "from_status_label": _label(e, "from_status"),
                "to_status": e.to_status,
                "to_status_label": _label(e, "to_status"),
                "opinion": e.opinion,
                "rectify_by": e.rectify_by,
                "figures": e.figures or {},
            }
            for e in ProjectEvent.objects.filter(project=project)
        ],
        "assessments": [
            {
                "submitted_at": a.submitted_at,
                "text": a.text,
                "claimed_members": a.claimed_members,
                "claimed_coverage": a.claimed_coverage,
            }
            for a in assessments
        ],
        "updates": [{"on": u.on, "text": u.text} for u in project.updates.all()],
    }


def _figures(figure, user) -> dict:
    union = _ref(user, figure.union)
    return {
        "union_code": union["code"] if union else None,
        "union_name": union["name"] if union else None,
        "founded_on": figure.founded_on,
        "new_members": figure.new_members,
        "provincial_entered": figure.provincial_entered,
        "open_findings": figure.open_findings,
        "until": figure.until,
        "computed_at": figure.computed_at,
    }


# --- subsidies ------------------------------------------------------------------------------


def _subsidies(user) -> QuerySet[SubsidyApplication]:
    return (
        scoped(user, SubsidyApplication)
        .select_related("project__plan__campaign", "project__plan__unit", "batch")
        .annotate(disbursed_total=Coalesce(Sum("disbursements__amount"), Decimal(0)))
        .order_by("project__plan__campaign_id", "project__plan__unit__path", "pk")
    )


def _subsidy(subsidy: SubsidyApplication) -> dict:
    plan = subsidy.project.plan
    disbursed = Decimal(subsidy.disbursed_total or 0)
    approved = subsidy.approved_amount
    return {
        "id": subsidy.pk,
        "project_id": subsidy.project_id,
        "project_name": subsidy.project.name,
        "campaign_slug": plan.campaign.slug,
        "unit_code": plan.unit.code,
        "unit_name": plan.unit.name,
        "status": subsidy.status,
        "status_label": str(subsidy.get_status_display()),
        "amount_requested": _money(subsidy.amount_requested),
        "purpose": subsidy.purpose,
        "recommended_amount": _money(subsidy.recommended_amount),
        "approved_amount": _money(approved),
        "disbursed": _money(disbursed),
        "balance": None if approved is None else _money(approved - disbursed),
        "notice_number": subsidy.notice_number,
        "notice_on": subsidy.notice_on,
        "batch_id": subsidy.batch_id,
        "batch_sent_at": subsidy.batch.sent_at if subsidy.batch_id else None,
        "created_at": subsidy.created_at,
        "updated_at": subsidy.updated_at,
    }


@router.get(
    "/projects/subsidies",
    response={200: SubsidyPage, **errors(401, 403, 404, 422)},
    summary="项目补助申请列表（本辖区）",
    description="立项申请及其市总初审、省总审核和拨付情况：按集中行动、编制单位（组织代码，含下级）"
    "和状态筛选，每页 100 条。金额为两位小数的文字（元）。",
)
def list_subsidies(request: HttpRequest, filters: SubsidyFilters = Query(...)):  # noqa: B008
    require_perm(request, "projects.view_plan", MSG_NO_VIEW)
    queryset = _filter(request, _subsidies(request.user), filters, plan="project__plan")
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    page = _page(queryset, filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [_subsidy(s) for s in page],
    }


@router.get(
    "/projects/subsidies/{int:subsidy_id}",
    response={200: SubsidyDetailOut, **errors(401, 403, 404)},
    summary="项目补助申请详情",
    description="补助申请的每一步（申请、初审、报省总、审核、第二人审核）及每笔拨付（金额、日期、凭证号）。",
)
def get_subsidy(request: HttpRequest, subsidy_id: int):
    require_perm(request, "projects.view_plan", MSG_NO_VIEW)
    subsidy = get_scoped_or_404(request.user, _subsidies(request.user), pk=subsidy_id)
    return {
        **_subsidy(subsidy),
        "events": [
            {
                "at": e.at,
                "actor_name": e.actor_name,
                "from_status": e.from_status,
                "from_status_label": _label(e, "from_status"),
                "to_status": e.to_status,
                "to_status_label": _label(e, "to_status"),
                "opinion": e.opinion,
                "amount": _money(e.amount),
            }
            for e in SubsidyEvent.objects.filter(subsidy=subsidy)
        ],
        "disbursements": [
            {"amount": _money(d.amount), "paid_on": d.paid_on, "voucher_number": d.voucher_number}
            for d in Disbursement.objects.filter(subsidy=subsidy)
        ],
    }
