"""Task-decomposition tables: every reading rule (files the tests build), the number cells
(also as a property), the name matching, and the import service's writing rules."""

import csv
import datetime
import math

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied
from hypothesis import given, settings
from hypothesis import strategies as st

from ruhui.audit.models import AuditEvent
from ruhui.campaigns import services
from ruhui.campaigns.models import Decomposition, Target
from ruhui.campaigns.services import TargetLine
from ruhui.campaigns.target_import import target_table_import
from ruhui.campaigns.target_tables import (
    MAX_COUNT,
    MSG_EXTENSION,
    MSG_NEGATIVE,
    MSG_NO_HEADER,
    MSG_NO_NAME,
    MSG_NOT_INTEGER,
    MSG_TEXT_ENCODING,
    MSG_TOO_LARGE,
    CountError,
    header_kind,
    parse_count,
    read_target_table,
)
from ruhui.campaigns.unit_names import UnitMatcher, place_names, unit_key
from ruhui.orgs.choices import OrgKind
from ruhui.tabular.files import FileRejected
from tests.factories import OrganizationFactory

HEADER = ["单位名称", "2014年底农民工会员数（人）", "2015新增任务数（人）", "备注"]


def write_xlsx(path, *sheets):
    """Each sheet a list of rows; None leaves a cell empty."""
    book = xlsxwriter.Workbook(str(path))
    for rows in sheets:
        sheet = book.add_worksheet()
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
    book.close()
    return path


def write_csv(path, rows, encoding="utf-8", delimiter=","):
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def read(path):
    return read_target_table(path, path.name)


def simple_rows():
    return [
        ["平顶山市任务分解表"],
        [],
        HEADER,
        ["舞钢", 31463, 3500, ""],
        ["宝丰", "54,062", "８０００", "重点：物流"],
        [],
        ["合　计", 85525, 11500, ""],
        ["注：基数为2014年12月31日数。"],
        ["填表人：张三", "", "电话：1234", ""],
    ]


# --- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3500, 3500),
        (3500.0, 3500),
        (0, 0),
        ("3500", 3500),
        (" 3500 ", 3500),
        ("3,500", 3500),
        ("314,906", 314906),
        ("1,234,567", 1234567),
        ("３５００", 3500),
        ("３１４，９０６", 314906),
        ("3500.0", 3500),
        ("+12", 12),
        ("—", None),
        ("-", None),
        ("——", None),
        ("－", None),
        ("", None),
        ("　", None),
        (None, None),
    ],
)
def test_count_cells(value, expected):
    assert parse_count(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        3500.5,
        "3.5",
        "abc",
        "3500人",
        "1,00",
        "12,3456",
        "1.5万",
        True,
        datetime.date(2015, 1, 1),
        math.nan,
        math.inf,
        "3 500",
    ],
)
def test_count_cells_not_integers(value):
    with pytest.raises(CountError) as caught:
        parse_count(value)
    assert caught.value.args[0] == MSG_NOT_INTEGER


@pytest.mark.parametrize("value", [-5, -1.0, "-5", "－5", "-3,500", "−7"])
def test_negative_counts(value):
    with pytest.raises(CountError) as caught:
        parse_count(value)
    assert caught.value.args[0] == MSG_NEGATIVE


FULL_WIDTH = str.maketrans("0123456789,", "０１２３４５６７８９，")


def test_counts_the_database_cannot_hold():
    assert parse_count(MAX_COUNT) == MAX_COUNT
    for value in (MAX_COUNT + 1, str(MAX_COUNT + 1), 1e300):
        with pytest.raises(CountError) as caught:
            parse_count(value)
        assert caught.value.args[0] == MSG_TOO_LARGE


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=MAX_COUNT))
def test_count_round_trips(number):
    text = f"{number:,}"
    assert parse_count(number) == number
    assert parse_count(str(number)) == number
    assert parse_count(text) == number
    assert parse_count(text.translate(FULL_WIDTH)) == number
    assert parse_count(f"  {number}\u3000") == number
    assert parse_count(float(number)) == number
    assert parse_count(f"{number}.0") == number


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=10**15))
def test_negative_never_passes(number):
    for value in (-number, f"-{number}", f"-{number:,}", float(-number)):
        with pytest.raises(CountError) as caught:
            parse_count(value)
        assert caught.value.args[0] == MSG_NEGATIVE


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), st.floats(), st.integers(), st.none(), st.booleans()))
def test_any_cell_is_a_count_none_or_an_error(value):
    message = None
    try:
        result = parse_count(value)
    except CountError as error:
        message, result = error.args[0], None
    assert message in (None, MSG_NOT_INTEGER, MSG_NEGATIVE, MSG_TOO_LARGE)
    assert result is None or (type(result) is int and 0 <= result <= MAX_COUNT)
    if message is None and isinstance(value, int | float) and not isinstance(value, bool):
        assert result == value


