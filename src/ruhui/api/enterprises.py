"""Enterprise survey endpoints (企业排查), scoped to the caller's jurisdiction like the pages.

Reads go through ruhui.enterprises.selectors, writes (登记企业, 记录排查) through its services, so
the API applies the pages' and the importer's rules: credit-code check, one record per
enterprise, the five 清, append-only survey history. Errors come back per field in Chinese.
"""

import datetime
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ValidationError as PydanticError

from ruhui.api.auth import require_perm
from ruhui.api.errors import Area, choices_text, field_errors
from ruhui.api.schemas import NO_NUL, choice, choice_body, errors
from ruhui.enterprises import selectors, services
from ruhui.enterprises.choices import (
    ATTITUDES,
    FLAG_FIELDS,
    FLAGS,
    NEXT_ACTIONS,
    REASONS,
    UnionStatus,
)
from ruhui.enterprises.models import Enterprise, Park, Survey
from ruhui.enterprises.validation import (
    ENTERPRISE_LABELS,
    INDUSTRIES,
    SCALES,
    SURVEY_LABELS,
    UNION_STATUSES,
)
from ruhui.members.codes import EIGHT_GROUPS
from ruhui.orgs.choices import Industry
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import get_scoped_or_404, in_jurisdiction, scoped

router = Router(tags=["企业排查"])
PAGE_SIZE = 100

MSG_NO_VIEW = "您的账号没有查看企业排查的权限。"
MSG_NO_ADD = "您的账号没有登记企业的权限：请由本单位的录入员、审核员或管理员办理。"
MSG_NO_SURVEY = "您的账号没有记录排查的权限：请由本单位的录入员、审核员或管理员办理。"
MSG_UNIT_REQUIRED = "请填写责任单位的组织代码，如 WG。"
MSG_UNIT_UNKNOWN = "组织代码「{code}」不存在，或不在您的管辖范围内：请核对组织代码。"
MSG_PARK_UNKNOWN = "园区编号「{park}」不存在，或不在您的管辖范围内。"
MSG_INDUSTRY = (
    "行业「{value}」无效：请填写国民经济行业门类代码 A–T，如 G（交通运输、仓储和邮政业）。"
)
MSG_UNION_STATUS = "建会情况「{value}」无效：请填写 not_built（未建会，含筹建中）或 {choices}。"
MSG_FLAG = "企业类型「{value}」无效：可填 {choices}，多个用逗号分隔。"
MSG_BODY = '请求体应为 JSON 对象，如 {"surveyed_on": "2026-05-01", "union_status": "未建会"}。'
MSG_BODY_FIELD = "「{field}」的值类型不对：文字、数字或日期请按接口文档填写。"
MSG_BY = "统计口径「{value}」无效：请填写 division、park、industry、group 或 responsible_unit。"
MSG_DIVISION = "县(市、区)「{value}」的格式不对：请填写 6 位行政区划代码，如 410481。"

FIELD_LABELS = (
    ENTERPRISE_LABELS
    | SURVEY_LABELS
    | {
        "responsible_unit": "责任单位",
        "park": "所在园区",
        "flags": "企业类型",
        "union": "所在工会",
        "by": "统计口径",
        "body": "请求体",
        "division": "县(市、区)",
        "township": "乡镇(街道)",
        "enterprise_id": "企业编号",
    }
)


def _union_status_message(value: str) -> str:
    choices = choices_text(UnionStatus)
    return MSG_UNION_STATUS.format(value=value, choices=choices)


def _flags_message(value: str) -> str:
    unknown = next((f for f in value.split(",") if f.strip() not in FLAG_FIELDS), value)
    choices = choices_text(FLAGS)
    return MSG_FLAG.format(value=unknown.strip(), choices=choices)


#: For the API's error handler: labels, and the messages for a value outside a declared list.
AREA = Area(
    FIELD_LABELS,
    {
        "industry": lambda value: MSG_INDUSTRY.format(value=value),
        "group": lambda value: EIGHT_GROUPS.invalid_message(value, field="用工群体"),
        "union_status": _union_status_message,
        "flags": _flags_message,
        "by": lambda value: MSG_BY.format(value=value),
        "division": lambda value: MSG_DIVISION.format(value=value),
    },
)
FLAGS_PATTERN = "^(({names})(,({names}))*)?$".format(names="|".join(FLAG_FIELDS))
GROUP_FILTER = (*EIGHT_GROUPS.codes, *EIGHT_GROUPS.labels.values())


