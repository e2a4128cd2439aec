"""Read endpoints for 服务阵地与服务, scoped like the pages: a record is seen from its union up, so
a county sees its own, the city every one below it, a sibling county none (404 for a unit
named outside the scope).

Read-only: positions, ledger entries and consultations are recorded on the pages, through
positions' services. The ledger leaves out the people served (no recipient's identity goes
through the API): an entry gives its counts by group only. The lists are pages of 100 with a
fixed number of queries; coverage is the page's selector (`positions.coverage`)."""

import datetime
from decimal import Decimal

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from ruhui.api.auth import require_perm
from ruhui.api.errors import Area, choices_text, field_errors
from ruhui.api.schemas import NO_NUL, choice, errors
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import scoped
from ruhui.positions.choices import (
    FACILITIES,
    TOPICS,
    ActivityKind,
    ConsultationLevel,
    PositionKind,
    PositionStatus,
)
from ruhui.positions.coverage import Line, coverage, default_period
from ruhui.positions.ledger_selectors import activity_list, consultation_list
from ruhui.positions.models import Consultation, ServiceActivity, ServicePosition
from ruhui.positions.selectors import position_list

router = Router(tags=["服务阵地与服务"])
PAGE_SIZE = 100

MSG_NO_VIEW = "您的账号没有查看服务阵地与服务的权限。"
MSG_UNIT_UNKNOWN = "组织代码「{code}」不存在，或不在您的管辖范围内：请核对组织代码，如 WG。"
MSG_ORDER = "开始日期晚于结束日期：请把 start 改为 end 当天或之前。"

AREA = Area(
    {"start": "开始日期", "end": "结束日期", "level": "协商层级"},
    {
        "kind": lambda value: (
            f"类型「{value}」无效：请填写 {choices_text(PositionKind)}，"
            f"或服务类别 {choices_text(ActivityKind)}。"
        ),
        "status": lambda value: f"状态「{value}」无效：请填写 {choices_text(PositionStatus)}。",
        "level": lambda value: (
            f"协商层级「{value}」无效：请填写 {choices_text(ConsultationLevel)}。"
        ),
    },
)
FACILITY_LABELS = dict(FACILITIES)
TOPIC_LABELS = dict(TOPICS)


def _labels(choices):
    return choice(choices.values, normalize={str(label): v for v, label in choices.choices}.get)


def _unit(request, code: str) -> Organization | None:
    code = code.strip()
    if not code:
        return None
    unit = scoped(request.user, Organization).filter(code=code).first()
    if unit is None:
        raise Http404(MSG_UNIT_UNKNOWN.format(code=code))
    return unit


def _page(queryset, number: int, build) -> dict:
    page = Paginator(queryset, PAGE_SIZE).get_page(number)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [build(row) for row in page],
    }


# --- positions -------------------------------------------------------------------------------


class PositionFilters(Schema):
    unit: str = Field("", pattern=NO_NUL, description="运营工会的组织代码（含下级），如 WG")
    kind: _labels(PositionKind) = Field(None, description="home、driver、station 或 other")
    status: _labels(PositionStatus) = Field(None, description="planned、running 或 closed")
    page: int = Field(1, ge=1)


class PositionOut(Schema):
    id: int
    code: str
    kind: str
    kind_label: str
    name: str
    running_union_code: str
    running_union_name: str
    partner: str
    division_code: str
    township: str
    address: str
    latitude: Decimal | None = Field(description="GCJ-02 纬度（高德坐标）")
    longitude: Decimal | None = Field(description="GCJ-02 经度（高德坐标）")
    hours: str
    open_24h: bool
    status: str
    status_label: str
    groups: list[str]
    facilities: list[str] = Field(description="设施名称")
    standard: dict[str, bool] = Field(description="站点“六有”：名称 → 是否达标")
    opened_on: datetime.date | None


class PositionPage(Schema):
    count: int
    page: int
    pages: int
    items: list[PositionOut]


def _position(p: ServicePosition) -> dict:
    return {
        "id": p.pk,
        "code": p.code,
        "kind": p.kind,
        "kind_label": str(p.get_kind_display()),
        "name": p.name,
        "running_union_code": p.running_union.code,
        "running_union_name": p.running_union.name,
        "partner": p.partner,
        "division_code": p.division_code,
        "township": p.township,
        "address": p.address,
        "latitude": p.latitude,
        "longitude": p.longitude,
        "hours": p.hours,
        "open_24h": p.open_24h,
        "status": p.status,
        "status_label": str(p.get_status_display()),
        "groups": [g.name for g in p.groups.all()],
        "facilities": p.facility_labels,
        "standard": dict(p.standard),
        "opened_on": p.opened_on,
    }