# --- headers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("单位名称", "unit"),
        ("单位", "unit"),
        ("名称", "unit"),
        ("县(市、区)", "unit"),
        ("县（市、区）", "unit"),
        ("2014年底农民工会员数（人）", "baseline"),
        ("2014年底\n农民工会员数\n（人）", "baseline"),
        ("2018年末会员数", "baseline"),
        ("基数", "baseline"),
        ("农民工会员基数", "baseline"),
        ("2015新增任务数（人）", "target"),
        ("新增任务", "target"),
        ("目标任务数", "target"),
        ("任务数", "target"),
        ("备注", "note"),
        ("序号", "index"),
        ("舞钢", None),
        ("联系电话", None),
    ],
)
def test_header_kinds(text, kind):
    assert header_kind(text) == kind


@pytest.mark.parametrize(
    ("header", "baseline", "target"),
    [
        (["单位", "2018年末会员数", "目标任务数"], 100, 15),
        (["县(市、区)", "基数", "任务数"], 100, 15),
        (["名称", "农民工会员基数", "新增任务"], 100, 15),
        (["序号", "县（市、区）", "2019新增任务数（人）"], None, 15),
        (["单位名称", "2014年底农民工会员数（人）"], 100, None),
    ],
)
def test_header_variants(tmp_path, header, baseline, target):
    values = [v for v in (baseline, target) if v is not None]
    row = (["1"] if header[0] == "序号" else []) + ["舞钢", *values]
    table = read(write_csv(tmp_path / "t.csv", [["标题"], header, row]))
    assert [(r.name, r.baseline, r.target) for r in table.rows] == [("舞钢", baseline, target)]


def test_header_must_have_unit_and_a_number_column(tmp_path):
    for header in (["单位名称", "备注"], ["2014年底会员数", "新增任务数"]):
        with pytest.raises(FileRejected) as caught:
            read(write_csv(tmp_path / "t.csv", [header, ["舞钢", "1"]]))
        assert caught.value.code == "no_header"
        assert str(caught.value) == MSG_NO_HEADER.format(rows=30)


def test_header_within_the_first_30_rows(tmp_path):
    title = [["说明文字"]] * 29
    table = read(write_csv(tmp_path / "a.csv", [*title, HEADER, ["舞钢", "1", "2", ""]]))
    assert table.rows[0].row == 31
    with pytest.raises(FileRejected, match="前 30 行中找不到表头"):
        read(write_csv(tmp_path / "b.csv", [*title, ["x"], HEADER, ["舞钢", "1", "2"]]))


# --- file kinds ---------------------------------------------------------------------------


def expect_simple(table):
    assert table.columns == {
        "unit": "单位名称",
        "baseline": "2014年底农民工会员数（人）",
        "target": "2015新增任务数（人）",
        "note": "备注",
    }
    assert [(r.row, r.name, r.baseline, r.target, r.note) for r in table.rows] == [
        (4, "舞钢", 31463, 3500, ""),
        (5, "宝丰", 54062, 8000, "重点：物流"),
    ]
    assert table.declared == {"baseline": 85525, "target": 11500}
    assert table.totals_row == 7
    assert table.errors == []


def test_xlsx(tmp_path):
    expect_simple(read(write_xlsx(tmp_path / "表.xlsx", simple_rows())))


def test_xlsx_multiline_header_and_first_sheet_without_header(tmp_path):
    rows = simple_rows()
    rows[2] = ["单位名称", "2014年底\n农民工会员数（人）", "2015新增\n任务数（人）", "备注"]
    path = write_xlsx(tmp_path / "表.xlsx", [["填表说明"], ["请按单位填写"]], rows)
    expect_simple(read(path))


