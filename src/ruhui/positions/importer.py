"""Import of service positions from xlsx/xls/csv into a unit (its own and its subtree's unions),
by the shared import rules: the page (a job: check, then confirm) and
`ruhui import_positions FILE --unit CODE [--dry-run]` run the same `import_positions`.

- The file passes `tabular.files.check_upload` and is read by `tabular.readers.read_tables`; the
  first sheet with a 名称 column is imported. The headers are the export's
  (`export.COLUMNS`), with a few aliases.
- The running union is the row's 运营工会代码 (a code in the unit's subtree), else its
  运营工会 (a name, matched by `campaigns.unit_names`), else the unit itself.
- A row whose 站点编号 (or, without one, running union and name) is already a position of the
  unit's subtree updates it (更新; unchanged rows count as 更新 too); any other row is new.
- Every row goes through `services.clean_position` (a check) or `position_create` /
  `position_update` (a commit, each row in a savepoint): a refused row is 未导入 with the
  service's Chinese messages, each named by its column; the good rows are written. Every data
  row ends 新增, 更新 or 未导入, so a check and a commit of the same file count alike
  (`tabular.report.Summary`); the result workbook is `tabular.report.build_error_report`.
"""

from __future__ import annotations

import re
from contextlib import ExitStack
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ruhui.campaigns.unit_names import MSG_AMBIGUOUS, MSG_UNMATCHED, UnitMatcher
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import in_jurisdiction
from ruhui.positions import services
from ruhui.positions.export import COLUMNS, NO, YES
from ruhui.positions.models import ServicePosition
from ruhui.tabular.files import FileRejected, check_upload
from ruhui.tabular.readers import read_tables
from ruhui.tabular.report import (
    CREATED,
    REJECTED,
    UPDATED,
    Summary,
    build_error_report,
    cell_text,
    join_messages,
)

PREVIEW_ROWS = 20
MSG_NO_ROWS = "文件中没有阵地行：请在表头下逐行填写阵地后再导入。"
MSG_UNION_CODE = "运营工会代码「{code}」不是{unit}或其下级工会的代码：请核对后再导入。"
MSG_BOOL = "{label}「{value}」应填写“是”或“否”。"
MSG_DUPLICATE_ROW = "阵地「{name}」与第 {first} 行重复，没有重复导入：请删去重复的行。"

HEADER_ALIASES = {
    **{header: field for field, header in COLUMNS},
    "编号": "code",
    "阵地名称": "name",
    "站点名称": "name",
    "阵地类型": "kind",
    "行政区划代码": "division_code",
    "乡镇": "township",
    "街道": "township",
    "乡镇街道": "township",
    "详细地址": "address",
    "纬度gcj02": "latitude",
    "经度gcj02": "longitude",
    "24小时": "open_24h",
    "群体": "groups",
}
BOOLEAN_FIELDS = ("open_24h", *services.STANDARD_FIELDS)
LIST_SPLIT = re.compile(r"[、,，;；/\s]+")
TRUE_TEXTS = {YES, "√", "✓", "有", "y", "yes", "true", "1"}
FALSE_TEXTS = {NO, "", "无", "n", "no", "false", "0", "×"}
HEADERS = dict(COLUMNS)


