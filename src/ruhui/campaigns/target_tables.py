"""Task-decomposition tables (任务分解表) read from a file (issue 7 item 3); `target_import`
stores what is read here as a unit's decomposition.

Files: .xlsx/.xls (the first visible sheet with a header), .csv (UTF-8, UTF-8 with BOM or
GB18030; comma, tab or semicolon) and .txt: a Word table copied as text (each cell on a line
that starts with a TAB, continued on the lines after it, rows apart by blank lines; the 2015
plan's table) or plain tab-separated lines. Row numbers are the spreadsheet's (for text files
the line on which the row starts).

The header is the first of the first 30 rows with a unit column (单位名称, 单位, 县(市、区) …)
and a baseline (…会员数, 基数, 2018年末会员数 …) or target column (新增任务, 任务数, 目标 …);
备注 is optional and title rows above it are skipped. Blank rows are skipped; the row whose
first cell is 合计/总计 (「合 计」 too) holds the declared totals; after it, rows without numbers
(notes) are ignored. A number cell that cannot be read is a row error; such a row is not
imported and its unit keeps what was stored (so does a 合计 figure that cannot be read).
"""

import csv
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ruhui.tabular.files import (
    MSG_CORRUPT,
    MSG_EMPTY,
    MSG_ENCRYPTED,
    FileRejected,
    check_upload,
    csv_encoding,
    extension_of,
)
from ruhui.tabular.readers import sniff_delimiter

MSG_NOT_INTEGER = "第 {row} 行「{column}」不是整数：{value}"
MSG_NEGATIVE = "第 {row} 行「{column}」不能是负数：{value}"
MSG_TOO_LARGE = "第 {row} 行「{column}」数字过大：{value}"
MSG_NO_NAME = "第 {row} 行有数字，但没有填写单位名称。"
MSG_SECOND_TOTAL = "第 {row} 行又是一个合计行，只取第 {first} 行的合计。"
MSG_DUPLICATE = "第 {row} 行「{name}」与第 {first} 行是同一个单位（{unit}），只导入第 {first} 行。"
MSG_EXTENSION = (
    "不支持{ext}文件：任务分解表只能从 .xlsx、.xls、.csv 或 .txt（从 Word 复制的表格）文件导入。"
)
MSG_TEXT_TOO_LARGE = "文本文件超过 {limit} MB，不像任务分解表：请确认选择了正确的文件。"
MSG_TEXT_ENCODING = (
    "文本文件的文字编码无法识别（应为 UTF-8 或 GBK/GB18030）：请在记事本或 WPS 中"
    "「另存为」UTF-8 编码的文本文件后再导入。"
)
MSG_TOO_MANY_ROWS = "表格超过 {rows} 行，不像任务分解表：请确认选择了正确的文件。"
MSG_NO_HEADER = (
    "前 {rows} 行中找不到表头：任务分解表要有一列单位名称（如「单位名称」），以及基数列"
    "（如「2014年底农民工会员数（人）」）或任务列（如「2015新增任务数（人）」）。"
)
MSG_NO_UNITS = "表头下面没有单位行，没有可以导入的内容。"
MSG_NO_MATCH = (
    "表中 {count} 个单位名称（{names}）在{unit}之下都找不到对应的工会组织，未导入：请为这些"
    "工会填写与表中一致的“简称”，或在表中改用工会全称。"
)
MSG_NO_VALID_ROWS = "对应上的单位每一行都有无法读取的数字，未导入：{first}"

