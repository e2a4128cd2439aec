"""The member roster's import and export pages: the upload (its check, result and confirm are
on the shared job page), the template download, the export request."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from ruhui.importing import jobs
from ruhui.importing.forms import ExportForm, ImportForm
from ruhui.jobs.files import job_file
from ruhui.jobs.selectors import jobs_awaiting_approval, recent_jobs
from ruhui.tabular.downloads import XLSX_TYPE
from ruhui.web.access import cadre_required, require_perm
from ruhui.web.forms import apply_validation_error


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
            return redirect("jobs:detail", job_pk=job.pk)
    recent = recent_jobs(user=request.user, kinds=[jobs.MEMBER_IMPORT])[:20]
    return render(request, "importing/upload.html", {"form": form, "recent": recent})


@require_GET
@cadre_required
def import_template(request):
    from ruhui.importing.template import build_member_template
    from ruhui.orgs.selectors import organization_choices

    unions = [
        (u.code, u.name) for u in organization_choices(user=request.user, admitting_only=True)
    ]
    path = job_file(f"template-{request.user.pk}.xlsx")
    build_member_template(path, unions=unions)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename="会员信息导入模板.xlsx",
        content_type=XLSX_TYPE,
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
            return redirect("jobs:detail", job_pk=job.pk)
    recent = recent_jobs(user=request.user, kinds=[jobs.MEMBER_EXPORT], own=True)
    awaiting = jobs_awaiting_approval(user=request.user).filter(kind=jobs.MEMBER_EXPORT)
    context = {
        "form": form,
        "recent": recent[:20],
        "awaiting": awaiting[:50],
        "approval_rows": settings.RUHUI_FULL_EXPORT_APPROVAL_ROWS,
    }
    return render(request, "importing/export.html", context)
