"""The streaming .xlsx writer: read back by two independent readers (calamine, as the importer
reads files, and openpyxl, which parses the package strictly), with styles, panes and filters."""

import datetime
import math
import zipfile

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from ruhui.tabular import xlsxstream

STYLES = {
    "text": {"num_format": 49},
    "header": {"bold": True, "fill": "#DDEBF7", "border": 1, "valign": "center", "wrap": True},
    "bad": {"num_format": 49, "fill": "#FFC7CE", "font_color": "#9C0006", "bold": True},
    "date": {"num_format": "yyyy-mm-dd"},
}
#: Text a roster cell can hold: markup, control characters, escapes, edge spaces, CJK.
AWKWARD = [
    "a & <b> > c",
    "x\x01y",
    " leading",
    "trailing ",
    "_x0041_ looks like an escape",
    "tab\tnew\nline\rreturn",
    "'=SUM(A1)",
    "平顶山市总工会",
    "\U0001f600 emoji",
]


def write(path, rows, **sheet_options):
    book = xlsxstream.Workbook(path, styles=STYLES)
    sheet = book.add_sheet("导入结果", **sheet_options)
    for values, styles in rows:
        sheet.write_row(values, styles)
    return book, sheet


def test_values_round_trip_through_calamine_and_openpyxl(tmp_path):
    path = tmp_path / "t.xlsx"
    book, _sheet = write(
        path,
        [(["文本", "整数", "小数", "是否"], "header")]
        + [([text, 410481, 12.5, True], ["text", None, None, None]) for text in AWKWARD],
    )
    book.close()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("导入结果").to_python()
    assert rows[0] == ["文本", "整数", "小数", "是否"]
    assert [r[0] for r in rows[1:]] == AWKWARD
    assert rows[1][1:] == [410481, 12.5, True]
    sheet = openpyxl.load_workbook(path)["导入结果"]
    assert [c.value for c in sheet[2]] == [AWKWARD[0], 410481, 12.5, True]
    # openpyxl does not undo Excel's _xHHHH_ escapes; every text without them is exact.
    plain = [t for t in AWKWARD if not xlsxstream._CONTROL.search(t) and "_x" not in t]
    assert [row[0].value for row in sheet.iter_rows(min_row=2) if row[0].value in plain] == plain


def test_styles_panes_widths_and_filter(tmp_path):
    path = tmp_path / "t.xlsx"
    book, sheet = write(
        path,
        [(["原行号", "姓名", "结果"], "header"), ([3, "张伟", "未导入"], [None, "text", "bad"])],
        columns=[(0, 0, 8, None), (1, 2, 14, "text")],
        freeze=(1, 1),
    )
    sheet.write_row([4, "", None], ["bad", "bad", "bad"], blanks=True)
    sheet.autofilter(last_column=2)
    book.close()
    ws = openpyxl.load_workbook(path)["导入结果"]
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref == "A1:C3"
    assert ws.column_dimensions["A"].width == pytest.approx(8.71, abs=0.01)  # as Excel stores 8
    header = ws["A1"]
    assert header.font.b and header.fill.fgColor.rgb == "FFDDEBF7" and header.alignment.wrap_text
    assert header.border.left.style == "thin"
    assert ws["B2"].number_format == "@"
    assert ws["C2"].fill.fgColor.rgb == "FFFFC7CE" and ws["C2"].font.color.rgb == "FF9C0006"
    # blanks=True keeps the style of empty cells (a rejected row is highlighted end to end).
    assert ws["B3"].value is None and ws["B3"].fill.fgColor.rgb == "FFFFC7CE"


def test_a_custom_number_format_and_several_sheets(tmp_path):
    path = tmp_path / "t.xlsx"
    book = xlsxstream.Workbook(path, styles=STYLES)
    for n in range(3):
        book.add_sheet(f"第{n + 1}页").write_row([n, 45000.0], [None, "date"])
    book.close()
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["第1页", "第2页", "第3页"]
    assert workbook["第2页"]["B1"].number_format == "yyyy-mm-dd"
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None


def test_an_empty_workbook_still_opens(tmp_path):
    path = tmp_path / "t.xlsx"
    xlsxstream.Workbook(path).close()
    assert openpyxl.load_workbook(path).sheetnames == ["Sheet1"]


def test_dates_are_day_numbers_with_their_style(tmp_path):
    path = tmp_path / "t.xlsx"
    days = [datetime.date(1900, 3, 1), datetime.date(2019, 5, 1), datetime.date(2026, 12, 31)]
    book = xlsxstream.Workbook(path, styles=STYLES)
    sheet = book.add_sheet("s")
    sheet.write_row(["入会日期"], "header", height=30)
    for day in days:
        sheet.write_row([day, datetime.datetime(2019, 5, 1, 12, 0)], "date")
    book.close()
    ws = openpyxl.load_workbook(path)["s"]
    assert [row[0].value.date() for row in ws.iter_rows(min_row=2)] == days
    assert ws["B2"].value == datetime.datetime(2019, 5, 1, 12, 0)
    assert ws.row_dimensions[1].height == 30
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("s").to_python()
    assert [r[0] for r in rows[1:]] == days


@pytest.mark.parametrize(
    "value",
    [
        float("nan"),
        float("inf"),
        object(),
        b"bytes",
        datetime.datetime(2019, 5, 1, tzinfo=datetime.UTC),  # a moment, not a wall-clock day
    ],
)
def test_values_that_are_no_cell_are_refused(tmp_path, value):
    book = xlsxstream.Workbook(tmp_path / "t.xlsx")
    sheet = book.add_sheet("s")
    with pytest.raises(TypeError):
        sheet.write_row([value])
    book.close()


def test_column_letters():
    assert [xlsxstream.column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702, 16383)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
        "XFD",
    ]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.characters(
                blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff"
            ),
            min_size=1,
            max_size=40,
        ),
        min_size=1,
        max_size=8,
    )
)
def test_any_text_reads_back_as_written(tmp_path_factory, texts):
    """Whatever a roster cell holds, calamine (the importer's reader) gets it back unchanged."""
    path = tmp_path_factory.mktemp("x") / "t.xlsx"
    book = xlsxstream.Workbook(path)
    book.add_sheet("s").write_row(texts)
    book.close()
    row = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("s").to_python()[0]
    assert row == texts


def test_numbers_keep_their_value(tmp_path):
    path = tmp_path / "t.xlsx"
    values = [0, -1, 2**53, 0.1, 1e-300, 123456789.125, math.pi]
    book = xlsxstream.Workbook(path)
    book.add_sheet("s").write_row(values)
    book.close()
    row = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("s").to_python()[0]
    assert row == values
