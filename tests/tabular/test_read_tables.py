"""`readers.read_tables`: every visible worksheet with a header, in order (CSV: its one table);
sheets without one are skipped; none at all is `read_table`'s refusal; the row limit counts
the whole file. `read_table` still gives the first table only."""

import csv

import pytest

from ruhui.tabular import xlsxstream
from ruhui.tabular.files import FileRejected
from ruhui.tabular.readers import read_table, read_tables

ALIASES = {"姓名": "name", "证件号码": "id_number", "手机号码": "phone", "单位": "unit"}


def workbook(path, sheets):
    """An .xlsx with one sheet per (name, rows)."""
    book = xlsxstream.Workbook(path)
    for name, rows in sheets:
        sheet = book.add_sheet(name)
        for row in rows:
            sheet.write_row(row)
    book.close()
    return path


FIRST = [["花名册"], ["姓名", "手机号码"], ["张三", "13900000001"], ["李四", "13900000002"]]
NOTES = [["填表说明"], ["请按模板填写，每人一行。"]]
SECOND = [["手机号码", "备注", "姓名"], ["13900000003", "新入会", "王五"]]


def contents(tables):
    """(sheet, header row, headers, [(row number, cells)]) for each table, its rows read
    before the next table is asked for."""
    found = []
    for table in tables:
        headers = [header for _i, header, _f in table.columns]
        rows = [(row.number, row.cells) for row in table.rows]
        found.append((table.sheet_name, table.header_row, headers, rows))
    return found


@pytest.mark.parametrize("kind", ["xlsx", "xls"])  # "xls": the whole-sheet reader
def test_every_sheet_with_a_header_in_order(tmp_path, kind):
    path = workbook(tmp_path / "a.xlsx", [("一", FIRST), ("说明", NOTES), ("二", SECOND)])
    assert contents(read_tables(path, kind, header_aliases=ALIASES)) == [
        (
            "一",
            2,
            ["姓名", "手机号码"],
            [(3, ["张三", "13900000001"]), (4, ["李四", "13900000002"])],
        ),
        ("二", 1, ["手机号码", "备注", "姓名"], [(2, ["13900000003", "新入会", "王五"])]),
    ]
    # read_table as before: the first table only.
    table = read_table(path, kind, header_aliases=ALIASES)
    assert table.sheet_name == "一" and [row.number for row in table.rows] == [3, 4]


def test_csv_is_one_table(tmp_path):
    path = tmp_path / "a.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(FIRST[1:])
    [(sheet, header_row, headers, rows)] = contents(
        read_tables(path, "csv", header_aliases=ALIASES)
    )
    assert (sheet, header_row, headers) == ("", 1, ["姓名", "手机号码"])
    assert [number for number, _cells in rows] == [2, 3]


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_a_workbook_without_a_header_is_refused(tmp_path, kind):
    path = workbook(tmp_path / "a.xlsx", [("说明", NOTES), ("空", [["1", "2"]])])
    with pytest.raises(FileRejected) as refused:
        list(read_tables(path, kind, header_aliases=ALIASES))
    assert refused.value.code == "no_header"
    with pytest.raises(FileRejected) as same:
        read_table(path, kind, header_aliases=ALIASES)
    assert same.value.message == refused.value.message


def test_a_header_without_key_fields_still_makes_a_table(tmp_path):
    """As in read_table, a sheet whose header names none of ``key_fields`` is a table; the
    caller decides (the project import passes such a sheet over)."""
    summary = [["单位", "手机号码"], ["舞钢", "3"]]
    path = workbook(tmp_path / "a.xlsx", [("一", FIRST), ("汇总", summary)])
    tables = contents(read_tables(path, "xlsx", header_aliases=ALIASES, key_fields=("name",)))
    assert [(sheet, headers) for sheet, _h, headers, _r in tables] == [
        ("一", ["姓名", "手机号码"]),
        ("汇总", ["单位", "手机号码"]),
    ]


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_the_row_limit_counts_the_whole_file(tmp_path, settings, kind):
    rows = [["姓名", "手机号码"], *([f"人{i}", f"139{i:08d}"] for i in range(30))]
    path = workbook(tmp_path / "a.xlsx", [("一", rows), ("二", rows)])
    settings.RUHUI_IMPORT_MAX_ROWS = 50  # each sheet has 31 rows: together 62
    assert len(list(read_table(path, kind, header_aliases=ALIASES).rows)) == 30
    read = []

    def read_all():
        for table in read_tables(path, kind, header_aliases=ALIASES):
            read.extend(table.rows)

    with pytest.raises(FileRejected) as refused:
        read_all()
    assert refused.value.code == "too_many_rows"
    assert len(read) == 30 + 50 - 31 - 1  # the second sheet stops at the file's 50th row
    settings.RUHUI_IMPORT_MAX_ROWS = 62
    assert (
        sum(len(rows) for *_x, rows in contents(read_tables(path, kind, header_aliases=ALIASES)))
        == 60
    )


def test_the_next_sheet_is_opened_only_when_asked_for(tmp_path):
    """Streamed: one sheet at a time; a table left unread is passed over without harm."""
    path = workbook(tmp_path / "a.xlsx", [("一", FIRST), ("二", SECOND)])
    tables = read_tables(path, "xlsx", header_aliases=ALIASES)
    first = next(tables)
    assert first.sheet_name == "一"
    second = next(tables)  # the first table's rows were never read
    assert [row.number for row in second.rows] == [2]
    assert next(tables, None) is None
