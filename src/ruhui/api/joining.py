"""Online joining endpoints: the review queue and its two decisions, scoped like the pages.

Reads go through ruhui.joining.selectors, decisions through joining.services, so the API applies
exactly the page's rules (one person, one membership; 转出 then 转入). Personal data leaves masked.
"""

import datetime
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from ruhui.api.auth import require_perm
from ruhui.api.errors import Area, choices_text
from ruhui.api.schemas import choice, errors
from ruhui.joining import selectors, services
from ruhui.joining.models import Application, ApplicationKind, ApplicationStatus
from ruhui.orgs.scoping import get_scoped_or_404, in_jurisdiction

router = Router(tags=["网上入会"])
PAGE_SIZE = 100

MSG_NO_VIEW = "您的账号没有查看入会申请的权限。"
MSG_NO_DECIDE = "您的账号没有审核入会申请的权限：请由本工会的审核员或管理员办理。"
MSG_STATUS = "状态「{value}」无效：请填写 open（待本辖区办理）或 {choices}。"
MSG_KIND = "类型「{value}」无效：请填写 join（入会申请）或 transfer（转会申请）。"


def _status_message(value: str) -> str:
    choices = choices_text(ApplicationStatus)
    return MSG_STATUS.format(value=value, choices=choices)


AREA = Area(
    {"status": "状态", "kind": "类型", "reason": "原因", "application_id": "申请编号"},
    {"status": _status_message, "kind": lambda value: MSG_KIND.format(value=value)},
)


class ApplicationFilters(Schema):
    status: choice(("open", "all", *ApplicationStatus.values)) = Field(
        "open", description="open 待本辖区办理（默认），all 全部，或具体状态"
    )
    kind: choice(ApplicationKind.values) = Field(None, description="join 入会，transfer 转会")
    page: int = Field(1, ge=1)


class ApplicationOut(Schema):
    """One online application; the ID number and phone come masked only."""

    id: int
    number: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    name: str
    id_number_masked: str
    phone_masked: str
    group: str
    group_label: str
    employer_name: str
    work_location: str
    union_code: str
    union_name: str
    from_union_code: str | None
    from_union_name: str | None
    deciding_union_code: str | None
    member_number: str | None
    converted_to_number: str | None
    decision_reason: str
    created_at: datetime.datetime
    decided_at: datetime.datetime | None


class ApplicationPage(Schema):
    count: int
    page: int
    pages: int
    items: list[ApplicationOut]


class RejectIn(Schema):
    reason: str = Field("", description="不予通过的原因（必填，不超过 200 字），申请人可以看到")


def _serialize(application: Application, user) -> dict:
    decider = services.deciding_union(application)
    member = application.member
    return {
        "id": application.pk,
        "number": application.number,
        "kind": application.kind,
        "kind_label": application.get_kind_display(),
        "status": application.status,
        "status_label": application.get_status_display(),
        "name": application.name,
        "id_number_masked": application.id_number_masked,
        "phone_masked": application.phone_masked,
        "group": application.group,
        "group_label": application.get_group_display() if application.group else "",
        "employer_name": application.employer_name,
        "work_location": application.work_location,
        "union_code": application.union.code,
        "union_name": application.union.name,
        "from_union_code": application.from_union.code if application.from_union else None,
        "from_union_name": application.from_union.name if application.from_union else None,
        "deciding_union_code": decider.code if decider else None,
        "member_number": member.member_number
        if member is not None and in_jurisdiction(user, member.union)
        else None,
        "converted_to_number": application.converted_to.number
        if application.converted_to_id
        else None,
        "decision_reason": application.decision_reason,
        "created_at": application.created_at,
        "decided_at": application.decided_at,
    }


def _application(request: HttpRequest, application_id: int) -> Application:
    queryset = Application.objects.select_related(
        "union", "from_union", "member__union", "converted_to", "transfer"
    )
    return get_scoped_or_404(request.user, queryset, pk=application_id)


def _field_errors(field: str, label: str, messages: list[str]) -> dict:
    return {"detail": [{"field": field, "label": label, "message": m} for m in messages]}


@router.get(
    "/joining/applications",
    response={200: ApplicationPage, **errors(401, 403, 422)},
    summary="网上申请列表（本辖区）",
    description="`status` 默认 open：等待本辖区工会办理的申请（入会和转入由申请加入的工会审核，"
    "转出由会员现在所在的工会办理）；取 all 列出全部，或填具体状态。`kind` 取 join 或 transfer。"
    "每页 100 条；证件号码和手机号码只给脱敏值。",
)
def list_applications(request: HttpRequest, filters: ApplicationFilters = Query(...)):  # noqa: B008
    require_perm(request, "members.view_member", MSG_NO_VIEW)
    status = filters.status or "open"
    kind = filters.kind or ""
    qs = selectors.application_queue(
        user=request.user, status="" if status == "all" else status, kind=kind
    ).select_related("member__union", "converted_to")
    page = Paginator(qs, PAGE_SIZE).get_page(filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [_serialize(a, request.user) for a in page],
    }


def _decide(request: HttpRequest, application_id: int, decide) -> Status | dict:
    application = _application(request, application_id)
    require_perm(request, "members.manage_membership", MSG_NO_DECIDE)
    try:
        decided = decide(application)
    except PermissionDenied as denied:
        raise HttpError(403, str(denied) or MSG_NO_DECIDE) from None
    except ValidationError as invalid:
        if hasattr(invalid, "error_dict"):
            return Status(422, _field_errors("reason", "原因", invalid.messages))
        return Status(409, {"detail": " ".join(invalid.messages)})
    return _serialize(_application(request, decided.pk), request.user)


@router.post(
    "/joining/applications/{int:application_id}/approve",
    response={200: ApplicationOut, **errors(401, 403, 404, 409)},
    summary="批准当前步骤",
    description="入会申请：登记为会员（来源“网上入会”）；申请人已是其他工会会员时转为转会申请"
    "（`status` 为 converted，`converted_to_number` 为新申请编号）。转会申请：待转出时同意转出，"
    "待接收时接收转入。申请已办结返回 409；不是待办方或角色无权审核返回 403。",
)
def approve_application(request: HttpRequest, application_id: int):
    return _decide(
        request,
        application_id,
        lambda a: services.application_approve(actor=request.user, application=a),
    )


def _reason(request: HttpRequest) -> str:
    """The reason from a JSON body (or a form post); read after the scoping check, so that an
    outsider gets the same 404 whatever the body."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return ""
        reason = data.get("reason") if isinstance(data, dict) else ""
    else:
        try:
            reason = request.POST.get("reason")
        except MultiPartParserError:  # a multipart body without a boundary: no reason given
            return ""
    return reason if isinstance(reason, str) else ""


@router.post(
    "/joining/applications/{int:application_id}/reject",
    response={200: ApplicationOut, **errors(401, 403, 404, 409, 422)},
    summary="不予通过",
    description='不予通过当前步骤。请求体 `{"reason": "…"}`，`reason` 必填，申请人在查询页面'
    "可以看到。待接收的转会申请被退回时，接转凭证随之退回，会员恢复原会籍状态。",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": RejectIn.model_json_schema()}},
        }
    },
)
def reject_application(request: HttpRequest, application_id: int):
    return _decide(
        request,
        application_id,
        lambda a: services.application_reject(
            actor=request.user, application=a, reason=_reason(request)
        ),
    )
