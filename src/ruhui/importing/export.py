"""Member roster export (xlsx or csv), masked by default (PI-3, PI-4), formula-safe (IMP-9).

- `safe_cell` neutralises spreadsheet formula injection (OWASP CSV injection): a text cell that
  starts with = + - @ TAB or CR gets a leading apostrophe; numbers and dates are left alone.
- `member_export_rows` streams a (caller-scoped) Member queryset as rows in MEMBER_COLUMNS order.
- `write_member_xlsx` / `write_member_csv` write any such rows: the streaming xlsx writer
  (`tabular.xlsxstream`: bounded memory whatever the row count), csv as UTF-8 with a BOM.
- `export_members` checks the full-data permission and reason, writes the file and one audit
  event.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from ruhui.audit.services import Action, audit_record
from ruhui.core import crypto
from ruhui.importing.columns import BOOL, CODE, DATE, MEMBER_COLUMNS, NO, TEXT, YES, Column
from ruhui.members.services import ID_CONTEXT, PHONE_CONTEXT
from ruhui.tabular import xlsxstream
from ruhui.tabular.cells import (
    DATE_NUM_FORMAT,
    HEADER_STYLE,
    MAX_SHEET_ROWS,
    TEXT_NUM_FORMAT,
    safe_cell,
)

FORMATS = ("xlsx", "csv")
PERM_FULL = "members.reveal_personal_data"
MIN_REASON = 4
SHEET_NAME = "会员信息"
#: Data rows per worksheet: Excel's 1,048,576 rows less the header. Longer exports continue
#: on「会员信息(2)」and so on, each with the header row.
CHUNK_SIZE = 2000

MSG_FULL_DENIED = _(
    "您没有导出完整证件号码和手机号码的权限，请导出脱敏名册，或请审核员、管理员导出。"
)
MSG_REASON_REQUIRED = _(
    "导出完整证件号码和手机号码须填写导出事由（至少 4 个字），如“报送省总工会实名制数据库”。"
)
MSG_FORMAT = "不支持的导出格式：{fmt}（仅支持 xlsx、csv）。"

#: Column widths (characters) by field; others get DEFAULT_WIDTH.
WIDTHS = {
    "id_number": 21,
    "phone": 14,
    "employer_name": 28,
    "employer_uscc": 21,
    "union": 26,
    "union_code": 14,
    "member_number": 18,
    "education": 14,
    "political_status": 14,
    "technical_grade": 20,
}
DEFAULT_WIDTH = 12
#: Text columns whose values are (mostly) digits: Excel would turn them into numbers.
DIGIT_TEXT_FIELDS = frozenset(
    {"id_number", "phone", "household_division", "employer_uscc", "union_code", "member_number"}
)


# --- rows from the database --------------------------------------------------------------


def _decrypted(attribute: str, context: str) -> Callable:
    def get(member) -> str:
        token = getattr(member, attribute)
        return crypto.decrypt(token, context=context) if token else ""

    return get


def _getter(column: Column, *, full: bool) -> Callable:
    """How to read one column's display value off a Member."""
    field = column.field
    if field == "id_number":
        if full:
            return _decrypted("id_number_encrypted", ID_CONTEXT)
        return lambda m: m.id_number_masked
    if field == "phone":
        if full:
            return _decrypted("phone_encrypted", PHONE_CONTEXT)
        return lambda m: m.phone_masked
    if field == "union":
        return lambda m: m.union.name
    if field == "union_code":
        return lambda m: m.union.code
    if column.kind == CODE:
        labels = column.codeset.labels
        # An unknown code is shown as is rather than dropped.
        return lambda m: labels.get(getattr(m, field), getattr(m, field))
    if column.kind == BOOL:
        return lambda m: YES if getattr(m, field) else NO
    if column.kind == DATE:
        return lambda m: getattr(m, field)
    return lambda m: getattr(m, field) or ""


def member_export_rows(queryset, *, full: bool) -> Iterator[list]:
    """Rows in MEMBER_COLUMNS order from an already scoped Member queryset: code labels,
    dates as date objects, 是/否, and the ID number and phone masked unless ``full``."""
    getters = [_getter(column, full=full) for column in MEMBER_COLUMNS]
    for member in queryset.select_related("union").iterator(chunk_size=CHUNK_SIZE):
        yield [get(member) for get in getters]


# --- writers -------------------------------------------------------------------------------


def _sheet_names(base: str) -> Iterator[str]:
    yield base
    number = 2
    while True:
        yield f"{base}({number})"
        number += 1


