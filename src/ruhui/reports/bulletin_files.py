"""The bimonthly bulletin's (通报) files, written from a plain `BulletinContent`: the bar chart
(PNG, Pillow), the official-notice .docx (python-docx), the .pdf (fpdf2) and the .xlsx
(tabular.xlsxstream). Nothing here reads the database: the bulletin service assembles the content
from the figures as of the cut-off and calls the writers, so the files show only what the content
holds, and the same content gives the same chart bytes.

Fonts: the chart and the PDF use only the vendored Regular subsets of Noto Sans SC and Noto Serif
SC in reports/fonts/ (GB2312 + the repository's characters, built by tools/subset_font.py), never
a system font; a character outside them prints as a box, and `missing_characters` lists such
characters so the task can report them. The .docx names the fonts a Chinese office machine has
(小标宋 falling back to 黑体, 仿宋_GB2312 falling back to 仿宋)."""

from __future__ import annotations

import datetime
import functools
import io
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

FONTS = Path(__file__).resolve().parent / "fonts"
SANS_FONT = FONTS / "NotoSansSC-Regular.ttf"
SERIF_FONT = FONTS / "NotoSerifSC-Regular.ttf"

#: The .docx fonts (eastAsia names) and the ones Word/WPS use where those are not installed.
DOCX_TITLE_FONT, DOCX_TITLE_FALLBACK = "方正小标宋简体", "黑体"
DOCX_BODY_FONT, DOCX_BODY_FALLBACK = "仿宋_GB2312", "仿宋"
DOCX_HEADING_FONT = "黑体"

RANKING_HEADERS = (
    "名次",
    "单位",
    "目标任务",
    "新发展会员",
    "完成率",
    "较基数增长",
    "新建基层工会",
    "项目（按期/逾期/已销账）",
    "月报报送",
)
#: The .docx and .pdf table's header cells, broken where the words are.
TABLE_HEADERS = tuple(
    "项目\n按期/逾期/已销账" if title.startswith("项目") else title for title in RANKING_HEADERS
)
SECTION_PROGRESS = "一、总体进展"
SECTION_RANKING = "二、各单位完成情况排名"
SECTION_CHANGES = "三、与上期相比"
SECTION_PRAISED = "四、予以表扬的单位"
SECTION_URGED = "五、予以督促的单位"
SECTION_EXCERPTS = "六、典型经验摘编"
NONE_TEXT = "无。"
CHART_CAPTION = "各单位目标任务完成率"
NO_TARGET = "无目标"
DASH = "—"
XLSX_RANKING_SHEET, XLSX_CHANGES_SHEET = "各单位完成情况", "与上期相比"


@dataclass(frozen=True)
class RankRow:
    """One unit's line of the ranking table; percentages are in per cent (85.3 = 85.3%), None
    where the unit has no target (completion) or no baseline (growth)."""

    rank: int
    unit: str
    target: int | None
    new_members: int
    completion_pct: float | None
    growth_pct: float | None
    unions_founded: int
    projects_on_time: int
    projects_overdue: int
    projects_closed: int
    reports_on_time: int
    #: Monthly reports due by the cut-off; when given, 月报报送 reads “按时/应报”.
    reports_due: int | None = None


@dataclass(frozen=True)
class BulletinContent:
    """Everything a bulletin's files show, already computed and worded."""

    title: str
    number: str  # 文号, e.g. 平工组〔2019〕12号
    issuer: str  # 发文单位
    cut_off: datetime.date
    issued_on: datetime.date
    paragraphs: list[str] = field(default_factory=list)  # overall progress
    ranking: list[RankRow] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # change since the previous bulletin
    praised: list[str] = field(default_factory=list)
    urged: list[str] = field(default_factory=list)
    excerpts: list[tuple[str, str, str]] = field(default_factory=list)  # (title, unit, text)


# --- text shared by every format --------------------------------------------------------------


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def percent(value: float | None) -> str:
    return DASH if value is None else f"{value:.1f}%"


def _number(value: int | None) -> str:
    return DASH if value is None else str(value)


