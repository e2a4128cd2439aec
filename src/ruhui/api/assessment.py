"""Read endpoints for 考核评比, scoped like the pages: a scheme is seen by the campaign owner and
every unit under it; a unit's assessment row from its unit up, so a county sees its own, the
city every one below it, a sibling county none (404).

Read-only: the scheme, computing, adjusting, deciding and finalizing are done on the pages,
through ruhui.assessment.services, where the guards and the event trail live. The lists are
pages of 100 with a fixed number of queries; the scores are those stored by the last
computation (frozen once the scheme is finalized), never recomputed here."""

import datetime
from decimal import Decimal

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from ruhui.api.auth import require_perm
from ruhui.api.errors import Area, choices_text
from ruhui.api.schemas import NO_NUL, choice, errors
from ruhui.assessment.choices import AssessmentResult, AssessmentStatus, CriterionCode
from ruhui.assessment.models import AssessmentScheme, UnitAssessment
from ruhui.campaigns.models import Campaign
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import get_scoped_or_404, scoped

router = Router(tags=["考核评比"])
PAGE_SIZE = 100

MSG_NO_VIEW = "您的账号没有查看考核评比的权限。"
MSG_CAMPAIGN_UNKNOWN = (
    "集中行动「{slug}」不存在，或不在您的管辖范围内：请核对行动标识，如 pds-2019。"
)
MSG_UNIT_UNKNOWN = "组织代码「{code}」不存在，或不在您的管辖范围内：请核对组织代码，如 WG。"

AREA = Area(
    {
        "campaign": "集中行动",
        "unit": "被考核单位",
        "result": "考核结果",
        "assessment_id": "考核记录编号",
    },
    {
        "status": lambda value: f"状态「{value}」无效：请填写 {choices_text(AssessmentStatus)}。",
        "result": lambda value: (
            f"考核结果「{value}」无效：请填写 {choices_text(AssessmentResult)}。"
        ),
    },
)

LABELS = dict(CriterionCode.choices)


def _labels(choices):
    return choice(choices.values, normalize={str(label): v for v, label in choices.choices}.get)


# --- 考核方案 -----------------------------------------------------------------------------------


class WeightOut(Schema):
    code: str = Field(description="考核项目代码，如 target_completion")
    label: str = Field(description="考核项目名称，如 目标完成率")
    weight: int = Field(description="权重（分），各项合计 100")


class SchemeOut(Schema):
    id: int
    campaign_slug: str
    campaign_name: str
    status: str
    status_label: str
    computed_at: datetime.datetime | None = Field(description="最近一次计算得分的时间")
    computed_on: datetime.date | None = Field(description="最近一次计算所依据记录的截止日期")
    finalized_at: datetime.datetime | None = Field(description="定稿时间（定稿后得分固定）")
    weights: list[WeightOut]
    updated_at: datetime.datetime


class SchemeFilters(Schema):
    campaign: str = Field("", pattern=NO_NUL, description="集中行动标识，如 pds-2019")
    status: _labels(AssessmentStatus) = Field(
        None, description="状态代码或名称，如 final 或 已定稿"
    )
    page: int = Field(1, ge=1)


class SchemePage(Schema):
    count: int
    page: int
    pages: int
    items: list[SchemeOut]


def _campaign(user, slug: str) -> Campaign | None:
    slug = slug.strip()
    if not slug:
        return None
    campaign = scoped(user, Campaign).filter(slug=slug).first()
    if campaign is None:
        raise Http404(MSG_CAMPAIGN_UNKNOWN.format(slug=slug))
    return campaign


def _scheme(scheme: AssessmentScheme) -> dict:
    return {
        "id": scheme.pk,
        "campaign_slug": scheme.campaign.slug,
        "campaign_name": scheme.campaign.name,
        "status": scheme.status,
        "status_label": str(scheme.get_status_display()),
        "computed_at": scheme.computed_at,
        "computed_on": scheme.computed_on,
        "finalized_at": scheme.finalized_at,
        "weights": [
            {"code": c.code, "label": str(LABELS.get(c.code, c.code)), "weight": c.weight}
            for c in scheme.criteria.all()
        ],
        "updated_at": scheme.updated_at,
    }


@router.get(
    "/assessment/schemes",
    response={200: SchemePage, **errors(401, 403, 404, 422)},
    summary="考核方案列表",
    description="本单位和上级单位组织的集中行动的考核方案：各考核项目及权重、状态（草稿或已定稿）、"
    "最近计算时间和定稿时间；可按集中行动和状态筛选，每页 100 条。",
)
def list_schemes(request: HttpRequest, filters: SchemeFilters = Query(...)):  # noqa: B008
    require_perm(request, "assessment.view_assessment", MSG_NO_VIEW)
    queryset = (
        scoped(request.user, AssessmentScheme)
        .select_related("campaign")
        .prefetch_related("criteria")
    )
    campaign = _campaign(request.user, filters.campaign)
    if campaign is not None:
        queryset = queryset.filter(campaign=campaign)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    queryset = queryset.order_by("-campaign__starts_on", "campaign_id")
    page = Paginator(queryset, PAGE_SIZE).get_page(filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [_scheme(s) for s in page],
    }


# --- 各单位得分 ---------------------------------------------------------------------------------


