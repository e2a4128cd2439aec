"""The ranking of 考核评比 as .xlsx (the shared streaming writer, every text cell through
`tabular.cells.safe_cell`) and as an A4 landscape .docx (python-docx, fonts through
`tabular.docx`): rank, unit, the score of every criterion, computed, adjustment, total,
result, 推荐评先 and the 逾期整改 flag."""

from __future__ import annotations

import os

from ruhui.assessment.selectors import Ranking
from ruhui.tabular import xlsxstream
from ruhui.tabular.cells import HEADER_STYLE, safe_cell
from ruhui.tabular.docx import TITLE_FONT, a4_document, add_paragraph
from ruhui.tabular.downloads import DOCX_TYPE, XLSX_TYPE, written_download

STYLES = {"header": HEADER_STYLE, "number": {"num_format": "0.00"}}


def title_of(ranking: Ranking) -> str:
    state = "（定稿）" if ranking.scheme.is_final else "（草稿）"
    return f"{ranking.scheme.campaign.name}考核评比排名{state}"


def headers(ranking: Ranking) -> list[str]:
    return [
        "名次",
        "单位",
        *[f"{c.label}（{c.weight}分）" for c in ranking.columns],
        "计算得分",
        "调整分",
        "总分",
        "考核结果",
        "推荐评先",
        "逾期整改",
    ]


def rows(ranking: Ranking) -> list[list]:
    return [
        [
            row.rank,
            row.unit.name,
            *[cell.get("score", "") for cell in row.cells],
            f"{row.computed_total}",
            f"{row.adjustment}",
            f"{row.total}",
            row.get_result_display() or "未评定",
            "是" if row.recommended else "否",
            "有" if row.overdue_flag else "无",
        ]
        for row in ranking.rows
    ]


def ranking_xlsx(ranking: Ranking, path: str | os.PathLike) -> None:
    book = xlsxstream.Workbook(path, styles=STYLES)
    try:
        sheet = book.add_sheet(
            "考核排名", columns=[(0, 0, 6, None), (1, 1, 24, None)], freeze=(1, 0)
        )
        names = headers(ranking)
        sheet.write_row(names, ["header"] * len(names))
        count = len(ranking.columns)
        for values in rows(ranking):
            numbers = [float(v) if v != "" else None for v in values[2 : 5 + count]]
            sheet.write_row(
                [values[0], safe_cell(values[1]), *numbers, *[safe_cell(v) for v in values[-3:]]],
                [None, None, *["number"] * len(numbers), None, None, None],
            )
    finally:
        book.close()


def ranking_docx(ranking: Ranking, path: str | os.PathLike) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt

    document = a4_document(size=10)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    add_paragraph(document, title_of(ranking), size=16, bold=True, center=True, font=TITLE_FONT)
    names = headers(ranking)
    table = document.add_table(rows=1, cols=len(names))
    table.style = document.styles["Table Grid"]
    for cell, name in zip(table.rows[0].cells, names, strict=True):
        run = cell.paragraphs[0].add_run(name)
        run.bold = True
        run.font.size = Pt(9)
    for values in rows(ranking):
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.paragraphs[0].add_run(str(value)).font.size = Pt(9)
    if not ranking.rows:
        add_paragraph(document, "（尚未计算得分）", center=True)
    document.save(str(path))


def download(ranking: Ranking, kind: str):
    """The ranking as a download (.xlsx or .docx), named after the campaign."""
    writer = ranking_xlsx if kind == "xlsx" else ranking_docx
    return written_download(
        lambda path: writer(ranking, path),
        f".{kind}",
        filename=f"{title_of(ranking)}.{kind}",
        content_type=XLSX_TYPE if kind == "xlsx" else DOCX_TYPE,
    )
