"""Read endpoints for 月报 (monthly and year-end reports), scoped like the pages: a report is
seen from its unit up, so a county sees its own, the city every one below it, a sibling county
none (404).

Read-only: opening, saving, 报送, 已阅 and 退回 are taken on the pages, through
ruhui.reports.services, where the guards and the event trail live. The list is one page of 100
with a fixed number of queries; the figures are those frozen at submission (none while a
draft: the page computes them live)."""

import datetime

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from ruhui.api.auth import require_perm
from ruhui.api.errors import Area, choices_text
from ruhui.api.schemas import NO_NUL, choice, errors
from ruhui.campaigns.models import Campaign
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import get_scoped_or_404, scoped
from ruhui.reports.choices import ReportKind, ReportStatus
from ruhui.reports.models import MONTH_RE, MonthlyReport

router = Router(tags=["月报"])
PAGE_SIZE = 100

MSG_NO_VIEW = "您的账号没有查看月报的权限。"
MSG_CAMPAIGN_UNKNOWN = (
    "集中行动「{slug}」不存在，或不在您的管辖范围内：请核对行动标识，如 pds-2019。"
)
MSG_UNIT_UNKNOWN = "组织代码「{code}」不存在，或不在您的管辖范围内：请核对组织代码，如 WG。"

AREA = Area(
    {
        "campaign": "集中行动",
        "unit": "报送单位",
        "month": "月份",
        "report_id": "月报编号",
        "bulletin_id": "通报编号",
    },
    {
        "status": lambda value: f"状态「{value}」无效：请填写 {choices_text(ReportStatus)}。",
        "kind": lambda value: f"报告类型「{value}」无效：请填写 {choices_text(ReportKind)}。",
    },
)


def _labels(choices):
    return choice(choices.values, normalize={str(label): v for v, label in choices.choices}.get)


class ReportFilters(Schema):
    campaign: str = Field("", pattern=NO_NUL, description="集中行动标识，如 pds-2019")
    unit: str = Field("", pattern=NO_NUL, description="报送单位的组织代码（含下级），如 WG")
    month: str = Field("", pattern=r"^$|" + MONTH_RE, description="月份，如 2019-06")
    kind: _labels(ReportKind) = Field(
        None, description="monthly（月报）或 year_end（年度专题报告）"
    )
    status: _labels(ReportStatus) = Field(
        None, description="状态代码或名称，如 submitted 或 已报送"
    )
    page: int = Field(1, ge=1)


class ReportOut(Schema):
    id: int
    campaign_slug: str
    campaign_name: str
    unit_id: int
    unit_code: str
    unit_name: str
    kind: str
    kind_label: str
    month: str = Field(description="月份（年度专题报告为当年 12 月）")
    status: str
    status_label: str
    submitted_at: datetime.datetime | None = Field(description="首次报送时间（据此判断按时或迟报）")
    figures_at: datetime.datetime | None = Field(description="报送时固定的统计数据的统计时间")
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ReportPage(Schema):
    count: int
    page: int
    pages: int
    items: list[ReportOut]


class EventOut(Schema):
    at: datetime.datetime
    actor_name: str
    from_status: str
    to_status: str
    opinion: str


class FileOut(Schema):
    name: str
    kind: str
    size: int
    uploaded_at: datetime.datetime


class ReportDetailOut(ReportOut):
    progress: str = Field(description="工作进展")
    experience: str = Field(description="典型经验和创新做法")
    problems: str = Field(description="存在问题")
    next_steps: str = Field(description="下月打算")
    figures: dict = Field(description="报送时固定的统计数据（草稿为空）")
    events: list[EventOut]
    files: list[FileOut]


def _reports(user):
    return scoped(user, MonthlyReport).select_related("campaign", "unit")


def _report(report: MonthlyReport) -> dict:
    return {
        "id": report.pk,
        "campaign_slug": report.campaign.slug,
        "campaign_name": report.campaign.name,
        "unit_id": report.unit_id,
        "unit_code": report.unit.code,
        "unit_name": report.unit.name,
        "kind": report.kind,
        "kind_label": str(report.get_kind_display()),
        "month": report.month,
        "status": report.status,
        "status_label": str(report.get_status_display()),
        "submitted_at": report.submitted_at,
        "figures_at": report.figures_at,
        "created_at": report.created_at,
        "updated_at": report.updated_at,
    }


@router.get(
    "/reports/monthly",
    response={200: ReportPage, **errors(401, 403, 404, 422)},
    summary="月报列表（本辖区）",
    description="各报送单位的月报和年度专题报告：本单位的，以及下级单位的；按集中行动、报送单位"
    "（组织代码，含下级）、月份、类型和状态筛选，每页 100 条。",
)
def list_reports(request: HttpRequest, filters: ReportFilters = Query(...)):  # noqa: B008
    require_perm(request, "reports.view_report", MSG_NO_VIEW)
    queryset = _reports(request.user)
    slug = filters.campaign.strip()
    if slug:
        campaign = scoped(request.user, Campaign).filter(slug=slug).first()
        if campaign is None:
            raise Http404(MSG_CAMPAIGN_UNKNOWN.format(slug=slug))
        queryset = queryset.filter(campaign=campaign)
    code = filters.unit.strip()
    if code:
        unit = scoped(request.user, Organization).filter(code=code).first()
        if unit is None:
            raise Http404(MSG_UNIT_UNKNOWN.format(code=code))
        queryset = queryset.filter(unit__path__startswith=unit.path)
    for name in ("month", "kind", "status"):
        if getattr(filters, name):
            queryset = queryset.filter(**{name: getattr(filters, name)})
    queryset = queryset.order_by(
        "campaign__starts_on", "campaign_id", "unit__path", "month", "kind"
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [_report(r) for r in page],
    }


