"""Read endpoints for 典型经验, scoped like the pages: a case is seen from its unit up, so a
county sees its own cases and those below it, the city every case of its tree; a sibling county
sees none (404). Read-only: submitting, selecting, publishing and withdrawing are taken on the
pages, through ruhui.cases.services, where the guards and the event trail live. A list is one
page of 100 in a fixed number of queries."""

import datetime

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from ruhui.api.auth import require_perm
from ruhui.api.errors import Area, choices_text
from ruhui.api.schemas import NO_NUL, choice, errors
from ruhui.campaigns.models import Campaign
from ruhui.cases.models import Case, CaseEvent, CaseStatus
from ruhui.orgs.models import WorkerGroup
from ruhui.orgs.scoping import get_scoped_or_404, scoped

router = Router(tags=["典型经验"])
PAGE_SIZE = 100

MSG_NO_VIEW = "您的账号没有查看典型经验的权限。"
MSG_CAMPAIGN_UNKNOWN = (
    "集中行动「{slug}」不存在，或不在您的管辖范围内：请核对行动标识，如 pds-2019。"
)
MSG_STATUS = "状态「{value}」无效：请填写 {choices}。"

AREA = Area(
    {"campaign": "集中行动", "group": "八大群体", "case_id": "典型经验编号"},
    {"status": lambda value: MSG_STATUS.format(value=value, choices=choices_text(CaseStatus))},
)
_STATUS_LABELS = {str(label): value for value, label in CaseStatus.choices}


class CaseFilters(Schema):
    campaign: str = Field("", pattern=NO_NUL, description="集中行动标识，如 pds-2019")
    status: choice(CaseStatus.values, normalize=_STATUS_LABELS.get) = Field(
        None, description="状态代码或名称，如 published 或 已发布"
    )
    group: str = Field("", pattern=NO_NUL, description="八大群体代码，如 02（快递员）")
    page: int = Field(1, ge=1)


class CaseOut(Schema):
    id: int
    title: str
    unit_code: str
    unit_name: str
    campaign_slug: str | None
    groups: list[str] = Field(description="八大群体名称")
    status: str
    status_label: str
    slug: str | None = Field(description="发布编号；公开页面 /cases/<slug>/（仅已发布时可访问）")
    submitted_at: datetime.datetime
    published_at: datetime.datetime | None


class CasePage(Schema):
    count: int
    page: int
    pages: int
    items: list[CaseOut]


class CaseEventOut(Schema):
    at: datetime.datetime
    unit_name: str | None
    actor_name: str
    from_status: str
    to_status: str
    note: str


class CaseDetailOut(CaseOut):
    text: str
    photos: int = Field(description="照片张数")
    events: list[CaseEventOut]


def _cases(user):
    return (
        scoped(user, Case)
        .select_related("unit", "campaign")
        .prefetch_related(Prefetch("groups", queryset=WorkerGroup.objects.order_by("code")))
        .order_by("-submitted_at", "-pk")
    )


def _case(case: Case) -> dict:
    return {
        "id": case.pk,
        "title": case.title,
        "unit_code": case.unit.code,
        "unit_name": case.unit.name,
        "campaign_slug": case.campaign.slug if case.campaign_id else None,
        "groups": [g.name for g in case.groups.all()],
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "slug": case.slug,
        "submitted_at": case.submitted_at,
        "published_at": case.published_at,
    }


@router.get(
    "/cases",
    response={200: CasePage, **errors(401, 403, 404, 422)},
    summary="典型经验列表（本辖区）",
    description="本单位和下级单位报送的典型经验：按集中行动、状态、八大群体筛选，每页 100 条。",
)
def list_cases(request: HttpRequest, filters: CaseFilters = Query(...)):  # noqa: B008
    require_perm(request, "cases.view_case", MSG_NO_VIEW)
    queryset = _cases(request.user)
    slug = filters.campaign.strip()
    if slug:
        campaign = scoped(request.user, Campaign).filter(slug=slug).first()
        if campaign is None:
            raise Http404(MSG_CAMPAIGN_UNKNOWN.format(slug=slug))
        queryset = queryset.filter(campaign=campaign)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.group.strip():
        queryset = queryset.filter(groups__code=filters.group.strip())
    page = Paginator(queryset, PAGE_SIZE).get_page(filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [_case(c) for c in page],
    }


@router.get(
    "/cases/{int:case_id}",
    response={200: CaseDetailOut, **errors(401, 403, 404)},
    summary="典型经验详情",
    description="正文、照片张数和处理经过（报送、选用、修改、发布、撤下）。",
)
def get_case(request: HttpRequest, case_id: int):
    require_perm(request, "cases.view_case", MSG_NO_VIEW)
    case = get_scoped_or_404(request.user, _cases(request.user), pk=case_id)
    events = CaseEvent.objects.filter(case=case).select_related("actor_unit")
    return {
        **_case(case),
        "text": case.text,
        "photos": case.photos.count(),
        "events": [
            {
                "at": e.at,
                "unit_name": e.actor_unit.name if e.actor_unit_id else None,
                "actor_name": e.actor_name,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": e.note,
            }
            for e in events
        ],
    }
