"""The downloadable result of an import: every data row as the user typed it, with its outcome.

Sheet「导入结果」: 原行号 (the row number in the uploaded sheet), the file's own columns with the
original values as text (an ID number that Excel had turned into a number shows all its digits,
not 4.10481E+17), then 导入结果 (新增 / 更新 / 未导入) and 错误说明 (every message of the row,
each naming its column, joined with ；). Rejected rows are highlighted; the header is frozen and
filtered. Written by the streaming writer (`tabular.xlsxstream`, about ten times faster than
xlsxwriter per cell): a million rows fit in bounded memory.
Sheet「汇总」: the counts, and the reconciliation rows in file = 新增 + 更新 + 未导入 (IMP-8).
"""

from __future__ import annotations

import datetime
import math
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.conf import settings

from ruhui.tabular import xlsxstream
from ruhui.tabular.cells import HEADER_STYLE, MAX_SHEET_ROWS, TEXT_NUM_FORMAT, safe_cell

ROW_HEADER, RESULT_HEADER, MESSAGE_HEADER = "原行号", "导入结果", "错误说明"
CREATED, UPDATED, REJECTED = "新增", "更新", "未导入"
SHEET_NAME, SUMMARY_SHEET = "导入结果", "汇总"
MESSAGE_SEPARATOR = "；"

#: Summary keys (the importer's Summary.as_dict()) and their labels, in display order.
SUMMARY_LABELS = {
    "rows": "文件中的数据行",
    "created": "新增",
    "updated": "更新",
    "rejected": "未导入",
    "blank_rows": "跳过的空行",
    "notes_rows": "跳过的说明行（表格下方的备注、合计等）",
    "header_row": "表头所在行",
    "unknown_headers": "未识别的列（未导入）",
    "dry_run": "仅检查（未写入系统）",
}
#: Keys never shown (the per-row errors are the first sheet).
SUMMARY_HIDDEN = frozenset({"errors"})
REJECTED_FILL = "#FFC7CE"
REJECTED_FONT = "#9C0006"
#: The result workbook's cell styles.
STYLES = {
    "header": HEADER_STYLE,
    "text": {"num_format": TEXT_NUM_FORMAT},
    "text_rejected": {"num_format": TEXT_NUM_FORMAT, "fill": REJECTED_FILL},
    "result_rejected": {
        "num_format": TEXT_NUM_FORMAT,
        "fill": REJECTED_FILL,
        "font_color": REJECTED_FONT,
        "bold": True,
    },
    "number": {"num_format": "0"},
    "number_rejected": {"num_format": "0", "fill": REJECTED_FILL},
}


@dataclass
class Summary:
    """What an import did, as every importer reports it: rows = created + updated + rejected."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    blank_rows: int = 0
    notes_rows: int = 0
    header_row: int = 0
    unknown_headers: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    dry_run: bool = True

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "rejected": self.rejected,
            "blank_rows": self.blank_rows,
            "notes_rows": self.notes_rows,
            "header_row": self.header_row,
            "unknown_headers": self.unknown_headers,
            "dry_run": self.dry_run,
            "errors": self.errors,
        }

    @property
    def reconciles(self) -> bool:
        return self.rows == self.created + self.updated + self.rejected


def summary_capped(summary: dict) -> dict:
    """The summary as a job stores it: the first RUHUI_IMPORT_MAX_ERRORS_STORED error lines,
    and in ``errors_unlisted_rows`` how many rejected rows have none of theirs listed (the
    result workbook has every row), so a job row stays small however bad the file."""
    limit = settings.RUHUI_IMPORT_MAX_ERRORS_STORED
    errors = summary.get("errors") or []
    kept = errors[:limit]
    listed_rows = len({error["row"] for error in kept})
    return {
        **summary,
        "errors": kept,
        "errors_unlisted_rows": max(summary.get("rejected", 0) - listed_rows, 0),
    }


def cell_text(value) -> str:
    """A read cell as the user saw it: integral floats without '.0' or exponent (an 18-digit ID
    read as a number keeps all its digits), dates as yyyy-mm-dd, booleans as TRUE / FALSE."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.isoformat()
    return str(value)


def join_messages(errors: Iterable[tuple[str, str]]) -> str:
    """(column header, message) pairs as one 错误说明 text: 「证件号码：…；手机号码：…」. A message
    that already starts with its column's name is not prefixed twice."""
    parts = []
    for header, message in errors:
        if header and not message.startswith(header):
            parts.append(f"{header}：{message}")
        else:
            parts.append(message)
    return MESSAGE_SEPARATOR.join(parts)


