"""The downloadable result of an import: every data row as the user typed it, with its outcome.

Sheet「导入结果」: 原行号 (the row number in the uploaded sheet), the file's own columns with the
original values as text (an ID number that Excel had turned into a number shows all its digits,
not 4.10481E+17), then 导入结果 (新增 / 更新 / 未导入) and 错误说明 (every message of the row,
each naming its column, joined with ；). Rejected rows are highlighted; the header is frozen and
filtered. Written in xlsxwriter's constant_memory mode: a million rows fit in bounded memory.
Sheet「汇总」: the counts, and the reconciliation rows in file = 新增 + 更新 + 未导入 (IMP-8).
"""

from __future__ import annotations

import datetime
import math
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import xlsxwriter

from ruhui.importing.export import (
    HEADER_FORMAT,
    MAX_SHEET_ROWS,
    TEXT_NUM_FORMAT,
    WORKBOOK_OPTIONS,
    safe_cell,
)

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
    workbook = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    header_format = workbook.add_format(HEADER_FORMAT)
    text = workbook.add_format({"num_format": TEXT_NUM_FORMAT})
    text_rejected = workbook.add_format({"num_format": TEXT_NUM_FORMAT, "bg_color": REJECTED_FILL})
    result_rejected = workbook.add_format(
        {
            "num_format": TEXT_NUM_FORMAT,
            "bg_color": REJECTED_FILL,
            "font_color": REJECTED_FONT,
            "bold": True,
        }
    )
    number_format = workbook.add_format({"num_format": "0"})
    number_rejected = workbook.add_format({"num_format": "0", "bg_color": REJECTED_FILL})

    titles = [ROW_HEADER, *(cell_text(h) for h in headers), RESULT_HEADER, MESSAGE_HEADER]
    width = len(headers)
    result_col, message_col = width + 1, width + 2
    counts: Counter[str] = Counter()
    sheet, row_index, written, sheet_number = None, 0, 0, 0

    def new_sheet():
        nonlocal sheet_number
        sheet_number += 1
        name = SHEET_NAME if sheet_number == 1 else f"{SHEET_NAME}({sheet_number})"
        ws = workbook.add_worksheet(name)
        ws.set_column(0, 0, 8)
        ws.set_column(1, width, 14, text)
        ws.set_column(result_col, result_col, 10, text)
        ws.set_column(message_col, message_col, 70, text)
        for col, title in enumerate(titles):
            ws.write_string(0, col, safe_cell(title), header_format)
        ws.freeze_panes(1, 1)
        return ws

    def close_sheet(ws, last_row: int) -> None:
        ws.autofilter(0, 0, max(last_row, 1), message_col)

    try:
        for number, cells, result, message in rows:
            if sheet is None or row_index >= max_sheet_rows:
                if sheet is not None:
                    close_sheet(sheet, row_index)
                sheet, row_index = new_sheet(), 0
            row_index += 1
            result = result or ""
            counts[result] += 1
            rejected = result.startswith(REJECTED)
            cell_format = text_rejected if rejected else text
            sheet.write_number(row_index, 0, number, number_rejected if rejected else number_format)
            for col in range(width):
                value = cell_text(cells[col]) if col < len(cells) else ""
                if value:
                    sheet.write_string(row_index, col + 1, safe_cell(value), cell_format)
                elif rejected:
                    sheet.write_blank(row_index, col + 1, None, cell_format)
            sheet.write_string(
                row_index, result_col, safe_cell(result), result_rejected if rejected else text
            )
            if message or rejected:
                sheet.write_string(row_index, message_col, safe_cell(message or ""), cell_format)
            written += 1
        if sheet is None:
            sheet = new_sheet()
        close_sheet(sheet, row_index)
        _write_summary(workbook, header_format, _summary_dict(summary), counts, written)
    finally:
        workbook.close()
    return written


def _write_summary(workbook, header_format, summary: dict, counts: Counter, written: int) -> None:
    ws = workbook.add_worksheet(SUMMARY_SHEET)
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 40)
    ws.write_string(0, 0, "项目", header_format)
    ws.write_string(0, 1, "数量", header_format)
    if not summary:
        summary = {
            "rows": written,
            "created": counts[CREATED],
            "updated": counts[UPDATED],
            "rejected": sum(n for result, n in counts.items() if result.startswith(REJECTED)),
        }
    keys = [k for k in SUMMARY_LABELS if k in summary]
    keys += [k for k in summary if k not in SUMMARY_LABELS and k not in SUMMARY_HIDDEN]
    row = 0
    for key in keys:
        row += 1
        ws.write_string(row, 0, safe_cell(SUMMARY_LABELS.get(key, str(key))))
        value = _summary_value(summary[key])
        if isinstance(value, str):
            ws.write_string(row, 1, safe_cell(value))
        else:
            ws.write_number(row, 1, value)
    if all(isinstance(summary.get(k), int) for k in ("rows", "created", "updated", "rejected")):
        total = summary["created"] + summary["updated"] + summary["rejected"]
        row += 1
        ws.write_string(row, 0, "核对：数据行 = 新增 + 更新 + 未导入")
        if total == summary["rows"]:
            ws.write_string(row, 1, f"一致（{summary['rows']} = {total}）")
        else:
            ws.write_string(row, 1, f"不一致：数据行 {summary['rows']}，三项合计 {total}")
    row += 1
    ws.write_string(row, 0, "本结果文件中的行")
    ws.write_number(row, 1, written)
