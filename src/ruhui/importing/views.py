"""Import and export pages: upload, progress, result, confirm; template download; exports."""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ruhui.audit.services import Action, audit_record
from ruhui.importing import jobs
from ruhui.importing.forms import ExportDecisionForm, ExportForm, ImportForm
from ruhui.importing.models import ExportJob, ImportJob, JobStatus
from ruhui.importing.retention import MSG_PURGED
from ruhui.jobs import progress
from ruhui.orgs.scoping import get_scoped_or_404, scoped
from ruhui.web.access import cadre_required, require_perm
from ruhui.web.forms import apply_validation_error

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MSG_APPROVED = _("已批准，导出已开始；文件只有申请人本人能下载。")
MSG_REJECTED = _("已驳回这项导出申请。")


@require_http_methods(["GET", "POST"])
@cadre_required
def import_upload(request):
    require_perm(request.user, "members.add_member")
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = jobs.import_job_create(
                actor=request.user,
                union=form.cleaned_data["union"],
                source=upload,
                original_name=upload.name,
                dry_run=True,
                update_existing=form.cleaned_data["update_existing"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return redirect("importing:job", import_pk=job.pk)
    recent = scoped(request.user, ImportJob).select_related("union", "created_by")[:20]
    return render(request, "importing/upload.html", {"form": form, "recent": recent})


@require_GET
@cadre_required
def import_job(request, import_pk: int):
    job = get_scoped_or_404(
        request.user, ImportJob.objects.select_related("union", "parent"), pk=import_pk
    )
    jobs.reap_stale_jobs(ImportJob.objects.filter(pk=job.pk))
    job.refresh_from_db()
    errors = Paginator(job.summary.get("errors", []), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "importing/job.html",
        {
            "job": job,
            "progress": progress.read("import", job.pk),
            "errors": errors,
            "can_confirm": job.dry_run
            and job.status == JobStatus.SUCCEEDED
            and job.files_purged_at is None
            and (job.summary.get("created", 0) + job.summary.get("updated", 0)) > 0
            and request.user.has_perm("members.add_member"),
        },
    )


@require_GET
@cadre_required
def import_job_status(request, import_pk: int):
    """Polled by the job page (every two seconds) until the job ends."""
    job = get_scoped_or_404(request.user, ImportJob, pk=import_pk)
    jobs.reap_stale_jobs(ImportJob.objects.filter(pk=job.pk))
    job.refresh_from_db()
    return JsonResponse(
        {
            "status": job.status,
            "label": job.get_status_display(),
            "progress": progress.read("import", job.pk) or {},
            "finished": job.is_finished,
        }
    )


@require_POST
@cadre_required
def import_job_confirm(request, import_pk: int):
    job = get_scoped_or_404(request.user, ImportJob, pk=import_pk)
    require_perm(request.user, "members.add_member")
    try:
        commit = jobs.import_job_confirm(actor=request.user, job=job)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("importing:job", import_pk=job.pk)
    return redirect("importing:job", import_pk=commit.pk)


@require_GET
@cadre_required
def import_job_report(request, import_pk: int):
    job = get_scoped_or_404(request.user, ImportJob, pk=import_pk)
    # The result file repeats the roster as typed, full ID numbers included: only the person
    # who uploaded it, or a role allowed to see personal data, may download it; each time is
    # audited like an export.
    if job.created_by_id != request.user.pk:
        require_perm(request.user, "members.reveal_personal_data")
    if job.files_purged_at is not None:
        raise Http404(MSG_PURGED)
    path = Path(job.report_path) if job.report_path else None
    if path is None or not path.exists():
        raise Http404("结果文件不存在。")
    audit_record(
        actor=request.user,
        action=Action.EXPORT,
        obj=job,
        object_repr=f"导入结果文件：{job.original_name}"[:200],
        changes={"下载": [None, "导入逐行结果（含原始证件号码）"]},
    )
    name = f"导入结果-{Path(job.original_name).stem}.xlsx"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type=XLSX)


@require_GET
@cadre_required
def import_template(request):
    from ruhui.importing.template import build_member_template
    from ruhui.orgs.selectors import organization_choices

    unions = [
        (u.code, u.name) for u in organization_choices(user=request.user, admitting_only=True)
    ]
    path = jobs.job_file(f"template-{request.user.pk}.xlsx")
    build_member_template(path, unions=unions)
    return FileResponse(
        path.open("rb"), as_attachment=True, filename="会员信息导入模板.xlsx", content_type=XLSX
    )


@require_http_methods(["GET", "POST"])
@cadre_required
def export_start(request):
    form = ExportForm(
        request.POST or None, user=request.user, initial={"union": request.user.organization}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = jobs.export_job_create(
                actor=request.user,
                union=data["union"],
                fmt=data["fmt"],
                full=data.get("full", False),
                reason=data.get("reason", ""),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return redirect("importing:export_job", export_pk=job.pk)
    recent = scoped(request.user, ExportJob).filter(created_by=request.user)
    context = {
        "form": form,
        "recent": recent.select_related("union", "decided_by")[:20],
        "awaiting": jobs.export_jobs_awaiting_approval(user=request.user)[:50],
        "approval_rows": settings.RUHUI_FULL_EXPORT_APPROVAL_ROWS,
    }
    return render(request, "importing/export.html", context)


@require_GET
@cadre_required
def export_job(request, export_pk: int):
    job = get_scoped_or_404(
        request.user,
        jobs.export_jobs_visible(user=request.user).select_related(
            "union", "created_by", "decided_by"
        ),
        pk=export_pk,
    )
    context = {
        "job": job,
        "own": job.created_by_id == request.user.pk,
        "can_decide": job.can_decide(request.user),
        "decision_form": ExportDecisionForm(),
        "approval_rows": settings.RUHUI_FULL_EXPORT_APPROVAL_ROWS,
    }
    return render(request, "importing/export_job.html", context)


@require_POST
@cadre_required
def export_decide(request, export_pk: int):
    """Approve or reject a full export waiting for approval (another admin of the jurisdiction)."""
    job = get_scoped_or_404(request.user, ExportJob.objects.select_related("union"), pk=export_pk)
    jobs.check_export_approver(actor=request.user, job=job)
    form = ExportDecisionForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            jobs.export_job_decide(
                actor=request.user, job=job, approve=approve, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, MSG_APPROVED if approve else MSG_REJECTED)
    else:
        for message in (m for errors in form.errors.values() for m in errors):
            messages.error(request, message)
    return redirect("importing:export_job", export_pk=job.pk)


@require_GET
@cadre_required
def export_download(request, export_pk: int):
    job = get_scoped_or_404(
        request.user, ExportJob.objects.filter(created_by=request.user), pk=export_pk
    )
    if job.files_purged_at is not None:
        raise Http404(MSG_PURGED)
    path = Path(job.file_path) if job.file_path else None
    if job.status != JobStatus.SUCCEEDED or path is None or not path.exists():
        raise Http404("导出文件不存在。")
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=f"会员名册-{job.union.code}.{job.fmt}"
    )
