"""The coverage tables as an .xlsx download (two sheets: 按行政区划, 按群体), written with the
streaming writer and sent once."""

from __future__ import annotations

from decimal import Decimal

from ruhui.positions.coverage import Coverage, Line
from ruhui.tabular.cells import HEADER_STYLE, safe_cell
from ruhui.tabular.downloads import XLSX_TYPE, written_download
from ruhui.tabular.xlsxstream import Workbook

HEADERS = [
    "运行中的服务阵地",
    "在籍会员",
    "户外劳动者群体会员",
    "每千名户外劳动者会员阵地数",
    "服务活动",
    "服务职工人次",
    "服务人次 ÷ 会员",
    "支出（元）",
    "基层工会",
    "“六有”齐全",
    "“六有”齐全率（%）",
    "集体协商",
    "覆盖职工",
]


def _number(value: Decimal | None):
    return "" if value is None else float(value)


def _cells(line: Line, *, by_group: bool) -> list:
    return [
        safe_cell(line.label),
        line.positions,
        line.members,
        line.outdoor_members if line.outdoor else "",
        _number(line.positions_per_1000),
        line.activities,
        line.served,
        _number(line.served_per_member),
        "" if by_group else float(line.spending),
        line.base_unions,
        line.six_met,
        _number(line.six_share),
        line.consultations,
        line.covered,
    ]


def write_coverage(figures: Coverage, path) -> None:
    book = Workbook(path, styles={"header": HEADER_STYLE})
    columns = [(0, 0, 22, None), (1, len(HEADERS), 14, None)]
    for title, first, lines, by_group in (
        ("按行政区划", "行政区划", [*figures.divisions, figures.total], False),
        ("按群体", "群体", figures.groups, True),
    ):
        sheet = book.add_sheet(title, columns=columns, freeze=(1, 1))
        sheet.write_row([first, *HEADERS], ["header"] * (len(HEADERS) + 1))
        for line in lines:
            sheet.write_row(_cells(line, by_group=by_group))
    book.close()


def coverage_download(figures: Coverage):
    name = f"服务阵地与服务覆盖情况_{figures.unit.name}_{figures.start:%Y%m%d}-{figures.end:%Y%m%d}.xlsx"
    return written_download(
        lambda path: write_coverage(figures, path), ".xlsx", filename=name, content_type=XLSX_TYPE
    )
