"""The pass both importers share: read, prepare (no database), look up a chunk, decide in
file order, write; the result rows for the result workbook and the summary."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ruhui.audit.services import Action, audit_record
from ruhui.core import divisions
from ruhui.enterprises import services
from ruhui.enterprises.importer.columns import (
    COUNTS,
    ENTERPRISE,
    GROUP_PREFIX,
    KINDS,
    LABELS,
    MSG_MISSING_COLUMNS,
    MSG_NO_HEADER,
    MSG_USCC_NUMBER,
)
from ruhui.enterprises.models import Enterprise
from ruhui.orgs.models import Organization
from ruhui.tabular.cleaning import CellError, clean_bool_cell, clean_date_cell, clean_text
from ruhui.tabular.files import FileRejected
from ruhui.tabular.readers import read_table
from ruhui.tabular.report import CREATED, REJECTED, build_error_report, cell_text
from ruhui.tabular.report import Summary as ImportSummary

#: Error lines kept in memory (as the member importer's ``max_errors_listed``): every row is in
#: the result workbook; a job stores fewer still (`tabular.report.summary_capped`).
MAX_ERRORS_LISTED = 100_000


@dataclass
class Summary(ImportSummary):
    """The counts of one import run: the member import's, plus the kind and the file's header
    texts (for pages; neither is part of REPORT.json)."""

    kind: str = ENTERPRISE
    columns: list[str] = field(default_factory=list)


class Reject(Exception):
    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors


# --- reading -----------------------------------------------------------------------------


def read(path: Path, kind: str, aliases: dict[str, str]):
    """read_table with our aliases. Adapter: the reader labels a field by the member
    import's labels (its `name` is 姓名), so the two messages that name fields are redone."""
    try:
        return read_table(path, kind, header_aliases=aliases, key_fields=("name", "uscc"))
    except FileRejected as exc:
        if exc.code == "no_header":
            expected = "、".join(
                LABELS[f] for f in ("name", "uscc", "division_code", "township", "industry")
            )
            raise FileRejected(MSG_NO_HEADER.format(expected=expected), exc.code) from None
        if exc.code == "duplicate_header":
            raise FileRejected(exc.message.replace("“姓名”", "“企业名称”"), exc.code) from None
        raise


_SCIENTIFIC = re.compile(r"[0-9.]+E\+?[0-9]+", re.IGNORECASE)


def uscc_cell(value) -> str:
    """A credit-code cell as text; a number Excel has rounded (≥ 16 digits or 4.1E+17) raises."""
    if isinstance(value, float) and (not value.is_integer() or abs(value) >= 1e15):
        raise ValueError(MSG_USCC_NUMBER.format(shown=format(value, ".6g")))
    if isinstance(value, int) and not isinstance(value, bool) and value >= 10**15:
        raise ValueError(MSG_USCC_NUMBER.format(shown=value))
    text = clean_text(value)
    if _SCIENTIFIC.fullmatch(text):
        raise ValueError(MSG_USCC_NUMBER.format(shown=text))
    return text


_LEADING_CODE = re.compile(r"^(\d{6})(?:\D.*)?$")


class Divisions:
    """A 所在县(市、区) cell as a code: the code itself, 「410481 舞钢市」, or the county's name
    (looked up in the unit's province, preferring its prefecture)."""

    def __init__(self, unit: Organization | None):
        code = (unit.division_code if unit else "") or "41"
        self.province, self.prefecture = code[:2], code[:4]
        self.default = code if len(code) == 6 and not code.endswith("00") else ""
        self._names: dict[str, list[str]] | None = None

    def code(self, value: str) -> str:
        text = divisions.normalize_code(value)
        if not text:
            return self.default
        match = _LEADING_CODE.match(text)
        if match:
            return match.group(1)
        if self._names is None:
            self._names = {}
            for county, full in divisions.choices(prefix=self.province):
                division = divisions.get(county)
                if division and division.level == "county":
                    for name in {division.name, full}:
                        self._names.setdefault(name, []).append(county)
        found = self._names.get(text, [])
        if len(found) > 1:
            found = [c for c in found if c.startswith(self.prefecture)]
        return found[0] if len(found) == 1 else text


# --- the pass ----------------------------------------------------------------------------