def _codes_and_labels(codeset) -> list[str]:
    return [*codeset.codes, *codeset.labels.values()]


# --- schemas --------------------------------------------------------------------------------


class EnterpriseFilters(Schema):
    q: str = Field("", pattern=NO_NUL, description="企业名称（含部分）、统一社会信用代码或原注册号")
    division: str = Field(
        "",
        pattern=r"^([0-9]{6})?$",
        description="县级行政区划代码，如 410481；市级代码选全市",
    )
    township: str = Field("", pattern=NO_NUL, description="乡镇(街道)名称")
    park: int | None = Field(None, description="园区编号（园区名录中的 id）")
    industry: choice(Industry.values, normalize=str.upper) = Field(
        None, description="行业门类代码 A–T"
    )
    group: choice(GROUP_FILTER, normalize=EIGHT_GROUPS.code_for) = Field(
        None, description="八大群体代码或名称，如 02 或 快递员"
    )
    union_status: choice(("not_built", *UnionStatus.values)) = Field(
        None, description="not_built（未建会，含筹建中）、none、preparing 或 built"
    )
    responsible_unit: str = Field("", pattern=NO_NUL, description="责任单位的组织代码（含下级）")
    flags: str = Field(
        "",
        pattern=FLAGS_PATTERN,
        description="企业类型字段名，逗号分隔，如 is_platform_company,is_delivery_station",
    )
    page: int = Field(1, ge=1)


class EnterpriseOut(Schema):
    id: int
    name: str
    uscc: str
    legacy_registration_number: str
    division_code: str
    division_name: str
    township: str
    address: str
    park_id: int | None
    park_name: str | None
    industry: str
    industry_label: str
    flags: list[str] = Field(description="为“是”的企业类型字段名")
    project_scale: str
    groups: list[str] = Field(description="用工群体代码")
    responsible_unit_code: str
    responsible_unit_name: str
    union_code: str | None
    union_name: str | None
    union_status: str
    union_status_label: str
    unionised_on: datetime.date | None
    last_surveyed_on: datetime.date | None
    employees_total: int | None
    migrant_workers: int | None
    headcount_on: datetime.date | None
    next_action: str
    next_action_label: str
    next_action_due: datetime.date | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class EnterprisePage(Schema):
    count: int
    page: int
    pages: int
    items: list[EnterpriseOut]


class EnterpriseIn(Schema):
    """登记企业. Values as on the survey sheet: a coded field takes its code or label; a flag
    takes true/false or 是/否; groups a list or text separated by 、."""

    responsible_unit: str = Field("", description="责任单位的组织代码（管辖范围内）")
    park: int | None = Field(None, description="园区编号（管辖范围内，与企业同县）")
    name: str = ""
    uscc: str = ""
    legacy_registration_number: str = ""
    division_code: str = ""
    township: str = ""
    address: str = ""
    industry: str = Field(
        "", json_schema_extra=choice_body(_codes_and_labels(INDUSTRIES), empty="")
    )
    is_non_public: bool | str | None = None
    is_platform_company: bool | str | None = None
    is_third_party_delivery: bool | str | None = None
    is_delivery_station: bool | str | None = None
    is_affiliated_operator: bool | str | None = None
    is_private_non_enterprise: bool | str | None = None
    is_construction_project: bool | str | None = None
    project_scale: str = Field(
        "", json_schema_extra=choice_body(_codes_and_labels(SCALES), empty="")
    )
    is_property_company: bool | str | None = None
    is_agricultural_coop: bool | str | None = None
    groups: list[str] | str | None = None


class SurveyOut(Schema):
    id: int
    surveyed_on: datetime.date
    surveyor_name: str
    union_status: str
    union_status_label: str
    reason: str
    reason_label: str
    reason_text: str
    legal_rep_attitude: str
    legal_rep_attitude_label: str
    attitude_notes: str
    employees_total: int | None
    migrant_workers: int | None
    group_counts: dict[str, int]
    division_code: str
    township: str
    park_name: str | None
    next_action: str
    next_action_label: str
    next_action_text: str
    next_action_due: datetime.date | None
    next_action_owner_name: str
    is_complete: bool
    completeness: dict[str, bool]
    created_at: datetime.datetime