def test_xls(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("分解表")
    for r, row in enumerate(simple_rows()):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(tmp_path / "表.xls"))
    expect_simple(read(tmp_path / "表.xls"))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(tmp_path, encoding):
    expect_simple(read(write_csv(tmp_path / "表.csv", simple_rows(), encoding)))


def test_csv_semicolons(tmp_path):
    expect_simple(read(write_csv(tmp_path / "表.csv", simple_rows(), delimiter=";")))


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_tab_separated_text(tmp_path, encoding):
    expect_simple(read(write_csv(tmp_path / "表.txt", simple_rows(), encoding, delimiter="\t")))


WORD_TABLE = (
    "附件\n平顶山市任务分解表\n"  # 1-2: prose before the table
    "\t序号\n\t单位名称\n\n\n"  # 3-6: a header cell with empty paragraphs
    "\t2014年底\n\n农民工会员数\n\n（人）\n"  # 7-11: one cell over five lines
    "\t2015新增\n\n任务数\n\n（人）\n\t备注\n\n"  # 12-18
    "\t1\n\t舞 钢\n\t31,463\n\t3500\n\n\t含舞钢公司\n\n"  # 19-25: the note after a gap
    "\t2\n\t宝丰\n\n\t54062\n\t８０００\n\t重点：\n物流\n\n"  # 26-33: numbers after a gap
    "\t\n\t合 计\n\t85525\n\t11500\n \n"  # 34-38
    "注：基数为2014年12月31日数。\n"  # 39: prose after the table
)


def test_word_table_text(tmp_path):
    path = tmp_path / "表.txt"
    path.write_text(WORD_TABLE, encoding="utf-8")
    table = read(path)
    assert table.columns["baseline"] == "2014年底农民工会员数（人）"
    assert table.columns["target"] == "2015新增任务数（人）"
    assert [(r.row, r.name, r.baseline, r.target, r.note) for r in table.rows] == [
        (19, "舞钢", 31463, 3500, "含舞钢公司"),
        (26, "宝丰", 54062, 8000, "重点：物流"),
    ]
    assert table.declared == {"baseline": 85525, "target": 11500}
    assert table.errors == []


def test_word_table_in_gb18030_and_without_blank_lines(tmp_path):
    text = "\t单位名称\n\t基数\n\t任务数\n\t舞钢\n\t10\n\t2\n\t宝丰\n\t20\n\t3\n\t合计\n\t30\n\t5\n"
    path = tmp_path / "表.txt"
    path.write_bytes(text.encode("gb18030"))
    table = read(path)
    assert [(r.name, r.baseline, r.target) for r in table.rows] == [
        ("舞钢", 10, 2),
        ("宝丰", 20, 3),
    ]
    assert table.declared == {"baseline": 30, "target": 5}


def test_text_in_utf16_is_refused(tmp_path):
    path = tmp_path / "表.txt"
    path.write_text("\t单位名称\n\t基数\n", encoding="utf-16")
    with pytest.raises(FileRejected) as caught:
        read(path)
    assert str(caught.value) == MSG_TEXT_ENCODING


def test_other_files_are_refused(tmp_path):
    path = tmp_path / "表.docx"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(FileRejected) as caught:
        read(path)
    assert str(caught.value) == MSG_EXTENSION.format(ext="「.docx」")
    fake = tmp_path / "表.xlsx"
    fake.write_text("单位名称,基数\n舞钢,1\n", encoding="utf-8")
    with pytest.raises(FileRejected):  # check_upload: a text file named .xlsx
        read(fake)


# --- rows ---------------------------------------------------------------------------------