def ranking_cells(row: RankRow) -> list[str]:
    """The ranking table's cells as text (the .docx and .pdf tables)."""
    reports = (
        f"{row.reports_on_time}/{row.reports_due}"
        if row.reports_due is not None
        else str(row.reports_on_time)
    )
    return [
        str(row.rank),
        row.unit,
        _number(row.target),
        str(row.new_members),
        percent(row.completion_pct),
        percent(row.growth_pct),
        str(row.unions_founded),
        f"{row.projects_on_time}/{row.projects_overdue}/{row.projects_closed}",
        reports,
    ]


def cut_off_line(content: BulletinContent) -> str:
    return f"（数据截至{chinese_date(content.cut_off)}）"


def chart_title(content: BulletinContent) -> str:
    return f"{CHART_CAPTION}（截至{chinese_date(content.cut_off)}）"


def _sections(content: BulletinContent) -> list[tuple[str, list[str]]]:
    """The list sections after the table: (heading, paragraphs), 无。 where empty."""
    return [
        (SECTION_CHANGES, content.changes or [NONE_TEXT]),
        (SECTION_PRAISED, content.praised or [NONE_TEXT]),
        (SECTION_URGED, content.urged or [NONE_TEXT]),
    ]


def texts(content: BulletinContent) -> Iterator[str]:
    """Every piece of text any of the files prints."""
    yield from (content.title, content.number, content.issuer, cut_off_line(content))
    yield from (chinese_date(content.issued_on), chart_title(content), NO_TARGET)
    yield from (SECTION_PROGRESS, SECTION_RANKING, SECTION_EXCERPTS, NONE_TEXT)
    yield from (XLSX_RANKING_SHEET, XLSX_CHANGES_SHEET, *RANKING_HEADERS)
    yield from content.paragraphs
    for row in content.ranking:
        yield from ranking_cells(row)
    for heading, paragraphs in _sections(content):
        yield heading
        yield from paragraphs
    for excerpt in content.excerpts:
        yield from excerpt


# --- fonts ------------------------------------------------------------------------------------


@functools.cache
def _covered() -> frozenset[int]:
    """Code points both vendored fonts map (read once per process)."""
    from fontTools.ttLib import TTFont

    maps = []
    for path in (SANS_FONT, SERIF_FONT):
        font = TTFont(path, lazy=True)
        try:
            maps.append(set(font.getBestCmap()))
        finally:
            font.close()
    return frozenset(maps[0] & maps[1])


def missing_characters(content: BulletinContent) -> list[str]:
    """The characters of the content that a vendored font lacks (they print as boxes), each once,
    in the order they first appear; line breaks and tabs are not characters to draw."""
    covered = _covered()
    missing: dict[str, None] = {}
    for text in texts(content):
        for ch in text:
            if ord(ch) not in covered and ch not in "\n\r\t":
                missing[ch] = None
    return list(missing)


# --- chart (PNG) ------------------------------------------------------------------------------

CHART_WIDTH, CHART_ROW, CHART_SCALE = 1600, 56, 2  # px; drawn at 2× for print
BAR_COLOUR, PACE_COLOUR, GRID_COLOUR, TEXT_COLOUR = "#C00000", "#1F4E79", "#D9D9D9", "#262626"