@router.get(
    "/reports/monthly/{int:report_id}",
    response={200: ReportDetailOut, **errors(401, 403, 404)},
    summary="月报详情",
    description="报告内容（工作进展、典型经验和创新做法、存在问题、下月打算）、报送时固定的统计"
    "数据、办理经过和附件清单（附件在页面上下载）。",
)
def get_report(request: HttpRequest, report_id: int):
    require_perm(request, "reports.view_report", MSG_NO_VIEW)
    report = get_scoped_or_404(request.user, _reports(request.user), pk=report_id)
    return {
        **_report(report),
        "progress": report.progress,
        "experience": report.experience,
        "problems": report.problems,
        "next_steps": report.next_steps,
        "figures": report.figures,
        "events": [
            {
                "at": e.at,
                "actor_name": e.actor_name,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "opinion": e.opinion,
            }
            for e in report.events.all()
        ],
        "files": [
            {"name": f.original_name, "kind": f.kind, "size": f.size, "uploaded_at": f.uploaded_at}
            for f in report.attachments.all()
        ],
    }


# --- 通报 ---------------------------------------------------------------------------------------


class BulletinFileOut(Schema):
    kind: str = Field(description="docx、pdf、xlsx 或 png（图表）")
    name: str
    size: int
    sha256: str
    url: str = Field(description="下载地址（页面，需登录，范围与页面相同）")


class BulletinOut(Schema):
    id: int
    campaign_slug: str
    campaign_name: str
    cut_off: datetime.date = Field(description="数据截止日期（月末）")
    title: str
    number: str = Field(description="文号，如 平工组〔2019〕12号")
    version: int
    corrects_id: int | None = Field(description="更正的是哪一版（编号）")
    correction_reason: str
    status: str
    status_label: str
    published_at: datetime.datetime | None
    figures_at: datetime.datetime | None
    files: list[BulletinFileOut]


class BulletinDetailOut(BulletinOut):
    figures: dict = Field(description="截至截止日期的数据（发布后固定）")


class BulletinFilters(Schema):
    campaign: str = Field("", pattern=NO_NUL, description="集中行动标识，如 pds-2019")
    page: int = Field(1, ge=1)


class BulletinPage(Schema):
    count: int
    page: int
    pages: int
    items: list[BulletinOut]


def _bulletin(bulletin) -> dict:
    from django.urls import reverse

    slug = bulletin.campaign.slug
    return {
        "id": bulletin.pk,
        "campaign_slug": slug,
        "campaign_name": bulletin.campaign.name,
        "cut_off": bulletin.cut_off,
        "title": bulletin.title,
        "number": bulletin.number,
        "version": bulletin.version,
        "corrects_id": bulletin.corrects_id,
        "correction_reason": bulletin.correction_reason,
        "status": bulletin.status,
        "status_label": str(bulletin.get_status_display()),
        "published_at": bulletin.published_at,
        "figures_at": bulletin.figures_at,
        "files": [
            {
                "kind": kind,
                "name": item["name"],
                "size": item["size"],
                "sha256": item["sha256"],
                "url": reverse("reports:bulletin_file", args=[slug, bulletin.pk, kind]),
            }
            for kind, item in bulletin.files.items()
        ],
    }


@router.get(
    "/reports/bulletins",
    response={200: BulletinPage, **errors(401, 403, 404, 422)},
    summary="通报列表",
    description="集中行动的通报：组织单位看到全部版本（含草稿），行动中的其他单位只看到已发布和已更正的；"
    "可按集中行动筛选，每页 100 条。文件在页面上下载（附下载地址和 SHA-256）。",
)
def list_bulletins(request: HttpRequest, filters: BulletinFilters = Query(...)):  # noqa: B008
    from ruhui.reports.selectors import bulletins_of

    require_perm(request, "reports.view_report", MSG_NO_VIEW)
    queryset = bulletins_of(user=request.user)
    slug = filters.campaign.strip()
    if slug:
        campaign = scoped(request.user, Campaign).filter(slug=slug).first()
        if campaign is None:
            raise Http404(MSG_CAMPAIGN_UNKNOWN.format(slug=slug))
        queryset = queryset.filter(campaign=campaign)
    page = Paginator(queryset, PAGE_SIZE).get_page(filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [_bulletin(b) for b in page],
    }


@router.get(
    "/reports/bulletins/{int:bulletin_id}",
    response={200: BulletinDetailOut, **errors(401, 403, 404)},
    summary="通报详情",
    description="通报的元数据、截至截止日期的数据（发布后固定）和文件清单（下载地址、SHA-256）。",
)
def get_bulletin(request: HttpRequest, bulletin_id: int):
    from ruhui.reports.selectors import bulletins_of

    require_perm(request, "reports.view_report", MSG_NO_VIEW)
    bulletin = get_scoped_or_404(request.user, bulletins_of(user=request.user), pk=bulletin_id)
    return {**_bulletin(bulletin), "figures": bulletin.figures}