def test_row_errors_name_the_column_and_the_spreadsheet_row(tmp_path):
    rows = [
        ["任务分解表"],
        HEADER,
        ["舞钢", 31463, 3500, ""],
        ["宝丰", 54062, 8000.5, ""],
        ["叶县", -1, 5500, ""],
        ["鲁山", "约6000", "—", ""],
        ["", 100, 10, ""],
        ["郏县", "-", "", "待定"],
        ["合计", "很多", 45000, ""],
    ]
    table = read(write_xlsx(tmp_path / "表.xlsx", rows))
    assert [(e.row, e.field, e.message) for e in table.errors] == [
        (4, "2015新增任务数（人）", "第 4 行「2015新增任务数（人）」不是整数：8000.5"),
        (5, "2014年底农民工会员数（人）", "第 5 行「2014年底农民工会员数（人）」不能是负数：-1"),
        (6, "2014年底农民工会员数（人）", "第 6 行「2014年底农民工会员数（人）」不是整数：约6000"),
        (7, "单位名称", MSG_NO_NAME.format(row=7)),
        (9, "2014年底农民工会员数（人）", "第 9 行「2014年底农民工会员数（人）」不是整数：很多"),
    ]
    assert [(r.name, r.bad) for r in table.rows] == [
        ("舞钢", False),
        ("宝丰", True),
        ("叶县", True),
        ("鲁山", True),
        ("郏县", False),
    ]
    assert (table.rows[-1].baseline, table.rows[-1].target) == (None, None)
    assert table.declared == {"baseline": None, "target": 45000}
    assert table.declared_bad == {"baseline"}


def test_totals_first_and_total_spellings(tmp_path):
    rows = [
        HEADER,
        ["总 计", 30, 5, ""],
        ["舞钢", 10, 2, ""],
        ["宝丰", 20, 3, ""],
        ["注：无", "", "", ""],
    ]
    table = read(write_csv(tmp_path / "t.csv", rows))
    assert [r.name for r in table.rows] == ["舞钢", "宝丰"]
    assert table.declared == {"baseline": 30, "target": 5}


def test_index_only_rows_are_blank_and_a_second_total_is_an_error(tmp_path):
    rows = [
        ["序号", *HEADER],
        ["1", "舞钢", 10, 2, ""],
        ["2", "", "", "", ""],
        ["3", "", "", "", "待补"],
        ["", "合计", 10, 2, ""],
        ["", "合计", 20, 4, ""],
    ]
    table = read(write_csv(tmp_path / "t.csv", rows))
    assert [(r.row, r.name) for r in table.rows] == [(2, "舞钢")]
    assert [(e.row, e.message) for e in table.errors] == [
        (6, "第 6 行又是一个合计行，只取第 5 行的合计。")
    ]
    assert table.declared == {"baseline": 10, "target": 2}


def test_without_totals_row(tmp_path):
    table = read(write_csv(tmp_path / "t.csv", [HEADER, ["舞钢", 10, 2, ""]]))
    assert table.declared == {"baseline": None, "target": None}
    assert table.totals_row is None


# --- matching -----------------------------------------------------------------------------


def test_place_names_and_keys(world):
    prefixes = place_names([world.province, world.city])
    assert {"平顶山市", "平顶山", "河南省", "河南", "中国"} <= set(prefixes)
    cases = {
        "舞钢市总工会": "舞钢",
        "舞钢": "舞钢",
        "叶县总工会": "叶县",
        "高新区工会": "高新",
        "高新区": "高新",
        "中国平煤神马集团工会": "平煤神马",
        "平顶山市工交工会": "工交",
        "工交工会": "工交",
        "平顶山轻纺工会": "轻纺",
        "河南省平顶山市建设工会": "建设",
        "舞钢顺达物流有限公司工会": "舞钢顺达物流",
    }
    assert {name: unit_key(name, prefixes) for name in cases} == cases


def test_matching_rules(world):
    world.county.short_name = "钢城"
    world.county.save()
    pingmei = OrganizationFactory(parent=world.city, name="中国平煤神马集团工会", code="PM")
    matcher = UnitMatcher(world.city)
    assert matcher.match("舞钢市总工会").rule == "name"
    assert (matcher.match("钢城").pk, matcher.match("钢城").rule) == (world.county.pk, "short_name")
    assert (matcher.match("bf").pk, matcher.match("bf").rule) == (world.sibling.pk, "code")
    for name, unit in [
        ("舞钢", world.county),
        ("宝 丰", world.sibling),
        ("工交工会", world.industry),
        ("平煤神马", pingmei),
    ]:
        assert (matcher.match(name).pk, matcher.match(name).rule) == (unit.pk, "normalised")
    assert (matcher.match("平煤").pk, matcher.match("平煤").rule) == (pingmei.pk, "contained")
    # Not a child: found deeper.
    assert matcher.match("舞钢快递行业工会").pk == world.county_trade.pk
    assert matcher.match("道路货运").pk == world.industry_trade.pk
    assert matcher.match("鹰城").pk is None
    assert matcher.match("鹰城").ambiguous == []