class ScoreOut(Schema):
    code: str
    label: str
    weight: int
    measure: str = Field(description="该项完成程度（0–1），如 0.8")
    score: Decimal = Field(description="该项得分 = 权重 × 完成程度")
    detail: str = Field(description="计算依据")


class ResultOut(Schema):
    id: int
    campaign_slug: str
    campaign_name: str
    unit_id: int
    unit_code: str
    unit_name: str
    scores: list[ScoreOut] = Field(description="各项得分，按考核方案的顺序")
    computed_total: Decimal = Field(description="计算得分（各项得分之和）")
    adjustment: Decimal = Field(description="调整分（加分为正，减分为负）")
    adjustment_reason: str
    total: Decimal = Field(description="总分 = 计算得分 + 调整分")
    result: str = Field(description="excellent（优秀）、pass（合格）、fail（不合格），未评定为空")
    result_label: str
    recommended: bool = Field(description="推荐评先")
    overdue_flag: bool = Field(description="有逾期整改")
    status: str
    status_label: str
    updated_at: datetime.datetime


class ResultPage(Schema):
    count: int
    page: int
    pages: int
    items: list[ResultOut]


class ResultFilters(Schema):
    campaign: str = Field("", pattern=NO_NUL, description="集中行动标识，如 pds-2019")
    unit: str = Field("", pattern=NO_NUL, description="被考核单位的组织代码（含下级），如 WG")
    result: _labels(AssessmentResult) = Field(
        None, description="考核结果代码或名称，如 excellent 或 优秀"
    )
    page: int = Field(1, ge=1)


class EventOut(Schema):
    at: datetime.datetime
    kind: str
    kind_label: str
    actor_name: str
    note: str


class ResultDetailOut(ResultOut):
    figures: dict = Field(description="计算得分所依据的数据（新会员数、目标、项目等）")
    events: list[EventOut] = Field(description="处理记录：每一次计算、调整、评定和定稿")


def _results(user):
    return (
        scoped(user, UnitAssessment)
        .select_related("unit", "scheme__campaign")
        .prefetch_related("scheme__criteria")
    )


def _result(row: UnitAssessment) -> dict:
    scores = []
    for criterion in row.scheme.criteria.all():
        cell = row.scores.get(criterion.code) or {}
        scores.append(
            {
                "code": criterion.code,
                "label": str(LABELS.get(criterion.code, criterion.code)),
                "weight": cell.get("weight", criterion.weight),
                "measure": str(cell.get("measure", "")),
                "score": Decimal(str(cell.get("score", "0"))),
                "detail": str(cell.get("detail", "")),
            }
        )
    return {
        "id": row.pk,
        "campaign_slug": row.scheme.campaign.slug,
        "campaign_name": row.scheme.campaign.name,
        "unit_id": row.unit_id,
        "unit_code": row.unit.code,
        "unit_name": row.unit.name,
        "scores": scores,
        "computed_total": row.computed_total,
        "adjustment": row.adjustment,
        "adjustment_reason": row.adjustment_reason,
        "total": row.total,
        "result": row.result,
        "result_label": str(row.get_result_display()) if row.result else "",
        "recommended": row.recommended,
        "overdue_flag": row.overdue_flag,
        "status": row.status,
        "status_label": str(row.get_status_display()),
        "updated_at": row.updated_at,
    }


@router.get(
    "/assessment/results",
    response={200: ResultPage, **errors(401, 403, 404, 422)},
    summary="各单位考核得分（排名）",
    description="本单位和下级单位的考核得分，按集中行动、总分从高到低排列：各项得分、计算得分、"
    "调整分和理由、总分、考核结果、推荐评先、逾期整改；可按集中行动、被考核单位（组织代码，含下级）"
    "和考核结果筛选，每页 100 条。",
)
def list_results(request: HttpRequest, filters: ResultFilters = Query(...)):  # noqa: B008
    require_perm(request, "assessment.view_assessment", MSG_NO_VIEW)
    queryset = _results(request.user)
    campaign = _campaign(request.user, filters.campaign)
    if campaign is not None:
        queryset = queryset.filter(scheme__campaign=campaign)
    code = filters.unit.strip()
    if code:
        unit = scoped(request.user, Organization).filter(code=code).first()
        if unit is None:
            raise Http404(MSG_UNIT_UNKNOWN.format(code=code))
        queryset = queryset.filter(unit__path__startswith=unit.path)
    if filters.result:
        queryset = queryset.filter(result=filters.result)
    queryset = queryset.order_by(
        "-scheme__campaign__starts_on", "scheme__campaign_id", "-total", "unit__path"
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [_result(r) for r in page],
    }


@router.get(
    "/assessment/results/{int:assessment_id}",
    response={200: ResultDetailOut, **errors(401, 403, 404)},
    summary="单位考核详情",
    description="一个单位的各项得分和计算依据、调整分和理由、考核结果、推荐评先、逾期整改，"
    "计算所依据的数据和处理记录。",
)
def get_result(request: HttpRequest, assessment_id: int):
    require_perm(request, "assessment.view_assessment", MSG_NO_VIEW)
    row = get_scoped_or_404(
        request.user, _results(request.user).prefetch_related("events"), pk=assessment_id
    )
    return {
        **_result(row),
        "figures": row.figures,
        "events": [
            {
                "at": e.at,
                "kind": e.kind,
                "kind_label": str(e.get_kind_display()),
                "actor_name": e.actor_name,
                "note": e.note,
            }
            for e in row.events.all()
        ],
    }
