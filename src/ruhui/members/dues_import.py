"""Importing a 会费缴纳表 through the shared job mechanism (`ruhui.jobs`): a sheet of members
(by 会员号, optionally with 姓名 to cross-check) and the date each paid, checked first, then
confirmed on the job page. What is recorded is what 记录会费 on the member pages records
(`services.dues_record_many`, one call per date): the last dues date only moves forward, no
membership event, one audit row per date.

A row is recorded (counted as 更新) when its member lies in the job's unit's subtree (which the
job's requester may see), holds the membership (在籍, 保留, 接转中), joined on or before the
date, which is not in the future, and has no dues recorded on that date or later; any other
row is not imported and says why, naming its column."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ruhui.jobs.kinds import JobKind, Outcome, RunContext
from ruhui.jobs.models import Job
from ruhui.jobs.services import job_start
from ruhui.members.models import Member
from ruhui.members.services import dues_record_many
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import scoped
from ruhui.tabular.cleaning import CellError, clean_date_cell, clean_text
from ruhui.tabular.files import FileRejected
from ruhui.tabular.readers import read_table
from ruhui.tabular.report import REJECTED, UPDATED, Summary, build_error_report, cell_text

DUES_IMPORT = "dues_import"
PERM = "members.change_member"
NUMBER, NAME, PAID_ON = "member_number", "name", "paid_on"
LABELS = {NUMBER: "会员号", NAME: "姓名", PAID_ON: "缴纳会费日期"}
#: Header texts → field (normalised by the reader: spaces, full-width forms, case).
HEADERS = {
    "会员号": NUMBER,
    "会员编号": NUMBER,
    "会员证号": NUMBER,
    "姓名": NAME,
    "会员姓名": NAME,
    "缴纳会费日期": PAID_ON,
    "会费缴纳日期": PAID_ON,
    "缴费日期": PAID_ON,
    "最近缴纳会费日期": PAID_ON,
    "最近缴费日期": PAID_ON,
}
#: Rows kept for the job page (the result workbook has them all).
PREVIEW_ROWS = 200
#: Member numbers looked up per query.
CHUNK = 2000

MSG_MISSING_COLUMNS = (
    "文件中没有「{columns}」列：请在表头写明会员号和缴纳会费日期（可另加姓名列用于核对）。"
)
MSG_NUMBER_EMPTY = "会员号未填写。"
MSG_NOT_FOUND = "会员号「{number}」不在「{unit}」及其下级工会的会员名册中，请核对。"
MSG_NAME = "姓名「{name}」与会员号「{number}」的会员不符，请核对。"
MSG_ENDED = "会员号「{number}」的会员已{status}，不能记录会费。"
MSG_DATE_EMPTY = "缴纳会费日期未填写。"
MSG_DATE_FUTURE = "缴纳会费日期不能晚于今天（{today}），请核对。"
MSG_BEFORE_JOIN = "缴纳会费日期 {date} 早于该会员的入会日期 {joined}，请核对。"
MSG_ALREADY = "缴纳会费日期：该会员已有 {date} 的缴费记录（同日或更晚），保持不变。"
MSG_LATER_ROW = "缴纳会费日期：同一会员在第 {row} 行有更晚的缴费日期，以该行为准。"


@dataclass
class _Row:
    number: int
    cells: list
    member_number: str = ""
    name: str = ""
    paid_on: datetime.date | None = None
    member: Member | None = None
    #: (column, message) pairs; the message names its column.
    errors: list[tuple[str, str]] = field(default_factory=list)

    def refuse(self, column: str, message: str) -> None:
        self.errors.append((LABELS[column], message))


@dataclass
class DuesImport:
    """What one run found: the counts (as every import reports them), the file's header texts
    and the first rows as the job page shows them."""

    summary: Summary
    headers: list[str]
    preview: list


def dues_import_start(*, actor, union: Organization, source, original_name: str) -> Job:
    """Check a 会费缴纳表 for the members of a unit's subtree (refused at once if hostile)."""
    return job_start(
        actor=actor,
        kind=DUES_IMPORT,
        organization=union,
        source=source,
        original_name=original_name,
    )


