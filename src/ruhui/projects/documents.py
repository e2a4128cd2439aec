"""The documents of 项目清单+责任制 (issue 16 item 8): a plan, or the consolidated list of a
campaign, as .xlsx; a plan as the A4 .docx that goes on paper 「…“项目清单+责任制”行动计划」.

- xlsx: the shared streaming writer (`tabular.xlsxstream`) — one sheet 建会入会项目清单, one
  维护服务项目清单 and a 汇总 sheet with the totals of each unit; every text cell through
  `tabular.cells.safe_cell` (a name typed as 「=HYPERLINK(…)」 stays text). Projects are read in
  one query (chunked), so memory stays flat whatever the number of projects.
  `write_consolidated_xlsx` is also what `services.campaign_report` freezes when the city
  reports to the province.
- docx: python-docx (pinned) for the page, the styles and the header rows; the table bodies are
  written as WordprocessingML directly (python-docx spends ~1 ms per row), so all 18 plans of a
  city with 5,000 projects take well under the 3 s of the speed target. The East Asian font is
  set on the styles (w:eastAsia), so Word and WPS show the Chinese in 宋体/黑体, not a fallback.
- downloads go through `tabular.downloads` (streamed once, never cached, named in Chinese).

The tables' columns are those of the 2019 plan: 建会入会项目清单 (序号, 类型, 拟建工会名称, 地点,
拟发展会员数, 责任单位, 责任人, 完成时间) and 维护服务项目清单 (序号, 类别, 项目名称, 实施责任单位,
实施时间, 拟覆盖职工人数). The importer (`projects.importer`) reads the same headers back.
"""

from __future__ import annotations

import datetime
import io
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

from django.db.models import Prefetch
from django.http import FileResponse

from ruhui.core import divisions
from ruhui.projects.choices import ProjectKind
from ruhui.projects.models import ActionPlan, PlanTask, Project
from ruhui.tabular import xlsxstream
from ruhui.tabular.cells import DATE_NUM_FORMAT, HEADER_STYLE, TEXT_NUM_FORMAT, safe_cell
from ruhui.tabular.docx import TITLE_FONT, a4_document, add_paragraph
from ruhui.tabular.downloads import DOCX_TYPE, XLSX_TYPE, written_download

BUILD_SHEET, SERVICE_SHEET, SUMMARY_SHEET = "建会入会项目清单", "维护服务项目清单", "汇总"
#: The tables of the .docx, as the 2019 plan lists them.
BUILD_HEADERS = (
    "序号",
    "类型",
    "拟建工会名称",
    "地点",
    "拟发展会员数",
    "责任单位",
    "责任人",
    "完成时间",
)
SERVICE_HEADERS = ("序号", "类别", "项目名称", "实施责任单位", "实施时间", "拟覆盖职工人数")
#: The xlsx adds what the list needs to be worked on (unit, phone, status, dates apart).
BUILD_XLSX_HEADERS = (
    "报送单位",
    *BUILD_HEADERS[:7],
    "责任人电话",
    "完成时间",
    "行政区划代码",
    "八大群体",
    "涉及企业",
    "项目状态",
)
SERVICE_XLSX_HEADERS = (
    "报送单位",
    "序号",
    "类别",
    "项目名称",
    "实施责任单位",
    "责任人",
    "责任人电话",
    "实施开始",
    "实施结束",
    "拟覆盖职工人数",
    "八大群体",
    "项目状态",
)
SUMMARY_HEADERS = (
    "单位",
    "计划状态",
    "建会入会项目",
    "拟发展会员数",
    "维护服务项目",
    "拟覆盖职工人数",
)
PERIOD_SEPARATOR = "至"
STYLES = {
    "header": HEADER_STYLE,
    "text": {"num_format": TEXT_NUM_FORMAT},
    "date": {"num_format": DATE_NUM_FORMAT},
    "number": {"num_format": "0"},
    "total": {"bold": True},
}
CHUNK = 2000
BUILD_COLUMNS = [
    (0, 0, 22, None),
    (1, 1, 6, None),
    (2, 2, 22, None),
    (3, 3, 30, None),
    (4, 4, 24, None),
    (5, 5, 12, None),
    (6, 7, 16, None),
    (8, 8, 14, "text"),
    (9, 9, 12, "date"),
    (10, 10, 12, "text"),
    (11, 11, 20, None),
    (12, 12, 30, None),
    (13, 13, 12, None),
]
BUILD_STYLES = [None, "number", None, None, None, "number", None, None, "text", "date", "text"]
BUILD_STYLES += [None, None, None]
SERVICE_COLUMNS = [
    (0, 0, 22, None),
    (1, 1, 6, None),
    (2, 2, 18, None),
    (3, 3, 30, None),
    (4, 4, 24, None),
    (5, 6, 14, None),
    (7, 8, 12, "date"),
    (9, 9, 14, None),
    (10, 10, 20, None),
    (11, 11, 12, None),
]
SERVICE_STYLES = [None, "number", None, None, None, None, "text", "date", "date", "number"]
SERVICE_STYLES += [None, None]


