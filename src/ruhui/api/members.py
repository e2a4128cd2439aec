"""Member registry endpoints, scoped to the caller's jurisdiction like every page.

Reads go through ruhui.members.selectors, the one write (入会) through services.member_join, so
the API checks exactly what the pages check. The ID number and phone leave only masked
(`id_number_masked`, `phone_masked`) for every role: the API never decrypts them.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from ruhui.api.auth import require_perm
from ruhui.api.errors import Area, choices_text, field_errors
from ruhui.api.schemas import NO_NUL, MemberIn, MemberOut, MemberPage, choice, errors
from ruhui.core import divisions
from ruhui.members import codes, selectors, services
from ruhui.members.models import Member, MemberStatus
from ruhui.members.validation import LABELS
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import get_scoped_or_404, in_jurisdiction, scoped

router = Router(tags=["会员"])
PAGE_SIZE = 100

MSG_NO_VIEW = "您的账号没有查看会员的权限。"
MSG_NO_ADD = "您的账号没有登记会员的权限：请由本工会的录入员、审核员或管理员办理。"
MSG_UNION_REQUIRED = "请填写所在工会的组织代码，如 WG-KD。"
MSG_UNION_UNKNOWN = "工会代码「{code}」不存在，或不在您的管辖范围内：请核对组织代码。"
MSG_STATUS = "会籍状态「{value}」无效：请填写 held（在籍、保留、接转中）或 {choices}。"

#: Coded fields rendered as code + `<field>_label`.
CODED_FIELDS = (
    "id_type",
    "sex",
    "ethnicity",
    "political_status",
    "education",
    "technical_grade",
    "household_type",
    "employment_status",
    "employment_form",
    "group",
    "status",
    "collection_method",
    "verification_status",
    "provincial_status",
)
PLAIN_FIELDS = (
    "id",
    "member_number",
    "name",
    "id_number_masked",
    "id_county_unknown",
    "birth_date",
    "phone_masked",
    "household_division",
    "employer_name",
    "employer_uscc",
    "is_migrant_worker",
    "new_employment_form",
    "joined_on",
    "last_dues_paid_on",
    "provincial_entered_on",
    "source",
    "created_at",
    "updated_at",
)


STATUS_FILTER = ("held", *MemberStatus.values)
GROUP_FILTER = (*codes.EIGHT_GROUPS.codes, *codes.EIGHT_GROUPS.labels.values())


class MemberFilters(Schema):
    union: str = Field("", pattern=NO_NUL, description="工会的组织代码（含下级），如 WG-KD")
    q: str = Field("", pattern=NO_NUL, description="姓名、拼音首字母或会员号")
    group: choice(GROUP_FILTER, normalize=codes.EIGHT_GROUPS.code_for) = Field(
        None, description="八大群体代码或名称，如 02 或 快递员"
    )
    migrant: bool | None = None
    status: choice(STATUS_FILTER) = Field(None, description="会籍状态；held 为在籍、保留和接转中")
    joined_from: datetime.date | None = None
    joined_to: datetime.date | None = None
    page: int = Field(1, ge=1)


def _serialize(member: Member, user) -> dict:
    """One member as MemberOut; the origin union is named only when inside the jurisdiction."""
    row = {name: getattr(member, name) for name in PLAIN_FIELDS}
    for name in CODED_FIELDS:
        row[name] = getattr(member, name)
        row[f"{name}_label"] = str(getattr(member, f"get_{name}_display")()) if row[name] else ""
    origin = member.origin_union
    row |= {
        "household_division_name": divisions.full_name(member.household_division)
        if member.household_division
        else "",
        "union_id": member.union_id,
        "union_code": member.union.code,
        "union_name": member.union.name,
        "origin_union_code": origin.code
        if origin is not None and in_jurisdiction(user, origin)
        else None,
    }
    return row


FIELD_LABELS = LABELS | {
    "union": "所在工会",
    "status": "会籍状态",
    "migrant": "是否农民工",
    "joined_from": "入会日期（起）",
    "joined_to": "入会日期（止）",
    "member_id": "会员编号",
}


def _status_message(value: str) -> str:
    choices = choices_text(MemberStatus)
    return MSG_STATUS.format(value=value, choices=choices)


#: For the API's error handler: labels, and the messages for a value outside a declared list.
AREA = Area(
    FIELD_LABELS,
    {
        "status": _status_message,
        "group": lambda value: codes.EIGHT_GROUPS.invalid_message(value, field=LABELS["group"]),
    },
)


def _field_errors(errors: dict[str, list[str]]) -> dict:
    """The 422 body: one entry per message, naming the field and its Chinese label."""
    return field_errors(AREA.labels, errors)


def _scoped_union(user, code: str) -> Organization | None:
    return scoped(user, Organization).filter(code=code.strip()).first()


@router.get(
    "/members",
    response={200: MemberPage, **errors(401, 403, 404, 422)},
    summary="会员列表（本辖区）",
    description="按工会（含下级）、八大群体、是否农民工、会籍状态、入会日期和姓名（或拼音首字母、"
    "会员号）筛选；每页 100 条。`union` 为组织代码，不在管辖范围内时返回 404。"
    "`status` 取 held 时列出在籍、保留和接转中的会员。",
)
def list_members(request: HttpRequest, filters: MemberFilters = Query(...)):  # noqa: B008
    require_perm(request, "members.view_member", MSG_NO_VIEW)
    union = None
    if filters.union.strip():
        union = _scoped_union(request.user, filters.union)
        if union is None:
            return Status(404, {"detail": MSG_UNION_UNKNOWN.format(code=filters.union.strip())})
    qs = selectors.member_list(
        user=request.user,
        union=union,
        q=filters.q,
        group=filters.group or "",
        migrant="" if filters.migrant is None else ("1" if filters.migrant else "0"),
        status=filters.status or "",
        joined_from=filters.joined_from,
        joined_to=filters.joined_to,
    ).select_related("origin_union")
    page = Paginator(qs, PAGE_SIZE).get_page(filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [_serialize(m, request.user) for m in page],
    }


@router.get(
    "/members/{int:member_id}",
    response={200: MemberOut, **errors(401, 403, 404)},
    summary="会员详情",
)
def get_member(request: HttpRequest, member_id: int):
    require_perm(request, "members.view_member", MSG_NO_VIEW)
    member = get_scoped_or_404(
        request.user, Member.objects.select_related("union", "origin_union"), pk=member_id
    )
    return _serialize(member, request.user)


@router.post(
    "/members",
    response={201: MemberOut, **errors(401, 403, 409, 422)},
    summary="入会登记",
    description="在本辖区内的基层工会（或其分会、小组）登记一名会员，写入会籍变动（入会）和审计记录。"
    "校验失败返回 422，逐项给出字段和中文说明；此人已有会籍（一人一籍）返回 409。"
    "浏览器会话调用须带 CSRF 令牌；Bearer 令牌调用不需要。",
)
def create_member(request: HttpRequest, payload: MemberIn):
    require_perm(request, "members.add_member", MSG_NO_ADD)
    data = payload.model_dump()
    code = (data.pop("union") or "").strip()
    if not code:
        return Status(422, _field_errors({"union": [MSG_UNION_REQUIRED]}))
    union = _scoped_union(request.user, code)
    if union is None:
        return Status(422, _field_errors({"union": [MSG_UNION_UNKNOWN.format(code=code)]}))
    data = {k: v for k, v in data.items() if v is not None}
    try:
        member = services.member_join(actor=request.user, union=union, data=data, source="API")
    except services.MemberConflict as conflict:
        return Status(
            409, {"detail": " ".join(m for ms in conflict.message_dict.values() for m in ms)}
        )
    except PermissionDenied as denied:
        raise HttpError(403, str(denied) or MSG_NO_ADD) from None
    except ValidationError as invalid:
        if hasattr(invalid, "error_dict"):
            return Status(422, _field_errors(invalid.message_dict))
        # member_join's only non-field errors are about the union (inactive, does not admit).
        return Status(422, _field_errors({"union": invalid.messages}))
    member = Member.objects.select_related("union", "origin_union").get(pk=member.pk)
    return Status(201, _serialize(member, request.user))
