"""Reading rosters as people make them (ruhui.tabular.readers): title rows, header variants,
blank and notes rows, row numbers exactly as the spreadsheet shows them."""

import datetime

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ruhui.importing.cleaning import clean_row
from ruhui.importing.headers import FIELD_LABELS, MEMBER_HEADER_ALIASES
from ruhui.members.validation import LABELS
from ruhui.tabular.cleaning import CellError, clean_id_cell
from ruhui.tabular.files import FileRejected, check_upload
from ruhui.tabular.readers import (
    KEY_FIELDS,
    Row,
    column_letter,
    normalize_header,
    read_table,
    sniff_delimiter,
)

ALIASES = MEMBER_HEADER_ALIASES
ID1, ID2, ID3 = "11010519491231002X", "440524188001010014", "370101190102039973"


def read(path, kind=None):
    kind = kind or path.suffix.lstrip(".")
    table = read_table(path, kind, header_aliases=ALIASES)
    rows = list(table.rows)
    return table, rows


def xlsx(path, rows, *, start_row=0, start_col=0, title=None, setup=None):
    """Write ``rows`` from (start_row, start_col); ``title`` as a merged row above them."""
    workbook = xlsxwriter.Workbook(str(path))
    if setup:
        setup(workbook)
    sheet = workbook.add_worksheet("花名册")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    if title:
        sheet.merge_range(start_row, start_col, start_row, start_col + 5, title)
        start_row += 2
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                value = datetime.datetime.combine(value, datetime.time())
                sheet.write_datetime(start_row + r, start_col + c, value, date_format)
            elif value is not None:
                sheet.write(start_row + r, start_col + c, value)
    workbook.close()
    return path


# --- title rows, header variants, row numbers ---------------------------------------------


def test_header_under_a_merged_title_row_and_row_numbers(tmp_path):
    path = xlsx(
        tmp_path / "a.xlsx",
        [
            ["序号", "*姓名", "身份证号（必填）", "入会时间"],
            [1, "张三", ID1, datetime.date(2019, 5, 1)],
            [2, "李四", ID2, "2019/5/1"],
        ],
        title="XX公司工会会员花名册",
    )
    table, rows = read(path)
    assert table.header_row == 3
    assert table.sheet_name == "花名册"
    assert table.columns == [
        (0, "序号", None),
        (1, "*姓名", "name"),
        (2, "身份证号（必填）", "id_number"),
        (3, "入会时间", "joined_on"),
    ]
    assert table.unknown_headers == ["序号"]
    assert [row.number for row in rows] == [4, 5]
    assert rows[0] == Row(4, [1.0, "张三", ID1, datetime.date(2019, 5, 1)])
    assert table.cells_by_field(rows[1]) == {
        "name": "李四",
        "id_number": ID2,
        "joined_on": "2019/5/1",
    }
    assert table.fields == ["name", "id_number", "joined_on"]


