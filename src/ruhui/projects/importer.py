"""Import of a plan's projects from xlsx/xls/csv (issue 16 item 8), by the shared import rules.

- The file passes `tabular.files.check_upload` (size, type, zip bomb, macros) and is read in one
  streaming pass by `tabular.readers.read_tables` (title rows, header variants, blank and notes
  rows): every worksheet with a header is imported, in order — the exported list has its
  建会入会 and 维护服务 projects on two sheets. A sheet whose header has no 项目名称 column (the
  export's 汇总 sheet) is passed over; a file none of whose sheets has one is refused. The
  headers are those of the .docx tables (`documents.BUILD_HEADERS`, `SERVICE_HEADERS`) and of
  the exported xlsx, with aliases (涉及企业 too); one sheet may hold both kinds: the
  类型 (or 类别) column says 拟建企业工会 … 已有工会发展会员 (建会入会) or 普惠服务 … 工会服务阵地建设
  (维护服务).
- The 责任单位 / 实施责任单位 names are matched under the plan's unit by `campaigns.unit_names`
  (full name, short name, code, name without place and 工会); the plan's unit itself matches
  too. A name that finds no unit, or several, gets `unit_names`' own message.
- Every row goes through `services.clean_project` (a check) or `services.project_save` (a
  commit, each row in a savepoint): a row the service refuses is 未导入 with the service's
  Chinese messages, each named by the file's column; the other rows are written, all in one
  transaction. Every data row ends 新增 or 未导入, so rows = created + rejected
  (`tabular.report.Summary`, one for the whole file); the per-row result workbook is
  `tabular.report.build_error_report`. When several sheets are imported each error names its
  sheet (``"sheet"``), and the result workbook's first column 工作表 does, under the union of
  the sheets' headers (each row's cells under its own headers).
- Only the plan's own unit imports, while its plan is a draft or returned (as for any edit).
"""

from __future__ import annotations

import datetime
import json
import re
import tempfile
from contextlib import ExitStack
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ruhui.campaigns.unit_names import (
    MSG_AMBIGUOUS,
    MSG_UNMATCHED,
    UnitMatcher,
    clean,
    unit_key,
)
from ruhui.orgs.models import Organization
from ruhui.projects import services
from ruhui.projects.choices import BuildType, ProjectKind, ServiceCategory
from ruhui.projects.models import ActionPlan
from ruhui.tabular.files import FileRejected, check_upload
from ruhui.tabular.readers import read_tables
from ruhui.tabular.report import (
    CREATED,
    REJECTED,
    Summary,
    build_error_report,
    cell_text,
    join_messages,
)

PREVIEW_ROWS = 20
MSG_KIND = (
    "类型「{value}」不认识：建会入会项目请填写拟建企业工会、拟建行业性区域性工会联合会、"
    "拟建基层联合工会或已有工会发展会员；维护服务项目请填写普惠服务、教育培训、四季送关爱活动、"
    "民主管理制度建设或工会服务阵地建设。"
)
MSG_PERIOD = "实施时间「{value}」应写成“开始日期至结束日期”，如 2019-06-01至2019-08-31。"
MSG_DUPLICATE = (
    "项目「{name}」已列在本单位的行动计划中，没有重复导入：如需修改，请在行动计划页面修改该项目。"
)
MSG_DUPLICATE_ROW = "项目「{name}」与第 {first} 行重复，没有重复导入：请删去重复的行。"
MSG_DUPLICATE_SHEET_ROW = (
    "项目「{name}」与工作表「{sheet}」第 {first} 行重复，没有重复导入：请删去重复的行。"
)
MSG_NO_NAME_COLUMN = (
    "没有找到项目名称列：{where}的表头中没有「项目名称」（建会入会项目也可写「拟建工会名称」）"
    "一列。请在表头加上这一列、每行填写一个项目后再导入。"
)
#: The result workbook's first column when the file has several sheets of projects.
SHEET_HEADER = "工作表"
MSG_NO_ROWS = "文件中没有项目行：请在表头下逐行填写项目后再导入。"