def write_member_xlsx(
    path: str | os.PathLike,
    rows: Iterable[Sequence],
    *,
    columns: Sequence[Column] = MEMBER_COLUMNS,
    sheet_name: str = SHEET_NAME,
    max_sheet_rows: int = MAX_SHEET_ROWS,
) -> int:
    """Write rows (values in ``columns`` order) to an .xlsx in constant memory; returns the count.

    Text columns are formatted as text ('@') so a typed or edited ID number stays text; dates
    get a yyyy-mm-dd format; every text value passes through `safe_cell`. Past
    ``max_sheet_rows`` rows the export continues on「会员信息(2)」… with the header repeated.
    """
    workbook = xlsxstream.Workbook(
        path,
        styles={
            "header": HEADER_STYLE,
            "text": {"num_format": TEXT_NUM_FORMAT},
            "date": {"num_format": DATE_NUM_FORMAT},
        },
    )
    kinds = [column.kind for column in columns]
    # Every text column is text-formatted as a column, which covers newly typed cells; only the
    # columns whose values look like numbers carry the text format on each cell too (so an
    # edited ID number stays text when the file is imported again).
    text_styles = ["text" if column.field in DIGIT_TEXT_FIELDS else None for column in columns]
    widths = [
        (
            col,
            col,
            WIDTHS.get(column.field, DEFAULT_WIDTH),
            "date" if column.kind == DATE else "text",
        )
        for col, column in enumerate(columns)
    ]
    last_col = len(columns) - 1
    names = _sheet_names(sheet_name)
    sheet, count = None, 0

    def new_sheet():
        ws = workbook.add_sheet(next(names), columns=widths, freeze=(1, 1))
        ws.write_row([safe_cell(column.header) for column in columns], "header", height=30)
        return ws

    try:
        for row in rows:
            if sheet is None or sheet.rows > max_sheet_rows:
                if sheet is not None:
                    sheet.autofilter(last_column=last_col)
                sheet = new_sheet()
            values, styles = [], []
            for col, value in enumerate(row):
                style = None
                if value is None or value == "":
                    value = None
                elif isinstance(value, datetime.date):
                    style = "date"
                elif isinstance(value, bool):
                    value = YES if value else NO
                elif kinds[col] == TEXT or isinstance(value, str):
                    value, style = safe_cell(str(value)), text_styles[col]
                values.append(value)
                styles.append(style)
            sheet.write_row(values, styles)
            count += 1
        if sheet is None:
            sheet = new_sheet()
        sheet.autofilter(last_column=last_col)
    finally:
        workbook.close()
    return count


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return safe_cell(value)
    return str(value)


def write_member_csv(
    path: str | os.PathLike,
    rows: Iterable[Sequence],
    *,
    columns: Sequence[Column] = MEMBER_COLUMNS,
) -> int:
    """Write rows to a UTF-8 csv with a BOM (Excel then reads the Chinese correctly); dates as
    yyyy-mm-dd, text through `safe_cell`; returns the row count."""
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([safe_cell(column.header) for column in columns])
        for row in rows:
            writer.writerow([_csv_value(value) for value in row])
            count += 1
    return count


# --- the service ------------------------------------------------------------------------------


def _org_path(actor) -> str:
    organization = getattr(actor, "organization", None)
    return getattr(organization, "path", "") or ""


def check_full_export(*, actor, reason: str) -> None:
    """A full (unmasked) export needs the reveal permission and a reason of 4+ characters."""
    if not actor.has_perm(PERM_FULL):
        raise PermissionDenied(MSG_FULL_DENIED)
    if len((reason or "").strip()) < MIN_REASON:
        raise ValidationError({"reason": ValidationError(MSG_REASON_REQUIRED, code="reason")})


def export_members(
    *,
    actor,
    queryset,
    path: str | os.PathLike,
    fmt: str = "xlsx",
    full: bool = False,
    reason: str = "",
    approved_by=None,
) -> int:
    """Export a scoped member list to ``path``; masked unless ``full``, which needs the
    reveal permission and a stated reason. Writes exactly one audit event; returns the row count.
    ``approved_by`` (a large full export's approver) is named in that event.
    """
    if fmt not in FORMATS:
        raise ValueError(MSG_FORMAT.format(fmt=fmt))
    reason = (reason or "").strip()
    if full:
        check_full_export(actor=actor, reason=reason)
    writer = write_member_xlsx if fmt == "xlsx" else write_member_csv
    changes = {
        "格式": [None, fmt],
        "完整证件号码和手机号码": [None, YES if full else NO],
        "导出事由": [None, reason],
    }
    if approved_by is not None:
        changes["审批人"] = [None, approved_by.username]
    try:
        count = writer(path, member_export_rows(queryset, full=full))
    except Exception as error:
        # Leave no partial file with personal data behind, and record the attempt.
        with contextlib.suppress(OSError):
            Path(path).unlink()
        audit_record(
            actor=actor,
            action=Action.EXPORT,
            org_path=_org_path(actor),
            object_repr="会员名册",
            result="failed",
            changes=changes | {"错误": [None, type(error).__name__]},
        )
        raise
    audit_record(
        actor=actor,
        action=Action.EXPORT,
        org_path=_org_path(actor),
        object_repr="会员名册",
        changes={"导出行数": [None, count], **changes},
    )
    return count