def test_leading_empty_rows_and_columns_keep_spreadsheet_numbers(tmp_path):
    path = xlsx(
        tmp_path / "a.xlsx",
        [["姓名", "证件号码"], ["张三", ID1], ["李四", ID2]],
        start_row=4,
        start_col=2,
    )
    table, rows = read(path)
    assert table.header_row == 5
    assert [row.number for row in rows] == [6, 7]
    assert table.source_columns == [2, 3]
    assert [column_letter(c) for c in table.source_columns] == ["C", "D"]
    assert rows[0].cells == ["张三", ID1]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("姓名", "name"),
        ("会员姓名", "name"),
        ("职工姓名", "name"),
        ("* 姓 名", "name"),
        ("姓名\n(必填)", "name"),
        ("身份证号", "id_number"),
        ("公民身份号码", "id_number"),
        ("身份证号码", "id_number"),
        ("证件号码", "id_number"),
        ("身份证", "id_number"),
        ("身份证号码【必填】", "id_number"),
        ("身份证号/证件号码", "id_number"),
        ("※身份证号码(18位)", "id_number"),
        ("手机", "phone"),
        ("手机号", "phone"),
        ("手机号码", "phone"),
        ("联系电话", "phone"),
        ("联系方式", "phone"),
        ("电话", "phone"),
        ("民族", "ethnicity"),
        ("性别", "sex"),
        ("出生日期", "birth_date"),
        ("出生年月", "birth_date"),
        ("政治面貌", "political_status"),
        ("学历", "education"),
        ("文化程度", "education"),
        ("技术等级", "technical_grade"),
        ("技能等级", "technical_grade"),
        ("户籍类型", "household_type"),
        ("户口性质", "household_type"),
        ("户口类型", "household_type"),
        ("户籍所在地", "household_division"),
        ("户籍地", "household_division"),
        ("就业状况", "employment_status"),
        ("就业状态", "employment_status"),
        ("用工形式", "employment_form"),
        ("用工方式", "employment_form"),
        ("工作单位", "employer_name"),
        ("单位名称", "employer_name"),
        ("所在单位", "employer_name"),
        ("单位统一社会信用代码", "employer_uscc"),
        ("是否农民工", "is_migrant_worker"),
        ("是否农民工（是/否）", "is_migrant_worker"),
        ("农民工", "is_migrant_worker"),
        ("八大群体", "group"),
        ("八大群体类别", "group"),
        ("所属群体", "group"),
        ("职业群体", "group"),
        ("新就业形态", "new_employment_form"),
        ("入会时间", "joined_on"),
        ("入会日期", "joined_on"),
        ("入会日期(yyyy-mm-dd)", "joined_on"),
        ("所属工会", "union"),
        ("工会名称", "union"),
        ("证件类型", "id_type"),
        ("采集方式", "collection_method"),
        ("省库录入状态", "provincial_status"),
        ("会员号", "member_number"),
        ("ＩＤ_ＮＵＭＢＥＲ", "id_number"),
        ("所属工会代码", "union_code"),
    ],
)
def test_header_variants(tmp_path, header, field):
    other = ("姓名", "name") if field != "name" else ("手机号码", "phone")
    path = xlsx(tmp_path / "a.xlsx", [[other[0], header], ["x", "y"]])
    table, _ = read(path)
    assert table.columns[1] == (1, header if "\n" not in header else "姓名 (必填)", field)


def test_every_field_label_is_an_alias():
    for name, label in FIELD_LABELS.items():
        assert ALIASES[label] == name
        assert ALIASES[name] == name
    assert set(LABELS) <= set(ALIASES.values())


def test_normalize_header():
    assert normalize_header(" *身份证号码（必填） ") == "身份证号码"
    assert normalize_header("（必填）") == "必填"
    assert normalize_header("ＩＤ Number") == "idnumber"


def test_no_header_lists_the_expected_names(tmp_path):
    path = xlsx(tmp_path / "a.xlsx", [["工号", "部门"], ["001", "生产部"]])
    with pytest.raises(FileRejected) as caught:
        read(path)
    message = caught.value.message
    assert caught.value.code == "no_header"
    assert "前 30 行" in message
    assert "姓名、证件类型、证件号码" in message


def test_header_below_row_30_is_not_found(tmp_path):
    path = xlsx(tmp_path / "a.xlsx", [["姓名", "证件号码"], ["张三", ID1]], start_row=30)
    with pytest.raises(FileRejected):
        read(path)


def test_one_known_column_is_not_a_header(tmp_path):
    path = xlsx(
        tmp_path / "a.xlsx",
        [["姓名", "备注"], ["说明：姓名须与身份证一致", ""], ["姓名", "证件号码"], ["张三", ID1]],
    )
    table, rows = read(path)
    assert table.header_row == 3
    assert [row.number for row in rows] == [4]


def test_a_form_line_above_the_table_is_not_the_header(tmp_path):
    path = xlsx(
        tmp_path / "a.xlsx",
        [
            ["单位名称", "舞钢顺达物流有限公司", "联系电话", "0375-1234567"],
            ["工作单位：", "舞钢顺达", "手机号码：", "13800138000"],
            ["姓名", "证件号码", "手机号码", "工作单位"],
            ["张三", ID1, "13800138001", "舞钢顺达"],
        ],
        title="会员花名册",
    )
    table, rows = read(path)
    assert table.header_row == 5
    assert [row.number for row in rows] == [6]
    assert rows[0].cells[0] == "张三"


def test_without_name_or_id_the_first_two_column_row_is_the_header(tmp_path):
    path = xlsx(tmp_path / "a.xlsx", [["性别", "民族"], ["男", "汉族"], ["女", "回族"]])
    table, rows = read(path)
    assert table.header_row == 1
    assert [row.number for row in rows] == [2, 3]