HEADER_SCAN_ROWS = 30
MAX_COUNT = 2**31 - 1  # what the database's count columns hold
MAX_ROWS = 2000
MAX_TEXT_BYTES = 5 * 1024 * 1024
TEXT = ".txt"
TABLE_EXTENSIONS = (".xlsx", ".xls", ".csv", TEXT, ".xlsm", ".xltm", ".xlam", ".xla")
DASHES = {"-", "--", "—", "——", "–", "―", "−"}
TOTALS = re.compile(r"(?:全市|全县|全区|总)?(?:合计|总计|共计)数?")
NOTE_ROW = re.compile(
    r"(?:注|说明|备注|附注)[:：0-9一二三、.(（]|填表|制表|审核人|联系人|联系电话|负责人"
)
_NUMBER = re.compile(r"([+\-−]?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.0*)?")
UNIT, BASELINE, TARGET, NOTE, INDEX = "unit", "baseline", "target", "note", "index"
_HEADER_KINDS = (
    (INDEX, re.compile(r"序号?|编号")),
    (NOTE, re.compile(r"(?:备注|说明).*")),
    (TARGET, re.compile(r".*(?:新增|任务|目标|新发展|发展会员).*")),
    (BASELINE, re.compile(r".*(?:基数|会员(?:总|人)?数|在册).*")),
    (
        UNIT,
        re.compile(
            r"(?:所属|下级|基层)?单位(?:名称)?|(?:工会)?名称|工会组织|县\(市.*|县市区.*|县区"
            r"|(?:地区|区域)(?:名称)?"
        ),
    ),
)


class CountError(ValueError):
    """A number cell that is not a non-negative whole number; args[0] is its message."""