def _summary_dict(summary) -> dict:
    if summary is None:
        return {}
    if isinstance(summary, Mapping):
        return dict(summary)
    if hasattr(summary, "as_dict"):
        return summary.as_dict()
    return dict(vars(summary))


def _summary_value(value):
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple | set | frozenset):
        return "、".join(cell_text(v) for v in value) or "无"
    if isinstance(value, int | float):
        return value
    return cell_text(value)


def build_error_report(
    path: str | os.PathLike,
    *,
    headers: Sequence[str],
    rows: Iterable[tuple[int, Sequence, str, str]],
    summary=None,
    max_sheet_rows: int = MAX_SHEET_ROWS,
) -> int:
    """Write the import result workbook; returns the number of data rows written.

    ``rows`` yields (row number in the file, the row's original cells, result, 错误说明) and is
    consumed once, streaming. ``summary`` (a dict, or an object with ``as_dict()`` such as the
    importer's Summary) is read only after ``rows`` is exhausted, so counts the importer learns
    at the end of its pass are included. Without a summary the counts come from the rows.
    """
    workbook = xlsxstream.Workbook(path, styles=STYLES)
    titles = [ROW_HEADER, *(cell_text(h) for h in headers), RESULT_HEADER, MESSAGE_HEADER]
    width = len(headers)
    result_col, message_col = width + 1, width + 2
    columns = [(0, 0, 8, None), (result_col, result_col, 10, "text")]
    columns += [(message_col, message_col, 70, "text")]
    if width:
        columns.insert(1, (1, width, 14, "text"))
    # One style list per kind of row: 原行号, the file's cells, 导入结果, 错误说明.
    accepted = ["number", *["text"] * width, "text", "text"]
    rejected_styles = ["number_rejected", *["text_rejected"] * width]
    rejected_styles += ["result_rejected", "text_rejected"]
    counts: Counter[str] = Counter()
    sheet, written, sheet_number = None, 0, 0

    def new_sheet():
        nonlocal sheet_number
        sheet_number += 1
        name = SHEET_NAME if sheet_number == 1 else f"{SHEET_NAME}({sheet_number})"
        ws = workbook.add_sheet(name, columns=columns, freeze=(1, 1))
        ws.write_row([safe_cell(t) for t in titles], "header")
        return ws

    try:
        for number, cells, result, message in rows:
            if sheet is None or sheet.rows > max_sheet_rows:
                if sheet is not None:
                    sheet.autofilter(last_column=message_col)
                sheet = new_sheet()
            result = result or ""
            counts[result] += 1
            rejected = result.startswith(REJECTED)
            values = [number]
            for col in range(width):
                values.append(safe_cell(cell_text(cells[col])) if col < len(cells) else "")
            values.append(safe_cell(result))
            values.append(safe_cell(message or ""))
            if rejected:
                sheet.write_row(values, rejected_styles, blanks=True)
            else:
                sheet.write_row(values, accepted)
            written += 1
        if sheet is None:
            sheet = new_sheet()
        sheet.autofilter(last_column=message_col)
        _write_summary(workbook, _summary_dict(summary), counts, written)
    finally:
        workbook.close()
    return written


def _write_summary(workbook, summary: dict, counts: Counter, written: int) -> None:
    ws = workbook.add_sheet(SUMMARY_SHEET, columns=[(0, 1, 40, None)])
    ws.write_row(["项目", "数量"], "header")
    if not summary:
        summary = {
            "rows": written,
            "created": counts[CREATED],
            "updated": counts[UPDATED],
            "rejected": sum(n for result, n in counts.items() if result.startswith(REJECTED)),
        }
    keys = [k for k in SUMMARY_LABELS if k in summary]
    keys += [k for k in summary if k not in SUMMARY_LABELS and k not in SUMMARY_HIDDEN]
    for key in keys:
        value = _summary_value(summary[key])
        ws.write_row([safe_cell(SUMMARY_LABELS.get(key, str(key))), safe_cell(value)])
    if all(isinstance(summary.get(k), int) for k in ("rows", "created", "updated", "rejected")):
        total = summary["created"] + summary["updated"] + summary["rejected"]
        if total == summary["rows"]:
            check = f"一致（{summary['rows']} = {total}）"
        else:
            check = f"不一致：数据行 {summary['rows']}，三项合计 {total}"
        ws.write_row(["核对：数据行 = 新增 + 更新 + 未导入", check])
    ws.write_row(["本结果文件中的行", written])