#: Header text → field (normalised by the reader: spaces, full-width forms and case ignored).
HEADER_ALIASES = {
    "序号": "seq",
    "编号": "seq",
    "类型": "kind",
    "类别": "kind",
    "项目类型": "kind",
    "项目类别": "kind",
    "建会入会类型": "kind",
    "服务类别": "kind",
    "拟建工会名称": "name",
    "项目名称": "name",
    "名称": "name",
    "工会名称": "name",
    "地点": "address",
    "地址": "address",
    "所在地点": "address",
    "行政区划代码": "division_code",
    "所在行政区划": "division_code",
    "拟发展会员数": "planned_members",
    "拟发展会员": "planned_members",
    "拟发展会员人数": "planned_members",
    "责任单位": "unit",
    "实施责任单位": "unit",
    "实施单位": "unit",
    "责任人": "person",
    "责任人电话": "phone",
    "联系电话": "phone",
    "完成时间": "due_on",
    "完成时限": "due_on",
    "实施时间": "period",
    "实施开始": "starts_on",
    "开始时间": "starts_on",
    "实施结束": "ends_on",
    "结束时间": "ends_on",
    "拟覆盖职工人数": "planned_coverage",
    "拟覆盖职工数": "planned_coverage",
    "覆盖职工人数": "planned_coverage",
    "八大群体": "groups",
    "涉及群体": "groups",
    "已有工会": "existing_union",
    "涉及企业": "enterprises",
    "企业": "enterprises",
}
#: A service field → the import field whose column its message belongs to.
FIELD_COLUMN = {
    "kind": "kind",
    "build_type": "kind",
    "category": "kind",
    "name": "name",
    "address": "address",
    "division_code": "division_code",
    "planned_members": "planned_members",
    "responsible_unit": "unit",
    "responsible_person": "person",
    "responsible_phone": "phone",
    "due_on": "due_on",
    "starts_on": "starts_on",
    "ends_on": "ends_on",
    "planned_coverage": "planned_coverage",
    "groups": "groups",
    "existing_union": "existing_union",
    "enterprises": "enterprises",
}


def _kinds() -> dict[str, tuple[str, str]]:
    """Every accepted 类型 text (normalised) → (kind, subtype or category)."""
    found: dict[str, tuple[str, str]] = {}
    for value, label in BuildType.choices:
        for text in (label, label.removeprefix("拟建"), value):
            found[_norm(text)] = (ProjectKind.BUILD, value)
    for value, label in ServiceCategory.choices:
        for text in (label, label.removesuffix("活动"), value):
            found[_norm(text)] = (ProjectKind.SERVICE, value)
    found[_norm("发展会员")] = (ProjectKind.BUILD, BuildType.EXISTING)
    return found


def _norm(text: str) -> str:
    return re.sub(r"[\s·•、，,（）()]", "", str(text)).casefold()


_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_PERIOD_SPLIT = re.compile(r"\s*(?:至|到|~|～|—+|－+|--)\s*")


