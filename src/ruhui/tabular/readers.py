"""Read a roster sheet as people make it: title rows, header variants, blank and notes rows.

`read_table(path, kind, header_aliases=...)` finds the header row, maps its columns to fields
and returns a `Table` whose ``rows`` is a generator of `Row(number, cells)`:

- ``number`` is the row number the spreadsheet shows (1-based, title and blank rows counted;
  for CSV the record number, a quoted multi-line cell being one record, as Excel shows it);
- ``cells`` holds the raw cell values (str, int, float, bool, date, datetime …; always str for
  CSV) of the header's columns only, in header order: ``cells[i]`` is under ``columns[i]``.

``Table.columns`` lists (i, header text, field or None) for every non-empty header cell, where
``i`` is the index into ``Row.cells`` and ``Table.source_columns[i]`` the 0-based spreadsheet
column (A = 0; `column_letter` turns it into "A"). ``skipped_blank`` and ``notes_rows`` are final
only once ``rows`` has been exhausted.

`read_tables(path, kind, header_aliases=...)` yields such a `Table` for every visible worksheet
that has a header, in sheet order (for CSV the one table): a workbook whose list runs over
several sheets. Each table's rows are read to the end before the next table is asked for.

Rules:
- Sheet: the first visible worksheet whose first 30 rows hold a header row (a leading
  「填表说明」 sheet is passed over); none → FileRejected listing the expected column names.
  `read_tables`: each such worksheet.
- Header row: the first of the first 30 rows in which at least two cells name known fields after
  normalisation (NFKC, no whitespace, no required marks * ※ ★, no bracketed hints such as
  （必填） or (yyyy-mm-dd), casefolded); a header such as 身份证号/证件号码 counts when its parts
  agree. A row naming 姓名 or 证件号码 (``key_fields``) wins over an earlier one that does not
  (a form line such as 「单位名称 | XX公司 | 联系电话 | …」 above the table), and a cell ending
  in a colon (「联系电话：」) labels a value, not a column. Title rows above the header (a merged
  「XX公司工会会员花名册」) are skipped.
- Two columns meaning one field → FileRejected naming both (column letter and text).
- Blank rows: every cell under a recognised column is empty or whitespace (a pre-filled 序号
  or other unrecognised column alone does not make a row) → skipped and counted.
- Notes rows: rows with an empty ID cell whose first non-empty cell starts with 注, 说明, 填表人,
  合计 … or that hold a single sentence-like text. They are held back; if a data row follows
  they are data after all (and will fail validation with a reason), if the sheet ends they are
  reported in ``notes_rows``.
- Limits, counted while reading (every sheet kind): past ``RUHUI_IMPORT_MAX_ROWS`` rows (title,
  blank and notes rows included: what was read) or ``RUHUI_IMPORT_MAX_CELLS`` cells (a row as
  wide as the sheet's widest, as calamine gives it) reading stops at once with a FileRejected
  naming the limit, so no file however made can hold a worker for hours or make a result
  workbook larger than the row limit. With `read_tables` the count runs over the file's
  tables together.
- Memory: rows are produced one at a time from calamine's iterator or the csv reader and only
  the header's cells are kept. calamine itself parses the whole sheet into its own (Rust)
  memory first: about 1 KB per 15-column row, ~1.1 GB for a million rows (python-calamine 0.9
  has no cell streaming). CSV is streamed: memory stays flat.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from ruhui.tabular.files import (
    MSG_CORRUPT,
    MSG_ENCRYPTED,
    FileRejected,
    csv_encoding,
    setting_or_default,
)

HEADER_SCAN_ROWS = 30
MIN_HEADER_FIELDS = 2
KEY_FIELDS = ("name", "id_number")
MAX_PENDING_NOTES = 1000
CSV_SAMPLE = 64 * 1024
#: Twice the benchmark's 1,000,000-row roster; 25 columns for each of those rows.
DEFAULT_MAX_ROWS = 2_000_000
DEFAULT_MAX_CELLS = 50_000_000

MSG_NO_HEADER = (
    "没有找到表头：前 {rows} 行中没有一行能识别出至少两个列名。请在数据上方留一行列名，"
    "例如：{expected}（可下载导入模板对照）。"
)
MSG_NO_SHEET = "工作簿中没有可见的工作表：请取消隐藏花名册所在的工作表后再导入。"
MSG_DUPLICATE_HEADER = (
    "第 {first} 列「{first_text}」和第 {second} 列「{second_text}」都表示“{meaning}”："
    "请删除或改名其中一列后再导入。"
)
MSG_CSV_BROKEN = (
    "CSV 文件第 {row} 行无法读取（{detail}），常见原因是引号不配对：请在 Excel 或 WPS 中打开"
    "核对该行，另存为「CSV UTF-8（逗号分隔）」或 .xlsx 后再导入。"
)
MSG_TOO_MANY_ROWS = (
    "表格超过 {limit:,} 行（一个文件导入的行数上限），已停止读取，没有导入任何数据：请把花名册"
    "拆成几个不超过 {limit:,} 行的文件分别导入。"
)
MSG_TOO_MANY_CELLS = (
    "表格读到第 {row:,} 行时已超过 {limit:,} 个单元格（一个文件导入的单元格数上限），已停止读取，"
    "没有导入任何数据：请删除表格右侧多余的列（包括只有格式或空格的列）后另存，或把花名册拆成"
    "几个较小的文件分别导入。"
)

NOTE_PREFIXES = (
    "注",
    "备注",
    "说明",
    "填表说明",
    "填表人",
    "填报人",
    "制表人",
    "制表",
    "审核人",
    "审核",
    "审批",
    "负责人",
    "经办人",
    "联系人",
    "联系电话",
    "合计",
    "总计",
    "小计",
    "共计",
    "总人数",
    "填表日期",
    "制表日期",
    "填报日期",
    "日期:",
    "单位盖章",
    "单位(盖章)",
    "(盖章)",
    "盖章",
    "签字",
    "签名",
    "以下空白",
    "以上",
    "以下无",
    "此页",
    "数据来源",
)
_SENTENCE_MARKS = frozenset(":,。;!?、")
_NUMBER = re.compile(r"[-+]?[0-9]+(?:\.[0-9]*)?")


class Row(NamedTuple):
    """One data row: the row number the spreadsheet shows and the header columns' cells."""

    number: int
    cells: list