def test_two_columns_meaning_the_same_field_are_refused(tmp_path):
    path = xlsx(
        tmp_path / "a.xlsx",
        [["姓名", "身份证号", "性别", "证件号码"], ["张三", ID1, "女", ID1]],
        title="花名册",
    )
    with pytest.raises(FileRejected) as caught:
        read(path)
    message = caught.value.message
    assert caught.value.code == "duplicate_header"
    assert "第 B 列「身份证号」" in message and "第 D 列「证件号码」" in message
    assert "证件号码" in message


def test_unknown_headers_are_listed_and_their_cells_kept(tmp_path):
    path = xlsx(
        tmp_path / "a.xlsx", [["姓名", "工号", "证件号码", "年龄"], ["张三", "A01", ID1, 30]]
    )
    table, rows = read(path)
    assert table.unknown_headers == ["工号", "年龄"]
    assert rows[0].cells == ["张三", "A01", ID1, 30.0]
    assert table.cells_by_field(rows[0]) == {"name": "张三", "id_number": ID1}


# --- blank and notes rows -----------------------------------------------------------------


def test_blank_rows_are_skipped_and_counted_with_numbers_kept(tmp_path):
    path = xlsx(
        tmp_path / "a.xlsx",
        [
            ["序号", "姓名", "证件号码"],
            [1, "张三", ID1],
            [None, None, None],
            [2, "  ", "\u3000"],  # a pre-filled 序号 and whitespace: still blank
            [3, "李四", ID2],
        ],
    )
    table, rows = read(path)
    assert [row.number for row in rows] == [2, 5]
    assert table.skipped_blank == 2
    assert table.notes_rows == []


def test_trailing_notes_rows_are_reported_not_data(tmp_path):
    path = xlsx(
        tmp_path / "a.xlsx",
        [
            ["序号", "姓名", "证件号码", "手机号码"],
            [1, "张三", ID1, "13800138000"],
            [2, "李四", ID2, "13800138001"],
            [None, None, None, None],
            ["合计", None, None, "2人"],
            ["注：身份证号请按文本格式填写", None, None, None],
            [None, "填表人：王五", None, "审核人：赵六"],
            [None, None, None, "本表由工会主席签字后上报，复印无效"],
        ],
        title="舞钢顺达物流有限公司工会会员花名册",
    )
    table, rows = read(path)
    assert [row.number for row in rows] == [4, 5]
    assert table.notes_rows == [7, 8, 9, 10]
    assert table.skipped_blank == 1


def test_note_like_rows_followed_by_data_are_data(tmp_path):
    path = xlsx(
        tmp_path / "a.xlsx",
        [
            ["姓名", "证件号码"],
            ["张三", ID1],
            ["说明：以下为新入职人员", None],
            ["李四", ID2],
        ],
    )
    table, rows = read(path)
    assert [row.number for row in rows] == [2, 3, 4]
    assert table.notes_rows == []


def test_a_row_without_id_is_data_not_a_note(tmp_path):
    path = xlsx(tmp_path / "a.xlsx", [["姓名", "证件号码", "性别"], ["张三", None, "男"]])
    _, rows = read(path)
    assert [row.number for row in rows] == [2]


# --- cell types ---------------------------------------------------------------------------


def test_cell_types_from_xlsx(tmp_path):
    def write(workbook):
        pass

    path = xlsx(
        tmp_path / "a.xlsx",
        [
            ["姓名", "身份证号码", "入会时间", "手机号码", "民族"],
            [
                "ＺＨＡＮＧ　ＳＡＮ",
                410402199001011234,
                datetime.date(2019, 5, 1),
                13800138000,
                "汉族",
            ],
            ["王芳", ID1, 43586, "13800138000", 1],
        ],
        setup=write,
    )
    table, rows = read(path)
    first, second = (table.cells_by_field(row) for row in rows)
    assert isinstance(first["id_number"], float)
    with pytest.raises(CellError) as caught:
        clean_id_cell(first["id_number"])
    assert caught.value.code == "scientific"
    assert first["joined_on"] == datetime.date(2019, 5, 1)
    values, errors = clean_row(first)
    assert values["name"] == "ZHANG SAN"
    assert values["phone"] == "13800138000"
    assert "id_number" in errors
    values, errors = clean_row(second)
    assert errors == {}
    assert values["joined_on"] == datetime.date(2019, 5, 1)
    assert values["ethnicity"] == "1"