def test_children_before_deeper_units(world):
    # A child named like a unit deeper down wins: the table lists the next level.
    child = OrganizationFactory(parent=world.city, name="平顶山市快递行业工会", kind=OrgKind.TRADE)
    assert UnitMatcher(world.city).match("快递行业工会").pk == child.pk


def test_ambiguous_names_and_the_active_one(world):
    other = OrganizationFactory(
        parent=world.city, name="舞钢区工会", kind=OrgKind.COUNTY_FEDERATION
    )
    outcome = UnitMatcher(world.city).match("舞钢")
    assert outcome.pk is None
    assert {c.pk for c in outcome.ambiguous} == {world.county.pk, other.pk}
    other.is_active = False
    other.save()
    assert UnitMatcher(world.city).match("舞钢").pk == world.county.pk


# --- the service --------------------------------------------------------------------------


def city_table(tmp_path, rows, name="分解表.csv"):
    return write_csv(tmp_path / name, [HEADER, *rows])


def run(world, campaign, path, **kwargs):
    kwargs.setdefault("actor", world.city_admin)
    return target_table_import(campaign=campaign, path=path, original_name=path.name, **kwargs)


def stored(campaign):
    return {
        t.unit.code: (t.baseline_declared, t.new_members, t.note, t.source)
        for t in Target.objects.filter(campaign=campaign).select_related("unit")
    }


def test_import_writes_matched_rows_and_reports_the_rest(world, campaign, tmp_path):
    path = city_table(
        tmp_path,
        [
            ["舞钢", 1000, 150, "含快递"],
            ["鹰城", 500, 50, ""],
            ["工交工会", 0, 20, ""],
            ["合计", 1500, 220, ""],
        ],
    )
    result = run(world, campaign, path)
    assert stored(campaign) == {
        "WG": (1000, 150, "含快递", "分解表.csv"),
        "GJ": (0, 20, "", "分解表.csv"),
    }
    decomposition = Decomposition.objects.get(campaign=campaign, unit=world.city)
    assert (decomposition.declared_baseline_total, decomposition.declared_target_total) == (
        1500,
        220,
    )
    assert decomposition.source == "分解表.csv"
    data = result.as_dict()
    assert set(data) == {"units", "matched", "unmatched", "errors", "declared", "checks"}
    assert data["units"] == 3
    assert [(m["name"], m["unit_id"], m["row"]) for m in data["matched"]] == [
        ("舞钢", world.county.pk, 2),
        ("工交工会", world.industry.pk, 4),
    ]
    assert [(u["name"], u["reason"], u["row"]) for u in data["unmatched"]] == [
        ("鹰城", "unmatched", 3)
    ]
    assert "简称" in data["unmatched"][0]["message"]
    assert data["errors"] == []
    assert data["declared"] == {"baseline": 1500, "target": 220}
    codes = {c["code"] for c in data["checks"]}
    # 150 + 20 ≠ 220, 1000 ≠ 1500; the city's goal of 100 is met by 170.
    assert {
        "declared_target_total_mismatch",
        "declared_baseline_total_mismatch",
        "zero_baseline",
    } <= codes
    assert "children_below_parent" not in codes
    assert all(set(c) == {"code", "level", "message", "unit_id", "figures"} for c in data["checks"])


def test_dry_run_writes_nothing_and_shows_the_same_checks(world, campaign, tmp_path):
    services.decomposition_save(
        actor=None,
        campaign=campaign,
        unit=world.city,
        lines=[
            TargetLine(world.county, 1000, 100),
            TargetLine(world.county_trade, 5, None),
            TargetLine(world.sibling, 800, 100),
        ],
    )
    before = (stored(campaign), AuditEvent.objects.count(), Decomposition.objects.count())
    path = city_table(
        tmp_path, [["宝丰", 800, 40, ""], ["工交工会", 0, 20, ""], ["合计", 900, 60, ""]]
    )
    dry = run(world, campaign, path, dry_run=True)
    assert (stored(campaign), AuditEvent.objects.count(), Decomposition.objects.count()) == before
    real = run(world, campaign, path)
    assert dry.as_dict()["checks"] == real.as_dict()["checks"]
    assert dry.dry_run and not real.dry_run
    # The replace: 舞钢 is gone, so the target below it (舞钢快递, without a target number)
    # is now on the next level and is checked too.
    assert set(stored(campaign)) == {"BF", "GJ", "WG-KD"}
    codes = [(c.code, c.unit_id) for c in dry.checks]
    assert ("missing_target", world.county_trade.pk) in codes
    assert ("children_below_parent", None) in codes  # 60 < the city's goal of 100
    assert ("zero_baseline", world.industry.pk) in codes