@dataclass
class Table:
    """A roster sheet after header detection; ``rows`` is consumed once."""

    header_row: int
    columns: list[tuple[int, str, str | None]]
    rows: Iterator[Row]
    sheet_name: str
    source_columns: list[int]
    unknown_headers: list[str]
    skipped_blank: int = 0
    notes_rows: list[int] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def fields(self) -> list[str]:
        """The fields the header maps, in column order."""
        return [name for _i, _h, name in self.columns if name]

    def cells_by_field(self, row: Row) -> dict:
        """{field: raw cell} for the mapped columns of ``row`` (for `cleaning.clean_row`)."""
        cells = row.cells
        return {name: cells[i] for i, _h, name in self.columns if name}


def column_letter(index: int) -> str:
    """0 → 'A', 25 → 'Z', 26 → 'AA' (spreadsheet column names)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# --- header text --------------------------------------------------------------------------

_BRACKETED = re.compile(
    r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|<[^<>]*>|《[^《》]*》|〔[^〔〕]*〕|{[^{}]*}"
)
_NOISE = re.compile(r"[\s*※★☆✱:：_\-—·•'\"‘’“”。.()\[\]【】<>《》〔〕{}]+")
_ALTERNATIVES = re.compile(r"[/、|]|或")


def header_text(value: object) -> str:
    """A header cell as shown (for messages and reports): text without surrounding space."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return " ".join(text.split())


def normalize_header(value: object) -> str:
    """The key a header text is matched on (see the module docstring)."""
    text = unicodedata.normalize("NFKC", header_text(value))
    stripped = _BRACKETED.sub("", text)
    if _NOISE.sub("", stripped):
        text = stripped
    return _NOISE.sub("", text).casefold()