def parse_day(value):
    """A date typed as 2019-06-30, 2019/6/30, 2019.6.30 or 2019年6月30日 (or read as a date);
    anything else is passed on as text for the service's message."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value).strip()
    match = _DATE.match(text)
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            return text
    return text


class ProjectImporter:
    """One import of projects into one plan (a check or a commit)."""

    def __init__(self, *, actor, plan: ActionPlan, dry_run: bool):
        self.actor, self.plan, self.dry_run = actor, plan, dry_run
        self.summary = Summary(dry_run=dry_run)
        self.matcher = UnitMatcher(plan.unit)
        self.kinds = _kinds()
        self.preview: list | None = None
        self.progress = None
        self._units: dict[str, tuple[Organization | None, str]] = {}
        #: (kind, name) of the plan's projects, and of the file's rows so far (→ row number):
        #: re-importing a file adds nothing twice.
        self._stored = set()
        if plan.pk is not None:
            self._stored = set(plan.projects.values_list("kind", "name"))
        self._seen: dict[tuple[str, str], int] = {}

    # --- cells → service data -----------------------------------------------------------

    def _unit(self, row: int, name: str) -> tuple[Organization | None, str]:
        """The organization a name stands for under (or being) the plan's unit, or the
        `unit_names` message; cached per name (many rows share a responsible unit)."""
        key = clean(name)
        if key not in self._units:
            unit = self.plan.unit
            own = {clean(unit.name), clean(unit.short_name or ""), unit.code.casefold()}
            if (
                key in own
                or key.casefold() in own
                or (
                    unit_key(key, self.matcher.prefixes)
                    == unit_key(unit.name, self.matcher.prefixes)
                )
            ):
                self._units[key] = (unit, "")
            else:
                outcome = self.matcher.match(name)
                if outcome.pk is not None:
                    self._units[key] = (Organization.objects.get(pk=outcome.pk), "")
                elif outcome.ambiguous:
                    names = "、".join(c.name for c in outcome.ambiguous[:5])
                    self._units[key] = (None, "ambiguous:" + names)
                else:
                    self._units[key] = (None, "unmatched")
        org, reason = self._units[key]
        if org is not None:
            return org, ""
        if reason.startswith("ambiguous:"):
            candidates = reason.removeprefix("ambiguous:")
            return None, MSG_AMBIGUOUS.format(row=row, name=name, candidates=candidates)
        return None, MSG_UNMATCHED.format(row=row, name=name, unit=self.plan.unit.name)

    def _data(self, number: int, cells: dict) -> tuple[dict, list[tuple[str, str]]]:
        """The service's data for one row, and the errors found before the service (type,
        unit names, period)."""
        text = {field: cell_text(value).strip() for field, value in cells.items()}
        errors: list[tuple[str, str]] = []
        data: dict = {}
        kind_text = text.get("kind", "")
        kind = self.kinds.get(_norm(kind_text)) if kind_text else None
        if kind is None and kind_text:
            errors.append(("kind", MSG_KIND.format(value=kind_text)))
        elif kind is not None:
            data["kind"] = kind[0]
            data["build_type" if kind[0] == ProjectKind.BUILD else "category"] = kind[1]
        for field, target in (
            ("name", "name"),
            ("address", "address"),
            ("division_code", "division_code"),
            ("person", "responsible_person"),
            ("phone", "responsible_phone"),
            ("planned_members", "planned_members"),
            ("planned_coverage", "planned_coverage"),
        ):
            data[target] = text.get(field, "")
        unit_name = text.get("unit", "")
        if unit_name:
            unit, message = self._unit(number, unit_name)
            if message:
                errors.append(("unit", message))
            data["responsible_unit"] = unit
        if text.get("existing_union"):
            union, message = self._unit(number, text["existing_union"])
            if message:
                errors.append(("existing_union", message))
            data["existing_union"] = union
        for field in ("due_on", "starts_on", "ends_on"):
            if field in cells:
                data[field] = parse_day(cells[field])
        if text.get("period") and not (data.get("starts_on") or data.get("ends_on")):
            parts = [p for p in _PERIOD_SPLIT.split(text["period"]) if p]
            if len(parts) == 2:
                data["starts_on"], data["ends_on"] = (parse_day(p) for p in parts)
            elif len(parts) == 1 and parse_day(parts[0]) != parts[0]:
                data["starts_on"] = data["ends_on"] = parse_day(parts[0])
            else:
                errors.append(("period", MSG_PERIOD.format(value=text["period"])))
        if text.get("groups"):
            data["groups"] = [g for g in re.split(r"[、,，;；\s]+", text["groups"]) if g]
        if "enterprises" in text:
            # Names or 统一社会信用代码 separated by 、，,; — the service resolves them.
            data["enterprises"] = text["enterprises"]
        return data, errors

    # --- the pass -------------------------------------------------------------------------

    def _header(self, field: str, columns: dict[str, str]) -> str:
        if field in columns:
            return columns[field]
        if field in ("starts_on", "ends_on") and "period" in columns:
            return columns["period"]
        label = services.PROJECT_LABELS.get(field) or {
            "unit": "责任单位",
            "person": "责任人",
            "phone": "责任人电话",
            "kind": "类型",
            "period": "实施时间",
            "enterprises": "涉及企业",
        }.get(field, field)
        return label

    def _row(self, row, table) -> tuple[str, list[tuple[str, str]]]:
        """新增 or 未导入 for one row, with every message of the row: the importer's own (type,
        unit names, period) and the service's."""
        data, errors = self._data(row.number, table.cells_by_field(row))
        key = (data.get("kind", ""), data.get("name", ""))
        if key[0] and key[1]:
            if key in self._stored:
                errors.append(("name", MSG_DUPLICATE.format(name=key[1])))
            elif key in self._seen:
                sheet, first = self._seen[key]
                if sheet == table.sheet_name:
                    message = MSG_DUPLICATE_ROW.format(name=key[1], first=first)
                else:
                    message = MSG_DUPLICATE_SHEET_ROW.format(name=key[1], sheet=sheet, first=first)
                errors.append(("name", message))
        if errors:
            reported = {field for field, _m in errors}
            _values, problems = services.clean_project(self.plan, data)
            for field, messages in problems.items():
                column = FIELD_COLUMN.get(field, field)
                if column in reported or (
                    column in ("starts_on", "ends_on") and "period" in reported
                ):
                    continue
                errors += [(column, message) for message in messages]
            return REJECTED, errors
        try:
            if self.dry_run:
                _values, problems = services.clean_project(self.plan, data)
                if problems:
                    raise ValidationError(problems)
            else:
                with transaction.atomic():
                    services.project_save(actor=self.actor, plan=self.plan, data=data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, messages in error.message_dict.items():
                    errors += [(FIELD_COLUMN.get(field, field), m) for m in messages]
            else:
                errors += [("", message) for message in error.messages]
            return REJECTED, errors
        self._seen[key] = (table.sheet_name, row.number)
        return CREATED, []

    def _results(self, table, columns: dict[str, str], sheet: str | None):
        """(row number, the row's cells under the table's headers, result, message) for each
        data row of ``table``; ``sheet`` goes into each error when the file has several."""
        summary = self.summary
        for row in table.rows:
            summary.rows += 1
            result, errors = self._row(row, table)
            named = [(self._header(field, columns), message) for field, message in errors]
            if result == CREATED:
                summary.created += 1
            else:
                summary.rejected += 1
                for header, message in named:
                    error = {"row": row.number, "field": header, "message": message}
                    if sheet is not None:
                        error["sheet"] = sheet
                    summary.errors.append(error)
            message = join_messages(named)
            if self.progress and summary.rows % 100 == 0:
                self.progress(summary.rows)
            yield row.number, row.cells, result, message
        summary.blank_rows += table.skipped_blank
        summary.notes_rows += len(table.notes_rows)

    def run(self, path: Path, kind: str, *, report_path=None) -> Summary:
        summary = self.summary
        #: Per imported table: its sheet name and header texts (keyed apart when repeated).
        sheets: list[tuple[str, list[tuple[str, int]]]] = []
        passed_over: list[str] = []
        preview: list = []
        with ExitStack() as stack:
            spool = None
            if report_path:  # the result rows wait here until every sheet's headers are known
                spool = stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8"))
            stack.enter_context(transaction.atomic())
            for table in read_tables(
                path, kind, header_aliases=HEADER_ALIASES, key_fields=("name",)
            ):
                if "name" not in table.fields:  # e.g. the export's 汇总: not a list of projects
                    passed_over.append(table.sheet_name)
                    continue
                if not sheets:
                    summary.header_row = table.header_row
                elif len(sheets) == 1:  # a second sheet: the first one's errors name theirs
                    for error in summary.errors:
                        error["sheet"] = sheets[0][0]
                sheets.append((table.sheet_name, _keyed([h for _i, h, _f in table.columns])))
                summary.unknown_headers = list(
                    dict.fromkeys([*summary.unknown_headers, *table.unknown_headers])
                )
                columns = {field: header for _i, header, field in table.columns if field}
                sheet = table.sheet_name if len(sheets) > 1 else None
                for number, cells, result, message in self._results(table, columns, sheet):
                    texts = [cell_text(value) for value in cells]
                    entry = (len(sheets) - 1, number, texts, result, message)
                    if spool is not None:
                        spool.write(json.dumps(entry, ensure_ascii=False) + "\n")
                    if len(preview) < PREVIEW_ROWS:
                        preview.append(entry)
            if not sheets:
                where = "、".join(f"工作表「{name}」" for name in passed_over if name) or "文件"
                raise FileRejected(MSG_NO_NAME_COLUMN.format(where=where), "no_name_column")
            headers, place = _layout(sheets)
            self.headers = headers
            if self.preview is not None:
                for entry in preview:
                    index, number, cells, result, message = entry
                    self.preview.append([number, place(index, cells)[:3], result, message])
            if spool is not None:
                spool.seek(0)
                build_error_report(
                    report_path, headers=headers, rows=_replay(spool, place), summary=summary
                )
            if self.dry_run:
                transaction.set_rollback(True)
        if not summary.rows:
            raise FileRejected(MSG_NO_ROWS, "no_rows")
        return summary


def _keyed(headers: list[str]) -> list[tuple[str, int]]:
    """Header texts as (text, how many times it came before in the same table): two columns
    of one sheet both headed 备注 stay two columns of the result."""
    seen: dict[str, int] = {}
    keyed = []
    for text in headers:
        keyed.append((text, seen.get(text, 0)))
        seen[text] = seen.get(text, 0) + 1
    return keyed


def _layout(sheets: list[tuple[str, list[tuple[str, int]]]]):
    """The result workbook's headers and a function placing a table's row under them: one
    table's headers as they are; for several, 工作表 and then the union of the tables'
    headers in order of first appearance, each row's cells under its own headers."""
    if len(sheets) == 1:
        return [text for text, _n in sheets[0][1]], lambda _index, cells: list(cells)
    union = list(dict.fromkeys(key for _name, keys in sheets for key in keys))
    at = {key: i for i, key in enumerate(union)}
    slots = [[at[key] for key in keys] for _name, keys in sheets]
    names = [name for name, _keys in sheets]

    def place(index: int, cells) -> list:
        placed = [""] * len(union)
        for slot, value in zip(slots[index], cells, strict=False):
            placed[slot] = value
        return [names[index], *placed]

    return [SHEET_HEADER, *(text for text, _n in union)], place


def _replay(spool, place):
    """The spooled result rows (one JSON line each), placed under the result's headers."""
    for line in spool:
        index, number, cells, result, message = json.loads(line)
        yield number, place(index, cells), result, message


def authorise(actor, plan: ActionPlan) -> None:
    """Only the plan's own unit imports into it, with the edit permission, while it is a draft
    or returned — the same rule and messages as every edit of the plan."""
    if not actor.has_perm("projects.edit_plan"):
        raise PermissionDenied
    if actor.organization_id != plan.unit_id:
        raise PermissionDenied(services.MSG_NOT_OWN_UNIT.format(unit=plan.unit.name))
    if not plan.editable:
        raise services._plan_scope_error(plan)


def import_projects(
    path,
    *,
    actor,
    plan: ActionPlan,
    dry_run: bool,
    kind: str | None = None,
    original_name: str | None = None,
    report_path=None,
    preview: list | None = None,
    progress=None,
) -> Summary:
    """Import a table of projects into `plan` (a check writes nothing); every row ends 新增 or
    未导入. FileRejected for a file that is not a readable table; PermissionDenied /
    ValidationError when the actor may not edit the plan."""
    path = Path(path)
    if plan.pk is not None:  # (a check of a unit without a plan yet gets an unsaved one)
        plan = ActionPlan.objects.select_related("campaign__owner", "unit").get(pk=plan.pk)
    elif not dry_run:
        raise ValueError("a commit needs a stored plan (services.plan_open)")
    authorise(actor, plan)
    file_kind = kind or check_upload(path, original_name or path.name)
    importer = ProjectImporter(actor=actor, plan=plan, dry_run=dry_run)
    importer.preview, importer.progress = preview, progress
    summary = importer.run(path, file_kind, report_path=report_path)
    summary.columns = importer.headers
    return summary