# --- reading ---------------------------------------------------------------------------------


def _projects(plans: list[ActionPlan], *, groups: bool = True) -> Iterator[Project]:
    """The plans' projects in plan order (unit path), then kind, then their own order; one
    query for the projects (and one each for their groups and enterprises) per chunk."""
    queryset = (
        Project.objects.filter(plan__in=[plan.pk for plan in plans])
        .select_related("responsible_unit")
        .order_by("plan__unit__path", "kind", "position", "pk")
    )
    if groups:
        queryset = queryset.prefetch_related("groups", "enterprises")
    yield from queryset.iterator(chunk_size=CHUNK)


def place(project: Project) -> str:
    """地点: the address as typed, or the division's name when only the division is known."""
    if project.address:
        return project.address
    if project.division_code:
        division = divisions.get(project.division_code)
        return divisions.full_name(project.division_code) if division else project.division_code
    return ""


def period(project: Project) -> str:
    """实施时间: 2019-06-01至2019-08-31 (the importer reads this form back)."""
    starts = project.starts_on.isoformat() if project.starts_on else ""
    ends = project.ends_on.isoformat() if project.ends_on else ""
    if starts and ends:
        return f"{starts}{PERIOD_SEPARATOR}{ends}"
    return starts or ends


def _unit_name(org) -> str:
    return (org.name if org else "") or ""


def _groups(project: Project) -> str:
    return "、".join(group.name for group in project.groups.all())


def _kind_label(project: Project) -> str:
    if project.kind == ProjectKind.BUILD:
        return project.get_build_type_display()
    return project.get_category_display()


# --- xlsx ------------------------------------------------------------------------------------


def _text(value) -> str:
    return safe_cell("" if value is None else str(value))


