"""The import result workbook: original values as typed, outcome per row, summary, bounded memory."""

import datetime
import re
import tracemalloc
import zipfile
from dataclasses import dataclass, field

import pytest
from python_calamine import CalamineWorkbook

from ruhui.tabular.report import (
    MESSAGE_HEADER,
    RESULT_HEADER,
    ROW_HEADER,
    build_error_report,
    cell_text,
    join_messages,
)

HEADERS = ["姓名", "证件号码", "手机号码", "入会日期", "是否农民工", "备注"]


def read(path, sheet):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def sample_rows():
    yield 3, ["张伟", "11010519491231002X", "13800138000", "2019-05-01", "是", None], "新增", ""
    yield (
        4,
        ["李娜", 4.10481199005e17, 13800138001, datetime.datetime(2019, 5, 1), True, 12.5],
        "未导入",
        "证件号码：校验位不正确，请核对；手机号码：应为文本",
    )
    yield 6, ['=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"], "未导入", "-坏"
    yield 7, ["王芳", "410481199005010011"], "更新", ""


@dataclass
class FakeSummary:
    """Like the importer's Summary: blank/notes counts are known only after the pass."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    blank_rows: int = 0
    notes_rows: int = 0
    header_row: int = 2
    unknown_headers: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    dry_run: bool = True

    def as_dict(self):
        return dict(vars(self))


def counting(rows, summary: FakeSummary):
    for row in rows:
        summary.rows += 1
        if row[2] == "新增":
            summary.created += 1
        elif row[2] == "更新":
            summary.updated += 1
        else:
            summary.rejected += 1
            summary.errors.append({"row": row[0]})
        yield row
    summary.blank_rows, summary.notes_rows = 5, 2
    summary.unknown_headers = ["备注"]


@pytest.fixture
def report(tmp_path):
    path = tmp_path / "r.xlsx"
    summary = FakeSummary()
    written = build_error_report(
        path, headers=HEADERS, rows=counting(sample_rows(), summary), summary=summary
    )
    assert written == 4
    return path


def test_columns_and_values(report):
    rows = read(report, "导入结果")
    assert rows[0] == [ROW_HEADER, *HEADERS, RESULT_HEADER, MESSAGE_HEADER]
    assert [r[0] for r in rows[1:]] == [3, 4, 6, 7]
    assert [r[-2] for r in rows[1:]] == ["新增", "未导入", "未导入", "更新"]
    assert rows[1][1:7] == ["张伟", "11010519491231002X", "13800138000", "2019-05-01", "是", ""]
    # Values read as numbers, dates and booleans come back as the user saw them, as text.
    assert rows[2][1:7] == [
        "李娜",
        "410481199005000000",
        "13800138001",
        "2019-05-01",
        "TRUE",
        "12.5",
    ]
    assert rows[2][-1] == "证件号码：校验位不正确，请核对；手机号码：应为文本"
    # A short row is padded, not shifted.
    assert rows[4][1:7] == ["王芳", "410481199005010011", "", "", "", ""]


def test_formula_like_cells_are_neutralised(report):
    row = read(report, "导入结果")[3]
    assert row[1:7] == ['\'=HYPERLINK("http://x")', "'+1", "'-1", "'@SUM(A1)", "'\t=1", "'\r=1"]
    assert row[-1] == "'-坏"


def _styles(path):
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        styles = archive.read("xl/styles.xml").decode()
    fills = re.findall(
        r"<fill>(.*?)</fill>", re.search(r"<fills[^>]*>(.*?)</fills>", styles, re.S).group(1), re.S
    )
    xfs = re.findall(
        r"<xf [^>]*>", re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S).group(1)
    )
    fill_of_xf = [int(re.search(r'fillId="(\d+)"', xf).group(1)) for xf in xfs]
    num_of_xf = [int(re.search(r'numFmtId="(\d+)"', xf).group(1)) for xf in xfs]
    return sheet, fills, fill_of_xf, num_of_xf


def test_rejected_rows_are_highlighted_and_cells_are_text(report):
    sheet, fills, fill_of_xf, num_of_xf = _styles(report)

    def row_styles(number):
        return [int(s) for s in re.findall(rf'<c r="[A-Z]+{number}" s="(\d+)"', sheet)]

    for excel_row, rejected in ((2, False), (3, True), (4, True), (5, False)):
        styles = row_styles(excel_row)
        assert len(styles) >= 9 if rejected else len(styles) >= 3
        highlighted = ["FFC7CE" in fills[fill_of_xf[s]] for s in styles]
        assert all(highlighted) if rejected else not any(highlighted)
        # Every cell but 原行号 is text-formatted, so a corrected ID stays text on re-import.
        assert all(num_of_xf[s] == 49 for s in styles[1:])
    assert '<autoFilter ref="A1:I5"/>' in sheet
    assert 'state="frozen"' in sheet


def test_summary_sheet_is_written_after_the_rows(report):
    summary = {row[0]: row[1] for row in read(report, "汇总")[1:]}
    assert summary["文件中的数据行"] == 4
    assert summary["新增"] == 1
    assert summary["更新"] == 1
    assert summary["未导入"] == 2
    assert summary["跳过的空行"] == 5  # set by the importer only after the last row
    assert summary["跳过的说明行（表格下方的备注、合计等）"] == 2
    assert summary["表头所在行"] == 2
    assert summary["未识别的列（未导入）"] == "备注"
    assert summary["仅检查（未写入系统）"] == "是"
    assert summary["核对：数据行 = 新增 + 更新 + 未导入"] == "一致（4 = 4）"
    assert summary["本结果文件中的行"] == 4
    assert "errors" not in summary
    assert CalamineWorkbook.from_path(str(report)).sheet_names == ["导入结果", "汇总"]


def test_summary_from_a_dict_and_a_mismatch_is_shown(tmp_path):
    path = tmp_path / "r.xlsx"
    build_error_report(
        path,
        headers=["姓名"],
        rows=iter([(2, ["张伟"], "新增", "")]),
        summary={"rows": 3, "created": 1, "updated": 0, "rejected": 1, "导入文件": "名册.xlsx"},
    )
    summary = {row[0]: row[1] for row in read(path, "汇总")[1:]}
    assert summary["核对：数据行 = 新增 + 更新 + 未导入"] == "不一致：数据行 3，三项合计 2"
    assert summary["导入文件"] == "名册.xlsx"


def test_without_a_summary_the_counts_come_from_the_rows(tmp_path):
    path = tmp_path / "r.xlsx"
    build_error_report(path, headers=HEADERS, rows=sample_rows())
    summary = {row[0]: row[1] for row in read(path, "汇总")[1:]}
    assert (summary["文件中的数据行"], summary["新增"], summary["更新"], summary["未导入"]) == (
        4,
        1,
        1,
        2,
    )


def test_empty_import_still_has_headers(tmp_path):
    path = tmp_path / "r.xlsx"
    assert build_error_report(path, headers=HEADERS, rows=[], summary={}) == 0
    assert read(path, "导入结果") == [[ROW_HEADER, *HEADERS, RESULT_HEADER, MESSAGE_HEADER]]


def test_rows_beyond_one_sheet_continue_on_the_next(tmp_path):
    path = tmp_path / "r.xlsx"
    rows = ((n + 2, [f"人{n}"], "新增", "") for n in range(5))
    assert build_error_report(path, headers=["姓名"], rows=rows, max_sheet_rows=2) == 5
    workbook = CalamineWorkbook.from_path(str(path))
    assert workbook.sheet_names == ["导入结果", "导入结果(2)", "导入结果(3)", "汇总"]
    numbers = [r[0] for name in workbook.sheet_names[:3] for r in read(path, name)[1:]]
    assert numbers == [2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("0123", "0123"),
        (410481199005010011, "410481199005010011"),
        (4.10481199005e17, "410481199005000000"),
        (13800138000.0, "13800138000"),
        (0.1, "0.1"),
        (float("inf"), "inf"),
        (True, "TRUE"),
        (datetime.date(2019, 5, 1), "2019-05-01"),
        (datetime.datetime(2019, 5, 1), "2019-05-01"),
        (datetime.datetime(2019, 5, 1, 8, 30), "2019-05-01 08:30:00"),
        (datetime.time(8, 30), "08:30:00"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_join_messages_names_each_column_once():
    assert (
        join_messages(
            [
                ("证件号码", "校验位不正确，请核对。"),
                ("姓名", "姓名不能为空，请填写。"),
                ("", "与第 3 行重复"),
            ]
        )
        == "证件号码：校验位不正确，请核对。；姓名不能为空，请填写。；与第 3 行重复"
    )


def _peak(rows: int, tmp_path) -> int:
    def generate():
        for n in range(rows):
            yield (
                n + 2,
                [f"姓名{n}", f"41048119900501{n:04d}", 13800000000 + n, "2019-05-01"],
                ("未导入" if n % 3 == 0 else "新增"),
                ("证件号码：校验位不正确" if n % 3 == 0 else ""),
            )

    tracemalloc.start()
    try:
        build_error_report(tmp_path / f"r{rows}.xlsx", headers=HEADERS[:4], rows=generate())
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_rows(tmp_path):
    """constant_memory: 8× the rows may not need noticeably more memory (the 1,000,000-row
    figure is in bench/bench_export.py)."""
    small, large = _peak(1_000, tmp_path), _peak(8_000, tmp_path)
    assert large < small * 1.3 + 512 * 1024, (small, large)


def test_a_corrected_report_reads_back_as_an_import(tmp_path):
    """Contract with the reader: the result file can be fixed and imported again; its three
    extra columns are reported as unknown, the original ones map to their fields."""
    from ruhui.importing.headers import MEMBER_HEADER_ALIASES
    from ruhui.tabular.files import check_upload
    from ruhui.tabular.readers import read_table

    path = tmp_path / "r.xlsx"
    build_error_report(path, headers=HEADERS, rows=sample_rows(), summary={})
    assert check_upload(path, "导入结果.xlsx") == "xlsx"
    table = read_table(path, "xlsx", header_aliases=MEMBER_HEADER_ALIASES)
    assert table.fields == ["name", "id_number", "phone", "joined_on", "is_migrant_worker"]
    assert set(table.unknown_headers) >= {ROW_HEADER, RESULT_HEADER, MESSAGE_HEADER}
    numbers = [table.cells_by_field(row)["id_number"] for row in table.rows]
    assert numbers[:2] == ["11010519491231002X", "410481199005000000"]
