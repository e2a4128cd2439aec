"""The documents of 项目清单+责任制: a plan as .xlsx and .docx, the campaign's consolidated list
as .xlsx, and the import of a plan's projects from a table (a job: check, confirm, commit).

Every view reaches its campaign and unit through the user's jurisdiction
(`campaigns.selectors.campaign_get` / `unit_get`, then `get_scoped_or_404` for the plan): a
unit outside it — a sibling county — is the same 404 as a missing one. Exports need
projects.view_plan; the import is the plan's own unit's, with projects.edit_plan, while the plan
is a draft or returned. Downloads are named in Chinese (RFC 5987) and never cached."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from ruhui.campaigns import selectors as campaign_selectors
from ruhui.jobs.selectors import recent_jobs
from ruhui.orgs.scoping import get_scoped_or_404, scoped
from ruhui.projects import documents
from ruhui.projects.choices import PLAN_EDITABLE
from ruhui.projects.jobs import PROJECT_IMPORT, project_import_start
from ruhui.projects.models import ActionPlan
from ruhui.web.access import cadre_required, require_perm

RECENT_UPLOADS = 5


class ProjectUploadForm(forms.Form):
    file = forms.FileField(
        label="项目清单表格",
        help_text=(
            "xlsx、xls 或 csv。表头与行动计划的两张表一致：序号、类型（或类别）、拟建工会名称（或项目名称）、"
            "地点、拟发展会员数、责任单位（或实施责任单位）、责任人、完成时间、实施时间、拟覆盖职工人数；"
            "“类型”一列写拟建企业工会等建会入会类型，或普惠服务等维护服务类别。"
        ),
        error_messages={"required": "请选择要导入的项目清单表格（xlsx、xls 或 csv）。"},
    )


def _campaign_unit(request, slug, unit_pk):
    campaign = campaign_selectors.campaign_get(user=request.user, slug=slug)
    unit = campaign_selectors.unit_get(user=request.user, campaign=campaign, pk=unit_pk)
    return campaign, unit


def _plan(request, campaign, unit) -> ActionPlan:
    return get_scoped_or_404(
        request.user,
        ActionPlan.objects.select_related("campaign__owner", "unit"),
        campaign=campaign,
        unit=unit,
    )


def _stamp() -> str:
    return timezone.localdate().strftime("%Y%m%d")


@cadre_required
@require_GET
def plan_xlsx(request, slug, unit_pk):
    campaign, unit = _campaign_unit(request, slug, unit_pk)
    require_perm(request.user, "projects.view_plan")
    plan = _plan(request, campaign, unit)
    name = f"{documents.plan_title(plan)}-{_stamp()}.xlsx"
    return documents.xlsx_download([plan], filename=name)


@cadre_required
@require_GET
def plan_docx(request, slug, unit_pk):
    campaign, unit = _campaign_unit(request, slug, unit_pk)
    require_perm(request.user, "projects.view_plan")
    plan = _plan(request, campaign, unit)
    return documents.docx_download(plan, filename=f"{documents.plan_title(plan)}.docx")


def consolidated_plans(user, campaign) -> list[ActionPlan]:
    """The plans a user's consolidated list holds: in the user's jurisdiction; another unit's
    plan only once submitted (a draft is its own unit's business until then)."""
    visible = scoped(user, ActionPlan).filter(
        Q(unit_id=user.organization_id) | ~Q(status__in=PLAN_EDITABLE)
    )
    return documents.consolidated_plans(campaign, visible)


@cadre_required
@require_GET
def consolidated_xlsx(request, slug):
    campaign = campaign_selectors.campaign_get(user=request.user, slug=slug)
    require_perm(request.user, "projects.view_plan")
    plans = consolidated_plans(request.user, campaign)
    name = f"{campaign.name}“项目清单+责任制”行动计划汇总表-{_stamp()}.xlsx"
    return documents.xlsx_download(plans, filename=name)


@cadre_required
@require_http_methods(["GET", "POST"])
def plan_import(request, slug, unit_pk):
    """The upload form (GET), and the upload (POST): its check runs as a job whose page shows
    the rows and saves them on 确认导入. A refused file stays on this page (422), not kept."""
    campaign, unit = _campaign_unit(request, slug, unit_pk)
    require_perm(request.user, "projects.edit_plan")
    plan = (
        scoped(request.user, ActionPlan)
        .select_related("campaign__owner", "unit")
        .filter(campaign=campaign, unit=unit)
        .first()
    )
    error = ""
    if request.user.organization_id != unit.pk:
        raise PermissionDenied(f"只有{unit.name}的工作人员可以导入本单位行动计划的项目。")
    if plan is not None and not plan.editable:
        from ruhui.projects import services

        error = str(services._plan_scope_error(plan).messages[0])
    form = ProjectUploadForm()
    status = 200
    if request.method == "POST" and not error:
        form = ProjectUploadForm(request.POST, request.FILES)
        if form.is_valid():
            from ruhui.projects import services

            try:
                if plan is None:
                    plan = services.plan_open(actor=request.user, campaign=campaign, unit=unit)
                job = project_import_start(
                    actor=request.user, plan=plan, upload=form.cleaned_data["file"]
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, messages in exc.message_dict.items():
                        for message in messages:
                            form.add_error(field if field in form.fields else None, message)
                else:
                    for message in exc.messages:
                        form.add_error(None, message)
            else:
                return redirect("jobs:detail", job_pk=job.pk)
        status = 422
    elif request.method == "POST":
        status = 422
    recent = recent_jobs(user=request.user, kinds=[PROJECT_IMPORT]).filter(organization=unit)
    recent = list(recent.order_by("-created_at")[:RECENT_UPLOADS])
    context = {
        "campaign": campaign,
        "unit": unit,
        "plan": plan,
        "form": form,
        "error": error,
        "recent": recent,
        "headers": (documents.BUILD_HEADERS, documents.SERVICE_HEADERS),
    }
    return render(request, "projects/plan_import.html", context, status=status)