def test_xls_written_by_xlwt(tmp_path):
    xlwt = pytest.importorskip("xlwt")  # test-only dependency: writes a real BIFF8 file
    path = tmp_path / "a.xls"
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("会员")
    sheet.write_merge(0, 0, 0, 3, "某某工会会员花名册")
    for c, text in enumerate(["姓名", "公民身份号码", "入会日期", "是否农民工"]):
        sheet.write(2, c, text)
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    sheet.write(3, 0, "张三")
    sheet.write(3, 1, ID1)
    sheet.write(3, 2, datetime.date(2019, 5, 1), date_style)
    sheet.write(3, 3, "是")
    sheet.write(5, 0, "李四")
    sheet.write(5, 1, 440524188001010014.0)
    workbook.save(str(path))
    assert check_upload(path, "花名册.xls") == "xls"
    table, rows = read(path)
    assert table.header_row == 3
    assert [row.number for row in rows] == [4, 6]
    assert table.skipped_blank == 1
    assert rows[0].cells == ["张三", ID1, datetime.date(2019, 5, 1), "是"]
    assert isinstance(rows[1].cells[1], float)


def test_hidden_sheet_and_instructions_sheet_are_passed_over(tmp_path):
    path = tmp_path / "a.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    hidden = workbook.add_worksheet("代码表")
    hidden.write_row(0, 0, ["姓名", "证件号码"])
    hidden.hide()
    help_sheet = workbook.add_worksheet("填表说明")
    help_sheet.write_column(0, 0, ["列名", "姓名", "证件号码", "手机号码"])
    data = workbook.add_worksheet("会员信息")
    data.write_row(0, 0, ["姓名", "证件号码"])
    data.write_row(1, 0, ["张三", ID1])
    data.activate()
    workbook.close()
    table, rows = read(path)
    assert table.sheet_name == "会员信息"
    assert rows == [Row(2, ["张三", ID1])]


def test_header_only_file_has_no_rows(tmp_path):
    table, rows = read(xlsx(tmp_path / "a.xlsx", [["姓名", "证件号码"]]))
    assert rows == []
    assert table.skipped_blank == 0