#: Rows validated and looked up together (one or two queries per chunk, not per row).
CHUNK = 400


class Row:
    """One data row on its way through a chunk."""

    __slots__ = (
        "action",
        "cells",
        "cleaned",
        "data",
        "enterprise",
        "errors",
        "existing",
        "headcount",
        "key",
        "number",
        "park",
        "values",
    )

    def __init__(self, number: int, cells: list, values: dict):
        self.number, self.cells, self.values = number, cells, values
        self.errors: list[tuple[str, str]] = []
        self.action = REJECTED
        self.existing = self.enterprise = self.park = self.headcount = None
        self.cleaned: dict = {}
        self.data: dict = {}
        self.key: tuple = ()


#: Rows kept for the result page (the result workbook has them all).
PREVIEW_ROWS = 200


def tee(rows: Iterator, preview: list) -> Iterator:
    """Pass rows on; keep the first PREVIEW_ROWS as (row, cells as text, result, message)."""
    for number, cells, result, message in rows:
        if len(preview) < PREVIEW_ROWS:
            preview.append([number, [cell_text(c) for c in cells], result, message])
        yield number, cells, result, message


class Importer:
    """One run over one file: rows are prepared (no database), looked up a chunk at a time,
    decided in file order, then written; subclasses supply the four steps."""

    kind = ENTERPRISE
    aliases: dict[str, str] = {}
    required: tuple[str, ...] = ("name",)

    def __init__(self, *, actor, unit: Organization | None, dry_run: bool, update: bool = False):
        self.actor = actor
        self.unit = unit
        self.dry_run = dry_run
        self.update = update
        self.today = timezone.localdate()
        self.summary = Summary(kind=self.kind, dry_run=dry_run)
        self.divisions = Divisions(unit)
        self.preview: list | None = None
        self.progress = None

    def run(self, path: Path, kind: str, *, report_path=None, name: str = "") -> Summary:
        table = read(path, kind, self.aliases)
        present = {f for _i, _h, f in table.columns if f}
        missing = [LABELS[f] for f in self.required if f not in present]
        if missing:
            raise FileRejected(MSG_MISSING_COLUMNS.format(columns="、".join(missing)), "columns")
        self.summary.header_row = table.header_row
        self.summary.unknown_headers = list(table.unknown_headers)
        self.header_of = {f: h for _i, h, f in table.columns if f}
        self.columns = [(i, f) for i, _h, f in table.columns if f]
        headers = [h for _i, h, _f in table.columns]
        self.summary.columns = headers
        if self.dry_run:
            self._drain(headers, self._results(table), report_path)
            return self.summary
        with transaction.atomic():
            self._drain(headers, self._results(table), report_path)
            audit_record(
                actor=self.actor,
                action=Action.IMPORT,
                obj=None,
                org_path=(self.unit or self.actor.organization).path,
                object_repr=f"{KINDS[self.kind]}：{name or path.name}"[:200],
                changes={
                    "数据行": [None, self.summary.rows],
                    "新增": [None, self.summary.created],
                    "更新": [None, self.summary.updated],
                    "未导入": [None, self.summary.rejected],
                },
            )
        return self.summary

    def _drain(self, headers, rows: Iterator, report_path) -> None:
        if self.preview is not None:
            rows = tee(rows, self.preview)
        if report_path is not None:
            build_error_report(report_path, headers=headers, rows=rows, summary=self.summary)
        else:
            for _row in rows:
                pass

    def _results(self, table) -> Iterator[tuple[int, list, str, str]]:
        source, columns = iter(table.rows), self.columns
        while chunk := [
            Row(r.number, r.cells, {f: r.cells[i] for i, f in columns})
            for r in islice(source, CHUNK)
        ]:
            for row in chunk:
                self.prepare(row)
            self.lookup([r for r in chunk if not r.errors])
            for row in chunk:
                if not row.errors:
                    try:
                        row.action = self.decide(row)
                    except Reject as reject:
                        row.errors = reject.errors
            if not self.dry_run:
                self.write([r for r in chunk if not r.errors])
            yield from self._tally(chunk)
            if self.progress is not None:
                self.progress(self.summary.rows)
        self.summary.blank_rows = table.skipped_blank
        self.summary.notes_rows = len(table.notes_rows)

    def _tally(self, chunk: list[Row]) -> Iterator[tuple[int, list, str, str]]:
        summary = self.summary
        for row in chunk:
            summary.rows += 1
            if not row.errors:
                if row.action == CREATED:
                    summary.created += 1
                else:
                    summary.updated += 1
                yield row.number, row.cells, row.action, ""
                continue
            summary.rejected += 1
            for header, message in row.errors:
                if len(summary.errors) < MAX_ERRORS_LISTED:
                    summary.errors.append({"row": row.number, "field": header, "message": message})
            text = "；".join(m if not h or m.startswith(h) else f"{h}：{m}" for h, m in row.errors)
            yield row.number, row.cells, REJECTED, text

    # --- the steps -------------------------------------------------------------------

    def prepare(self, row: Row) -> None:
        """Clean and validate the row's cells (no database); errors go on the row."""
        raise NotImplementedError

    def lookup(self, rows: list[Row]) -> None:
        """Fetch what a chunk's valid rows need from the database, at once."""

    def decide(self, row: Row) -> str:
        """新增 or 更新 for a valid row, in file order; raise Reject for 未导入."""
        raise NotImplementedError

    def write(self, rows: list[Row]) -> None:
        """Write the chunk's accepted rows; a row the service refuses gets its errors."""
        raise NotImplementedError

    # --- helpers ---------------------------------------------------------------------

    def header(self, name: str) -> str:
        return self.header_of.get(name) or LABELS.get(name, name)

    def errors_of(self, errors: dict[str, list[str]], already: list) -> list[tuple[str, str]]:
        """Validation messages, except for a column whose cell was already refused."""
        shown = {h for h, _m in already}
        return [
            (self.header(f), m)
            for f, messages in errors.items()
            for m in messages
            if self.header(f) not in shown
        ]

    def from_exception(self, exc: Exception) -> list[tuple[str, str]]:
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            return [
                (self.header(f) if f != "__all__" else "", m)
                for f, errors in exc.error_dict.items()
                for m in ValidationError(errors).messages
            ]
        if isinstance(exc, ValidationError):
            return [("", m) for m in exc.messages]
        return [("", str(exc) or str(services.MSG_ENTERPRISE_OUTSIDE))]

    def refuse(self, row: Row, exc: Exception) -> None:
        row.errors, row.action = self.from_exception(exc), REJECTED

    def cells(self, values: dict, errors: list) -> dict:
        """Cells → what the validation functions take (text, dates, 是/否, counts)."""
        raw: dict = {}
        for name, value in values.items():
            try:
                if name == "uscc":
                    raw[name] = uscc_cell(value)
                elif name in ("surveyed_on", "next_action_due", "headcount_on"):
                    raw[name] = clean_date_cell(value)
                elif name.startswith("is_"):
                    raw[name] = clean_bool_cell(value)
                elif name in COUNTS or name.startswith(GROUP_PREFIX):
                    raw[name] = value if isinstance(value, int | float) else clean_text(value)
                else:
                    raw[name] = clean_text(value)
            except CellError as exc:
                errors.append((self.header(name), exc.message_for(self.header(name))))
            except ValueError as exc:
                errors.append((self.header(name), str(exc)))
        raw["division_code"] = self.divisions.code(raw.get("division_code") or "")
        return raw

    def group_counts(self, raw: dict) -> dict:
        return {
            name[len(GROUP_PREFIX) :]: raw[name]
            for name in list(raw)
            if name.startswith(GROUP_PREFIX) and raw[name] not in (None, "")
        }

    def candidates(self, queryset, rows: list[Row]):
        """(by credit code, by (normalised name, county)) of a chunk's enterprises."""
        codes = {r.key[0] for r in rows if r.key[0]}
        names = {r.key[1] for r in rows if r.key[1]}
        by_code: dict[str, Enterprise] = {}
        by_name: dict[tuple[str, str], list[Enterprise]] = {}
        if codes or names:
            found = queryset.filter(Q(uscc__in=codes) | Q(normalised_name__in=names))
            for enterprise in found.order_by("pk"):
                if enterprise.uscc:
                    by_code.setdefault(enterprise.uscc, enterprise)
                by_name.setdefault(
                    (enterprise.normalised_name, enterprise.division_code), []
                ).append(enterprise)
        return by_code, by_name
