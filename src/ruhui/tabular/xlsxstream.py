"""A streaming .xlsx writer for long sheets of plain cells: the import result workbook.

xlsxwriter (which every other workbook here uses) spends about 12 µs of Python on each cell in
its constant-memory mode; on a 10,000-row roster the result file took two thirds of the whole
check. This writer does only what long sheets need — inline strings, numbers, booleans, a
handful of cell styles, column widths and styles, a frozen header, an autofilter — and puts
each row straight into the zip as one piece of XML (about 1 µs a cell), so memory stays flat
whatever the row count. The package is the minimal SpreadsheetML that Excel, WPS, LibreOffice,
openpyxl and calamine read (tests/importing/test_xlsxstream.py reads it back with two of them).

    book = Workbook(path, styles={"text": {"num_format": 49}, "bad": {"fill": "#FFC7CE"}})
    sheet = book.add_sheet("导入结果", columns=[(0, 0, 8, None), (1, 5, 14, "text")], freeze=(1, 1))
    sheet.write_row(["原行号", "姓名"], ["header", "header"])
    ...
    sheet.autofilter(last_column=5)
    book.close()
"""

from __future__ import annotations

import datetime
import math
import os
import re
import zipfile
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import quoteattr

#: Text that needs more than a plain copy into the XML: markup characters, control characters
#: (written as Excel's _xHHHH_ escapes), text that looks like such an escape, the two
#: non-characters, and leading or trailing white space (kept with xml:space="preserve").
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
_ESCAPE_LIKE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_LEADING_OR_TRAILING_SPACE = re.compile(r"^\s|\s$")
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
FLUSH_ROWS = 500
#: Built-in number formats (ECMA-376 §18.8.30) that need no <numFmt> entry.
BUILTIN_FORMATS = {"General": 0, "0": 1, "@": 49}
FIRST_CUSTOM_FORMAT = 164
#: Day 0 of Excel's 1900 date system as it counts since March 1900 (its 1900-02-29 aside).
EPOCH = datetime.date(1899, 12, 30)
EPOCH_TIME = datetime.datetime(1899, 12, 30)

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text_xml(value: str) -> str:
    """The <is> content of an inline string."""
    if not _SPECIAL.search(value):
        return f"<t>{value}</t>"
    data = _ESCAPE_LIKE.sub(r"_x005F\1", value)
    data = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", data)
    data = data.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    data = data.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if _LEADING_OR_TRAILING_SPACE.search(value):
        return f'<t xml:space="preserve">{data}</t>'
    return f"<t>{data}</t>"


def _color(value: str) -> str:
    return "FF" + value.lstrip("#").upper()


class _Styles:
    """Named cell styles → cellXfs indexes (0 is the default), and styles.xml."""

    def __init__(self, styles: Mapping[str, Mapping]):
        self.fonts = ['<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>']
        self.fills = [
            '<fill><patternFill patternType="none"/></fill>',
            '<fill><patternFill patternType="gray125"/></fill>',
        ]
        self.borders = ["<border><left/><right/><top/><bottom/><diagonal/></border>"]
        self.formats: dict[str, int] = {}
        self.xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>']
        self.index = {None: 0}
        for name, spec in styles.items():
            self.index[name] = self._add(spec)

    def _find(self, items: list[str], xml: str) -> int:
        if xml not in items:
            items.append(xml)
        return items.index(xml)

    def _add(self, spec: Mapping) -> int:
        fmt = spec.get("num_format", 0)
        if isinstance(fmt, str):
            fmt = BUILTIN_FORMATS.get(fmt) or self.formats.setdefault(
                fmt, FIRST_CUSTOM_FORMAT + len(self.formats)
            )
        font = 0
        if spec.get("bold") or spec.get("font_color"):
            bold = "<b/>" if spec.get("bold") else ""
            color = f'<color rgb="{_color(spec["font_color"])}"/>' if spec.get("font_color") else ""
            font = self._find(
                self.fonts, f'<font>{bold}<sz val="11"/>{color}<name val="Calibri"/></font>'
            )
        fill = 0
        if spec.get("fill"):
            fill = self._find(
                self.fills,
                f'<fill><patternFill patternType="solid"><fgColor rgb="{_color(spec["fill"])}"/>'
                '<bgColor indexed="64"/></patternFill></fill>',
            )
        border = 0
        if spec.get("border"):
            side = '<{0} style="thin"><color auto="1"/></{0}>'
            border = self._find(
                self.borders,
                "<border>"
                + "".join(side.format(s) for s in ("left", "right", "top", "bottom"))
                + "<diagonal/></border>",
            )
        alignment = ""
        if spec.get("wrap") or spec.get("valign"):
            wrap = ' wrapText="1"' if spec.get("wrap") else ""
            valign = f' vertical="{spec["valign"]}"' if spec.get("valign") else ""
            alignment = f"<alignment{valign}{wrap}/>"
        applied = "".join(
            f' apply{name}="1"'
            for name, used in (
                ("NumberFormat", fmt),
                ("Font", font),
                ("Fill", fill),
                ("Border", border),
                ("Alignment", alignment),
            )
            if used
        )
        attributes = f'numFmtId="{fmt}" fontId="{font}" fillId="{fill}" borderId="{border}"'
        if alignment:
            xf = f'<xf {attributes} xfId="0"{applied}>{alignment}</xf>'
        else:
            xf = f'<xf {attributes} xfId="0"{applied}/>'
        return self._find(self.xfs, xf)

    def xml(self) -> str:
        formats = "".join(
            f"<numFmt numFmtId={quoteattr(str(i))} formatCode={quoteattr(code)}/>"
            for code, i in self.formats.items()
        )
        parts = [
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet {_NS}>',
            f'<numFmts count="{len(self.formats)}">{formats}</numFmts>' if self.formats else "",
            f'<fonts count="{len(self.fonts)}">{"".join(self.fonts)}</fonts>',
            f'<fills count="{len(self.fills)}">{"".join(self.fills)}</fills>',
            f'<borders count="{len(self.borders)}">{"".join(self.borders)}</borders>',
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            "</cellStyleXfs>",
            f'<cellXfs count="{len(self.xfs)}">{"".join(self.xfs)}</cellXfs>',
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>',
            '<dxfs count="0"/><tableStyles count="0"/></styleSheet>',
        ]
        return "".join(parts)


