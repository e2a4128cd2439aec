"""A unit's campaign dashboard as an .xlsx workbook: the units ranked, the months, the groups,
the checks, and the assisted groups' aggregates. Short tables: xlsxwriter in memory."""

import io

import xlsxwriter
from django.utils import timezone

from ruhui.campaigns.checks import pct
from ruhui.campaigns.dashboard import Dashboard, UnitProgress
from ruhui.tabular.cells import safe_cell

UNIT_HEADER = [
    "单位",
    "基数（申报）",
    "基数（名册）",
    "新增任务数",
    "任务隐含增长率",
    "新发展会员",
    "完成率",
    "较基数增长",
    "按趋势预计到期末",
    "进度",
    "新建基层工会",
    "企业（排查责任）",
    "已排查",
    "已建会",
    "建会率",
]


def _unit_row(row: UnitProgress, elapsed_state: str) -> list:
    if row.behind_pace:
        pace = "未完成" if elapsed_state == "finished" else "落后于时间进度"
    elif row.met_target:
        pace = "已完成"
    else:
        pace = ""
    return [
        row.unit.name,
        row.baseline_declared,
        row.baseline_computed,
        row.target,
        pct(row.target_growth_pct),
        row.new_members,
        pct(row.pct_of_target),
        pct(row.growth_pct),
        row.projection,
        pace,
        row.unions_founded,
        row.enterprises,
        row.enterprises_surveyed,
        row.enterprises_unionised,
        pct(row.unionised_pct),
    ]


def _sheet(workbook, name: str, header: list[str], rows: list[list], bold, widths=None):
    sheet = workbook.add_worksheet(name)
    sheet.write_row(0, 0, header, bold)
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(r, c, safe_cell(value))
            else:
                sheet.write_number(r, c, value)
    for c, width in enumerate(widths or [14] * len(header)):
        sheet.set_column(c, c, width)
    sheet.freeze_panes(1, 0)
    return sheet


def dashboard_workbook(board: Dashboard) -> bytes:
    """The workbook's bytes."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = workbook.add_format({"bold": True, "bg_color": "#E8F0FA", "border": 1})
    campaign = board.campaign
    state = board.timing.state
    info = workbook.add_worksheet("说明")
    lines = [
        campaign.name,
        f"单位：{board.unit.name}",
        f"行动期间：{campaign.starts_on} 至 {campaign.ends_on}；时间进度 {board.timing.share}%",
        f"统计时间：{timezone.localtime(campaign.progress_at):%Y-%m-%d %H:%M}"
        if campaign.progress_at
        else "尚未统计",
        "新发展会员：行动期间入会（不含转入）的"
        + ("农民工" if campaign.migrant_only else "")
        + "会员，按人计，一人多次入会只计一次。",
    ]
    for r, line in enumerate(lines):
        info.write_string(r, 0, safe_cell(line))
    info.set_column(0, 0, 80)
    rows = [_unit_row(board.total, state)] + [_unit_row(row, state) for row in board.rows]
    rows[0][0] = f"{board.unit.name}（合计）"
    _sheet(workbook, "单位进度", UNIT_HEADER, rows, bold, [28] + [12] * (len(UNIT_HEADER) - 1))
    _sheet(
        workbook,
        "按月",
        ["月份", "新发展会员", "累计", "按时间进度应达"],
        [[m["month"], m["new_members"], m["running"], m["pace"]] for m in board.months],
        bold,
    )
    _sheet(
        workbook,
        "按群体",
        ["群体", "新发展会员"],
        [[g["name"], g["new_members"]] for g in board.groups],
        bold,
    )
    _sheet(
        workbook,
        "校验提示",
        ["级别", "提示"],
        [[c.level, c.message] for c in board.decomposition.checks],
        bold,
        [10, 100],
    )
    for group in board.assisted:
        _sheet(
            workbook,
            f"协助-{group['name']}"[:31],
            ["单位", "新发展会员"],
            [["合计", group["new_members"]]]
            + [[u["unit"], u["new_members"]] for u in group["units"]],
            bold,
            [28, 12],
        )
    workbook.close()
    return buffer.getvalue()