def write_consolidated_xlsx(plans: Iterable[ActionPlan], path: str | os.PathLike) -> None:
    """Every project of `plans` (each with its unit) as an .xlsx at `path`: the sheets
    建会入会项目清单 and 维护服务项目清单, numbered per plan, and 汇总 with each unit's totals and
    the grand total."""
    plans = sorted(plans, key=lambda plan: plan.unit.path)
    units = {plan.pk: plan.unit for plan in plans}
    totals: dict[int, list[int]] = {plan.pk: [0, 0, 0, 0] for plan in plans}
    services: list[Project] = []  # written to the second sheet after the first is done
    book = xlsxstream.Workbook(path, styles=STYLES)
    try:
        build = book.add_sheet(
            BUILD_SHEET,
            columns=BUILD_COLUMNS,
            freeze=(1, 0),
        )
        build.write_row(list(BUILD_XLSX_HEADERS), "header")
        numbers: dict[int, int] = defaultdict(int)
        for project in _projects(plans):
            if project.kind != ProjectKind.BUILD:
                services.append(project)
                continue
            numbers[project.plan_id] += 1
            figures = totals[project.plan_id]
            figures[0] += 1
            figures[1] += project.planned_members or 0
            build.write_row(
                [
                    _text(_unit_name(units[project.plan_id])),
                    numbers[project.plan_id],
                    _text(_kind_label(project)),
                    _text(project.name),
                    _text(place(project)),
                    project.planned_members,
                    _text(_unit_name(project.responsible_unit)),
                    _text(project.responsible_person),
                    _text(project.responsible_phone),
                    project.due_on,
                    _text(project.division_code),
                    _text(_groups(project)),
                    _text("、".join(e.name for e in project.enterprises.all())),
                    _text(project.get_status_display()),
                ],
                BUILD_STYLES,
            )
        build.autofilter(last_column=len(BUILD_XLSX_HEADERS) - 1)
        service = book.add_sheet(
            SERVICE_SHEET,
            columns=SERVICE_COLUMNS,
            freeze=(1, 0),
        )
        service.write_row(list(SERVICE_XLSX_HEADERS), "header")
        numbers.clear()
        for project in services:
            numbers[project.plan_id] += 1
            figures = totals[project.plan_id]
            figures[2] += 1
            figures[3] += project.planned_coverage or 0
            service.write_row(
                [
                    _text(_unit_name(units[project.plan_id])),
                    numbers[project.plan_id],
                    _text(_kind_label(project)),
                    _text(project.name),
                    _text(_unit_name(project.responsible_unit)),
                    _text(project.responsible_person),
                    _text(project.responsible_phone),
                    project.starts_on,
                    project.ends_on,
                    project.planned_coverage,
                    _text(_groups(project)),
                    _text(project.get_status_display()),
                ],
                SERVICE_STYLES,
            )
        service.autofilter(last_column=len(SERVICE_XLSX_HEADERS) - 1)
        summary = book.add_sheet(
            SUMMARY_SHEET, columns=[(0, 0, 28, None), (1, 1, 14, None), (2, 5, 14, "number")]
        )
        summary.write_row(list(SUMMARY_HEADERS), "header")
        grand = [0, 0, 0, 0]
        for plan in plans:
            figures = totals[plan.pk]
            grand = [a + b for a, b in zip(grand, figures, strict=True)]
            summary.write_row(
                [_text(plan.unit.name), _text(plan.get_status_display()), *figures],
                [None, None, "number", "number", "number", "number"],
            )
        summary.write_row(["合计", f"{len(plans)} 个单位", *grand], "total")
    finally:
        book.close()


def plan_xlsx(plan: ActionPlan, path: str | os.PathLike) -> None:
    """One plan's projects, as the consolidated list has them."""
    write_consolidated_xlsx([plan], path)


def consolidated_plans(campaign, queryset=None) -> list[ActionPlan]:
    """The plans of a campaign (from `queryset`, already scoped by the caller), by unit."""
    queryset = queryset if queryset is not None else ActionPlan.objects.all()
    return list(
        queryset.filter(campaign=campaign).select_related("unit", "campaign").order_by("unit__path")
    )


# --- docx ------------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _cell_xml(text: str, width: int, center: bool) -> str:
    align = '<w:jc w:val="center"/>' if center else ""
    lines = str(text).split("\n")
    runs = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in lines)
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
        f'<w:p><w:pPr>{align}</w:pPr><w:r><w:rPr><w:sz w:val="20"/></w:rPr>{runs}</w:r></w:p>'
        "</w:tc>"
    )


