"""排查表: one new 五清 survey per row for an enterprise already registered."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from ruhui.core import divisions
from ruhui.enterprises import services
from ruhui.enterprises.choices import UnionStatus
from ruhui.enterprises.codes import normalize_name, normalize_uscc
from ruhui.enterprises.importer.columns import (
    MSG_CODE_MISMATCH,
    MSG_NOT_FOUND,
    MSG_SURVEY_DONE,
    MSG_SURVEY_DUP_FILE,
    SURVEY,
    SURVEY_ALIASES,
)
from ruhui.enterprises.importer.engine import (
    Importer,
    Reject,
    Row,
)
from ruhui.enterprises.models import Enterprise, Survey
from ruhui.enterprises.validation import (
    SURVEY_LABELS,
    clean_survey_fields,
)
from ruhui.orgs.scoping import scoped
from ruhui.tabular.report import CREATED

SURVEY_COMPARED = (
    "union_status",
    "reason",
    "reason_text",
    "legal_rep_attitude",
    "attitude_notes",
    "employees_total",
    "migrant_workers",
    "group_counts",
    "next_action",
    "next_action_text",
    "next_action_due",
)


class SurveyImporter(Importer):
    """排查表: one new 五清 survey per row for an enterprise already registered."""

    kind = SURVEY
    aliases = SURVEY_ALIASES
    required = ("name", "surveyed_on", "union_status")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        enterprises = scoped(self.actor, Enterprise).select_related(
            "responsible_unit", "union", "latest_survey"
        )
        if self.unit is not None:
            path = self.unit.path
            enterprises = enterprises.filter(
                Q(responsible_unit__path__startswith=path) | Q(union__path__startswith=path)
            )
        self.enterprises = enterprises
        self.seen: dict[tuple[int, datetime.date], int] = {}

    def prepare(self, row: Row) -> None:
        errors = row.errors
        raw = self.cells(row.values, errors)
        data = {f: raw.get(f) for f in SURVEY_LABELS if f != "group_counts"}
        data["group_counts"] = self.group_counts(raw)
        cleaned, field_errors = clean_survey_fields(data, today=self.today)
        errors += self.errors_of(field_errors, errors)
        name = " ".join((raw.get("name") or "").split())
        code = normalize_uscc(raw.get("uscc") or "")
        if not name and not code:
            message = "企业名称不能为空：请填写已登记的企业全称，或填写统一社会信用代码。"
            errors.append((self.header("name"), message))
        row.data, row.cleaned = data, cleaned
        row.key = (code, normalize_name(name)[:120], raw.get("division_code") or "", name)

    def lookup(self, rows: list[Row]) -> None:
        by_code, by_name = self.candidates(self.enterprises, rows)
        for row in rows:
            row.enterprise = self.match(row, by_code, by_name)
        matched = [r for r in rows if r.enterprise is not None]
        self.recorded: dict[tuple[int, datetime.date], list[Survey]] = {}
        if matched:
            surveys = Survey.objects.filter(
                enterprise_id__in={r.enterprise.pk for r in matched},
                surveyed_on__in={r.cleaned["surveyed_on"] for r in matched},
            )
            for survey in surveys:
                key = (survey.enterprise_id, survey.surveyed_on)
                self.recorded.setdefault(key, []).append(survey)

    def match(self, row: Row, by_code: dict, by_name: dict) -> Enterprise | None:
        """By credit code, else by normalised name + county, among the actor's enterprises."""
        code, key, division, name = row.key
        if code and code in by_code:
            return by_code[code]
        found = by_name.get((key, division), [])
        if len(found) == 1:
            if code and found[0].uscc and found[0].uscc != code:
                message = MSG_CODE_MISMATCH.format(name=found[0].name, uscc=found[0].uscc)
                row.errors.append((self.header("uscc"), message))
                return None
            return found[0]
        if code:
            shown = f"统一社会信用代码 {code}"
        else:
            shown = divisions.full_name(division) or division or "未填所在县(市、区)"
        row.errors.append((self.header("name"), MSG_NOT_FOUND.format(name=name or code, key=shown)))
        return None

    def decide(self, row: Row) -> str:
        enterprise, cleaned = row.enterprise, row.cleaned
        day = cleaned["surveyed_on"]
        first = self.seen.get((enterprise.pk, day))
        if first is not None:
            message = MSG_SURVEY_DUP_FILE.format(row=first, day=day)
            raise Reject([(self.header("surveyed_on"), message)])
        self.seen[(enterprise.pk, day)] = row.number
        for survey in self.recorded.get((enterprise.pk, day), []):
            if all(getattr(survey, f) == cleaned.get(f) for f in SURVEY_COMPARED):
                message = MSG_SURVEY_DONE.format(name=enterprise.name, day=day)
                raise Reject([(self.header("name"), message)])
        latest = enterprise.latest_survey
        newest = latest is None or day >= latest.surveyed_on
        if newest and enterprise.union_id and cleaned["union_status"] != UnionStatus.BUILT:
            message = services.MSG_SURVEY_CONTRADICTS_UNION % {
                "union": enterprise.union.name,
                "status": UnionStatus(cleaned["union_status"]).label,
            }
            raise Reject([(self.header("union_status"), str(message))])
        return CREATED

    def write(self, rows: list[Row]) -> None:
        for row in rows:
            try:
                services.survey_record(actor=self.actor, enterprise=row.enterprise, data=row.data)
            except (ValidationError, PermissionDenied) as exc:
                self.refuse(row, exc)