@router.get(
    "/positions",
    response={200: PositionPage, **errors(401, 403, 404, 422)},
    summary="服务阵地列表（本辖区）",
    description="职工之家、司机之家、户外劳动者服务站点：按运营工会（组织代码，含下级）、类型和"
    "状态筛选，每页 100 条。",
)
def list_positions(request: HttpRequest, filters: PositionFilters = Query(...)):  # noqa: B008
    require_perm(request, "positions.view_position", MSG_NO_VIEW)
    queryset = position_list(
        user=request.user, kind=filters.kind or "", status=filters.status or ""
    ).prefetch_related("groups")
    unit = _unit(request, filters.unit)
    if unit is not None:
        queryset = queryset.filter(running_union__path__startswith=unit.path)
    return _page(queryset, filters.page, _position)


# --- the services ledger -------------------------------------------------------------------------


class ActivityFilters(Schema):
    unit: str = Field("", pattern=NO_NUL, description="组织工会的组织代码（含下级），如 WG")
    kind: _labels(ActivityKind) = Field(
        None, description="服务类别代码或名称，如 summer 或 夏送清凉"
    )
    start: datetime.date | None = Field(None, description="开始日期不早于，如 2019-01-01")
    end: datetime.date | None = Field(None, description="开始日期不晚于，如 2019-12-31")
    page: int = Field(1, ge=1)


class ActivityOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    union_code: str
    union_name: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    position_id: int | None
    amount: Decimal | None = Field(description="支出金额（元）")
    workers_served: int
    group_counts: dict[str, int] = Field(description="各群体服务人数：群体代码 → 人数")
    project_id: int | None = Field(description="关联的维护服务项目")


class ActivityPage(Schema):
    count: int
    page: int
    pages: int
    items: list[ActivityOut]


def _activity(a: ServiceActivity) -> dict:
    return {
        "id": a.pk,
        "kind": a.kind,
        "kind_label": str(a.get_kind_display()),
        "title": a.title,
        "union_code": a.union.code,
        "union_name": a.union.name,
        "starts_on": a.starts_on,
        "ends_on": a.ends_on,
        "position_id": a.position_id,
        "amount": a.amount,
        "workers_served": a.workers_served,
        "group_counts": {str(k): int(v) for k, v in (a.group_counts or {}).items()},
        "project_id": a.project_id,
    }


@router.get(
    "/positions/activities",
    response={200: ActivityPage, **errors(401, 403, 404, 422)},
    summary="服务台账（本辖区）",
    description="四季送、互助保险、帮扶、法律援助、普惠服务、教育培训等服务活动：按组织工会、类别和"
    "开始日期筛选，每页 100 条。只给出各群体的服务人数，不含受益人的身份信息。",
)
def list_activities(request: HttpRequest, filters: ActivityFilters = Query(...)):  # noqa: B008
    require_perm(request, "positions.view_activity", MSG_NO_VIEW)
    unit = _unit(request, filters.unit)
    queryset = activity_list(
        user=request.user,
        kind=filters.kind or "",
        union_id=unit.pk if unit is not None else None,
        until=filters.end,
    )
    if filters.start:  # (the API counts an entry by its start date; the page by overlap)
        queryset = queryset.filter(starts_on__gte=filters.start)
    return _page(queryset, filters.page, _activity)


# --- consultations -----------------------------------------------------------------------------


class ConsultationFilters(Schema):
    unit: str = Field("", pattern=NO_NUL, description="工会方的组织代码（含下级），如 WG")
    level: _labels(ConsultationLevel) = Field(None, description="industry、regional 或 enterprise")
    start: datetime.date | None = Field(None, description="协商日期不早于，如 2019-01-01")
    end: datetime.date | None = Field(None, description="协商日期不晚于，如 2019-12-31")
    page: int = Field(1, ge=1)


class ConsultationOut(Schema):
    id: int
    level: str
    level_label: str
    industry: str
    union_code: str
    union_name: str
    employer_name: str = Field(description="企业方：企业名称或行业协会")
    topics: list[str] = Field(description="协商内容名称")
    held_on: datetime.date
    agreed: bool
    term_from: datetime.date | None
    term_to: datetime.date | None
    workers_covered: int
    groups: list[str]
    congress_on: datetime.date | None


class ConsultationPage(Schema):
    count: int
    page: int
    pages: int
    items: list[ConsultationOut]


