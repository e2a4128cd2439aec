"""The enterprise survey's background jobs, run by the shared job mechanism (`ruhui.jobs`):
the enterprise list import and the survey sheet import (each a check, then its confirmed
commit), and the worklist export. This module only says what the three kinds do; queuing,
running, confirming, reaping and the job page are the jobs app's.

An import job belongs to the unit it imports into (responsible unit / the unit whose
enterprises a survey sheet is matched in); a worklist export to the unit it was filtered by, or
the requester's own organization. The job page fetches every job through the user's
jurisdiction, so a job outside it is the same 404 as a missing one."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ruhui.enterprises.importer import ENTERPRISE, KINDS, SURVEY
from ruhui.jobs.kinds import JobKind, Outcome, RunContext
from ruhui.jobs.models import Job

ENTERPRISE_IMPORT = "enterprise_import"
SURVEY_IMPORT = "survey_import"
WORKLIST_EXPORT = "worklist_export"
#: The import form's choice (importer.ENTERPRISE / SURVEY) → its job kind.
IMPORT_KINDS = {ENTERPRISE: ENTERPRISE_IMPORT, SURVEY: SURVEY_IMPORT}
#: The role permission each import needs (jurisdiction is checked separately).
PERM = {ENTERPRISE: "enterprises.add_enterprise", SURVEY: "enterprises.add_survey"}
PERM_WORKLIST = "enterprises.view_enterprise"
WORKLIST_FILE = "建会工作清单.xlsx"
MSG_UNIT_GONE = _("所选责任单位已不存在，没有导出，请重新筛选后导出。")


# --- imports ---------------------------------------------------------------------------------


def _run_import(job: Job, context: RunContext) -> Outcome:
    """Check (dry run) or write an enterprise list or survey sheet into the job's unit."""
    from ruhui.enterprises.importer import import_enterprises, import_surveys

    preview: list = []
    common = {
        "actor": job.created_by,
        "dry_run": job.dry_run,
        "kind": job.file_kind,
        "original_name": job.original_name,
        "report_path": context.result_path,
        "preview": preview,
        "progress": context.progress,
    }
    if job.kind == SURVEY_IMPORT:
        summary = import_surveys(context.upload, unit=job.organization, **common)
    else:
        summary = import_enterprises(
            context.upload,
            responsible_unit=job.organization,
            update=bool(job.options.get("update")),
            **common,
        )
    return Outcome(
        summary=summary.as_dict() | {"preview": preview, "headers": summary.columns},
        rows=summary.rows,
        wrote_file=True,
    )


def _import_prompt(job: Job) -> str:
    summary = job.summary
    updated = f"、{summary['updated']} 行更新" if summary.get("updated") else ""
    return f"确认把 {summary.get('created', 0)} 行新增{updated}写入「{job.organization.name}」吗？"


def _describe_import(job: Job) -> str:
    text = f"责任单位：{job.organization.name}"
    if job.kind == ENTERPRISE_IMPORT and job.options.get("update"):
        text += " · 更新已登记的企业"
    return text


def _import_kind(key: str, file: str) -> JobKind:
    return JobKind(
        key=key,
        label=f"{KINDS[file]}导入",
        run=_run_import,
        permission=PERM[file],
        is_import=True,
        confirm_prompt=_import_prompt,
        result_name=lambda job: f"导入结果-{Path(job.original_name).stem}.xlsx",
        back=lambda job: ("导入企业名单和排查表", reverse("enterprise_import:upload")),
        describe=_describe_import,
    )


ENTERPRISE_IMPORT_KIND = _import_kind(ENTERPRISE_IMPORT, ENTERPRISE)
SURVEY_IMPORT_KIND = _import_kind(SURVEY_IMPORT, SURVEY)


# --- worklist export -------------------------------------------------------------------------


def worklist_options(filters: dict) -> dict:
    """The worklist filters (WorklistFilterForm.filters()) as a job keeps them (JSON)."""
    unit = filters.get("unit")
    return {"unit": unit.pk if unit else None, "overdue_first": bool(filters.get("overdue_first"))}


def worklist_filters(options: dict) -> dict:
    """The worklist filters again from a job's options."""
    from ruhui.orgs.models import Organization

    unit = None
    if options.get("unit"):
        unit = Organization.objects.filter(pk=options["unit"]).first()
        if unit is None:  # never widened to the whole jurisdiction
            raise ValidationError(MSG_UNIT_GONE)
    return {"unit": unit, "overdue_first": bool(options.get("overdue_first"))}


def _run_worklist(job: Job, context: RunContext) -> Outcome:
    """Write the worklist as its page shows it (same selector, same filters, the requester's
    jurisdiction) and audit the export."""
    from ruhui.enterprises import selectors
    from ruhui.enterprises.export import export_worklist

    actor = job.created_by
    filters = worklist_filters(job.options)
    queryset = selectors.worklist(user=actor, **filters)
    shown = {key: str(value) for key, value in filters.items() if value}
    rows = export_worklist(
        actor=actor,
        queryset=queryset,
        path=context.result_path,
        unit=filters["unit"],
        filters=shown,
    )
    return Outcome(summary={"exported": rows, "filters": shown}, rows=rows, wrote_file=True)


def _worklist_back(job: Job) -> tuple[str, str]:
    query = {}
    if job.options.get("unit"):
        query["unit"] = job.options["unit"]
    if job.options.get("overdue_first"):
        query["overdue_first"] = "on"
    url = reverse("enterprises:worklist")
    return "建会工作清单", f"{url}?{urlencode(query)}" if query else url


def _describe_worklist(job: Job) -> str:
    parts = ["未建会（含筹建中）的企业"]
    if job.options.get("unit"):
        parts.append(f"责任单位：{job.organization.name}")
    if job.options.get("overdue_first"):
        parts.append("逾期的排在前面")
    return " · ".join(parts)


WORKLIST_EXPORT_KIND = JobKind(
    key=WORKLIST_EXPORT,
    label="建会工作清单导出",
    run=_run_worklist,
    permission=PERM_WORKLIST,
    verb="导出",
    result_name=lambda job: WORKLIST_FILE,
    result_label="下载清单（xlsx）",
    # The file holds what the worklist page shows (enterprises, counts, next actions and the
    # cadre responsible): no ID or phone numbers, so anyone who may open the job may download
    # it. Its rows come from the requester's jurisdiction, which lies inside the job's unit's
    # subtree, the same subtree that decides who may open the job.
    back=_worklist_back,
    describe=_describe_worklist,
)

KINDS_TO_REGISTER = (ENTERPRISE_IMPORT_KIND, SURVEY_IMPORT_KIND, WORKLIST_EXPORT_KIND)
