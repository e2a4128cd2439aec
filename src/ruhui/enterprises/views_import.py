"""Enterprise import pages: upload → dry run result → confirm; templates; worklist export.

Every run is fetched through the unit it imports into (`get_scoped_or_404`), so a run outside
the jurisdiction is the same 404 as a missing one. Read-only roles may download the templates
and the worklist but not import (403)."""

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ruhui.enterprises import selectors, tasks
from ruhui.enterprises.export import build_template, county_choices, export_worklist
from ruhui.enterprises.forms import WorklistFilterForm
from ruhui.enterprises.importer import ENTERPRISE, KINDS, SURVEY
from ruhui.enterprises.models import Park
from ruhui.jobs.files import job_dir, job_file
from ruhui.orgs.forms import OrgChoiceField
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import NOT_FOUND, get_scoped_or_404, scoped
from ruhui.orgs.selectors import organization_choices
from ruhui.web.access import cadre_required, require_perm
from ruhui.web.forms import apply_validation_error

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERM = {ENTERPRISE: "enterprises.add_enterprise", SURVEY: "enterprises.add_survey"}
MSG_REPORT_MISSING = _("结果文件不存在（可能已按保存期限清除）。")


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


def _run_or_404(user, run_id: str) -> tuple[tasks.Run, Organization]:
    run = tasks.run_get(run_id)
    if run is None:
        raise Http404(NOT_FOUND)
    unit = get_scoped_or_404(user, Organization, pk=run.unit_id)
    return tasks.run_reap(run), unit


def _download(path, filename: str) -> FileResponse:
    """Stream a generated file and remove it (the open handle keeps the data)."""
    handle = path.open("rb")
    path.unlink(missing_ok=True)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)


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
            run = tasks.run_create(
                actor=request.user,
                kind=data["kind"],
                unit=data["unit"],
                source=upload_file,
                original_name=upload_file.name,
                update=data["update"] and data["kind"] == ENTERPRISE,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return redirect("enterprise_import:run", run_id=run.id)
    return render(request, "enterprises/import/upload.html", {"form": form})


@require_GET
@cadre_required
def run_detail(request, run_id: str):
    run, unit = _run_or_404(request.user, run_id)
    parent = tasks.run_get(run.parent) if run.parent else None
    return render(
        request,
        "enterprises/import/run.html",
        {
            "run": run,
            "unit": unit,
            "parent": parent,
            "kind_label": KINDS.get(run.kind, ""),
            "errors": run.summary.get("errors", [])[:200],
            "can_confirm": run.can_confirm and request.user.has_perm(PERM[run.kind]),
        },
    )


@require_POST
@cadre_required
def confirm(request, run_id: str):
    run, _unit = _run_or_404(request.user, run_id)
    require_perm(request.user, PERM[run.kind])
    try:
        commit = tasks.run_confirm(actor=request.user, run=run)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("enterprise_import:run", run_id=run.id)
    return redirect("enterprise_import:run", run_id=commit.id)


@require_GET
@cadre_required
def report(request, run_id: str):
    run, _unit = _run_or_404(request.user, run_id)
    path = job_dir() / f"ent-report-{run.id}.xlsx"
    if not run.report_path or not path.exists():
        raise Http404(MSG_REPORT_MISSING)
    stem = run.original_name.rsplit(".", 1)[0]
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=f"导入结果-{stem}.xlsx", content_type=XLSX
    )


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


@require_GET
@cadre_required
def worklist_export(request):
    """The worklist as on its page (same filters), audited."""
    form = WorklistFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    queryset = selectors.worklist(user=request.user, **filters)
    path = job_file(f"ent-worklist-{uuid.uuid4().hex}.xlsx")
    shown = {k: str(v) for k, v in filters.items() if v}
    export_worklist(
        actor=request.user, queryset=queryset, path=path, unit=filters.get("unit"), filters=shown
    )
    return _download(path, "建会工作清单.xlsx")