class SurveyList(Schema):
    count: int
    items: list[SurveyOut]


class SurveyIn(Schema):
    """一次五清排查（新增一条记录，历史记录保留不改）."""

    surveyed_on: str | datetime.date = Field("", description="排查日期，如 2026-05-01")
    surveyor_name: str = ""
    union_status: str = Field(
        "",
        description="none、preparing、built，或 未建会、筹建中、已建会",
        json_schema_extra=choice_body(_codes_and_labels(UNION_STATUSES), empty=""),
    )
    reason: str = Field(
        "",
        description="未建会原因",
        json_schema_extra=choice_body(_codes_and_labels(REASONS), empty=""),
    )
    reason_text: str = ""
    legal_rep_attitude: str = Field(
        "",
        description="法人态度",
        json_schema_extra=choice_body(_codes_and_labels(ATTITUDES), empty=""),
    )
    attitude_notes: str = ""
    employees_total: int | str | None = None
    migrant_workers: int | str | None = None
    group_counts: dict[str, int | str] | None = Field(
        None, description="各群体人数：{群体代码或名称: 人数}"
    )
    next_action: str = Field(
        "",
        description="推进措施",
        json_schema_extra=choice_body(_codes_and_labels(NEXT_ACTIONS), empty=""),
    )
    next_action_text: str = ""
    next_action_due: str | datetime.date | None = None
    next_action_owner_name: str = ""


class CoverageRowOut(Schema):
    key: str
    label: str
    enterprises: int
    surveyed: int
    unionised: int
    unionised_rate: float | None
    complete: int
    completeness_rate: float | None
    employees: int
    members: int
    membership_rate: float | None


class ParkCoverageOut(Schema):
    parks: int
    with_union: int
    rate: float | None


class CoverageOut(Schema):
    by: str
    rows: list[CoverageRowOut]
    total: CoverageRowOut
    parks: ParkCoverageOut


# --- helpers --------------------------------------------------------------------------------


def _field_errors(errors: dict[str, list[str]]) -> dict:
    """The 422 body: one entry per message, naming the field and its Chinese label."""
    return field_errors(AREA.labels, errors)


def _label(obj, field: str) -> str:
    return str(getattr(obj, f"get_{field}_display")()) if getattr(obj, field) else ""


def _serialize(enterprise: Enterprise, user) -> dict:
    union = enterprise.union
    latest = enterprise.latest_survey
    return {
        **{
            name: getattr(enterprise, name)
            for name in (
                "id",
                "name",
                "uscc",
                "legacy_registration_number",
                "division_code",
                "division_name",
                "township",
                "address",
                "park_id",
                "industry",
                "project_scale",
                "union_status",
                "unionised_on",
                "last_surveyed_on",
                "employees_total",
                "migrant_workers",
                "headcount_on",
                "created_at",
                "updated_at",
            )
        },
        "park_name": enterprise.park.name if enterprise.park_id else None,
        "industry_label": _label(enterprise, "industry"),
        "flags": [name for name in FLAG_FIELDS if getattr(enterprise, name)],
        "groups": sorted(g.code for g in enterprise.groups.all()),
        "responsible_unit_code": enterprise.responsible_unit.code,
        "responsible_unit_name": enterprise.responsible_unit.name,
        "union_code": union.code if union is not None and in_jurisdiction(user, union) else None,
        "union_name": union.name if union is not None and in_jurisdiction(user, union) else None,
        "union_status_label": _label(enterprise, "union_status"),
        "next_action": latest.next_action if latest else "",
        "next_action_label": _label(latest, "next_action") if latest else "",
        "next_action_due": latest.next_action_due if latest else None,
    }


def _serialize_survey(survey: Survey) -> dict:
    row = {
        name: getattr(survey, name)
        for name in (
            "id",
            "surveyed_on",
            "surveyor_name",
            "union_status",
            "reason",
            "reason_text",
            "legal_rep_attitude",
            "attitude_notes",
            "employees_total",
            "migrant_workers",
            "division_code",
            "township",
            "next_action",
            "next_action_text",
            "next_action_due",
            "next_action_owner_name",
            "is_complete",
            "created_at",
        )
    }
    for name in ("union_status", "reason", "legal_rep_attitude", "next_action"):
        row[f"{name}_label"] = _label(survey, name)
    row["group_counts"] = dict(survey.group_counts or {})
    row["park_name"] = survey.park.name if survey.park_id else None
    row["completeness"] = survey.completeness()
    return row