def import_dues(
    *,
    actor,
    unit: Organization,
    path: Path,
    kind: str,
    dry_run: bool,
    report_path: Path | None = None,
    progress=None,
) -> DuesImport:
    """Check (dry run) or record a sheet's dues for the members of a unit's subtree."""
    table = read_table(path, kind, header_aliases=HEADERS, key_fields=(NUMBER,))
    missing = [LABELS[f] for f in (NUMBER, PAID_ON) if f not in table.fields]
    if missing:
        raise FileRejected(MSG_MISSING_COLUMNS.format(columns="」「".join(missing)), "columns")
    rows = [_prepare(table.cells_by_field(row), row) for row in table.rows]
    _lookup(actor, unit, rows)
    _decide(rows, unit)
    accepted = [r for r in rows if not r.errors]
    summary = Summary(
        rows=len(rows),
        updated=len(accepted),
        rejected=len(rows) - len(accepted),
        header_row=table.header_row,
        unknown_headers=list(table.unknown_headers),
        blank_rows=table.skipped_blank,
        notes_rows=len(table.notes_rows),
        dry_run=dry_run,
        errors=[
            {"row": r.number, "field": column, "message": message}
            for r in rows
            for column, message in r.errors
        ],
    )
    if not dry_run and accepted:
        by_date = defaultdict(list)
        for row in accepted:
            by_date[row.paid_on].append(row.member.pk)
        with transaction.atomic():  # all dates or none
            for paid_on, ids in sorted(by_date.items()):
                dues_record_many(actor=actor, members=ids, paid_on=paid_on)
    if progress is not None:
        progress(len(rows), len(rows))
    results = [
        (r.number, r.cells, REJECTED if r.errors else UPDATED, "；".join(m for _c, m in r.errors))
        for r in rows
    ]
    headers = [h for _i, h, _f in table.columns]
    if report_path is not None:
        build_error_report(report_path, headers=headers, rows=iter(results), summary=summary)
    preview = [
        [number, [cell_text(c) for c in cells], result, message]
        for number, cells, result, message in results[:PREVIEW_ROWS]
    ]
    return DuesImport(summary=summary, headers=headers, preview=preview)


def _prepare(cells: dict, row) -> _Row:
    """Clean a row's cells (no database)."""
    prepared = _Row(number=row.number, cells=row.cells)
    prepared.member_number = clean_text(cells.get(NUMBER)).replace(" ", "")
    prepared.name = clean_text(cells.get(NAME)) if NAME in cells else ""
    if not prepared.member_number:
        prepared.refuse(NUMBER, MSG_NUMBER_EMPTY)
    try:
        prepared.paid_on = clean_date_cell(cells.get(PAID_ON))
    except CellError as exc:
        prepared.refuse(PAID_ON, exc.message_for(LABELS[PAID_ON]))
        return prepared
    today = timezone.localdate()
    if prepared.paid_on is None:
        prepared.refuse(PAID_ON, MSG_DATE_EMPTY)
    elif prepared.paid_on > today:
        prepared.refuse(PAID_ON, MSG_DATE_FUTURE.format(today=today.isoformat()))
    return prepared


def _lookup(actor, unit: Organization, rows: list[_Row]) -> None:
    """Find each row's member in the unit's subtree, as the requester may see it."""
    numbers = sorted({r.member_number for r in rows if r.member_number})
    members = scoped(actor, Member).filter(union__path__startswith=unit.path)
    found: dict[str, Member] = {}
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start : start + CHUNK]
        found.update({m.member_number: m for m in members.filter(member_number__in=chunk)})
    for row in rows:
        row.member = found.get(row.member_number)


def _decide(rows: list[_Row], unit: Organization) -> None:
    """Each row's outcome; a member listed twice is recorded once, at the later date."""
    latest: dict[int, _Row] = {}
    for row in rows:
        member = row.member
        if member is None:
            if row.member_number:
                row.refuse(NUMBER, MSG_NOT_FOUND.format(number=row.member_number, unit=unit.name))
            continue
        if row.name and row.name != member.name:
            row.refuse(NAME, MSG_NAME.format(name=row.name, number=row.member_number))
        if not member.is_held:
            status = member.get_status_display().removeprefix("已")
            row.refuse(NUMBER, MSG_ENDED.format(number=row.member_number, status=status))
        if row.errors:
            continue
        if member.joined_on > row.paid_on:
            joined = member.joined_on.isoformat()
            row.refuse(PAID_ON, MSG_BEFORE_JOIN.format(date=row.paid_on.isoformat(), joined=joined))
        elif member.last_dues_paid_on and member.last_dues_paid_on >= row.paid_on:
            row.refuse(PAID_ON, MSG_ALREADY.format(date=member.last_dues_paid_on.isoformat()))
        elif member.pk not in latest or latest[member.pk].paid_on < row.paid_on:
            latest[member.pk] = row
    for row in rows:
        if not row.errors and latest[row.member.pk] is not row:
            row.refuse(PAID_ON, MSG_LATER_ROW.format(row=latest[row.member.pk].number))


def _run(job: Job, context: RunContext) -> Outcome:
    result = import_dues(
        actor=job.created_by,
        unit=job.organization,
        path=context.upload,
        kind=job.file_kind,
        dry_run=job.dry_run,
        report_path=context.result_path,
        progress=context.progress,
    )
    summary = result.summary
    return Outcome(
        summary=summary.as_dict() | {"preview": result.preview, "headers": result.headers},
        rows=summary.rows,
        wrote_file=True,
    )


def _prompt(job: Job) -> str:
    count = job.summary.get("updated", 0)
    return f"确认为「{job.organization.name}」的 {count} 名会员记录会费吗？"


DUES_IMPORT_KIND = JobKind(
    key=DUES_IMPORT,
    label="会费缴纳表导入",
    run=_run,
    permission=PERM,
    is_import=True,
    confirm_prompt=_prompt,
    result_name=lambda job: f"导入结果-{Path(job.original_name).stem}.xlsx",
    back=lambda job: ("导入会费缴纳表", reverse("members:dues_import")),
    describe=lambda job: f"会员范围：{job.organization.name}及其下级工会",
)