def _consultation(c: Consultation) -> dict:
    return {
        "id": c.pk,
        "level": c.level,
        "level_label": str(c.get_level_display()),
        "industry": c.industry,
        "union_code": c.union.code,
        "union_name": c.union.name,
        "employer_name": c.employer.name if c.employer_id else c.employer_association,
        "topics": [str(TOPIC_LABELS[t]) for t in c.topics or () if t in TOPIC_LABELS],
        "held_on": c.held_on,
        "agreed": c.agreed,
        "term_from": c.term_from,
        "term_to": c.term_to,
        "workers_covered": c.workers_covered,
        "groups": [g.name for g in c.groups.all()],
        "congress_on": c.congress_on,
    }


@router.get(
    "/positions/consultations",
    response={200: ConsultationPage, **errors(401, 403, 404, 422)},
    summary="集体协商（本辖区）",
    description="行业性、区域性和企业集体协商：按工会方、层级和协商日期筛选，每页 100 条。",
)
def list_consultations(
    request: HttpRequest,
    filters: ConsultationFilters = Query(...),  # noqa: B008
):
    require_perm(request, "positions.view_consultation", MSG_NO_VIEW)
    unit = _unit(request, filters.unit)
    queryset = consultation_list(
        user=request.user,
        level=filters.level or "",
        union_id=unit.pk if unit is not None else None,
    )
    if filters.start:
        queryset = queryset.filter(held_on__gte=filters.start)
    if filters.end:
        queryset = queryset.filter(held_on__lte=filters.end)
    return _page(queryset, filters.page, _consultation)


# --- coverage ------------------------------------------------------------------------------------


class ServiceCoverageFilters(Schema):
    unit: str = Field("", pattern=NO_NUL, description="单位的组织代码（含下级），默认本辖区")
    start: datetime.date | None = Field(None, description="统计期间开始，默认当年 1 月 1 日")
    end: datetime.date | None = Field(None, description="统计期间结束，默认今天")


class ServiceCoverageLineOut(Schema):
    key: str = Field(description="行政区划代码或群体代码（合计为空）")
    label: str
    positions: int = Field(description="运行中的服务阵地")
    members: int = Field(description="在籍会员")
    outdoor_members: int | None = Field(description="户外劳动者群体在籍会员（非户外群体为空）")
    positions_per_1000: Decimal | None = Field(description="每千名户外劳动者群体会员阵地数")
    activities: int
    served: int = Field(description="服务人次")
    served_per_member: Decimal | None = Field(description="服务人次 ÷ 在籍会员")
    spending: Decimal | None = Field(description="支出（元），按群体时为空")
    base_unions: int
    six_met: int = Field(description="“六有”齐全的基层工会")
    six_share: Decimal | None = Field(description="“六有”齐全率（%）")
    consultations: int
    covered: int = Field(description="集体协商覆盖职工")


class ServiceCoverageOut(Schema):
    unit_code: str
    unit_name: str
    start: datetime.date
    end: datetime.date
    divisions: list[ServiceCoverageLineOut]
    groups: list[ServiceCoverageLineOut]
    total: ServiceCoverageLineOut


def _line(line: Line, *, by_group: bool = False) -> dict:
    return {
        "key": line.key,
        "label": line.label,
        "positions": line.positions,
        "members": line.members,
        "outdoor_members": line.outdoor_members if line.outdoor else None,
        "positions_per_1000": line.positions_per_1000,
        "activities": line.activities,
        "served": line.served,
        "served_per_member": line.served_per_member,
        "spending": None if by_group else line.spending,
        "base_unions": line.base_unions,
        "six_met": line.six_met,
        "six_share": line.six_share,
        "consultations": line.consultations,
        "covered": line.covered,
    }


@router.get(
    "/positions/coverage",
    response={200: ServiceCoverageOut, **errors(401, 403, 404, 422)},
    summary="服务覆盖情况",
    description="按行政区划和群体：运行中的服务阵地、每千名户外劳动者群体会员阵地数、服务活动和"
    "服务人次 ÷ 会员、支出、“六有”齐全率、集体协商及覆盖职工；与页面同一口径。",
)
def get_coverage(request: HttpRequest, filters: ServiceCoverageFilters = Query(...)):  # noqa: B008
    require_perm(request, "positions.view_position", MSG_NO_VIEW)
    unit = _unit(request, filters.unit)
    first, last = default_period(timezone.localdate())
    start, end = filters.start or first, filters.end or last
    if start > end:
        return Status(422, field_errors(AREA.labels, {"start": [MSG_ORDER]}))
    figures = coverage(user=request.user, unit=unit, start=start, end=end)
    return {
        "unit_code": figures.unit.code,
        "unit_name": figures.unit.name,
        "start": figures.start,
        "end": figures.end,
        "divisions": [_line(line) for line in figures.divisions],
        "groups": [_line(line, by_group=True) for line in figures.groups],
        "total": _line(figures.total),
    }