def test_unreadable_rows_keep_what_was_stored(world, campaign, tmp_path):
    services.decomposition_save(
        actor=None,
        campaign=campaign,
        unit=world.city,
        lines=[TargetLine(world.county, 1000, 150, "旧")],
        declared_baseline_total=1000,
        declared_target_total=150,
    )
    path = city_table(
        tmp_path, [["舞钢", 1200, "很多", ""], ["宝丰", 800, 90, ""], ["合计", "?", 240, ""]]
    )
    result = run(world, campaign, path)
    assert stored(campaign)["WG"][:3] == (1000, 150, "旧")
    assert stored(campaign)["BF"][:2] == (800, 90)
    assert [e.row for e in result.errors] == [2, 4]
    assert [m.imported for m in result.matched] == [False, True]
    assert (result.declared_baseline, result.declared_target) == (1000, 240)


def test_a_missing_column_keeps_what_was_stored(world, campaign, tmp_path):
    services.decomposition_save(
        actor=None,
        campaign=campaign,
        unit=world.city,
        lines=[TargetLine(world.county, 1000, 150, "注")],
    )
    path = write_csv(tmp_path / "t.csv", [["单位", "任务数"], ["舞钢", 180]])
    run(world, campaign, path)
    assert stored(campaign)["WG"][:3] == (1000, 180, "注")


def test_duplicate_units_keep_the_first_row(world, campaign, tmp_path):
    path = city_table(tmp_path, [["舞钢", 10, 2, ""], ["舞钢市总工会", 20, 3, ""]])
    result = run(world, campaign, path)
    assert stored(campaign)["WG"][:2] == (10, 2)
    assert [(e.row, e.field) for e in result.errors] == [(3, "单位名称")]
    assert "第 2 行" in result.errors[0].message


@pytest.mark.parametrize(
    ("rows", "code"),
    [
        ([["鹰城", 1, 1, ""], ["汝州", 2, 2, ""]], "no_match"),
        ([["合计", 1, 1, ""]], "no_units"),
        ([["舞钢", "x", 1, ""]], "no_rows"),
    ],
)
def test_nothing_to_import_writes_nothing(world, campaign, tmp_path, rows, code):
    services.decomposition_save(
        actor=None, campaign=campaign, unit=world.city, lines=[TargetLine(world.sibling, 5, 1)]
    )
    before = stored(campaign)
    with pytest.raises(FileRejected) as caught:
        run(world, campaign, city_table(tmp_path, rows))
    assert caught.value.code == code
    assert stored(campaign) == before


def test_a_county_decomposes_to_its_own_units(world, campaign, tmp_path):
    path = write_csv(
        tmp_path / "t.csv", [["单位", "任务数"], ["快递行业工会", 30], ["顺达物流", 20]]
    )
    result = run(world, campaign, path, actor=world.county_admin, unit=world.county)
    assert {m.unit.code for m in result.matched} == {"WG-KD", "WG-E1"}
    assert stored(campaign) == {"WG-KD": (None, 30, "", "t.csv"), "WG-E1": (None, 20, "", "t.csv")}


@pytest.mark.parametrize("who", ["county_viewer", "sibling_admin"])
def test_only_cadres_who_may_set_targets_there(world, campaign, tmp_path, who):
    path = write_csv(tmp_path / "t.csv", [["单位", "任务数"], ["快递行业工会", 30]])
    for dry_run in (True, False):
        with pytest.raises(PermissionDenied):
            run(
                world, campaign, path, actor=getattr(world, who), unit=world.county, dry_run=dry_run
            )
    assert not Target.objects.exists()


def test_a_unit_outside_the_campaign(world, campaign, tmp_path):
    path = write_csv(tmp_path / "t.csv", [["单位", "任务数"], ["平顶山", 30]])
    with pytest.raises(PermissionDenied):
        run(world, campaign, path, actor=None, unit=world.province, dry_run=True)