def _table(document, headers: tuple[str, ...], widths: tuple[int, ...], rows, centered=()):
    """A table with a bold, repeating header row; the body is one parsed XML fragment."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    table = document.add_table(rows=1, cols=len(headers))
    table.style = document.styles["Table Grid"]
    header = table.rows[0]
    trpr = header._tr.get_or_add_trPr()
    trpr.append(trpr.makeelement(qn("w:tblHeader"), {}))
    for cell, title, width in zip(header.cells, headers, widths, strict=True):
        cell.width = width * 635  # twips → EMU
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(title).bold = True
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(width))
    body = []
    for row in rows:
        cells = "".join(
            _cell_xml("" if value is None else value, width, index in centered)
            for index, (value, width) in enumerate(zip(row, widths, strict=True))
        )
        body.append(f"<w:tr>{cells}</w:tr>")
    if body:
        fragment = parse_xml(f'<w:tbl xmlns:w="{_W}">{"".join(body)}</w:tbl>')
        for tr in list(fragment):
            table._tbl.append(tr)
    return table


def _day(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def _person(project: Project) -> str:
    if project.responsible_phone:
        return f"{project.responsible_person}\n{project.responsible_phone}"
    return project.responsible_person


def _number(value) -> str:
    return "" if value is None else f"{value:,}"


def plan_title(plan: ActionPlan) -> str:
    return f"{plan.unit.name}“项目清单+责任制”行动计划"


def plan_docx(plan: ActionPlan, path: str | os.PathLike | None = None) -> bytes | None:
    """The plan as an A4 .docx: title, campaign, leader and contact, the work list, then the
    tables 建会入会项目清单 and 维护服务项目清单 (in that order). Written to `path` when given,
    else returned as bytes."""
    plan = (
        ActionPlan.objects.select_related("unit", "campaign")
        .prefetch_related(Prefetch("tasks", queryset=PlanTask.objects.order_by("position", "pk")))
        .get(pk=plan.pk)
    )
    document = a4_document()
    add_paragraph(document, plan_title(plan), size=18, bold=True, center=True, font=TITLE_FONT)
    add_paragraph(document, f"（{plan.campaign.name}）", size=12, center=True)
    leader = plan.leader_name + (f"（{plan.leader_title}）" if plan.leader_title else "")
    contact = plan.contact_name + (f"  电话：{plan.contact_phone}" if plan.contact_phone else "")
    add_paragraph(document, f"责任领导：{leader or '（未填写）'}")
    add_paragraph(document, f"联系人：{contact or '（未填写）'}")
    scheme = _day(plan.scheme_submitted_on) or "（未填写）"
    add_paragraph(document, f"实施方案出台日期：{scheme}    计划状态：{plan.get_status_display()}")

    add_paragraph(document, "一、工作清单", size=14, bold=True, font=TITLE_FONT)
    tasks = list(plan.tasks.all())
    if not tasks:
        add_paragraph(document, "（未列入工作任务）")
    for number, task in enumerate(tasks, 1):
        done = f"，已于 {_day(task.done_on)} 完成" if task.done_on else ""
        text = f"{number}. {task.task}（责任：{task.owner}；时限：{_day(task.due_on)}{done}）"
        add_paragraph(document, text)

    build, service = [], []
    for project in _projects([plan], groups=False):
        (build if project.kind == ProjectKind.BUILD else service).append(project)
    members = sum(p.planned_members or 0 for p in build)
    add_paragraph(
        document,
        f"二、{BUILD_SHEET}（{len(build)} 个，拟发展会员 {members:,} 人）",
        size=14,
        bold=True,
        font=TITLE_FONT,
    )
    _table(
        document,
        BUILD_HEADERS,
        (560, 1500, 1900, 1700, 900, 1400, 1200, 1100),
        (
            (
                str(number),
                p.get_build_type_display(),
                p.name,
                place(p),
                _number(p.planned_members),
                _unit_name(p.responsible_unit),
                _person(p),
                _day(p.due_on),
            )
            for number, p in enumerate(build, 1)
        ),
        centered=(0, 4, 7),
    )
    coverage = sum(p.planned_coverage or 0 for p in service)
    add_paragraph(
        document,
        f"三、{SERVICE_SHEET}（{len(service)} 个，拟覆盖职工 {coverage:,} 人）",
        size=14,
        bold=True,
        font=TITLE_FONT,
    )
    _table(
        document,
        SERVICE_HEADERS,
        (560, 1500, 2700, 1900, 2200, 1400),
        (
            (
                str(number),
                p.get_category_display(),
                p.name,
                _unit_name(p.responsible_unit),
                period(p),
                _number(p.planned_coverage),
            )
            for number, p in enumerate(service, 1)
        ),
        centered=(0, 4, 5),
    )
    if path is not None:
        document.save(os.fspath(path))
        return None
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- downloads -------------------------------------------------------------------------------


def xlsx_download(plans: list[ActionPlan], *, filename: str) -> FileResponse:
    return written_download(
        lambda path: write_consolidated_xlsx(plans, path),
        ".xlsx",
        filename=filename,
        content_type=XLSX_TYPE,
    )


def docx_download(plan: ActionPlan, *, filename: str) -> FileResponse:
    return written_download(
        lambda path: plan_docx(plan, path), ".docx", filename=filename, content_type=DOCX_TYPE
    )
