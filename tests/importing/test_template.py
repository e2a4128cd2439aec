"""The member import template: headers in the provincial order, text ID columns, drop-downs,
instructions with a valid example."""

import re
import xml.etree.ElementTree as ET
import zipfile

import pytest
from python_calamine import CalamineWorkbook, SheetVisibleEnum
from xlsxwriter.utility import xl_cell_to_rowcol

from ruhui.core import idnumber
from ruhui.importing.columns import BOOL, CODE, DATE, HEADERS, MEMBER_COLUMNS, TEXT
from ruhui.importing.template import EXAMPLES, build_member_template
from ruhui.members.validation import clean_member_fields
from ruhui.tabular.cells import TEMPLATE_ROWS

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
UNIONS = [
    ("WG-KD", "舞钢快递行业工会"),
    ("WG-E1", "舞钢顺达物流有限公司工会"),
    ("X,1", "逗号,工会"),
]

#: domain.md §c7: the provincial real-name template's column order.
C7_ORDER = [
    "姓名", "证件类型", "证件号码", "性别", "出生日期", "民族", "政治面貌", "学历", "技术等级",
    "手机号码", "户籍类型", "户籍所在地", "就业状况", "工作单位", "工作单位统一社会信用代码",
    "用工形式", "所属工会", "所属工会代码", "会员号", "入会日期", "会籍状态", "是否农民工",
    "八大群体类别", "新就业形态", "采集方式", "实名核验状态", "省库录入状态", "省库录入日期",
]  # fmt: skip


@pytest.fixture
def template(tmp_path, db):
    path = tmp_path / "t.xlsx"
    build_member_template(path, unions=UNIONS)
    return path


def sheet_xml(path, index=1) -> ET.Element:
    with zipfile.ZipFile(path) as archive:
        return ET.fromstring(archive.read(f"xl/worksheets/sheet{index}.xml"))  # noqa: S314 (our own file)


def validations(path) -> dict[int, ET.Element]:
    """Data validations of「会员信息」by column index."""
    found = {}
    for element in sheet_xml(path).iterfind("m:dataValidations/m:dataValidation", NS):
        first, last = element.get("sqref").split(":")
        row, col = xl_cell_to_rowcol(first)
        last_row, last_col = xl_cell_to_rowcol(last)
        assert (row, last_row, col) == (1, TEMPLATE_ROWS, last_col)
        found[col] = element
    return found


def list_values(path, element) -> list[str]:
    """The values a list validation offers: inline, or read from the referenced range."""
    formula = element.find("m:formula1", NS).text
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet, cells = formula.lstrip("=").split("!")
    first, last = cells.replace("$", "").split(":")
    (row, col), (last_row, _) = xl_cell_to_rowcol(first), xl_cell_to_rowcol(last)
    data = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet.strip("'")).to_python()
    return [data[r][col] for r in range(row, last_row + 1)]


def test_columns_follow_the_provincial_order():
    assert HEADERS == C7_ORDER
    assert all(column.kind in (CODE, DATE, BOOL, TEXT) for column in MEMBER_COLUMNS)
    assert all(column.codeset is not None for column in MEMBER_COLUMNS if column.kind == CODE)
    assert [c.field for c in MEMBER_COLUMNS if c.required] == ["name", "id_number"]
    assert {c.field for c in MEMBER_COLUMNS if not c.importable} == {"member_number", "status"}
    field, header, kind = MEMBER_COLUMNS[2]  # plain (field, header, kind) tuples
    assert (field, header, kind) == ("id_number", "证件号码", TEXT)


def test_sheets_and_header_row(template):
    workbook = CalamineWorkbook.from_path(str(template))
    assert workbook.sheet_names == ["会员信息", "填写说明", "代码表"]
    visible = {m.name: m.visible for m in workbook.sheets_metadata}
    assert visible["代码表"] == SheetVisibleEnum.Hidden
    assert visible["会员信息"] == SheetVisibleEnum.Visible
    rows = workbook.get_sheet_by_name("会员信息").to_python()
    # Only the header: an example row here would be imported as a member.
    assert len(rows) == 1
    expected = [("*" if c.required else "") + c.header for c in MEMBER_COLUMNS]
    assert rows[0] == expected
    assert [h.lstrip("*") for h in rows[0]] == HEADERS


def test_required_headers_are_coloured(template):
    with zipfile.ZipFile(template) as archive:
        styles = archive.read("xl/styles.xml").decode()
    xfs = re.findall(r"<xf [^>]*>", re.search(r"<cellXfs.*?</cellXfs>", styles, re.S).group(0))
    fills = re.findall(r"<fill>.*?</fill>", styles, re.S)
    cells = sheet_xml(template).iterfind("m:sheetData/m:row/m:c", NS)
    fill_by_col = {}
    for cell in cells:
        _row, col = xl_cell_to_rowcol(cell.get("r"))
        fill_id = int(re.search(r'fillId="(\d+)"', xfs[int(cell.get("s"))]).group(1))
        fill_by_col[col] = fills[fill_id]
    required = {i for i, c in enumerate(MEMBER_COLUMNS) if c.required}
    assert all("FCE4D6" in fill_by_col[i] for i in required)
    assert not any("FCE4D6" in fill_by_col[i] for i in fill_by_col if i not in required)