class PositionImporter:
    """One import of positions into one unit's subtree (a check or a commit)."""

    def __init__(self, *, actor, unit: Organization, dry_run: bool):
        self.actor, self.unit, self.dry_run = actor, unit, dry_run
        self.summary = Summary(dry_run=dry_run)
        self.matcher: UnitMatcher | None = None
        self.preview: list | None = None
        self.progress = None
        self._unions: dict[str, tuple[Organization | None, str]] = {}
        self._seen: dict[tuple, int] = {}
        existing = ServicePosition.objects.filter(running_union__path__startswith=unit.path)
        self._by_code = {p.code: p for p in existing.exclude(code="")}
        self._by_name = {(p.running_union_id, p.name): p for p in existing}

    def _union(self, number: int, code: str, name: str) -> tuple[Organization | None, str]:
        key = f"{code}|{name}"
        if key not in self._unions:
            self._unions[key] = self._find_union(number, code, name)
        return self._unions[key]

    def _find_union(self, number: int, code: str, name: str):
        if code:
            union = Organization.objects.filter(
                code__iexact=code, path__startswith=self.unit.path
            ).first()
            if union is None:
                return None, MSG_UNION_CODE.format(code=code, unit=self.unit.name)
            return union, ""
        if not name or name in (self.unit.name, self.unit.short_name):
            return self.unit, ""
        if self.matcher is None:
            self.matcher = UnitMatcher(self.unit)
        outcome = self.matcher.match(name)
        if outcome.pk is not None:
            return Organization.objects.get(pk=outcome.pk), ""
        if outcome.ambiguous:
            names = "、".join(c.name for c in outcome.ambiguous[:5])
            return None, MSG_AMBIGUOUS.format(row=number, name=name, candidates=names)
        return None, MSG_UNMATCHED.format(row=number, name=name, unit=self.unit.name)

    def _data(self, number: int, cells: dict) -> tuple[dict, list[tuple[str, str]]]:
        text = {field: cell_text(value).strip() for field, value in cells.items()}
        errors: list[tuple[str, str]] = []
        data: dict = {
            field: text.get(field, "")
            for field in (
                "code",
                "kind",
                "name",
                "partner",
                "division_code",
                "township",
                "address",
                "latitude",
                "longitude",
                "hours",
                "status",
                "opened_on",
            )
        }
        data["groups"] = [g for g in LIST_SPLIT.split(text.get("groups", "")) if g]
        data["facilities"] = [
            f for f in re.split(r"[、,，;；\s]+", text.get("facilities", "")) if f
        ]
        for field in BOOLEAN_FIELDS:
            value = text.get(field, "")
            if value.casefold() in TRUE_TEXTS:
                data[field] = True
            elif value.casefold() in FALSE_TEXTS:
                data[field] = False
            else:
                errors.append((field, MSG_BOOL.format(label=HEADERS[field], value=value)))
        union, message = self._union(
            number, text.get("union_code", ""), text.get("running_union", "")
        )
        if message:
            errors.append(("union_code" if text.get("union_code") else "running_union", message))
        data["running_union"] = union
        return data, errors

    def _existing(self, data: dict) -> ServicePosition | None:
        if data.get("code"):
            return self._by_code.get(data["code"])
        union = data.get("running_union")
        return self._by_name.get((union.pk if union else None, data.get("name")))

    def _row(self, row, table) -> tuple[str, list[tuple[str, str]]]:
        """新增, 更新 or 未导入 for one row, with every message of the row."""
        data, errors = self._data(row.number, table.cells_by_field(row))
        union = data.get("running_union")
        key = (data["code"],) if data.get("code") else (getattr(union, "pk", None), data["name"])
        if data["name"] and key in self._seen:
            errors.append(
                ("name", MSG_DUPLICATE_ROW.format(name=data["name"], first=self._seen[key]))
            )
        reported = {field for field, _m in errors}
        _values, problems = services.clean_position(self.actor, data)
        for field, messages in problems.items():
            if field == "running_union" and reported & {"running_union", "union_code"}:
                continue
            said = {message for _field, message in errors}  # swapped coordinates: said once
            errors += [(field, message) for message in messages if message not in said]
        if errors:
            return REJECTED, errors
        existing = self._existing(data)
        try:
            if not self.dry_run:
                with transaction.atomic():
                    if existing is None:
                        created = services.position_create(actor=self.actor, data=data)
                        if created.code:
                            self._by_code[created.code] = created
                        self._by_name[(created.running_union_id, created.name)] = created
                    else:
                        try:
                            services.position_update(actor=self.actor, position=existing, data=data)
                        except ValidationError as error:
                            if error.messages != [str(services.MSG_NO_CHANGE)]:
                                raise
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
                for field, messages in error.message_dict.items():
                    errors += [(field, m) for m in messages]
            else:
                errors += [("", m) for m in getattr(error, "messages", [str(error)])]
            return REJECTED, errors
        self._seen[key] = row.number
        return (CREATED if existing is None else UPDATED), []

    def _results(self, table):
        summary = self.summary
        columns = {field: header for _i, header, field in table.columns if field}
        for row in table.rows:
            summary.rows += 1
            result, errors = self._row(row, table)
            named = [
                (columns.get(field) or HEADERS.get(field) or services.LABELS.get(field, ""), msg)
                for field, msg in errors
            ]
            if result == CREATED:
                summary.created += 1
            elif result == UPDATED:
                summary.updated += 1
            else:
                summary.rejected += 1
                summary.errors += [
                    {"row": row.number, "field": header, "message": message}
                    for header, message in named
                ]
            message = join_messages(named)
            if self.preview is not None and len(self.preview) < PREVIEW_ROWS:
                cells = [cell_text(value) for value in row.cells]
                self.preview.append([row.number, cells[:3], result, message])
            if self.progress and summary.rows % 100 == 0:
                self.progress(summary.rows)
            yield row.number, row.cells, result, message
        summary.blank_rows += table.skipped_blank
        summary.notes_rows += len(table.notes_rows)

    def run(self, path: Path, kind: str, *, report_path=None) -> Summary:
        self.headers: list[str] = []
        with ExitStack() as stack:
            stack.enter_context(transaction.atomic())
            for table in read_tables(
                path, kind, header_aliases=HEADER_ALIASES, key_fields=("name",)
            ):
                if "name" not in table.fields or self.headers:
                    for _row in table.rows:  # read to the end before the next sheet
                        pass
                    continue
                self.summary.header_row = table.header_row
                self.summary.unknown_headers = list(table.unknown_headers)
                self.headers = [header for _i, header, _f in table.columns]
                rows = self._results(table)
                if report_path:
                    build_error_report(
                        report_path, headers=self.headers, rows=rows, summary=self.summary
                    )
                else:
                    for _entry in rows:
                        pass
            if self.dry_run:
                transaction.set_rollback(True)
        if not self.summary.rows:
            raise FileRejected(MSG_NO_ROWS, "no_rows")
        return self.summary


def authorise(actor, unit: Organization) -> None:
    """Importing needs the edit permission, into a unit of the actor's jurisdiction."""
    if not actor.has_perm(services.PERM_EDIT):
        raise PermissionDenied
    if not in_jurisdiction(actor, unit):
        raise PermissionDenied(services.MSG_UNION_OUTSIDE.format(name=unit.name))


def import_positions(
    path,
    *,
    actor,
    unit: Organization,
    dry_run: bool,
    kind: str | None = None,
    original_name: str | None = None,
    report_path=None,
    preview: list | None = None,
    progress=None,
) -> Summary:
    """Import a table of positions into `unit`'s subtree (a check writes nothing); every row
    ends 新增, 更新 or 未导入. FileRejected for a file that is not a readable table;
    PermissionDenied when the actor may not edit positions of the unit."""
    path = Path(path)
    authorise(actor, unit)
    file_kind = kind or check_upload(path, original_name or path.name)
    importer = PositionImporter(actor=actor, unit=unit, dry_run=dry_run)
    importer.preview, importer.progress = preview, progress
    summary = importer.run(path, file_kind, report_path=report_path)
    summary.columns = importer.headers
    return summary
