"""Spreadsheets of the enterprise survey: the two import templates and the worklist export.

Templates (like the member template, `ruhui.importing.template`): the sheet to fill in with the
header row (required columns marked * and coloured), text columns formatted as text so Excel
keeps 18-character credit codes as typed, drop-down lists for every coded field (long lists on
the hidden「代码表」), and「填写说明」with the rules and each column's format. No example row on
the data sheet (it would be imported).

The worklist export writes `selectors.worklist` rows with xlsxwriter (constant memory); every
text cell goes through `safe_cell`, so a name such as "=HYPERLINK(…)" is shown, never run.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Sequence
from typing import NamedTuple

import xlsxwriter
from xlsxwriter.utility import quote_sheetname, xl_col_to_name

from ruhui.audit.services import Action, audit_record
from ruhui.core import divisions
from ruhui.enterprises.choices import ATTITUDES, NEXT_ACTIONS, REASONS, ProjectScale, UnionStatus
from ruhui.enterprises.importer import ENTERPRISE, GROUP_COLUMNS, SURVEY
from ruhui.orgs.choices import Industry
from ruhui.tabular.cells import (
    DATE_NUM_FORMAT,
    HEADER_FILL,
    HEADER_FORMAT,
    REQUIRED_FILL,
    TEMPLATE_ROWS,
    TEXT_NUM_FORMAT,
    WORKBOOK_OPTIONS,
    safe_cell,
)

YES, NO = "是", "否"
TEXT, LIST, BOOL, DATE, COUNT = "text", "list", "bool", "date", "count"
SHEET_HELP, SHEET_CODES = "填写说明", "代码表"
INLINE_LIMIT = 255


class Column(NamedTuple):
    field: str
    header: str
    kind: str = TEXT
    required: bool = False
    note: str = ""
    width: int = 14


def _labels(choices) -> list[str]:
    return [str(label) for _value, label in choices]


CODE_LISTS = {
    "industry": _labels(Industry.choices),
    "project_scale": _labels(ProjectScale.choices),
    "union_status": _labels(UnionStatus.choices),
    "reason": [label for _c, label in REASONS.items],
    "legal_rep_attitude": [label for _c, label in ATTITUDES.items],
    "next_action": [label for _c, label in NEXT_ACTIONS.items],
}
_FLAG_NOTE = "填“是”或“否”（下拉选择）；不填为“否”。"
_COUNT_NOTE = "不小于 0 的整数。"

ENTERPRISE_COLUMNS = [
    Column("name", "企业名称", required=True, note="按营业执照填写全称。", width=30),
    Column(
        "uscc",
        "统一社会信用代码",
        note="18 位，见营业执照；校验位须正确。本列已设为文本格式，请勿改成数值。",
        width=22,
    ),
    Column(
        "legacy_registration_number", "原注册号", note="无信用代码时填写 15 位工商注册号等旧号码。"
    ),
    Column(
        "division_code",
        "所在县(市、区)",
        LIST,
        required=True,
        note="从下拉列表选择，或填写 6 位县级行政区划代码（如 410481），也可填写县(市、区)名称。",
        width=18,
    ),
    Column("township", "乡镇(街道)"),
    Column("address", "地址", width=30),
    Column("park", "所在园区", LIST, note="园区名录中的名称；不在园区的留空。", width=20),
    Column(
        "industry",
        "所属行业",
        LIST,
        note="GB/T 4754 门类，从下拉列表选择或填写字母代码。",
        width=20,
    ),
    Column("is_non_public", "非公有制企业", BOOL, note="不填为“是”。"),
    Column("is_platform_company", "平台企业", BOOL, note=_FLAG_NOTE),
    Column("is_third_party_delivery", "第三方配送企业", BOOL, note=_FLAG_NOTE),
    Column("is_delivery_station", "配送站（点）", BOOL, note=_FLAG_NOTE),
    Column("is_affiliated_operator", "挂靠经营企业", BOOL, note=_FLAG_NOTE),
    Column("is_private_non_enterprise", "民办单位（民办机构）", BOOL, note=_FLAG_NOTE),
    Column("is_construction_project", "在建项目", BOOL, note=_FLAG_NOTE),
    Column("project_scale", "项目规模", LIST, note="只有在建项目填写，且必须填写：大中型或小型。"),
    Column("is_property_company", "物业公司", BOOL, note=_FLAG_NOTE),
    Column("is_agricultural_coop", "农业专业合作组织", BOOL, note=_FLAG_NOTE),
    Column(
        "groups",
        "用工群体",
        note="八大群体：货车司机、快递员、护工护理员、家政服务员、商场信息员、网约送餐员、"
        "房产中介员、保安员；可填多个，用顿号分隔。",
        width=20,
    ),
    Column("employees_total", "职工人数", COUNT, note=_COUNT_NOTE + "填写后记入职工人数记录。"),
    Column("migrant_workers", "农民工人数", COUNT, note=_COUNT_NOTE + "不能多于职工人数。"),
    Column("headcount_on", "人数统计日期", DATE, note="写作 2026-05-01；不填为导入当天。"),
]
SURVEY_COLUMNS = [
    Column(
        "name", "企业名称", required=True, note="已登记的企业全称（先导入企业名单）。", width=30
    ),
    Column(
        "uscc",
        "统一社会信用代码",
        note="有代码的按代码找企业，否则按名称和所在县(市、区)。",
        width=22,
    ),
    Column("division_code", "所在县(市、区)", LIST, note="无信用代码时用于找企业。", width=18),
    Column("surveyed_on", "排查日期", DATE, required=True, note="写作 2026-05-01；不能晚于今天。"),
    Column("surveyor_name", "排查人", note="不填为导入人。"),
    Column("union_status", "建会情况", LIST, required=True, note="已建会、未建会或筹建中。"),
    Column(
        "reason",
        "未建会原因",
        LIST,
        note="未建会、筹建中的企业填写；选“其他”须写原因说明。",
        width=24,
    ),
    Column("reason_text", "原因说明", width=24),
    Column("legal_rep_attitude", "法人态度", LIST, note="支持、一般、观望或抵触。"),
    Column("attitude_notes", "法人思想动态", width=24),
    Column("employees_total", "职工人数", COUNT, note=_COUNT_NOTE),
    Column("migrant_workers", "农民工人数", COUNT, note=_COUNT_NOTE + "不能多于职工人数。"),
    *(
        Column(field, texts[0], COUNT, note=_COUNT_NOTE + "各群体人数之和不能多于职工人数。")
        for field, texts in GROUP_COLUMNS.items()
    ),
    Column("next_action", "推进措施", LIST, width=20),
    Column("next_action_text", "推进措施说明", note="推进措施选“其他”时必填。", width=24),
    Column("next_action_due", "完成时限", DATE, note="写作 2026-06-30；不能早于排查日期。"),
    Column("next_action_owner_name", "责任人"),
]
TEMPLATES = {
    ENTERPRISE: ("企业名单", ENTERPRISE_COLUMNS, "企业名单导入模板"),
    SURVEY: ("排查表", SURVEY_COLUMNS, "企业排查表导入模板"),
}
RULES = {
    ENTERPRISE: [
        "一、请在「企业名单」工作表中填写，一行一家企业。列名请勿修改；列的顺序可以调整，不需要的"
        "非必填列可以删除。请勿删除隐藏的「代码表」工作表（下拉列表取自该表）。",
        "二、带 * 的列必须填写：企业名称、所在县(市、区)（导入到县级总工会时可不填，默认为该县）。",
        "三、一家企业只登记一次：有统一社会信用代码的按代码判断，没有的按“名称 + 所在县(市、区)”判断"
        "（不计空格、全角半角和括号形状）。已登记的企业默认不导入，结果中写明已登记的企业和责任单位；"
        "导入时勾选“更新已登记的企业”才按文件内容更新（空单元格不会清除已有内容）。",
        "四、文件中同一企业出现多次的，只导入第一次出现的那一行，其余行标为“未导入”并注明重复的行号。",
        "五、统一社会信用代码必须是文本：本模板已把该列设为文本格式。代码一旦被 Excel 变成数字，"
        "后几位会丢失，无法恢复。",
        "六、表头上方可以有标题行；空行以及表格下方的“填表说明”“合计”等说明行会自动跳过。",
        "七、导入前系统会先检查，给出每一行“新增”“更新”或“未导入”及原因，并可下载结果文件；"
        "确认后有效的行一次全部写入，有问题的行不影响其他行。再次导入同一文件不会重复登记。",
    ],
    SURVEY: [
        "一、请在「排查表」工作表中填写，一行是一家企业的一次排查（五清一推进）。列名请勿修改。",
        "二、带 * 的列必须填写：企业名称、排查日期、建会情况。企业须已登记（可先导入企业名单）："
        "有统一社会信用代码的按代码找企业，否则按“名称 + 所在县(市、区)”找。",
        "三、每一行都作为一条新的排查记录保存，历史记录不会被覆盖；最近一次排查决定企业当前的建会情况。"
        "同一企业同一天内容完全相同的记录已导入过的，不再重复记录。",
        "四、五清：建会情况、未建会原因（未建会时）、法人态度（未建会时）、职工人数和农民工人数、所处区域"
        "（企业登记的县(市、区)和乡镇或园区）。一推进：推进措施和完成时限。",
        "五、各群体人数填在“货车司机人数”“快递员人数”等列，合计不能多于职工人数。",
        "六、导入前系统会先检查并给出逐行结果；确认后有效的行一次全部写入，有问题的行不影响其他行。",
    ],
}


def county_choices(root_division: str) -> list[str]:
    """「410481 舞钢市」 for the counties under the user's organization's division."""
    code = root_division or "41"
    if len(code) == 6 and not code.endswith("00"):
        prefix = code
    elif code.endswith("0000"):
        prefix = code[:2]
    else:
        prefix = code[:4]
    result = []
    for county, _full in divisions.choices(prefix=prefix):
        division = divisions.get(county)
        if division and division.level == "county":
            result.append(f"{county} {division.name}")
    return result


class _Codes:
    """The hidden「代码表」: one list per column, referenced by the drop-downs."""

    def __init__(self, workbook, header_format):
        self.sheet = workbook.add_worksheet(SHEET_CODES)
        self.sheet.hide()
        self.header_format = header_format
        self.col = 0

    def source(self, title: str, values: Sequence[str]):
        # Excel's 255-character limit on an inline list is counted in bytes by some Excel and
        # WPS versions: longer lists go to the hidden sheet.
        inline = ",".join(values).encode("utf-8")
        if (
            len(values) <= 20
            and len(inline) <= INLINE_LIMIT
            and b"," not in b"".join(v.encode() for v in values)
        ):
            return list(values)
        col, self.col = self.col, self.col + 1
        self.sheet.write_string(0, col, title, self.header_format)
        for row, value in enumerate(values, start=1):
            self.sheet.write_string(row, col, safe_cell(value))
        letter = xl_col_to_name(col)
        return f"={quote_sheetname(SHEET_CODES)}!${letter}$2:${letter}${len(values) + 1}"


def build_template(
    path: str | os.PathLike, kind: str, *, counties: Sequence[str] = (), parks: Sequence[str] = ()
) -> None:
    """Write the import template of `kind` (importer.ENTERPRISE or SURVEY) to `path`;
    `counties` and `parks` fill the 所在县(市、区) and 所在园区 drop-downs."""
    sheet_name, columns, title = TEMPLATES[kind]
    workbook = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS | {"constant_memory": False})
    base = {"bold": True, "border": 1, "valign": "vcenter", "align": "center", "text_wrap": True}
    required_format = workbook.add_format(
        base | {"bg_color": REQUIRED_FILL, "font_color": "#C00000"}
    )
    optional_format = workbook.add_format(base | {"bg_color": HEADER_FILL})
    text_format = workbook.add_format({"num_format": TEXT_NUM_FORMAT})
    date_format = workbook.add_format({"num_format": DATE_NUM_FORMAT})
    data = workbook.add_worksheet(sheet_name)
    help_sheet = workbook.add_worksheet(SHEET_HELP)
    codes = _Codes(workbook, workbook.add_format(HEADER_FORMAT))
    data.activate()
    data.set_row(0, 32)
    data.freeze_panes(1, 1)
    lists = CODE_LISTS | {"division_code": list(counties), "park": list(parks)}
    for col, column in enumerate(columns):
        cell_format = (
            date_format if column.kind == DATE else None if column.kind == COUNT else text_format
        )
        data.set_column(col, col, column.width, cell_format)
        header = ("*" if column.required else "") + column.header
        data.write_string(0, col, header, required_format if column.required else optional_format)
        common = {
            "input_title": column.header[:32],
            "error_type": "warning",
            "error_title": "请核对",
        }
        validation = None
        if column.kind == LIST and lists.get(column.field):
            validation = common | {
                "validate": "list",
                "source": codes.source(column.header, lists[column.field]),
                "input_message": "请从下拉列表选择，也可填写代码。",
                "error_message": f"“{column.header}”应为下拉列表中的一项。仍要保留请点“是”。",
            }
        elif column.kind == BOOL:
            validation = common | {
                "validate": "list",
                "source": [YES, NO],
                "input_message": "请选择“是”或“否”。",
                "error_message": "请填写“是”或“否”。仍要保留请点“是”。",
            }
        elif column.kind == DATE:
            validation = common | {
                "validate": "date",
                "criteria": "between",
                "minimum": datetime.date(2000, 1, 1),
                "maximum": datetime.date(2099, 12, 31),
                "input_message": "日期，写作 2026-05-01。",
                "error_message": "请按 2026-05-01 的格式填写日期。仍要保留请点“是”。",
            }
        elif column.kind == COUNT:
            validation = common | {
                "validate": "integer",
                "criteria": ">=",
                "value": 0,
                "input_message": "不小于 0 的整数。",
                "error_message": "人数应为不小于 0 的整数。仍要保留请点“是”。",
            }
        if validation is not None:
            data.data_validation(1, col, TEMPLATE_ROWS, col, validation)
    _write_help(workbook, help_sheet, title, RULES[kind], columns, lists)
    workbook.close()


def _write_help(workbook, ws, title: str, rules: list[str], columns, lists: dict) -> None:
    heading = workbook.add_format({"bold": True, "font_size": 14})
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    head = workbook.add_format(HEADER_FORMAT)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 10)
    ws.set_column(2, 2, 90)
    ws.write_string(0, 0, f"{title}填写说明", heading)
    row = 2
    ws.write_string(row, 0, "填写要求", bold)
    for rule in rules:
        row += 1
        ws.merge_range(row, 0, row, 2, rule, wrap)
        ws.set_row(row, 15 * (1 + len(rule) // 75))
    row += 2
    ws.write_string(row, 0, "各列说明", bold)
    row += 1
    for col, text in enumerate(("列名", "是否必填", "填写格式 / 可选值")):
        ws.write_string(row, col, text, head)
    for column in columns:
        row += 1
        allowed = column.note
        if column.kind == LIST and lists.get(column.field) and len(lists[column.field]) <= 12:
            allowed = f"可选：{'、'.join(lists[column.field])}。{allowed}"
        ws.write_string(row, 0, column.header, wrap)
        ws.write_string(row, 1, "必填" if column.required else "选填", wrap)
        ws.write_string(row, 2, safe_cell(allowed), wrap)
        ws.set_row(row, 15 * (1 + len(allowed) // 60))


# --- worklist export ---------------------------------------------------------------------

WORKLIST_HEADERS = [
    "序号",
    "企业名称",
    "统一社会信用代码",
    "所在县(市、区)",
    "乡镇(街道)",
    "所在园区",
    "所属行业",
    "建会情况",
    "职工人数",
    "农民工人数",
    "最近排查日期",
    "推进措施",
    "推进措施说明",
    "完成时限",
    "责任人",
    "是否逾期",
    "责任单位",
]
WORKLIST_WIDTHS = {1: 30, 2: 22, 3: 16, 12: 24, 16: 20}


def _worklist_row(n: int, e) -> list:
    survey = e.latest_survey
    owner = ""
    if survey is not None:
        owner = survey.next_action_owner_name or (
            survey.next_action_owner.display_name if survey.next_action_owner else ""
        )
    division = divisions.get(e.division_code) if e.division_code else None
    return [
        n,
        e.name,
        e.uscc,
        division.name if division else e.division_code,
        e.township,
        e.park.name if e.park else "",
        e.get_industry_display() if e.industry else "",
        e.get_union_status_display(),
        e.employees_total,
        e.migrant_workers,
        e.last_surveyed_on,
        survey.get_next_action_display() if survey else "",
        survey.next_action_text if survey else "",
        e.next_action_due,
        owner,
        YES if e.action_overdue else "",
        e.responsible_unit.name,
    ]


def write_worklist(path: str | os.PathLike, queryset) -> int:
    """Write worklist rows (a `selectors.worklist` queryset) to an xlsx; returns the count."""
    workbook = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    header = workbook.add_format(HEADER_FORMAT)
    text = workbook.add_format({"num_format": TEXT_NUM_FORMAT})
    date = workbook.add_format({"num_format": DATE_NUM_FORMAT})
    ws = workbook.add_worksheet("建会工作清单")
    for col, title in enumerate(WORKLIST_HEADERS):
        ws.set_column(col, col, WORKLIST_WIDTHS.get(col, 12))
        ws.write_string(0, col, title, header)
    ws.freeze_panes(1, 2)
    count = 0
    try:
        for count, enterprise in enumerate(queryset.iterator(chunk_size=2000), start=1):
            for col, value in enumerate(_worklist_row(count, enterprise)):
                if value is None or value == "":
                    continue
                if isinstance(value, datetime.date):
                    ws.write_datetime(
                        count, col, datetime.datetime.combine(value, datetime.time()), date
                    )
                elif isinstance(value, int):
                    ws.write_number(count, col, value)
                else:
                    ws.write_string(count, col, safe_cell(str(value)), text)
        ws.autofilter(0, 0, max(count, 1), len(WORKLIST_HEADERS) - 1)
    finally:
        workbook.close()
    return count


def export_worklist(*, actor, queryset, path, unit=None, filters: dict | None = None) -> int:
    """Write the worklist file and one audit entry (who exported how many rows, with which
    filters) under the unit's path (or the actor's organization)."""
    rows = write_worklist(path, queryset)
    audit_record(
        actor=actor,
        action=Action.EXPORT,
        obj=None,
        org_path=(unit or actor.organization).path,
        object_repr=f"建会工作清单（{(unit or actor.organization).name}）"[:200],
        changes={"导出行数": [None, rows], "筛选": [None, filters or {}]},
    )
    return rows
