"""Import of the people an activity served (服务对象名单) from xlsx/xls/csv, by the shared import
machinery: the upload passes `tabular.files.check_upload`, the job (`ruhui.jobs`) runs a check
first and, confirmed on the job page, the commit; the per-row result workbook is
`tabular.report.build_error_report`.

Columns 姓名, 身份证号, 群体 (aliases below). Every row goes through the rules of
`ledger_services.recipient_add` (GB 11643 with the registry's message, a member matched by the
blind index, a non-member counted with nothing kept, a member listed once): a refused row is
未导入 with its Chinese message, the others are written, each in a savepoint — rows = created +
rejected. The result workbook and the job page's preview show the ID number and the name
masked: no ID number leaves in clear, not even the one the file held."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from ruhui.core.masking import mask_id_number, mask_name
from ruhui.jobs.kinds import JobKind, Outcome, RunContext, register
from ruhui.jobs.models import Job
from ruhui.jobs.services import job_start
from ruhui.positions import ledger_services
from ruhui.positions.models import ServiceActivity
from ruhui.tabular.files import FileRejected, check_upload
from ruhui.tabular.readers import read_table
from ruhui.tabular.report import (
    CREATED,
    REJECTED,
    Summary,
    build_error_report,
    cell_text,
    join_messages,
)

RECIPIENT_IMPORT = "recipient_import"
PERM = "positions.edit_activity"
PREVIEW_ROWS = 20
HEADER_ALIASES = {
    "姓名": "name",
    "名字": "name",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "公民身份号码": "id_number",
    "证件号码": "id_number",
    "群体": "group",
    "八大群体": "group",
    "职工群体": "group",
    "所属群体": "group",
}
LABELS = {"name": "姓名", "id_number": "身份证号", "group": "群体"}
MSG_ACTIVITY_GONE = "这条服务活动已不存在，没有写入任何数据。"
MSG_NO_ROWS = "文件中没有服务对象：请在表头（姓名、身份证号、群体）下逐行填写后再导入。"


def _activity_of(job: Job) -> ServiceActivity:
    activity = (
        ServiceActivity.objects.select_related("union").filter(pk=job.options.get("activity"))
    ).first()
    if activity is None:
        raise ValidationError(MSG_ACTIVITY_GONE)
    return activity


def recipient_import_start(*, actor, activity: ServiceActivity, upload) -> Job:
    """Keep a list of people served and queue its check for `activity` (a unit's cadre who may
    record services, in whose subtree the activity's union is)."""
    return job_start(
        actor=actor,
        kind=RECIPIENT_IMPORT,
        organization=activity.union,
        source=upload,
        original_name=upload.name,
        options={"activity": activity.pk},
    )


def _shown(cells: list, columns: list) -> list[str]:
    """The row's cells as the result shows them: ID numbers and names masked."""
    shown = []
    for (_index, _header, field), value in zip(columns, cells, strict=False):
        text = cell_text(value)
        if field == "id_number":
            text = mask_id_number(text)
        elif field == "name":
            text = mask_name(text)
        shown.append(text)
    return shown


def import_recipients(
    path,
    *,
    actor,
    activity: ServiceActivity,
    dry_run: bool,
    kind: str | None = None,
    original_name: str | None = None,
    report_path=None,
    preview: list | None = None,
    progress=None,
) -> Summary:
    """Check (writes nothing) or commit a list of people served; every row ends 新增 or 未导入."""
    path = Path(path)
    file_kind = kind or check_upload(path, original_name or path.name)
    summary = Summary(dry_run=dry_run)
    table = read_table(path, file_kind, header_aliases=HEADER_ALIASES, key_fields=("id_number",))
    summary.header_row = table.header_row
    summary.unknown_headers = list(table.unknown_headers)
    columns = table.columns
    headers = {field: header for _i, header, field in columns if field}
    results: list[tuple[int, list, str, str]] = []
    members, seen = 0, set()
    with transaction.atomic():
        for row in table.rows:
            summary.rows += 1
            cells = table.cells_by_field(row)
            values = (
                cell_text(cells.get("id_number")),
                cell_text(cells.get("name")),
                cell_text(cells.get("group")),
            )
            before = len(seen)
            errors = ledger_services.recipient_row(
                actor=actor, activity=activity, row=values, seen=seen, write=not dry_run
            )
            shown = _shown(row.cells, columns)
            if errors:
                summary.rejected += 1
                named = [
                    (headers.get(field, LABELS.get(field, field)), message)
                    for field, messages in errors.items()
                    for message in messages
                ]
                for header, message in named:
                    summary.errors.append({"row": row.number, "field": header, "message": message})
                results.append((row.number, shown, REJECTED, join_messages(named)))
            else:
                summary.created += 1
                members += len(seen) - before
                results.append((row.number, shown, CREATED, ""))
            if preview is not None and len(preview) < PREVIEW_ROWS:
                preview.append(list(results[-1]))
            if progress and summary.rows % 100 == 0:
                progress(summary.rows)
        summary.blank_rows = table.skipped_blank
        summary.notes_rows = len(table.notes_rows)
        if not summary.rows:
            raise FileRejected(MSG_NO_ROWS, "no_rows")
        if not dry_run and summary.created:
            ledger_services.recipients_imported(
                actor=actor, activity=activity, added=summary.created, members=members
            )
    summary.columns = [header for _i, header, _f in columns]
    if report_path:
        build_error_report(
            report_path, headers=summary.columns, rows=iter(results), summary=summary
        )
    return summary


def _run(job: Job, context: RunContext) -> Outcome:
    activity = _activity_of(job)
    preview: list = []
    summary = import_recipients(
        context.upload,
        actor=job.created_by,
        activity=activity,
        dry_run=job.dry_run,
        kind=job.file_kind,
        original_name=job.original_name,
        report_path=context.result_path,
        preview=preview,
        progress=context.progress,
    )
    data = summary.as_dict() | {
        "preview": preview,
        "headers": summary.columns,
        "activity": activity.pk,
        "activity_title": str(activity),
    }
    return Outcome(summary=data, rows=summary.rows, wrote_file=True)


def _prompt(job: Job) -> str:
    return (
        f"确认把 {job.summary.get('created', 0)} 名服务对象写入「{job.summary.get('activity_title', '')}」吗？"
        f"未通过检查的 {job.summary.get('rejected', 0)} 行不会写入。"
    )


def _back(job: Job) -> tuple[str, str]:
    pk = job.options.get("activity")
    if pk and ServiceActivity.objects.filter(pk=pk).exists():
        return "服务活动", reverse("positions:activity", args=[pk])
    return "服务台账", reverse("positions:activities")


RECIPIENT_IMPORT_KIND = JobKind(
    key=RECIPIENT_IMPORT,
    label="服务对象导入",
    run=_run,
    permission=PERM,
    is_import=True,
    confirm_prompt=_prompt,
    result_name=lambda job: f"导入结果-{Path(job.original_name).stem}.xlsx",
    back=_back,
    describe=lambda job: job.summary.get("activity_title", "") or "服务对象名单",
)

#: Registered when the app is ready (PositionsConfig.ready imports this module).
register(RECIPIENT_IMPORT_KIND)
