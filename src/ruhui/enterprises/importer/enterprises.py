"""企业名单: register enterprises under a responsible unit; update mode corrects them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ruhui.core import divisions
from ruhui.core.changes import note_change
from ruhui.enterprises import services
from ruhui.enterprises.choices import HeadcountSource
from ruhui.enterprises.importer.columns import (
    ENTERPRISE,
    ENTERPRISE_ALIASES,
    LABELS,
    MSG_DUP_IN_FILE,
    MSG_HEADCOUNT_DATE_FUTURE,
    MSG_NOT_MANAGED,
    MSG_PARK_AMBIGUOUS,
    MSG_PARK_UNKNOWN,
    MSG_UPDATE_HINT,
)
from ruhui.enterprises.importer.engine import (
    Importer,
    Reject,
    Row,
)
from ruhui.enterprises.models import Enterprise, HeadcountSnapshot, Park
from ruhui.enterprises.validation import (
    ENTERPRISE_LABELS,
    clean_enterprise_fields,
    parse_count,
)
from ruhui.orgs.models import Organization, WorkerGroup
from ruhui.orgs.scoping import scoped
from ruhui.tabular.report import CREATED, UPDATED


def dup_messages(message, existing: Enterprise) -> str:
    return str(message) % {
        "uscc": existing.uscc,
        "name": existing.name,
        "division": divisions.full_name(existing.division_code) or existing.division_code,
        "unit": existing.responsible_unit.name,
    }


class EnterpriseImporter(Importer):
    """企业名单: register enterprises under a responsible unit (update mode: correct them)."""

    kind = ENTERPRISE
    aliases = ENTERPRISE_ALIASES

    def __init__(self, *, responsible_unit: Organization, **kwargs):
        super().__init__(unit=responsible_unit, **kwargs)
        self.seen_code: dict[str, int] = {}
        self.seen_name: dict[tuple[str, str], tuple[int, bool]] = {}
        self._parks: dict[tuple[str, str], list[Park]] | None = None
        self.group_pks = dict(WorkerGroup.objects.values_list("code", "pk"))

    def prepare(self, row: Row) -> None:
        errors = row.errors
        raw = self.cells(row.values, errors)
        groups = raw.get("groups") or ""
        employed = [
            code
            for code, n in self.group_counts(raw).items()
            if isinstance(parse_count(n), int) and parse_count(n) > 0
        ]
        data = {f: raw.get(f) for f in ENTERPRISE_LABELS if f != "groups"}
        data["groups"] = "、".join(filter(None, [groups, *employed]))
        cleaned, field_errors = clean_enterprise_fields(data)
        errors += self.errors_of(field_errors, errors)
        row.park = self.park(raw.get("park") or "", cleaned.get("division_code"), errors)
        row.headcount = self.headcount(raw, errors)
        row.data, row.cleaned = data, cleaned
        if not errors:
            row.key = (cleaned["uscc"], cleaned["normalised_name"], cleaned["division_code"])

    def lookup(self, rows: list[Row]) -> None:
        queryset = Enterprise.objects.select_related("responsible_unit")
        self.by_code, self.by_name = self.candidates(queryset, rows)

    def decide(self, row: Row) -> str:
        self.check_in_file(row)
        code, name, division = row.key
        # services.find_duplicate's rule, on the chunk's candidates.
        existing, message, column = None, None, "name"
        if code:
            existing, message, column = self.by_code.get(code), services.MSG_DUP_USCC, "uscc"
            if existing is None:
                uncoded = [e for e in self.by_name.get((name, division), []) if not e.uscc]
                existing, message = (uncoded or [None])[0], services.MSG_DUP_NAME_NO_CODE
                column = "name"
        else:
            existing = (self.by_name.get((name, division)) or [None])[0]
            message = services.MSG_DUP_NAME
        if existing is None:
            return CREATED
        text = dup_messages(message, existing)
        if not self.update:
            raise Reject([(self.header(column), text + MSG_UPDATE_HINT)])
        if not services.can_manage(self.actor, existing):
            prefix = MSG_NOT_MANAGED.format(unit=existing.responsible_unit.name)
            raise Reject([(self.header(column), prefix + text)])
        row.existing = existing
        return UPDATED

    def check_in_file(self, row: Row) -> None:
        """The first row of an enterprise wins (the same rule as find_duplicate)."""
        code, name, division = row.key
        key = (name, division)
        first = None
        if code:
            first = self.seen_code.get(code)
            if first is None and key in self.seen_name and not self.seen_name[key][1]:
                first = self.seen_name[key][0]
        elif key in self.seen_name:
            first = self.seen_name[key][0]
        if first is not None:
            shown = f"统一社会信用代码 {code}" if code else f"{row.cleaned['name']}，同一县(市、区)"
            column = self.header("uscc" if code else "name")
            raise Reject([(column, MSG_DUP_IN_FILE.format(row=first, key=shown))])
        if code:
            self.seen_code[code] = row.number
        self.seen_name.setdefault(key, (row.number, bool(code)))

    def park(self, text: str, division: str | None, errors: list) -> Park | None:
        """A park of the directory by name (in the enterprise's county), within jurisdiction."""
        if not text:
            return None
        if self._parks is None:
            self._parks = {}
            for park in scoped(self.actor, Park):
                self._parks.setdefault((park.name, park.division_code), []).append(park)
                self._parks.setdefault((park.name, ""), []).append(park)
        found = self._parks.get((text, division or ""), []) or self._parks.get((text, ""), [])
        if len(found) == 1 and division and found[0].division_code != division:
            park_division = divisions.full_name(found[0].division_code)
            message = services.MSG_PARK_DIVISION % {"park": text, "park_division": park_division}
            errors.append((self.header("park"), str(message)))
            return None
        if len(found) == 1:
            return found[0]
        message = MSG_PARK_AMBIGUOUS if found else MSG_PARK_UNKNOWN
        errors.append((self.header("park"), message.format(park=text)))
        return None

    def headcount(self, raw: dict, errors: list) -> tuple | None:
        total = parse_count(raw.get("employees_total"))
        migrant = parse_count(raw.get("migrant_workers"))
        for name, value in (("employees_total", total), ("migrant_workers", migrant)):
            if isinstance(value, str):
                message = f"{LABELS[name]}「{value}」应为不小于 0 的整数。"
                errors.append((self.header(name), message))
        if isinstance(total, str) or isinstance(migrant, str):
            return None
        if total is None:
            if migrant is not None:
                message = "填写了农民工人数时，请同时填写职工人数。"
                errors.append((self.header("employees_total"), message))
            return None
        if migrant is not None and migrant > total:
            message = services.MSG_MIGRANT % {"migrant": migrant, "total": total}
            errors.append((self.header("migrant_workers"), str(message)))
        on = raw.get("headcount_on") or self.today
        if on > self.today:
            message = MSG_HEADCOUNT_DATE_FUTURE.format(today=self.today)
            errors.append((self.header("headcount_on"), message))
        return on, total, migrant

    def write(self, rows: list[Row]) -> None:
        creates = [r for r in rows if r.action == CREATED]
        if creates:
            self.create(creates)
        for row in rows:
            if row.action == UPDATED:
                self.update_one(row)

    def create(self, rows: list[Row]) -> None:
        """New enterprises a chunk at a time: the rows enterprise_create would save (same
        cleaned fields, the unit checked once, duplicates ruled out above), their groups and
        their imported headcount; the import's own audit entry records the run."""
        enterprises, groups = [], []
        for row in rows:
            cleaned = dict(row.cleaned)
            groups.append(cleaned.pop("groups", []))
            enterprise = Enterprise(responsible_unit=self.unit, park=row.park, **cleaned)
            if row.headcount is not None:
                on, total, migrant = row.headcount
                enterprise.headcount_on, enterprise.employees_total = on, total
                enterprise.migrant_workers = migrant
            enterprises.append(enterprise)
        Enterprise.objects.bulk_create(enterprises)
        through = Enterprise.groups.through
        through.objects.bulk_create(
            through(enterprise_id=enterprise.pk, workergroup_id=self.group_pks[code])
            for enterprise, codes in zip(enterprises, groups, strict=True)
            for code in codes
            if code in self.group_pks
        )
        recorded_by = self.actor if getattr(self.actor, "pk", None) else None
        HeadcountSnapshot.objects.bulk_create(
            HeadcountSnapshot(
                enterprise=enterprise,
                on=enterprise.headcount_on,
                employees_total=enterprise.employees_total,
                migrant_workers=enterprise.migrant_workers,
                source=HeadcountSource.IMPORT,
                recorded_by=recorded_by,
            )
            for enterprise in enterprises
            if enterprise.employees_total is not None
        )
        note_change(None)  # the survey figures and the workbench's alerts, once it commits

    def update_one(self, row: Row) -> None:
        """Update mode: the service corrects the columns the file fills in (never with an empty
        cell), then a changed headcount is recorded; the row is all or nothing."""
        given = {
            f: v
            for f, v in row.data.items()
            if v not in (None, "") and (f in row.values or f == "groups")
        }
        kwargs = {"park": row.park} if row.park is not None else {}
        try:
            with transaction.atomic():
                enterprise = services.enterprise_update(
                    actor=self.actor, enterprise=row.existing, data=given, **kwargs
                )
                if row.headcount is not None:
                    on, total, migrant = row.headcount
                    shown = (
                        enterprise.headcount_on,
                        enterprise.employees_total,
                        enterprise.migrant_workers,
                    )
                    if shown != (on, total, migrant):
                        services.headcount_record(
                            actor=self.actor,
                            enterprise=enterprise,
                            on=on,
                            employees_total=total,
                            migrant_workers=migrant,
                            source=HeadcountSource.IMPORT,
                        )
        except (ValidationError, PermissionDenied) as exc:
            self.refuse(row, exc)