def _alias_keys(aliases: dict[str, str]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for text, name in aliases.items():
        key = normalize_header(text)
        if keys.get(key, name) != name:
            raise ValueError(f"header aliases: {text!r} normalises to {key!r}, already a field")
        keys[key] = name
    return keys


def _field_for(value: object, keys: dict[str, str]) -> str | None:
    key = normalize_header(value)
    if not key:
        return None
    found = keys.get(key)
    if found is None and _ALTERNATIVES.search(key):
        names = {keys.get(part) for part in _ALTERNATIVES.split(key) if part}
        names.discard(None)
        if len(names) == 1:
            found = names.pop()
    return found


def _label(name: str, aliases: dict[str, str]) -> str:
    """A field's name in messages: the first header text given for it (callers list the label
    first, e.g. importing.headers)."""
    return next((text for text, field_name in aliases.items() if field_name == name), name)


def _expected(aliases: dict[str, str], limit: int = 12) -> str:
    labels: list[str] = []
    for name in dict.fromkeys(aliases.values()):
        labels.append(_label(name, aliases))
        if len(labels) == limit:
            return "、".join(labels) + "等"
    return "、".join(labels)


def _is_blank(value: object) -> bool:
    if value.__class__ is str:
        return not value or value.isspace()
    return value is None


# --- header detection ---------------------------------------------------------------------


@dataclass
class _Read:
    """What the reading of one file has counted against the limits so far (rows, cells)."""

    rows: int = 0
    cells: int = 0


class _Header(NamedTuple):
    number: int  # 1-based row number
    positions: list[int]  # indexes into the raw row
    texts: list[str]
    fields: list[str | None]


def _header_in(row: list, keys: dict[str, str]) -> tuple[list[int], list[str], list] | None:
    positions, texts, names = [], [], []
    for position, cell in enumerate(row):
        if _is_blank(cell):
            continue
        text = header_text(cell)
        positions.append(position)
        texts.append(text)
        # "单位名称：" "联系电话：" label a value beside them (a form line above the table).
        names.append(None if text.endswith((":", "：")) else _field_for(cell, keys))
    if len({name for name in names if name}) < MIN_HEADER_FIELDS:
        return None
    return positions, texts, names


def _find_header(
    rows: Iterator[list], keys: dict[str, str], key_fields: tuple[str, ...]
) -> tuple[_Header | None, list[list], list[list]]:
    """Scan the first rows for the header; return it, the rows read after it (to replay) and
    every row scanned.

    The header is the first row with at least two known columns that include one of
    ``key_fields`` (姓名, 证件号码); failing that, the first row with two known columns.
    """
    scanned: list[list] = []
    first: _Header | None = None
    for index in range(HEADER_SCAN_ROWS):
        row = next(rows, None)
        if row is None:
            break
        scanned.append(row)
        found = _header_in(row, keys)
        if found is None:
            continue
        header = _Header(index + 1, *found)
        if not key_fields or any(name in key_fields for name in header.fields):
            return header, [], scanned
        first = first or header
    if first is None:
        return None, [], scanned
    return first, scanned[first.number :], scanned


def _check_duplicates(header: _Header, offset: int, aliases: dict[str, str]) -> None:
    seen: dict[str, int] = {}
    for i, name in enumerate(header.fields):
        if name is None:
            continue
        if name in seen:
            first = seen[name]
            raise FileRejected(
                MSG_DUPLICATE_HEADER.format(
                    first=column_letter(offset + header.positions[first]),
                    first_text=header.texts[first],
                    second=column_letter(offset + header.positions[i]),
                    second_text=header.texts[i],
                    meaning=_label(name, aliases),
                ),
                "duplicate_header",
            )
        seen[name] = i


# --- the row pass -------------------------------------------------------------------------


def _note_like(cells: list, name_index: int | None) -> bool:
    """A row (with an empty ID cell) that reads as a note, signature or total line: its first
    filled cell starts with 注, 说明, 填表人, 合计 …, or it holds one sentence-like text."""
    filled = [cell for cell in cells if not _is_blank(cell)]
    if not filled or not isinstance(filled[0], str):
        return False
    compact = "".join(unicodedata.normalize("NFKC", filled[0]).split())
    if compact.startswith(NOTE_PREFIXES):
        return True
    if len(filled) != 1 or _NUMBER.fullmatch(compact):
        return False
    long_text = len(compact) >= 10 and (name_index is None or _is_blank(cells[name_index]))
    return long_text or bool(_SENTENCE_MARKS.intersection(compact))


def _produce(
    table: Table,
    raw_rows: Iterable[list],
    first_number: int,
    positions: list[int],
    fields: list[str | None],
    *,
    cells_read: int = 0,
    read: _Read,
) -> Iterator[Row]:
    """Project, classify and number the rows after the header (the hot loop); count what is
    read against the row and cell limits, after what ``read`` says the file's earlier tables
    took (and add this table's count to it once its rows are exhausted)."""
    getter = itemgetter(*positions) if len(positions) > 1 else None
    single = positions[0]
    width = max(positions) + 1
    pad = [""] * width
    known = [i for i, name in enumerate(fields) if name]
    # Check the name and ID columns first: in a data row one of them is filled.
    for preferred in ("id_number", "name"):
        if preferred in fields:
            known.remove(fields.index(preferred))
            known.insert(0, fields.index(preferred))
    has_unknown = len(known) < len(fields)
    id_index = fields.index("id_number") if "id_number" in fields else None
    name_index = fields.index("name") if "name" in fields else None
    pending: list[Row] = []
    number = first_number - 1
    max_rows = setting_or_default("RUHUI_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)
    max_cells = setting_or_default("RUHUI_IMPORT_MAX_CELLS", DEFAULT_MAX_CELLS)
    rows_before = read.rows
    row_limit = max_rows - rows_before
    cells_read += read.cells
    for raw in raw_rows:
        number += 1
        cells_read += len(raw)
        if number > row_limit or cells_read > max_cells:
            raise _over_limit(number, row_limit, max_rows, max_cells)
        if len(raw) < width:
            raw = [*raw, *pad[len(raw) :]]
        cells = list(getter(raw)) if getter is not None else [raw[single]]
        for k in known:
            value = cells[k]
            if value.__class__ is str:
                if value and not value.isspace():
                    break
            elif value is not None:
                break
        else:
            if has_unknown and _note_like(cells, name_index):
                pending.append(Row(number, cells))
            else:
                table.skipped_blank += 1
            continue
        row = Row(number, cells)
        if (id_index is None or _is_blank(cells[id_index])) and _note_like(cells, name_index):
            pending.append(row)
            if len(pending) > MAX_PENDING_NOTES:
                yield from pending
                pending.clear()
            continue
        if pending:
            yield from pending
            pending.clear()
        yield row
    table.notes_rows.extend(row.number for row in pending)
    read.rows, read.cells = rows_before + number, cells_read


def _over_limit(number: int, row_limit: int, max_rows: int, max_cells: int) -> FileRejected:
    if number > row_limit:
        return FileRejected(MSG_TOO_MANY_ROWS.format(limit=max_rows), "too_many_rows")
    return FileRejected(MSG_TOO_MANY_CELLS.format(row=number, limit=max_cells), "too_many_cells")


def _build_table(
    raw_rows: Iterator[list],
    header_aliases: dict[str, str],
    *,
    sheet_name: str,
    column_offset: int = 0,
    keys: dict[str, str] | None = None,
    key_fields: tuple[str, ...] = (),
    read: _Read | None = None,
) -> Table | None:
    keys = keys if keys is not None else _alias_keys(header_aliases)
    header, replay, scanned = _find_header(raw_rows, keys, key_fields)
    if header is None:
        return None
    if replay:
        raw_rows = chain(replay, raw_rows)
    _check_duplicates(header, column_offset, header_aliases)
    columns = [
        (i, text, name)
        for i, (text, name) in enumerate(zip(header.texts, header.fields, strict=True))
    ]
    table = Table(
        header_row=header.number,
        columns=columns,
        rows=iter(()),
        sheet_name=sheet_name,
        source_columns=[column_offset + p for p in header.positions],
        unknown_headers=[
            text for text, name in zip(header.texts, header.fields, strict=True) if not name
        ],
    )
    # The cells of the header row and the rows above it count towards the limit too.
    above = sum(len(row) for row in scanned[: header.number])
    table.rows = _produce(
        table,
        raw_rows,
        header.number + 1,
        header.positions,
        header.fields,
        cells_read=above,
        read=read if read is not None else _Read(),
    )
    return table


def _no_header(header_aliases: dict[str, str]) -> FileRejected:
    return FileRejected(
        MSG_NO_HEADER.format(rows=HEADER_SCAN_ROWS, expected=_expected(header_aliases)),
        "no_header",
    )


# --- xlsx / xls ---------------------------------------------------------------------------


def _first(tables: Iterator[Table], header_aliases: dict[str, str]) -> Table:
    """The first of ``tables`` (no further sheet is opened), or `_no_header`'s refusal."""
    table = next(tables, None)
    tables.close()
    if table is None:
        raise _no_header(header_aliases)
    return table


def _read_workbook(
    path: Path, header_aliases: dict[str, str], key_fields: tuple[str, ...], *, kind: str
) -> Table:
    """The first visible worksheet with a recognisable header (`read_table` for a workbook)."""
    return _first(
        _workbook_tables(path, header_aliases, key_fields, _Read(), kind=kind), header_aliases
    )


class _StreamUnsupported(Exception):
    """The stream cannot read this workbook (raised before any table is produced)."""


def _workbook_tables(
    path: Path,
    header_aliases: dict[str, str],
    key_fields: tuple[str, ...],
    read: _Read,
    *,
    kind: str,
) -> Iterator[Table]:
    """The tables of the visible worksheets that have a recognisable header, in order.

    .xlsx sheets are streamed row by row (python-calamine-plus, the same calamine reader):
    memory stays flat however long the roster, and reading overlaps the import's database
    work instead of holding it up for the whole sheet first. .xls (and an .xlsx the stream
    cannot read) is loaded whole by python-calamine."""
    if kind == "xlsx":
        streamed = _stream_tables(path, header_aliases, key_fields, read)
        try:
            first = next(streamed, None)
        except _StreamUnsupported:
            pass
        else:
            if first is not None:
                yield first
                yield from streamed
            return
    import python_calamine as calamine

    with _refusing(calamine):
        workbook = calamine.CalamineWorkbook.from_path(str(path))
        sheets = _visible_sheets(workbook, calamine)
    keys = _alias_keys(header_aliases)
    for index, name in sheets:
        with _refusing(calamine):
            sheet = workbook.get_sheet_by_index(index)
        start = sheet.start
        if start is None:
            continue
        # python-calamine 0.9 iter_rows(): one list per row from row 1 (rows above the used
        # range come as empty lists), columns from the first used column.
        table = _build_table(
            iter(sheet.iter_rows()),
            header_aliases,
            sheet_name=name,
            column_offset=start[1],
            keys=keys,
            key_fields=key_fields,
            read=read,
        )
        if table is not None:
            yield table


@contextmanager
def _refusing(calamine) -> Iterator[None]:
    """calamine's errors (either binding's) as the refusals a cadre reads."""
    try:
        yield
    except calamine.PasswordError:
        raise FileRejected(MSG_ENCRYPTED, "encrypted") from None
    except (calamine.CalamineError, OSError, ValueError):
        raise FileRejected(MSG_CORRUPT, "corrupt") from None


def _visible_sheets(workbook, calamine) -> list[tuple[int, str]]:
    sheets = [
        (index, meta.name)
        for index, meta in enumerate(workbook.sheets_metadata)
        if meta.visible == calamine.SheetVisibleEnum.Visible
        and meta.typ == calamine.SheetTypeEnum.WorkSheet
    ]
    if not sheets:
        raise FileRejected(MSG_NO_SHEET, "no_sheet")
    return sheets


def _stream_tables(
    path: Path, header_aliases: dict[str, str], key_fields: tuple[str, ...], read: _Read
) -> Iterator[Table]:
    """The tables of an .xlsx file read as streams of rows; `_StreamUnsupported` (before any
    table) when the stream cannot read this file (the whole-sheet reader then tries)."""
    import python_calamine_plus as calamine

    with _refusing(calamine):
        workbook = calamine.CalamineWorkbook.from_path(str(path))
        sheets = _visible_sheets(workbook, calamine)
    keys = _alias_keys(header_aliases)
    opened = False
    for index, name in sheets:
        with _refusing(calamine):
            try:
                stream = workbook.stream_sheet_by_index(index)
            except calamine.StreamingNotSupported:
                if opened:
                    raise
                raise _StreamUnsupported from None
        opened = True
        # Rows from row 1, cells from column A. A workbook streams one sheet at a time:
        # opening the next sheet invalidates this one's stream, so the caller reads a
        # table's rows before asking for the next table.
        table = _build_table(
            _rows_of_stream(workbook, stream),
            header_aliases,
            sheet_name=name,
            column_offset=0,
            keys=keys,
            key_fields=key_fields,
            read=read,
        )
        if table is not None:
            yield table


def _rows_of_stream(workbook, stream) -> Iterator[list]:
    """The stream's rows; a sheet that turns out broken part-way is refused as corrupt (the
    import rolls back). Takes the workbook to hold it open while the rows are read."""
    import python_calamine_plus as calamine

    with _refusing(calamine):
        yield from stream


# --- csv ----------------------------------------------------------------------------------

_SEP_LINE = re.compile(r"sep=(.)\r?\n?")


def sniff_delimiter(sample: str) -> str:
    """',', '\\t' or ';' for a CSV sample (csv.Sniffer, then a count of the first lines)."""
    lines = sample.splitlines()[:50]
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last line may be cut short
    text = "\n".join(lines)
    try:
        found = csv.Sniffer().sniff(text, delimiters=",\t;").delimiter
    except csv.Error:
        found = ""
    if found in (",", "\t", ";"):
        return found
    counts = {d: sum(line.count(d) for line in lines) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(handle: io.TextIOBase, delimiter: str) -> Iterator[list]:
    reader = csv.reader(handle, delimiter=delimiter)
    records = 0
    try:
        for row in reader:
            records += 1
            yield row
    except csv.Error as error:
        raise FileRejected(
            MSG_CSV_BROKEN.format(row=records + 1, detail=str(error)[:60]), "csv_broken"
        ) from None


def _csv_tables(
    path: Path, header_aliases: dict[str, str], key_fields: tuple[str, ...], read: _Read
) -> Iterator[Table]:
    """The one table of a CSV file, if its header is found; the file is closed once the
    table's rows are exhausted (or at once when there is no header)."""
    encoding = csv_encoding(path)
    handle = path.open(encoding=encoding, newline="")
    try:
        sample = handle.read(CSV_SAMPLE)
        handle.seek(0)
        match = _SEP_LINE.match(sample)
        if match:  # Excel's "sep=;" hint line: not shown as a row by Excel
            delimiter = match.group(1)
            handle.readline()
        else:
            delimiter = sniff_delimiter(sample)
        table = _build_table(
            _csv_rows(handle, delimiter),
            header_aliases,
            sheet_name="",
            key_fields=key_fields,
            read=read,
        )
    except BaseException:
        handle.close()
        raise
    if table is None:
        handle.close()
        return
    table.encoding, table.delimiter = encoding, delimiter
    table.rows = _closing(table.rows, handle)
    yield table


def _closing(rows: Iterator[Row], handle: io.TextIOBase) -> Iterator[Row]:
    try:
        yield from rows
    finally:
        handle.close()


def _tables(
    path: Path | str,
    kind: str,
    header_aliases: dict[str, str],
    key_fields: tuple[str, ...],
) -> Iterator[Table]:
    path = Path(path)
    read = _Read()
    if kind in ("xlsx", "xls"):
        return _workbook_tables(path, header_aliases, key_fields, read, kind=kind)
    if kind == "csv":
        return _csv_tables(path, header_aliases, key_fields, read)
    raise ValueError(f"unknown kind {kind!r}")


def read_table(
    path: Path | str,
    kind: str,
    *,
    header_aliases: dict[str, str],
    key_fields: tuple[str, ...] = KEY_FIELDS,
) -> Table:
    """Open a roster file of ``kind`` ('xlsx', 'xls', 'csv' from files.check_upload) and find
    its header; raise FileRejected for a file or layout that cannot be read. ``key_fields``:
    a header row naming one of them wins over an earlier row of two other known columns."""
    return _first(_tables(path, kind, header_aliases, key_fields), header_aliases)


def read_tables(
    path: Path | str,
    kind: str,
    *,
    header_aliases: dict[str, str],
    key_fields: tuple[str, ...] = KEY_FIELDS,
) -> Iterator[Table]:
    """Every table of the file, in sheet order: for a workbook one per visible worksheet that
    has a recognisable header (found as `read_table` finds it; sheets without one are
    skipped), for CSV the one table. FileRejected (`read_table`'s) when no sheet has a header;
    the check runs when the first table is asked for.

    Read each table's ``rows`` to the end before asking for the next table: an .xlsx streams
    one sheet at a time, and opening the next sheet ends the previous sheet's stream (reading
    its rows afterwards is refused as a broken file). A table's ``skipped_blank``
    and ``notes_rows`` are final once its rows are exhausted.

    The row and cell limits count the whole file: each table's count starts where the
    tables before it stopped (a sheet without a header is not counted)."""
    found = False
    for table in _tables(path, kind, header_aliases, key_fields):
        found = True
        yield table
    if not found:
        raise _no_header(header_aliases)