def test_damaged_workbook_is_refused(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(FileRejected) as caught:
        read(path)
    assert caught.value.code == "corrupt"


# --- csv ----------------------------------------------------------------------------------

CSV_TEXT = "XX公司工会会员花名册,,\n\n姓名,身份证号码,入会时间\n张三,{id1},2019-05-01\n,,\n李四,{id2},2019/5/1\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(tmp_path, encoding):
    path = tmp_path / "a.csv"
    path.write_text(CSV_TEXT.format(id1=ID1, id2=ID2), encoding=encoding)
    table, rows = read(path)
    assert table.encoding == encoding
    assert table.header_row == 3
    assert rows == [Row(4, ["张三", ID1, "2019-05-01"]), Row(6, ["李四", ID2, "2019/5/1"])]
    assert table.skipped_blank == 1


@pytest.mark.parametrize("delimiter", ["\t", ";", ","])
def test_csv_delimiters(tmp_path, delimiter):
    path = tmp_path / "a.csv"
    text = CSV_TEXT.format(id1=ID1, id2=ID2).replace(",", delimiter)
    path.write_text(text, encoding="utf-8")
    table, rows = read(path)
    assert table.delimiter == delimiter
    assert [row.number for row in rows] == [4, 6]


def test_csv_sep_line_and_quoted_multiline_cell(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(
        f'sep=;\n姓名;证件号码;工作单位\n张三;{ID1};"平顶山\n物流"\n李四;{ID2};x\n',
        encoding="utf-8",
    )
    table, rows = read(path)
    assert table.delimiter == ";"
    assert table.header_row == 1
    assert rows == [Row(2, ["张三", ID1, "平顶山\n物流"]), Row(3, ["李四", ID2, "x"])]


def test_csv_short_rows_are_padded(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(f"姓名,证件号码,手机号码\n张三,{ID1}\n", encoding="utf-8")
    _, rows = read(path)
    assert rows == [Row(2, ["张三", ID1, ""])]


def test_csv_scientific_id_from_excel(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("姓名,身份证号码\n张三,4.10402E+17\n", encoding="gb18030")
    table, rows = read(path)
    _, errors = clean_row(table.cells_by_field(rows[0]))
    assert errors["id_number"].startswith("证件号码被 Excel 转成了数字")


def test_csv_with_an_oversized_field_is_refused_on_the_row(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(f'姓名,证件号码\n张三,{ID1}\n李四,"{"x" * 200_000}"\n', encoding="utf-8")
    table = read_table(path, "csv", header_aliases=ALIASES)
    rows = table.rows
    assert next(rows).number == 2
    with pytest.raises(FileRejected) as caught:
        next(rows)
    assert "第 3 行" in caught.value.message


def test_csv_without_header(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(FileRejected):
        read(path)


def test_sniff_delimiter_defaults_to_comma():
    assert sniff_delimiter("姓名\n张三\n") == ","
    assert sniff_delimiter("姓名\t证件号码\n张三\t1\n") == "\t"


def test_column_letter():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


def test_unknown_kind():
    with pytest.raises(ValueError, match="unknown kind"):
        read_table("x", "ods", header_aliases=ALIASES)


# --- contracts ----------------------------------------------------------------------------


def test_every_template_column_maps_to_its_field():
    """The import template's headers (required ones marked *) read back as their fields."""
    from ruhui.importing.columns import MEMBER_COLUMNS
    from ruhui.tabular.readers import _alias_keys, _field_for

    keys = _alias_keys(ALIASES)
    for column in MEMBER_COLUMNS:
        assert _field_for(column.header, keys) == column.field, column.header
        assert _field_for("*" + column.header, keys) == column.field, column.header


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.sampled_from(["data", "blank", "numbered", "note"]), max_size=40),
    st.lists(st.sampled_from(["blank", "note"]), max_size=5),
)
def test_rows_reconcile_and_keep_their_numbers(tmp_path, body, tail):
    """Every record after the header is exactly one of: a data row, a blank row, a notes row;
    data rows keep the number the spreadsheet shows."""
    lines = ["会员花名册,,", "序号,姓名,证件号码"]
    expected_rows, expected_notes, expected_blank = [], [], 0
    kinds = [*body, "data", *tail]
    for position, kind in enumerate(kinds):
        number = len(lines) + 1
        if kind == "data":
            lines.append(f"{number},张{number},{ID1}")
            expected_rows.append(number)
        elif kind == "blank":
            lines.append(",,")
            expected_blank += 1
        elif kind == "numbered":
            lines.append(f"{number},,")  # a pre-filled 序号 alone: blank
            expected_blank += 1
        else:
            lines.append("注：本表由工会填写,,")
            if position > len(body):  # after the last data row: a notes row
                expected_notes.append(number)
            else:  # followed by data: a data row (it will fail validation with a reason)
                expected_rows.append(number)
    path = tmp_path / "r.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table, rows = read(path)
    assert table.header_row == 2
    assert [row.number for row in rows] == sorted(expected_rows)
    assert table.notes_rows == expected_notes
    assert table.skipped_blank == expected_blank
    assert len(rows) + table.skipped_blank + len(table.notes_rows) == len(lines) - 2
    for row in rows:
        assert lines[row.number - 1].split(",")[1:] == row.cells[1:]


# --- .xlsx as a stream --------------------------------------------------------------------


def _whole_sheet(path):
    """The same file through python-calamine's whole-sheet reader (the .xls path)."""
    from ruhui.tabular.readers import _read_workbook

    table = _read_workbook(path, ALIASES, KEY_FIELDS, kind="xls")
    return table, list(table.rows)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start_row=st.integers(0, 4),
    start_col=st.integers(0, 3),
    title=st.booleans(),
    body=st.lists(
        st.tuples(
            st.sampled_from(["data", "blank", "note"]),
            st.one_of(
                st.text(alphabet="张李王伟芳 ", max_size=4),
                st.integers(-5, 10**6),
                st.floats(allow_nan=False, allow_infinity=False, width=32),
                st.dates(datetime.date(1950, 1, 1), datetime.date(2030, 12, 31)),
                st.booleans(),
            ),
        ),
        max_size=25,
    ),
)
def test_streamed_xlsx_reads_as_the_whole_sheet_does(tmp_path, start_row, start_col, title, body):
    """Row numbers, columns, cells, blank and notes rows: the stream and the whole-sheet
    reader agree on rosters laid out as people lay them out."""
    rows = [["序号", "姓名", "证件号码", "备注"]]
    for n, (kind, value) in enumerate(body, start=1):
        if kind == "data":
            rows.append([n, f"张{n}", ID1, value])
        elif kind == "blank":
            rows.append([None, None, None, None])
        else:
            rows.append(["注：本表由工会填写", None, None, None])
    path = xlsx(
        tmp_path / "s.xlsx", rows, start_row=start_row, start_col=start_col, title="花名册" * title
    )
    streamed, streamed_rows = read(path)
    whole, whole_rows = _whole_sheet(path)
    assert streamed_rows == whole_rows
    for attribute in ("header_row", "columns", "source_columns", "unknown_headers", "sheet_name"):
        assert getattr(streamed, attribute) == getattr(whole, attribute), attribute
    assert (streamed.skipped_blank, streamed.notes_rows) == (whole.skipped_blank, whole.notes_rows)


def test_a_sheet_broken_part_way_is_refused_as_corrupt(tmp_path):
    """The stream meets the damage after the header: the rows stop with the same refusal as
    a workbook that cannot be opened (the import then writes nothing)."""
    import zipfile

    good = xlsx(
        tmp_path / "g.xlsx", [["姓名", "证件号码"], *[[f"张{n}", ID1] for n in range(3000)]]
    )
    broken = tmp_path / "b.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2] + b'<row r="x"><c><<</row>'
            target.writestr(item, data)
    with pytest.raises(FileRejected) as caught:
        read(broken)
    assert caught.value.code == "corrupt"


# --- rows and cells counted while reading (issue 13 item 1) -------------------------------


def _limit_roster(count: int) -> list[list]:
    return [
        ["姓名", "证件号码", "手机号码", "入会时间"],
        *[[f"张{n}", ID1, "", ""] for n in range(count)],
    ]


def _write_limit_roster(tmp_path, kind: str, count: int):
    rows = _limit_roster(count)
    if kind == "xlsx":
        return xlsx(tmp_path / "a.xlsx", rows)
    if kind == "csv":
        path = tmp_path / "a.csv"
        path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
        return path
    xlwt = pytest.importorskip("xlwt")
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("会员")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    path = tmp_path / "a.xls"
    workbook.save(str(path))
    return path


def _read_until_refused(path, kind: str) -> tuple[FileRejected, int]:
    """The refusal and how many data rows came out before it."""
    table = read_table(path, kind, header_aliases=ALIASES)
    produced = []
    with pytest.raises(FileRejected) as caught:
        produced.extend(table.rows)
    return caught.value, len(produced)


@pytest.mark.parametrize("kind", ["xlsx", "xls", "csv"])
def test_row_limit_stops_reading_at_once(tmp_path, settings, kind):
    path = _write_limit_roster(tmp_path, kind, 40)
    settings.RUHUI_IMPORT_MAX_ROWS = 41  # the header and 40 data rows: exactly at the limit
    assert len(read(path, kind)[1]) == 40
    settings.RUHUI_IMPORT_MAX_ROWS = 20
    error, produced = _read_until_refused(path, kind)
    assert error.code == "too_many_rows"
    assert "20 行" in error.message and "拆成" in error.message
    assert produced <= 19  # nothing past the limit was read


@pytest.mark.parametrize("kind", ["xlsx", "xls", "csv"])
def test_cell_limit_stops_reading_at_once(tmp_path, settings, kind):
    path = _write_limit_roster(tmp_path, kind, 40)
    settings.RUHUI_IMPORT_MAX_CELLS = 100  # 4 cells a row: the 25th row is one too many
    error, produced = _read_until_refused(path, kind)
    assert error.code == "too_many_cells"
    assert "100 个单元格" in error.message and "第 26 行" in error.message
    assert produced <= 24


def test_a_stray_cell_far_right_counts_every_row_as_wide(tmp_path, settings):
    """calamine gives each row as wide as the widest; that is what reading costs."""
    rows = _limit_roster(10)
    rows[0] = [*rows[0], *[None] * 995, "x"]  # column 1000
    path = xlsx(tmp_path / "a.xlsx", rows)
    settings.RUHUI_IMPORT_MAX_CELLS = 5000
    error, _produced = _read_until_refused(path, "xlsx")
    assert error.code == "too_many_cells"


def test_default_limits_admit_the_million_row_benchmark():
    from ruhui.tabular import readers

    assert readers.DEFAULT_MAX_ROWS >= 2 * 1_000_000
    assert readers.DEFAULT_MAX_CELLS >= 1_000_000 * 25
