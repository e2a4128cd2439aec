"""Enterprise import pages: the upload (its check, result and confirm are on the shared job
page, `jobs:detail`), the template downloads, and the worklist export (a job too).

A job belongs to the unit it imports into (or the worklist's unit); the job pages fetch it
through the user's jurisdiction, so a job outside it is the same 404 as a missing one.
Read-only roles may download the templates and export the worklist but not import (403)."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ruhui.enterprises import jobs
from ruhui.enterprises.export import build_template, county_choices
from ruhui.enterprises.forms import WorklistFilterForm
from ruhui.enterprises.importer import ENTERPRISE, KINDS
from ruhui.enterprises.models import Park
from ruhui.jobs.files import job_file
from ruhui.jobs.selectors import recent_jobs
from ruhui.jobs.services import job_start
from ruhui.orgs.forms import OrgChoiceField
from ruhui.orgs.scoping import NOT_FOUND, scoped
from ruhui.orgs.selectors import organization_choices
from ruhui.tabular.downloads import XLSX_TYPE
from ruhui.web.access import cadre_required, require_perm
from ruhui.web.forms import apply_validation_error

PERM = jobs.PERM


class EnterpriseImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("导入内容"),
        choices=list(KINDS.items()),
        widget=forms.RadioSelect,
        initial=ENTERPRISE,
    )
    unit = OrgChoiceField(
        label=_("责任单位"),
        queryset=None,
        help_text=_(
            "企业名单：新登记的企业由该单位负责排查。排查表：只在该单位负责或覆盖的企业中查找。"
        ),
    )
    file = forms.FileField(
        label=_("文件"),
        help_text=_("支持 .xlsx、.xls、.csv（UTF-8 或 GBK），表头上方可以有标题行。"),
    )
    update = forms.BooleanField(
        label=_("更新已登记的企业"),
        required=False,
        help_text=_("只对企业名单有效：已登记的企业按文件中填写的列更新，空单元格不清除已有内容。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = organization_choices(user=user)


def _download(path, filename: str) -> FileResponse:
    """Stream a generated file and remove it (the open handle keeps the data)."""
    handle = path.open("rb")
    path.unlink(missing_ok=True)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


@require_http_methods(["GET", "POST"])
@cadre_required
def upload(request):
    require_perm(request.user, PERM[ENTERPRISE])
    form = EnterpriseImportForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"unit": request.user.organization},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        require_perm(request.user, PERM[data["kind"]])
        upload_file = data["file"]
        try:
            job = job_start(
                actor=request.user,
                kind=jobs.IMPORT_KINDS[data["kind"]],
                organization=data["unit"],
                source=upload_file,
                original_name=upload_file.name,
                options={"update": bool(data["update"] and data["kind"] == ENTERPRISE)},
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return redirect("jobs:detail", job_pk=job.pk)
    recent = recent_jobs(user=request.user, kinds=list(jobs.IMPORT_KINDS.values()))[:20]
    return render(request, "enterprises/import/upload.html", {"form": form, "recent": recent})


@require_GET
@cadre_required
def template(request, kind: str):
    if kind not in KINDS:
        raise Http404(NOT_FOUND)
    user = request.user
    parks = sorted(set(scoped(user, Park).values_list("name", flat=True)))
    path = job_file(f"ent-template-{uuid.uuid4().hex}.xlsx")
    build_template(
        path, kind, counties=county_choices(user.organization.division_code), parks=parks
    )
    return _download(path, f"{KINDS[kind]}导入模板.xlsx")


@require_POST
@cadre_required
def worklist_export(request):
    """Start the export of the worklist as on its page (same filters; a unit outside the
    jurisdiction is ignored, as on the page); the file is made and audited by the job."""
    require_perm(request.user, jobs.PERM_WORKLIST)
    form = WorklistFilterForm(request.POST, user=request.user)
    filters = form.filters()
    job = job_start(
        actor=request.user,
        kind=jobs.WORKLIST_EXPORT,
        organization=filters["unit"] or request.user.organization,
        options=jobs.worklist_options(filters),
    )
    return redirect("jobs:detail", job_pk=job.pk)