class Sheet:
    """One worksheet being written; rows go into the zip as they come."""

    def __init__(self, book: Workbook, number: int, name: str, columns, freeze):
        self.book, self.number, self.name = book, number, name
        self.rows = 0
        self.width = 0
        self._letters: list[str] = []
        self._filter: str | None = None
        self._buffer: list[str] = []
        self._closed = False
        self._handle = book._archive.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True)
        self._write(
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f"<worksheet {_NS} {_NS_R}><sheetViews>{self._view(number, freeze)}</sheetViews>"
            f'<sheetFormatPr defaultRowHeight="15"/>{self._columns(columns)}<sheetData>'
        )

    @staticmethod
    def _view(number: int, freeze) -> str:
        selected = ' tabSelected="1"' if number == 1 else ""
        rows, cols = freeze or (0, 0)
        if not rows and not cols:
            return f'<sheetView{selected} workbookViewId="0"/>'
        corner = f"{column_letter(cols)}{rows + 1}"
        if rows and cols:
            pane = (
                f'<pane xSplit="{cols}" ySplit="{rows}" topLeftCell="{corner}" '
                'activePane="bottomRight" state="frozen"/>'
                f'<selection pane="topRight" activeCell="{column_letter(cols)}1" '
                f'sqref="{column_letter(cols)}1"/>'
                f'<selection pane="bottomLeft" activeCell="A{rows + 1}" sqref="A{rows + 1}"/>'
                f'<selection pane="bottomRight" activeCell="{corner}" sqref="{corner}"/>'
            )
        elif rows:
            pane = (
                f'<pane ySplit="{rows}" topLeftCell="A{rows + 1}" activePane="bottomLeft" '
                f'state="frozen"/><selection pane="bottomLeft" activeCell="A{rows + 1}" '
                f'sqref="A{rows + 1}"/>'
            )
        else:
            pane = (
                f'<pane xSplit="{cols}" topLeftCell="{corner}" activePane="topRight" '
                f'state="frozen"/><selection pane="topRight" activeCell="{corner}" '
                f'sqref="{corner}"/>'
            )
        return f'<sheetView{selected} workbookViewId="0">{pane}</sheetView>'

    def _columns(self, columns) -> str:
        if not columns:
            return ""
        parts = []
        for first, last, width, style in columns:
            # Excel's stored width for a width in characters of the default font (7-pixel
            # digits, 5 pixels of padding), as Excel itself and xlsxwriter compute it.
            stored = int((7 * width + 5) / 7 * 256) / 256
            index = self.book.style(style)
            style_attr = f' style="{index}"' if index else ""
            parts.append(
                f'<col min="{first + 1}" max="{last + 1}" width="{stored}"{style_attr} '
                'customWidth="1"/>'
            )
        return f"<cols>{''.join(parts)}</cols>"

    def _write(self, text: str) -> None:
        self._handle.write(text.encode("utf-8"))

    def write_row(
        self,
        values: Sequence,
        styles: Sequence[str | None] | str | None = None,
        *,
        blanks: bool = False,
        height: float | None = None,
    ) -> int:
        """Append a row: str as inline text, int/float as a number, bool as TRUE/FALSE, a date
        or datetime as Excel's day number (give it a date style), None or "" as no cell (a
        styled empty cell when `blanks`). `styles` is one style name for the whole row or one
        per value; `height` in points. Returns the row's number in the sheet (1-based)."""
        if self.rows >= MAX_ROWS:
            raise ValueError("a worksheet holds at most 1,048,576 rows")
        self.rows += 1
        r = str(self.rows)
        index = self.book._styles.index
        if styles is None or isinstance(styles, str):
            ids = [index[styles]] * len(values)
        else:
            ids = [index[s] for s in styles]
        letters = self._letters
        while len(letters) < len(values):
            if len(letters) >= MAX_COLUMNS:
                raise ValueError("a worksheet holds at most 16,384 columns")
            letters.append(column_letter(len(letters)))
        self.width = max(self.width, len(values))
        parts = [f'<row r="{r}" ht="{height}" customHeight="1">' if height else f'<row r="{r}">']
        append = parts.append
        for letter, value, style in zip(letters, values, ids, strict=False):
            s = f' s="{style}"' if style else ""
            if value.__class__ is str:
                if value:
                    append(f'<c r="{letter}{r}"{s} t="inlineStr"><is>{_text_xml(value)}</is></c>')
                elif blanks and style:
                    append(f'<c r="{letter}{r}"{s}/>')
            elif value is None:
                if blanks and style:
                    append(f'<c r="{letter}{r}"{s}/>')
            elif value.__class__ is bool:
                append(f'<c r="{letter}{r}"{s} t="b"><v>{int(value)}</v></c>')
            elif value.__class__ is int or (value.__class__ is float and math.isfinite(value)):
                append(f'<c r="{letter}{r}"{s}><v>{value!r}</v></c>')
            elif value.__class__ is datetime.date:
                append(f'<c r="{letter}{r}"{s}><v>{(value - EPOCH).days}</v></c>')
            elif value.__class__ is datetime.datetime and value.tzinfo is None:
                serial = (value - EPOCH_TIME) / datetime.timedelta(days=1)
                append(f'<c r="{letter}{r}"{s}><v>{serial!r}</v></c>')
            else:
                raise TypeError(f"cannot write {value!r} to a cell")
        append("</row>")
        buffer = self._buffer
        buffer.append("".join(parts))
        if len(buffer) >= FLUSH_ROWS:
            self._flush()
        return self.rows

    def autofilter(self, *, last_column: int, last_row: int | None = None) -> None:
        """A filter on the header row over columns A..last_column and rows 1..last_row."""
        last_row = max(last_row if last_row is not None else self.rows, 2)
        self._filter = f"A1:{column_letter(last_column)}{last_row}"

    def _flush(self) -> None:
        if self._buffer:
            self._write("".join(self._buffer))
            self._buffer.clear()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._flush()
        tail = "</sheetData>"
        if self._filter:
            tail += f'<autoFilter ref="{self._filter}"/>'
        self._write(tail + "</worksheet>")
        self._handle.close()