def _enterprise(request: HttpRequest, enterprise_id: int) -> Enterprise:
    queryset = Enterprise.objects.select_related(
        "responsible_unit", "union", "park", "latest_survey"
    ).prefetch_related("groups")
    return get_scoped_or_404(request.user, queryset, pk=enterprise_id)


def _scoped_unit(user, code: str) -> Organization | None:
    return scoped(user, Organization).filter(code=code.strip()).first()


# --- endpoints ------------------------------------------------------------------------------


@router.get(
    "/enterprises",
    response={200: EnterprisePage, **errors(401, 403, 404, 422)},
    summary="企业列表（本辖区）",
    description="按县(市、区)、乡镇(街道)、园区、行业、八大群体、建会情况、企业类型和责任单位筛选，"
    "职工人数多的在前；每页 100 条。`responsible_unit` 为组织代码、`park` 为园区编号，"
    "不在管辖范围内时返回 404。",
)
def list_enterprises(request: HttpRequest, filters: EnterpriseFilters = Query(...)):  # noqa: B008
    require_perm(request, "enterprises.view_enterprise", MSG_NO_VIEW)
    unit = None
    if filters.responsible_unit.strip():
        unit = _scoped_unit(request.user, filters.responsible_unit)
        if unit is None:
            code = filters.responsible_unit.strip()
            return Status(404, {"detail": MSG_UNIT_UNKNOWN.format(code=code)})
    park = None
    if filters.park is not None:
        park = scoped(request.user, Park).filter(pk=filters.park).first()
        if park is None:
            return Status(404, {"detail": MSG_PARK_UNKNOWN.format(park=filters.park)})
    values = {
        "industry": filters.industry or "",
        "group": filters.group or "",
        "union_status": filters.union_status or "",
        "flags": [f for f in filters.flags.split(",") if f],
    }
    qs = selectors.enterprise_list(
        user=request.user,
        q=filters.q,
        division=filters.division.strip(),
        township=filters.township.strip(),
        park=park,
        responsible_unit=unit,
        **values,
    ).select_related("latest_survey")
    page = Paginator(qs.prefetch_related("groups"), PAGE_SIZE).get_page(filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [_serialize(e, request.user) for e in page],
    }


@router.get(
    "/enterprises/coverage",
    response={200: CoverageOut, **errors(401, 403, 422)},
    summary="企业排查覆盖情况（本辖区）",
    description="`by` 取 division（县区）、park（园区）、industry（行业）、group（八大群体）或 "
    "responsible_unit（责任单位）。建会率 = 已建会 ÷ 企业数；入会率 = 会员 ÷ 职工人数，"
    "职工人数为 0 时为 null；按群体统计时一家企业计入它的每个群体，合计每家只计一次。",
)
def enterprise_coverage(
    request: HttpRequest,
    by: choice(selectors.COVERAGE_KEYS) = Query("division"),  # noqa: B008
):
    require_perm(request, "enterprises.view_enterprise", MSG_NO_VIEW)
    by = by or "division"
    figures = selectors.coverage(user=request.user, by=by)

    def row(r):
        return {
            **{
                k: getattr(r, k)
                for k in (
                    "key",
                    "label",
                    "enterprises",
                    "surveyed",
                    "unionised",
                    "unionised_rate",
                    "complete",
                    "completeness_rate",
                    "employees",
                    "members",
                    "membership_rate",
                )
            }
        }

    return {
        "by": by,
        "rows": [row(r) for r in figures.rows],
        "total": row(figures.total),
        "parks": selectors.park_coverage(user=request.user),
    }


@router.get(
    "/enterprises/{int:enterprise_id}",
    response={200: EnterpriseOut, **errors(401, 403, 404)},
    summary="企业详情",
)
def get_enterprise(request: HttpRequest, enterprise_id: int):
    require_perm(request, "enterprises.view_enterprise", MSG_NO_VIEW)
    return _serialize(_enterprise(request, enterprise_id), request.user)