def test_text_and_date_columns_are_formatted(template):
    with zipfile.ZipFile(template) as archive:
        styles = archive.read("xl/styles.xml").decode()
    xfs = re.findall(r"<xf [^>]*>", re.search(r"<cellXfs.*?</cellXfs>", styles, re.S).group(0))
    num_fmt = [int(re.search(r'numFmtId="(\d+)"', xf).group(1)) for xf in xfs]
    custom = dict(re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', styles))
    style_of = {}
    for col in sheet_xml(template).iterfind("m:cols/m:col", NS):
        for index in range(int(col.get("min")) - 1, int(col.get("max"))):
            style_of[index] = int(col.get("style"))
    for index, column in enumerate(MEMBER_COLUMNS):
        fmt = num_fmt[style_of[index]]
        if column.kind == DATE:
            assert custom[str(fmt)] == "yyyy-mm-dd", column.header
        else:
            assert fmt == 49, column.header  # "@": typed ID numbers stay text
    # The whole column is formatted, so it covers the 5,000 template rows and beyond.
    id_col = HEADERS.index("证件号码")
    assert num_fmt[style_of[id_col]] == 49 and num_fmt[style_of[HEADERS.index("手机号码")]] == 49


def test_every_coded_field_has_its_drop_down(template):
    found = validations(template)
    for index, column in enumerate(MEMBER_COLUMNS):
        if column.kind == CODE and column.importable:
            element = found[index]
            assert element.get("type") == "list", column.header
            labels = [label for _code, label in column.codeset.items]
            assert list_values(template, element) == labels, column.header
        elif column.kind == BOOL:
            assert found[index].get("type") == "list"
            assert list_values(template, found[index]) == ["是", "否"]
        elif column.kind == DATE:
            assert found[index].get("type") == "date"
    # Long lists live on the hidden sheet.
    education = found[HEADERS.index("学历")].find("m:formula1", NS).text
    assert "代码表!" in education
    ethnicity = found[HEADERS.index("民族")].find("m:formula1", NS).text
    assert "代码表!" in ethnicity


def test_union_drop_downs_list_the_given_unions(template):
    found = validations(template)
    names = list_values(template, found[HEADERS.index("所属工会")])
    codes = list_values(template, found[HEADERS.index("所属工会代码")])
    assert names == [name for _code, name in UNIONS]
    assert codes == [code for code, _name in UNIONS]


def test_without_unions_there_is_no_union_drop_down(tmp_path, db):
    path = tmp_path / "t.xlsx"
    build_member_template(path)
    found = validations(path)
    assert HEADERS.index("所属工会") not in found
    assert HEADERS.index("所属工会代码") not in found
    assert found[HEADERS.index("性别")].get("type") == "list"


def test_instructions_sheet(template):
    rows = CalamineWorkbook.from_path(str(template)).get_sheet_by_name("填写说明").to_python()
    text = "\n".join(str(cell) for row in rows for cell in row)
    for phrase in ("一人一个会籍", "18 位", "2019-05-01", "标题行", "重复", "文本"):
        assert phrase in text, phrase
    start = next(
        i
        for i, row in enumerate(rows)
        if row[:4] == ["列名", "是否必填", "填写格式 / 可选值", "示例"]
    )
    table = rows[start + 1 : start + 1 + len(MEMBER_COLUMNS)]
    assert [row[0] for row in table] == HEADERS
    need = {row[0]: row[1] for row in table}
    assert need["姓名"] == need["证件号码"] == "必填"
    assert need["会员号"] == need["会籍状态"] == "系统生成"
    assert need["手机号码"] == "选填"
    by_header = {row[0]: row for row in table}
    assert by_header["证件号码"][3] == "11010519491231002X"
    assert "身份证" in by_header["证件类型"][2]
    assert by_header["所属工会"][3] == UNIONS[0][1]


def test_the_example_passes_validation():
    """The instructions' example is itself a valid row: the same cleaner the importer uses."""
    assert idnumber.is_valid(EXAMPLES["id_number"])
    raw = {
        column.field: EXAMPLES[column.field]
        for column in MEMBER_COLUMNS
        if column.importable and column.field not in ("union", "union_code")
    }
    cleaned, errors = clean_member_fields(raw)
    assert errors == {}
    assert cleaned["sex"] == "2" and str(cleaned["birth_date"]) == "1949-12-31"
    for column in MEMBER_COLUMNS:
        if column.kind == CODE and column.importable:
            assert column.codeset.code_for(EXAMPLES[column.field]) is not None, column.header


def test_the_importer_reads_the_template_header(template):
    """Contract with the reader: every template header maps to its field, and no data row."""
    from ruhui.importing.headers import MEMBER_HEADER_ALIASES
    from ruhui.tabular.files import check_upload
    from ruhui.tabular.readers import read_table

    assert check_upload(template, "会员信息导入模板.xlsx") == "xlsx"
    table = read_table(template, "xlsx", header_aliases=MEMBER_HEADER_ALIASES)
    assert table.fields == [column.field for column in MEMBER_COLUMNS]
    assert table.unknown_headers == []
    assert list(table.rows) == []