class Workbook:
    """An .xlsx written sheet by sheet; `close()` adds the workbook parts around the sheets."""

    def __init__(self, path: str | os.PathLike, *, styles: Mapping[str, Mapping] | None = None):
        # Level 1: long sheets of repetitive XML compress to near the default level's size in a
        # fraction of its time.
        self._archive = zipfile.ZipFile(
            path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1, allowZip64=True
        )
        self._styles = _Styles(styles or {})
        self._sheets: list[Sheet] = []
        self._open: Sheet | None = None

    def style(self, name: str | None) -> int:
        return self._styles.index[name]

    def add_sheet(self, name: str, *, columns=(), freeze=None) -> Sheet:
        """A new sheet; the one before it is finished (a zip takes one part at a time)."""
        if self._open is not None:
            self._open.close()
        sheet = Sheet(self, len(self._sheets) + 1, name, columns, freeze)
        self._sheets.append(sheet)
        self._open = sheet
        return sheet

    def close(self) -> None:
        try:
            if self._open is not None:
                self._open.close()
                self._open = None
            if not self._sheets:
                self.add_sheet("Sheet1").close()
            self._write_package()
        finally:
            self._archive.close()

    def _write_package(self) -> None:
        sheets = self._sheets
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{s.number}.xml" '
            f'ContentType="{_CT}.worksheet+xml"/>'
            for s in sheets
        )
        self._archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
            f"{overrides}</Types>",
        )
        self._archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        entries = "".join(
            f'<sheet name={quoteattr(s.name)} sheetId="{s.number}" r:id="rId{s.number}"/>'
            for s in sheets
        )
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{s.number - 1}" '
            f'hidden="1">{_quote_sheet(s.name)}!{_absolute(s._filter)}</definedName>'
            for s in sheets
            if s._filter
        )
        defined = f"<definedNames>{names}</definedNames>" if names else ""
        self._archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {_NS} {_NS_R}>'
            f'<bookViews><workbookView activeTab="0"/></bookViews><sheets>{entries}</sheets>'
            f"{defined}</workbook>",
        )
        relations = "".join(
            f'<Relationship Id="rId{s.number}" Type="{_REL}/worksheet" '
            f'Target="worksheets/sheet{s.number}.xml"/>'
            for s in sheets
        )
        self._archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{relations}"
            f'<Relationship Id="rId{len(sheets) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        self._archive.writestr("xl/styles.xml", self._styles.xml())


def _quote_sheet(name: str) -> str:
    escaped = name.replace("'", "''").replace("&", "&amp;").replace("<", "&lt;")
    return f"'{escaped}'"


def _absolute(ref: str) -> str:
    """A1:I5 → $A$1:$I$5"""
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in ref.split(":"))