@router.post(
    "/enterprises",
    response={201: EnterpriseOut, **errors(401, 403, 409, 422)},
    summary="登记企业",
    description="在本辖区的责任单位下登记一家企业（按统一社会信用代码去重，无代码时按名称和县区去重），"
    "写入审计记录。校验失败返回 422，逐项给出字段和中文说明；已登记过的企业返回 409。"
    "浏览器会话调用须带 CSRF 令牌；Bearer 令牌调用不需要。",
)
def create_enterprise(request: HttpRequest, payload: EnterpriseIn):
    require_perm(request, "enterprises.add_enterprise", MSG_NO_ADD)
    data = payload.model_dump()
    code = (data.pop("responsible_unit") or "").strip()
    park_id = data.pop("park")
    if not code:
        return Status(422, _field_errors({"responsible_unit": [MSG_UNIT_REQUIRED]}))
    unit = _scoped_unit(request.user, code)
    if unit is None:
        return Status(
            422, _field_errors({"responsible_unit": [MSG_UNIT_UNKNOWN.format(code=code)]})
        )
    park = None
    if park_id is not None:
        park = scoped(request.user, Park).filter(pk=park_id).first()
        if park is None:
            return Status(422, _field_errors({"park": [MSG_PARK_UNKNOWN.format(park=park_id)]}))
    data = {k: v for k, v in data.items() if v is not None}
    try:
        enterprise = services.enterprise_create(
            actor=request.user, responsible_unit=unit, data=data, park=park
        )
    except PermissionDenied as denied:
        raise HttpError(403, str(denied) or MSG_NO_ADD) from None
    except ValidationError as invalid:
        if not hasattr(invalid, "error_dict"):
            return Status(422, _field_errors({"responsible_unit": invalid.messages}))
        duplicate = [
            message
            for errors in invalid.error_dict.values()
            for error in errors
            if error.code == "duplicate"
            for message in error.messages
        ]
        if duplicate:
            return Status(409, {"detail": " ".join(duplicate)})
        return Status(422, _field_errors(invalid.message_dict))
    return Status(201, _serialize(_enterprise(request, enterprise.pk), request.user))


@router.get(
    "/enterprises/{int:enterprise_id}/surveys",
    response={200: SurveyList, **errors(401, 403, 404)},
    summary="企业的排查记录",
    description="一家企业的全部五清排查记录，最近的在前；记录只增不改。",
)
def list_surveys(request: HttpRequest, enterprise_id: int):
    require_perm(request, "enterprises.view_enterprise", MSG_NO_VIEW)
    enterprise = _enterprise(request, enterprise_id)
    surveys = list(selectors.enterprise_surveys(enterprise=enterprise))
    return {"count": len(surveys), "items": [_serialize_survey(s) for s in surveys]}


@router.post(
    "/enterprises/{int:enterprise_id}/surveys",
    response={201: SurveyOut, **errors(401, 403, 404, 422)},
    summary="记录一次排查（五清一推进）",
    description="新增一条排查记录（以前的记录保留不改）。它是最近一次排查时，企业的建会情况随之更新；"
    "填了职工人数的同时记入人数变化（动态监控）。请求体见 SurveyIn；校验失败返回 422，"
    "逐项给出字段和中文说明。",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": SurveyIn.model_json_schema()}},
        }
    },
)
def create_survey(request: HttpRequest, enterprise_id: int):
    require_perm(request, "enterprises.add_survey", MSG_NO_SURVEY)
    # The body is read after the scoping check, so an outsider gets the same 404 whatever it is.
    enterprise = _enterprise(request, enterprise_id)
    try:
        data = json.loads(request.body or b"{}")
        if not isinstance(data, dict):
            raise ValueError("not an object")
        payload = SurveyIn.model_validate(data)
    except (ValueError, PydanticError) as exc:
        return Status(422, _field_errors({"body": [_body_message(exc)]}))
    try:
        survey = services.survey_record(
            actor=request.user, enterprise=enterprise, data=payload.model_dump()
        )
    except PermissionDenied as denied:
        raise HttpError(403, str(denied) or MSG_NO_SURVEY) from None
    except ValidationError as invalid:
        if not hasattr(invalid, "error_dict"):
            return Status(422, _field_errors({"union_status": invalid.messages}))
        return Status(422, _field_errors(invalid.message_dict))
    survey = Survey.objects.select_related("park").get(pk=survey.pk)
    return Status(201, _serialize_survey(survey))


def _body_message(exc: Exception) -> str:
    if isinstance(exc, PydanticError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return MSG_BODY_FIELD.format(field=FIELD_LABELS.get(where, where))
    return MSG_BODY