def parse_count(value) -> int | None:
    """A count cell as an int from 0 to MAX_COUNT: ints, whole floats, text with thousands
    separators or full-width digits; blank, '—' and '-' are None; else CountError."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CountError(MSG_NOT_INTEGER)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal):
        if not math.isfinite(value) or value != int(value):
            raise CountError(MSG_NOT_INTEGER)
        number = int(value)
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if not text or text in DASHES:
            return None
        match = _NUMBER.fullmatch(text)
        if match is None:
            raise CountError(MSG_NOT_INTEGER)
        number = int(match.group(2).replace(",", ""))
        number = -number if match.group(1) in ("-", "−") else number
    else:  # dates, times
        raise CountError(MSG_NOT_INTEGER)
    if number < 0:
        raise CountError(MSG_NEGATIVE)
    if number > MAX_COUNT:
        raise CountError(MSG_TOO_LARGE)
    return number


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _compact(value) -> str:
    return re.sub(r"\s+", "", _text(value))


def header_kind(value) -> str | None:
    """What a header cell names: unit, baseline, target, note, index (序号) or None."""
    text = unicodedata.normalize("NFKC", _compact(value))
    for kind, pattern in _HEADER_KINDS:
        if pattern.fullmatch(text):
            return kind
    return None


# --- reading ------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    field: str
    message: str


@dataclass
class TableRow:
    row: int
    name: str
    baseline: int | None
    target: int | None
    note: str = ""
    bad: bool = False  # a number cell could not be read: not imported


@dataclass
class TargetTable:
    """A table as read: its columns' header texts, unit rows, row errors and 合计 figures."""

    columns: dict[str, str]
    rows: list[TableRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    declared: dict[str, int | None] = field(default_factory=lambda: {BASELINE: None, TARGET: None})
    declared_bad: set[str] = field(default_factory=set)
    totals_row: int | None = None


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _find_header(rows: list[tuple[int, list]]):
    for index, (_number, cells) in enumerate(rows[:HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        for position, cell in enumerate(cells):
            kind = header_kind(cell)
            if kind and kind not in found:
                found[kind] = position
        if UNIT in found and (BASELINE in found or TARGET in found):
            return index, found
    return None


def _parse(rows: list[tuple[int, list]]) -> TargetTable:
    header = _find_header(rows)
    if header is None:
        raise FileRejected(MSG_NO_HEADER.format(rows=HEADER_SCAN_ROWS), "no_header")
    index, positions = header
    titles = rows[index][1]
    table = TargetTable(columns={kind: _compact(titles[pos]) for kind, pos in positions.items()})
    numbers = [kind for kind in (BASELINE, TARGET) if kind in positions]
    for number, cells in rows[index + 1 :]:
        cell = {kind: cells[pos] if pos < len(cells) else None for kind, pos in positions.items()}
        if all(_blank(value) for kind, value in cell.items() if kind != INDEX):
            continue  # blank, or a pre-filled 序号 only
        name = _compact(cell[UNIT])
        first = next((_compact(value) for value in cells if not _blank(value)), "")
        no_numbers = all(_blank(cell[kind]) for kind in numbers)
        if TOTALS.fullmatch(first) or TOTALS.fullmatch(name):
            if table.totals_row is not None:
                message = MSG_SECOND_TOTAL.format(row=number, first=table.totals_row)
                table.errors.append(RowError(number, table.columns[UNIT], message))
                continue
            table.totals_row = number
        elif NOTE_ROW.match(first) or (no_numbers and table.totals_row is not None):
            continue  # a note
        values, bad = {}, set()
        for kind in numbers:
            try:
                values[kind] = parse_count(cell[kind])
            except CountError as error:
                bad.add(kind)
                shown = _text(cell[kind])[:40]
                message = error.args[0].format(row=number, column=table.columns[kind], value=shown)
                table.errors.append(RowError(number, table.columns[kind], message))
        if table.totals_row == number:
            table.declared.update(values)
            table.declared_bad = bad
            continue
        if not name:
            if not no_numbers:
                message = MSG_NO_NAME.format(row=number)
                table.errors.append(RowError(number, table.columns[UNIT], message))
            continue
        table.rows.append(
            TableRow(
                number,
                name,
                values.get(BASELINE),
                values.get(TARGET),
                _text(cell.get(NOTE))[:200],
                bool(bad),
            )
        )
    return table


def _sheet_rows(path: Path) -> list[list[tuple[int, list]]]:
    import python_calamine as calamine

    try:
        workbook = calamine.CalamineWorkbook.from_path(str(path))
        sheets = []
        for index, meta in enumerate(workbook.sheets_metadata):
            if meta.visible != calamine.SheetVisibleEnum.Visible:
                continue
            if meta.typ != calamine.SheetTypeEnum.WorkSheet:
                continue
            values = workbook.get_sheet_by_index(index).to_python(
                skip_empty_area=False, nrows=MAX_ROWS + 1
            )
            if len(values) > MAX_ROWS:
                raise FileRejected(MSG_TOO_MANY_ROWS.format(rows=MAX_ROWS), "too_many_rows")
            sheets.append([(number, cells) for number, cells in enumerate(values, 1)])
    except calamine.PasswordError:
        raise FileRejected(MSG_ENCRYPTED, "encrypted") from None
    except (calamine.CalamineError, OSError, ValueError):
        raise FileRejected(MSG_CORRUPT, "corrupt") from None
    return sheets


def _delimited_rows(handle: io.TextIOBase, delimiter: str | None = None) -> list:
    sample = handle.read(65536)
    handle.seek(0)
    if sample.startswith("sep=") and "\n" in sample:  # Excel's hint line, which Excel hides
        delimiter = handle.readline()[4:5]
    delimiter = delimiter or sniff_delimiter(sample)
    rows = []
    for number, cells in enumerate(csv.reader(handle, delimiter=delimiter), 1):
        if number > MAX_ROWS:
            raise FileRejected(MSG_TOO_MANY_ROWS.format(rows=MAX_ROWS), "too_many_rows")
        rows.append((number, cells))
    return rows


def _word_blocks(lines: list[str]) -> list[list[list]]:
    """Cells as [line, text] in blocks apart by blank lines. A line without a leading TAB
    continues the cell above it, unless a blank line came between and that cell is empty or a
    number (then it is loose text: a note after the table)."""
    blocks: list[list[list]] = []
    block: list[list] = []
    cell: list | None = None
    gap = False
    for number, line in enumerate(lines, 1):
        if line.startswith("\t"):
            if gap and block:
                blocks.append(block)
                block = []
            cell, gap = [number, line[1:].strip()], False
            block.append(cell)
        elif not line.strip():
            gap = True
        elif cell is not None and not (gap and _numberish(cell[1])):
            cell[1] += line.strip()
            gap = False
        elif cell is not None:
            blocks.append(block)
            cell, gap = [number, line.strip()], False
            block = [cell]
    if block:
        blocks.append(block)
    return blocks


def _numberish(text: str) -> bool:
    try:
        parse_count(text)
    except CountError:
        return False
    return True


def _word_rows(lines: list[str]) -> list[tuple[int, list]]:
    """The Word table's rows: the header (consecutive header cells, which may span blocks),
    then a row per block; a short row takes in the next block when that goes on with a number
    (or blank) or the row lacks only its notes, and a block longer than the header is cut."""
    cells = [(b, cell) for b, block in enumerate(_word_blocks(lines)) for cell in block]
    for start, (_b, cell) in enumerate(cells):
        if header_kind(cell[1]) not in (UNIT, INDEX):
            continue
        end = start
        while end < len(cells) and header_kind(cells[end][1][1]) is not None:
            end += 1
        header = [c for _b, c in cells[start:end]]
        kinds = {header_kind(text): i for i, (_l, text) in reversed(list(enumerate(header)))}
        if UNIT not in kinds or not ({BASELINE, TARGET} & set(kinds)):
            continue
        width, last_number = len(header), max(kinds.get(BASELINE, 0), kinds.get(TARGET, 0))
        blocks: dict[int, list] = {}
        for b, c in cells[end:]:
            blocks.setdefault(b, []).append(c)
        rows: list[list] = []
        current: list = []
        for block in blocks.values():
            joins = _numberish(block[0][1]) or len(current) > last_number
            if current and not (joins and len(current) + len(block) <= width):
                rows.append(current)
                current = []
            for c in block:
                if len(current) == width:
                    rows.append(current)
                    current = []
                current.append(c)
        if current:
            rows.append(current)
        return [(row[0][0], [text for _l, text in row]) for row in [header, *rows]]
    return []


def check_text_upload(path: Path | str) -> str:
    """The checks a .txt table passes before it is read (the upload checks of `tabular.files`
    know spreadsheets and CSV only): not empty, not too large, UTF-8 or GB18030. Returns the
    encoding; FileRejected with the Chinese message otherwise."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise FileRejected(MSG_EMPTY, "empty")
    if size > MAX_TEXT_BYTES:
        raise FileRejected(MSG_TEXT_TOO_LARGE.format(limit=MAX_TEXT_BYTES // 1024 // 1024), "size")
    try:
        return csv_encoding(path)
    except FileRejected:
        raise FileRejected(MSG_TEXT_ENCODING, "text_encoding") from None


def _text_rows(path: Path) -> list[tuple[int, list]]:
    text = path.read_text(encoding=check_text_upload(path))
    lines = text.splitlines()
    tabbed = [line for line in lines if "\t" in line]
    if tabbed and all(line.startswith("\t") and line.count("\t") == 1 for line in tabbed):
        return _word_rows(lines)
    return _delimited_rows(io.StringIO(text), "\t" if tabbed else None)


def check_table_name(original_name: str) -> str:
    """The extension of a file name a table may have (.xlsx, .xls, .csv or .txt; the macro
    workbook extensions too, refused by the upload checks with their own message), or
    FileRejected naming the formats a decomposition table is read from."""
    ext = extension_of(original_name)
    if ext not in TABLE_EXTENSIONS:
        shown = f"「{ext}」" if ext else "没有扩展名的"
        raise FileRejected(MSG_EXTENSION.format(ext=shown), "extension")
    return ext


def read_target_table(path: Path | str, original_name: str) -> TargetTable:
    """Read a decomposition table from .xlsx/.xls/.csv/.txt; FileRejected when the file
    cannot be read or has no header in its first 30 rows."""
    path, ext = Path(path), check_table_name(original_name)
    if ext == TEXT:
        return _parse(_text_rows(path))
    kind = check_upload(path, original_name)
    if kind == "csv":
        with path.open(encoding=csv_encoding(path), newline="") as handle:
            return _parse(_delimited_rows(handle))
    for rows in _sheet_rows(path):
        if _find_header(rows) is not None:
            return _parse(rows)
    raise FileRejected(MSG_NO_HEADER.format(rows=HEADER_SCAN_ROWS), "no_header")
