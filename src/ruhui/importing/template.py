"""The member import template (.xlsx): the roster sheet to fill in, and how to fill it.

「会员信息」: the header row of MEMBER_COLUMNS (required columns marked * and coloured), the text
columns formatted as text ('@') so Excel keeps 18-digit ID numbers as typed, date columns as
yyyy-mm-dd, and drop-down lists for every coded field, for 是/否 and (when given) for the unions
the cadre may import into. Long lists live on the hidden sheet「代码表」. The sheet holds no
example row — the importer would read it as data — so examples are only on「填写说明」, which
also lists each column's rules and the import's rules.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Sequence

import xlsxwriter
from xlsxwriter.utility import quote_sheetname, xl_col_to_name

from ruhui.importing.columns import (
    BOOL,
    CODE,
    DATE,
    MEMBER_COLUMNS,
    NO,
    YES,
    Column,
)
from ruhui.importing.export import DEFAULT_WIDTH, WIDTHS
from ruhui.members.validation import DEFAULTS
from ruhui.tabular.cells import (
    DATE_NUM_FORMAT,
    HEADER_FILL,
    HEADER_FORMAT,
    READ_ONLY_FILL,
    REQUIRED_FILL,
    TEMPLATE_ROWS,
    TEXT_NUM_FORMAT,
    safe_cell,
)

SHEET_DATA, SHEET_HELP, SHEET_CODES = "会员信息", "填写说明", "代码表"
#: Rows (below the header) that carry the drop-down lists.
REQUIRED_MARK = "*"
#: Excel limits an inline list to 255 characters; longer lists (and long ones such as 民族,
#: whose byte length some Excel and WPS versions count against that limit) go to「代码表」.
INLINE_LIST_LIMIT = 255
INLINE_LIST_ITEMS = 20

#: The example on「填写说明」: the GB 11643-1999 specimen number and matching fields.
EXAMPLES = {
    "name": "王芳",
    "id_type": "身份证",
    "id_number": "11010519491231002X",
    "sex": "女",
    "birth_date": "1949-12-31",
    "ethnicity": "汉族",
    "political_status": "群众",
    "education": "普通高中毕业",
    "technical_grade": "职业资格四级（中级）",
    "phone": "13800138000",
    "household_type": "农业家庭户口",
    "household_division": "410481",
    "employment_status": "在岗",
    "employer_name": "平顶山市顺达物流有限公司",
    "employer_uscc": "91410481MA44C1R929",
    "employment_form": "劳动合同",
    "union": "舞钢快递行业工会",
    "union_code": "WG-KD",
    "member_number": "（不填）",
    "joined_on": "2019-05-01",
    "status": "（不填）",
    "is_migrant_worker": "是",
    "group": "快递员",
    "new_employment_form": "是",
    "collection_method": "本人填写",
    "verification_status": "未核验",
    "provincial_status": "未录入",
    "provincial_entered_on": "",
}

#: What each column takes, beyond what its kind says.
NOTES = {
    "name": "与身份证件上的姓名一致；少数民族姓名中的间隔号写作“·”。",
    "id_number": (
        "居民身份证填 18 位号码（末位 X 大小写均可）；其他证件填证件上的号码。"
        "本列已设为文本格式，请勿改成数值。"
    ),
    "sex": "使用身份证时可不填：系统从号码中读出并核对。",
    "birth_date": "使用身份证时可不填：系统从号码中读出并核对。",
    "phone": "11 位手机号码，以 13–19 开头，如 13800138000。",
    "household_division": "户口所在县（市、区）的 6 位行政区划代码（GB/T 2260），如 410481（舞钢市）。",
    "employer_name": "单位全称，不超过 120 个字。",
    "employer_uscc": "18 位统一社会信用代码，见营业执照，校验位须正确。",
    "union": (
        "工会全称或组织代码，须是导入时所选工会本级或下级、能直接吸收会员的工会；"
        "不填则导入到所选工会。"
    ),
    "union_code": "工会在本系统中的组织代码，可代替“所属工会”名称填写。",
    "member_number": "系统生成：新增会员请留空；导出的名册中已有会员号的保留即可。",
    "joined_on": "不填为导入当天；不能晚于今天，也不能早于本人年满 16 周岁。",
    "status": "只在导出时显示，导入时不读取：转出、保留、退会、除名请在系统中办理。",
    "provincial_entered_on": "已录入省总工会实名制数据库的日期。",
}

RULES = [
    "一、请在「会员信息」工作表中填写，一行一人。第一行的列名请勿修改；列的顺序可以调整，"
    "不需要的非必填列可以删除。请勿删除隐藏的「代码表」工作表（下拉列表取自该表）。",
    "二、带 * 的列必须填写：姓名、证件号码。",
    "三、一人一个会籍：同一证件号码在全省只能有一个有效会籍。已是其他工会会员的，本次不导入，"
    "请由原工会办理转出、本工会凭接转凭证接收；已是本工会会员的，只有导入时选择“更新已有会员”"
    "才按文件内容更新，否则不导入。",
    "四、文件中同一证件号码出现多次的，只导入第一次出现的那一行，其余行标为“未导入”并注明重复的行号。",
    "五、证件号码必须是文本：本模板已把证件号码、手机号码等列设为文本格式。从其他表格复制时请用"
    "“选择性粘贴—数值”；18 位号码一旦变成 4.10481E+17 这样的数字，最后几位已变为 0，无法恢复。",
    "六、日期写作 2019-05-01，也可写 2019/5/1、2019.5.1 或 2019年5月1日。",
    "七、有下拉列表的列可从列表中选择，也可填写代码或常用简称（如“本科”“大专”“中共党员”“汉”）。",
    "八、表头上方可以有标题行（如“××工会会员名册”）；空行以及表格下方的“填表说明”“合计”等"
    "说明行会自动跳过。",
    "九、导入前系统会先检查，并给出可下载的结果文件：每一行标明“新增”“更新”或“未导入”及原因。"
    "改正“未导入”的行后，可以只把这些行再导入一次；已导入的行再次导入不会重复新增。",
    "十、下表最后一列是填写示例，只供参考，请勿填入「会员信息」表。",
]


def _allowed(column: Column) -> str:
    """The 填写格式 / 可选值 text for one column."""
    parts = []
    if column.kind == CODE and not column.importable:
        labels = "、".join(label for _code, label in column.codeset.items)
        parts.append(f"导出的名册中显示为：{labels}。")
    elif column.kind == CODE:
        codeset = column.codeset
        items = [f"{code} {label}" for code, label in codeset.items]
        if len(items) <= 12:
            parts.append("从下拉列表选择，或填写代码：" + "；".join(items) + "。")
        else:
            parts.append(
                f"从下拉列表选择（共 {len(items)} 项），或填写代码，如 "
                + "；".join(items[:4])
                + " ……"
            )
        if codeset.standard:
            parts.append(f"依据：{codeset.standard}。")
    elif column.kind == BOOL:
        parts.append("填写“是”或“否”（下拉选择）；不填为“否”。")
    elif column.kind == DATE:
        parts.append("日期，写作 2019-05-01。")
    note = NOTES.get(column.field)
    if note:
        parts.append(note)
    default = DEFAULTS.get(column.field)
    if default and column.codeset is not None:
        parts.append(f"不填默认为“{column.codeset.label(default)}”。")
    return "".join(parts)


class _CodeSheet:
    """The hidden「代码表」: one list per column, referenced by the drop-downs."""

    def __init__(self, workbook, header_format):
        self.sheet = workbook.add_worksheet(SHEET_CODES)
        self.header_format = header_format
        self.next_col = 0

    def add(self, title: str, values: Sequence[str]) -> str:
        """Write a list in the next column; return the absolute range formula for validation."""
        col = self.next_col
        self.next_col += 1
        self.sheet.set_column(col, col, max(12, min(40, max(len(v) for v in values) * 2)))
        self.sheet.write_string(0, col, title, self.header_format)
        for row, value in enumerate(values, start=1):
            self.sheet.write_string(row, col, safe_cell(value))
        letter = xl_col_to_name(col)
        return f"={quote_sheetname(SHEET_CODES)}!${letter}$2:${letter}${len(values) + 1}"


def _list_source(codes_sheet: _CodeSheet, title: str, values: Sequence[str]):
    inline = ",".join(values)
    if (
        len(values) <= INLINE_LIST_ITEMS
        and len(inline) <= INLINE_LIST_LIMIT
        and not any("," in v or '"' in v for v in values)
    ):
        return list(values)
    return codes_sheet.add(title, values)


def build_member_template(
    path: str | os.PathLike, *, unions: Sequence[tuple[str, str]] | None = None
) -> None:
    """Write the member import template to ``path``; ``unions`` ((code, name) pairs) fills the
    所属工会 and 所属工会代码 drop-downs."""
    workbook = xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    base = {"bold": True, "border": 1, "valign": "vcenter", "align": "center", "text_wrap": True}
    header_formats = {
        "required": workbook.add_format(
            base | {"bg_color": REQUIRED_FILL, "font_color": "#C00000"}
        ),
        "optional": workbook.add_format(base | {"bg_color": HEADER_FILL}),
        "read_only": workbook.add_format(
            base | {"bg_color": READ_ONLY_FILL, "font_color": "#595959"}
        ),
    }
    text_format = workbook.add_format({"num_format": TEXT_NUM_FORMAT})
    date_format = workbook.add_format({"num_format": DATE_NUM_FORMAT})

    data = workbook.add_worksheet(SHEET_DATA)
    help_sheet = workbook.add_worksheet(SHEET_HELP)
    codes_sheet = _CodeSheet(workbook, workbook.add_format(HEADER_FORMAT))
    codes_sheet.sheet.hide()
    data.activate()

    last_row = TEMPLATE_ROWS
    union_names = [safe_cell(name) for _code, name in unions or ()]
    union_codes = [safe_cell(code) for code, _name in unions or ()]
    data.set_row(0, 32)
    data.freeze_panes(1, 1)
    for col, column in enumerate(MEMBER_COLUMNS):
        width = WIDTHS.get(column.field, DEFAULT_WIDTH)
        data.set_column(col, col, width, date_format if column.kind == DATE else text_format)
        if column.required:
            title, fmt = REQUIRED_MARK + column.header, header_formats["required"]
        elif not column.importable:
            title, fmt = column.header, header_formats["read_only"]
        else:
            title, fmt = column.header, header_formats["optional"]
        data.write_string(0, col, title, fmt)

        validation = _validation(column, codes_sheet, union_names, union_codes)
        if validation is not None:
            data.data_validation(1, col, last_row, col, validation)

    examples = EXAMPLES
    if unions:
        examples = EXAMPLES | {"union": unions[0][1], "union_code": unions[0][0]}
    _write_help(workbook, help_sheet, examples)
    workbook.close()


def _validation(
    column: Column, codes_sheet: _CodeSheet, union_names: list[str], union_codes: list[str]
) -> dict | None:
    """The data-validation options for one column, or None."""
    common = {"input_title": column.header[:32], "error_type": "warning", "error_title": "请核对"}
    if column.kind == CODE and column.importable:
        labels = [label for _code, label in column.codeset.items]
        return common | {
            "validate": "list",
            "source": _list_source(codes_sheet, column.header, labels),
            "input_message": "请从下拉列表选择，也可填写代码。",
            "error_message": f"“{column.header}”应为下拉列表中的一项（或其代码）。仍要保留请点“是”。",
        }
    if column.kind == BOOL:
        return common | {
            "validate": "list",
            "source": [YES, NO],
            "input_message": "请选择“是”或“否”。",
            "error_message": "请填写“是”或“否”。仍要保留请点“是”。",
        }
    if column.kind == DATE:
        return common | {
            "validate": "date",
            "criteria": "between",
            "minimum": datetime.date(1900, 1, 1),
            "maximum": datetime.date(2099, 12, 31),
            "input_message": "日期，写作 2019-05-01。",
            "error_message": "请按 2019-05-01 的格式填写日期。仍要保留请点“是”。",
        }
    if column.field == "union" and union_names:
        return common | {
            "validate": "list",
            "source": codes_sheet.add(column.header, union_names),
            "input_message": "请从下拉列表选择工会；不填则导入到导入时所选的工会。",
            "error_message": "该工会不在列表中，导入时可能无法识别。仍要保留请点“是”。",
        }
    if column.field == "union_code" and union_codes:
        return common | {
            "validate": "list",
            "source": codes_sheet.add(column.header, union_codes),
            "input_message": "工会组织代码，可代替“所属工会”名称填写。",
            "error_message": "该代码不在列表中，导入时可能无法识别。仍要保留请点“是”。",
        }
    if column.field in ("id_number", "phone", "household_division", "member_number", "status"):
        return common | {
            "validate": "any",
            "input_message": _allowed(column)[:255],
        }
    return None


def _write_help(workbook, ws, examples: dict[str, str]) -> None:
    """「填写说明」: the rules, then one row per column: 列名, 是否必填, 填写格式, 示例."""
    title = workbook.add_format({"bold": True, "font_size": 14})
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    head = workbook.add_format(HEADER_FORMAT)
    required = workbook.add_format({"text_wrap": True, "valign": "top", "font_color": "#C00000"})
    example = workbook.add_format(
        {
            "text_wrap": True,
            "valign": "top",
            "italic": True,
            "font_color": "#7F7F7F",
            "num_format": TEXT_NUM_FORMAT,
        }
    )
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 10)
    ws.set_column(2, 2, 80)
    ws.set_column(3, 3, 24)
    ws.write_string(0, 0, "会员信息导入模板填写说明", title)
    row = 2
    ws.write_string(row, 0, "填写要求", bold)
    for rule in RULES:
        row += 1
        ws.merge_range(row, 0, row, 3, rule, wrap)
        ws.set_row(row, 15 * (1 + len(rule) // 70))
    row += 2
    ws.write_string(row, 0, "各列说明", bold)
    row += 1
    for col, text in enumerate(("列名", "是否必填", "填写格式 / 可选值", "示例")):
        ws.write_string(row, col, text, head)
    for column in MEMBER_COLUMNS:
        row += 1
        allowed = _allowed(column)
        ws.write_string(row, 0, column.header, wrap)
        if column.required:
            ws.write_string(row, 1, "必填", required)
        elif not column.importable:
            ws.write_string(row, 1, "系统生成", wrap)
        else:
            ws.write_string(row, 1, "选填", wrap)
        ws.write_string(row, 2, allowed, wrap)
        ws.set_row(row, 15 * (1 + len(allowed) // 45))
        if examples.get(column.field):
            ws.write_string(row, 3, safe_cell(examples[column.field]), example)