def chart_png(content: BulletinContent) -> bytes:
    """A horizontal bar chart of completion % per unit (in ranking order), drawn with the vendored
    Sans font, every label inside the canvas; deterministic (the same content, the same bytes)."""
    from PIL import Image, ImageDraw, ImageFont

    def font(size: int):
        return ImageFont.truetype(
            str(SANS_FONT), size * CHART_SCALE // 2, layout_engine=ImageFont.Layout.BASIC
        )

    title_font, label_font, small_font = font(30), font(22), font(18)
    rows = content.ranking
    margin = 24
    label_width = max([label_font.getlength(f"{row.rank}. {row.unit}") for row in rows] + [120.0])
    top = margin + 70
    height = top + max(len(rows), 1) * CHART_ROW + 60
    image = Image.new("RGB", (CHART_WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((CHART_WIDTH // 2, margin), chart_title(content), fill=TEXT_COLOUR,
              font=title_font, anchor="mt")  # fmt: skip
    left = margin + int(label_width) + 16
    value_room = int(label_font.getlength("000.0%")) + 16
    right = CHART_WIDTH - margin - value_room
    values = [row.completion_pct for row in rows if row.completion_pct is not None]
    top_value = max([100.0, *values])
    scale = (right - left) / top_value
    bottom = top + len(rows) * CHART_ROW
    step = 20 if top_value <= 200 else 50
    for tick in range(0, int(top_value) + 1, step):
        x = left + round(tick * scale)
        draw.line([(x, top - 6), (x, bottom)], fill=GRID_COLOUR, width=1)
        draw.text((x, bottom + 8), f"{tick}%", fill=TEXT_COLOUR, font=small_font, anchor="mt")
    x100 = left + round(100 * scale)
    draw.line([(x100, top - 6), (x100, bottom)], fill=PACE_COLOUR, width=2)
    for index, row in enumerate(rows):
        y = top + index * CHART_ROW
        middle = y + CHART_ROW // 2
        draw.text((left - 12, middle), f"{row.rank}. {row.unit}", fill=TEXT_COLOUR,
                  font=label_font, anchor="rm")  # fmt: skip
        if row.completion_pct is None:
            draw.text((left + 8, middle), NO_TARGET, fill=TEXT_COLOUR, font=small_font,
                      anchor="lm")  # fmt: skip
            continue
        end = left + max(round(row.completion_pct * scale), 1)
        draw.rectangle([(left, y + 10), (end, y + CHART_ROW - 10)], fill=BAR_COLOUR)
        draw.text((end + 8, middle), percent(row.completion_pct), fill=TEXT_COLOUR,
                  font=label_font, anchor="lm")  # fmt: skip
    draw.line([(left, top - 6), (left, bottom)], fill=TEXT_COLOUR, width=2)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()


#: The .docx table's columns in mm (170, the text width).
DOCX_COLUMNS = (10, 46, 15, 17, 15, 16, 16, 22, 13)

# --- .docx ------------------------------------------------------------------------------------


def write_docx(content: BulletinContent, path: str | os.PathLike, *, chart: bytes | None = None):
    """The bulletin as an A4 official notice: 文号, title (小标宋→黑体), body (仿宋_GB2312→仿宋),
    the ranking table (header repeated on every page), the chart, the sections, issuer and date."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    from ruhui.tabular.docx import a4_document, add_paragraph, east_asian, font_alternates

    document = a4_document(body_font=DOCX_BODY_FONT, size=14)
    font_alternates(
        document, {DOCX_TITLE_FONT: DOCX_TITLE_FALLBACK, DOCX_BODY_FONT: DOCX_BODY_FALLBACK}
    )
    add_paragraph(document, content.number, center=True)
    add_paragraph(document, content.title, size=20, center=True, font=DOCX_TITLE_FONT)
    add_paragraph(document, cut_off_line(content), center=True)

    def heading(text: str) -> None:
        add_paragraph(document, text, font=DOCX_HEADING_FONT)

    def body(text: str) -> None:
        paragraph = document.add_paragraph(text)
        paragraph.paragraph_format.first_line_indent = Pt(28)

    heading(SECTION_PROGRESS)
    for text in content.paragraphs or [NONE_TEXT]:
        body(text)
    heading(SECTION_RANKING)
    table = document.add_table(rows=1, cols=len(RANKING_HEADERS))
    table.style = document.styles["Table Grid"]
    table.autofit = False
    trpr = table.rows[0]._tr.get_or_add_trPr()
    trpr.append(trpr.makeelement(qn("w:tblHeader"), {}))  # repeated on every page
    for cell, title in zip(table.rows[0].cells, TABLE_HEADERS, strict=True):
        run = cell.paragraphs[0].add_run(title)
        east_asian(run, DOCX_HEADING_FONT)
        run.font.size = Pt(10)
    for row in content.ranking:
        cells = table.add_row().cells
        for cell, text in zip(cells, ranking_cells(row), strict=True):
            cell.paragraphs[0].add_run(text).font.size = Pt(10)
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), DOCX_COLUMNS, strict=True):
        col.set(qn("w:w"), str(round(width * 56.7)))  # mm → twips
    for row in table.rows:
        trpr = row._tr.get_or_add_trPr()
        trpr.append(trpr.makeelement(qn("w:cantSplit"), {}))  # a unit's line stays on one page
        for index, (cell, width) in enumerate(zip(row.cells, DOCX_COLUMNS, strict=True)):
            cell.width = Mm(width)
            if index != 1:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    chart = chart if chart is not None else chart_png(content)
    document.add_picture(io.BytesIO(chart), width=Mm(170))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for title, paragraphs in _sections(content):
        heading(title)
        for text in paragraphs:
            body(text)
    heading(SECTION_EXCERPTS)
    for title, unit, text in content.excerpts:
        add_paragraph(document, f"{title}（{unit}）", font=DOCX_HEADING_FONT, size=14)
        for line in text.splitlines() or [""]:
            body(line)
    if not content.excerpts:
        body(NONE_TEXT)
    for text in (content.issuer, chinese_date(content.issued_on)):
        document.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.save(path)


# --- .pdf -------------------------------------------------------------------------------------

PDF_COLUMNS = (10, 36, 15, 17, 14, 17, 19, 24, 14)  # mm, 166 in all
#: Characters a line may not start with (Chinese line-breaking rules, 避头点).
NO_LINE_START = frozenset("，。、；：？！）》」』】〕”’%‰…—·,.;:?!)]}")


def _breakable(before: str, after: str) -> bool:
    """May a line break fall between these two characters? Not before a closing mark, nor inside
    a number or a Latin word (25,300 or 66.7% stay whole)."""
    if after in NO_LINE_START:
        return False
    return not (before in _UNBROKEN and after in _UNBROKEN)


_UNBROKEN = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.,%‰/")


def wrap(text: str, fits) -> list[str]:
    """`text` in lines, each as long as `fits(line)` allows, breaking between characters (Chinese
    has no spaces) where `_breakable` allows: the characters before a bad break move down with
    it (up to 8; past that the break falls where the line is full). Line breaks are kept."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for ch in paragraph:
            if not current or fits(current + ch):
                current += ch
                continue
            joined = current + ch
            cut = next(
                (k for k in range(len(current), max(len(current) - 8, 0), -1)
                 if _breakable(joined[k - 1], joined[k])),
                len(current),
            )  # fmt: skip
            lines.append(current[:cut])
            current = joined[cut:]
        lines.append(current)
    return lines


def write_pdf(content: BulletinContent, path: str | os.PathLike, *, chart: bytes | None = None):
    """The bulletin as an A4 PDF with the vendored fonts only (Serif body, Sans headings and table
    header): the same sections as the .docx, the table's header repeated after a page break."""
    from fpdf import FPDF
    from fpdf.enums import WrapMode
    from fpdf.fonts import FontFace
    from PIL import Image

    # fpdf2 subsets the fonts through fontTools, which logs every glyph list at INFO (the root
    # level here): kilobytes of noise per bulletin in the worker's log.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    pdf = FPDF(format="A4")
    pdf.set_margins(22, 25, 22)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_creation_date(
        datetime.datetime.combine(content.issued_on, datetime.time(), datetime.UTC)
    )
    pdf.set_title(content.title)
    pdf.add_font("sans", fname=str(SANS_FONT))
    pdf.add_font("serif", fname=str(SERIF_FONT))
    pdf.add_page()
    width = pdf.epw

    def fits(text: str) -> bool:
        return pdf.get_string_width(text) <= width - 2 * pdf.c_margin

    def line(text: str, family: str, size: float, align: str = "L", height: float = 7) -> None:
        pdf.set_font(family, size=size)
        for part in wrap(text, fits):
            pdf.cell(width, height, part, align=align, new_x="LMARGIN", new_y="NEXT")

    def heading(text: str) -> None:
        pdf.ln(2)
        line(text, "sans", 13, height=8)

    def body(text: str) -> None:
        line("\u3000\u3000" + text, "serif", 11.5)

    line(content.number, "serif", 11, align="C")
    pdf.ln(2)
    line(content.title, "sans", 18, align="C", height=10)
    line(cut_off_line(content), "serif", 11, align="C")
    heading(SECTION_PROGRESS)
    for text in content.paragraphs or [NONE_TEXT]:
        body(text)
    heading(SECTION_RANKING)
    pdf.set_font("serif", size=8.5)
    with pdf.table(
        col_widths=PDF_COLUMNS,
        width=sum(PDF_COLUMNS),
        text_align="CENTER",
        line_height=5,
        wrapmode=WrapMode.CHAR,
        headings_style=FontFace(family="sans", emphasis="", size_pt=8, fill_color=(221, 235, 247)),
        repeat_headings=1,
    ) as table:
        table.row(list(TABLE_HEADERS))
        for row in content.ranking:
            table.row(ranking_cells(row))
    chart = chart if chart is not None else chart_png(content)
    pdf.ln(4)
    with Image.open(io.BytesIO(chart)) as image:
        ratio = image.height / image.width
    if pdf.will_page_break(width * ratio):
        pdf.add_page()
    pdf.image(io.BytesIO(chart), x=pdf.l_margin, w=width)
    for title, paragraphs in _sections(content):
        heading(title)
        for text in paragraphs:
            body(text)
    heading(SECTION_EXCERPTS)
    for title, unit, text in content.excerpts:
        line(f"{title}（{unit}）", "sans", 11.5)
        for part in text.splitlines() or [""]:
            body(part)
    if not content.excerpts:
        body(NONE_TEXT)
    pdf.ln(6)
    for text in (content.issuer, chinese_date(content.issued_on)):
        line(text, "serif", 11.5, align="R")
    pdf.output(str(path))


# --- .xlsx ------------------------------------------------------------------------------------

XLSX_HEADERS = (
    "名次",
    "单位",
    "目标任务",
    "新发展会员",
    "完成率",
    "较基数增长",
    "新建基层工会",
    "项目按期",
    "项目逾期",
    "项目已销账",
    "月报按时报送",
    "月报应报",
)
XLSX_STYLES = {
    "header": {"bold": True, "fill": "#DDEBF7", "border": 1, "valign": "center", "wrap": True},
    "text": {"num_format": 49},
    "percent": {"num_format": "0.0%"},
}


def write_xlsx(content: BulletinContent, path: str | os.PathLike) -> None:
    """The ranking table (numbers as numbers, percentages as %) and the changes since the previous
    bulletin; every text cell through safe_cell, so a unit named 「=…」 stays text."""
    from ruhui.tabular import xlsxstream
    from ruhui.tabular.cells import HEADER_STYLE, safe_cell

    styles = {**XLSX_STYLES, "header": HEADER_STYLE}
    book = xlsxstream.Workbook(path, styles=styles)
    try:
        sheet = book.add_sheet(
            XLSX_RANKING_SHEET,
            columns=[(0, 0, 6, None), (1, 1, 28, "text"), (2, 11, 12, None)],
            freeze=(1, 0),
        )
        sheet.write_row(list(XLSX_HEADERS), "header")
        for row in content.ranking:
            sheet.write_row(
                [
                    row.rank,
                    safe_cell(row.unit),
                    row.target,
                    row.new_members,
                    None if row.completion_pct is None else row.completion_pct / 100,
                    None if row.growth_pct is None else row.growth_pct / 100,
                    row.unions_founded,
                    row.projects_on_time,
                    row.projects_overdue,
                    row.projects_closed,
                    row.reports_on_time,
                    row.reports_due,
                ],
                [None, "text", None, None, "percent", "percent"] + [None] * 6,
            )
        sheet.autofilter(last_column=len(XLSX_HEADERS) - 1)
        changes = book.add_sheet(XLSX_CHANGES_SHEET, columns=[(0, 0, 100, "text")])
        changes.write_row([SECTION_CHANGES.split("、", 1)[1]], "header")
        for text in content.changes:
            changes.write_row([safe_cell(text)], "text")
    finally:
        book.close()
