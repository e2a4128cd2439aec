"""Storing a task-decomposition table read by `target_tables.read_target_table` as a unit's
decomposition (issue 7 item 3): the rows matched to the organizations below the decomposing
unit (`unit_names`), written through `services.decomposition_save`, with the checks the result
fails; a dry run computes the same checks without writing. `ruhui import_targets` calls
`target_table_import` directly; the targets page's upload runs it as a job (`campaigns.jobs`):
a check first, then, once confirmed on the job page, the commit."""

from dataclasses import asdict, dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ruhui.campaigns import services
from ruhui.campaigns.checks import Check, Line, decomposition_checks
from ruhui.campaigns.models import Campaign, Decomposition, Target, UnitFigure
from ruhui.campaigns.selectors import decomposition_view, next_level_targets, unit_target
from ruhui.campaigns.services import TargetLine
from ruhui.campaigns.target_tables import (
    BASELINE,
    MSG_DUPLICATE,
    MSG_NO_MATCH,
    MSG_NO_UNITS,
    MSG_NO_VALID_ROWS,
    NOTE,
    TARGET,
    UNIT,
    RowError,
    TargetTable,
    read_target_table,
)
from ruhui.campaigns.unit_names import Resolution, Unmatched, resolve_rows
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import in_jurisdiction
from ruhui.tabular.files import FileRejected

MSG_NOT_IN_CAMPAIGN = services.MSG_NOT_IN_CAMPAIGN
MSG_FORBIDDEN = services.MSG_FORBIDDEN


@dataclass
class Matched:
    row: int
    name: str
    unit: Organization
    rule: str
    baseline: int | None
    target: int | None
    imported: bool

    def as_dict(self) -> dict:
        keys = ("row", "name", "rule", "baseline", "target", "imported")
        data = {key: getattr(self, key) for key in keys}
        return data | {"unit_id": self.unit.pk, "unit": self.unit.name, "code": self.unit.code}


@dataclass
class TargetImport:
    """What an import read and matched, the 合计 figures it used and the checks it fails."""

    units: int
    matched: list[Matched]
    unmatched: list[Unmatched]
    errors: list[RowError]
    declared_baseline: int | None
    declared_target: int | None
    checks: list[Check]
    dry_run: bool = False
    source: str = ""

    @property
    def declared(self) -> dict[str, int | None]:
        return {"baseline": self.declared_baseline, "target": self.declared_target}

    def as_dict(self) -> dict:
        return {
            "units": self.units,
            "matched": [item.as_dict() for item in self.matched],
            "unmatched": [asdict(item) for item in self.unmatched],
            "errors": [asdict(item) for item in self.errors],
            "declared": self.declared,
            "checks": [check.as_dict() for check in self.checks],
        }


def authorise(actor, campaign: Campaign, unit: Organization) -> None:
    """PermissionDenied unless the actor (None: the command line) may set targets for a unit
    of the campaign in their jurisdiction."""
    if actor is not None and not actor.has_perm("campaigns.set_targets"):
        raise PermissionDenied(MSG_FORBIDDEN)
    if actor is not None and not in_jurisdiction(actor, unit):
        raise PermissionDenied(services.MSG_OUTSIDE)
    if not unit.path.startswith(campaign.owner.path):
        raise PermissionDenied(
            MSG_NOT_IN_CAMPAIGN % {"unit": unit.name, "owner": campaign.owner.name}
        )


def _lines(table: TargetTable, resolved: Resolution, stored: dict[int, Target]):
    """The lines to store: each matched row; a row with an unreadable number (or a column the
    table lacks) keeps what was stored for its unit."""
    lines = []
    for row, org, _rule in resolved.matched:
        old = stored.get(org.pk)
        if row.bad:
            if old is not None:
                lines.append(TargetLine(org, old.baseline_declared, old.new_members, old.note))
            continue
        baseline = row.baseline if BASELINE in table.columns else old and old.baseline_declared
        target = row.target if TARGET in table.columns else old and old.new_members
        note = row.note if NOTE in table.columns else (old.note if old else "")
        lines.append(TargetLine(org, baseline, target, note))
    return lines


def _declared(table: TargetTable, campaign: Campaign, unit: Organization) -> list[int | None]:
    stored = Decomposition.objects.filter(campaign=campaign, unit=unit).first()
    figures = []
    for kind, name in ((BASELINE, "declared_baseline_total"), (TARGET, "declared_target_total")):
        if kind in table.declared_bad or kind not in table.columns:
            figures.append(getattr(stored, name) if stored else None)
        else:
            figures.append(table.declared[kind])
    return figures


def _dry_run_checks(campaign, unit, lines: list[TargetLine], baseline_total, target_total):
    """The checks `decomposition_view` gives once `lines` are stored with replace=True: the
    unit's other next-level targets gone, deeper ones kept."""
    gone = {t.unit_id for t in next_level_targets(campaign, unit)} - {x.unit.pk for x in lines}
    after = {x.unit.pk: (x.unit, x.baseline, x.target) for x in lines}
    below = Target.objects.filter(campaign=campaign, unit__path__startswith=unit.path)
    for old in below.exclude(unit=unit).select_related("unit"):
        if old.unit_id not in after and old.unit_id not in gone:
            after[old.unit_id] = (old.unit, old.baseline_declared, old.new_members)
    chosen: list[tuple] = []
    for item in sorted(after.values(), key=lambda item: item[0].path):
        if not any(item[0].path.startswith(c[0].path) for c in chosen):
            chosen.append(item)
    computed = {}
    if campaign.baseline_on is not None:
        computed = dict(
            UnitFigure.objects.filter(
                campaign=campaign, unit_id__in=[c[0].pk for c in chosen], baseline__isnull=False
            ).values_list("unit_id", "baseline")
        )
    check_lines = [
        Line(org.pk, org.short_name or org.name, baseline, target, computed.get(org.pk))
        for org, baseline, target in chosen
    ]
    total = baseline_total
    if total is None:
        total = sum(line.baseline or 0 for line in check_lines)
    parent_target, _note = unit_target(campaign, unit, total)
    owner = unit.pk == campaign.owner_id
    return decomposition_checks(
        parent_name=campaign.owner.name if owner else "本级",
        parent_target=None if owner and campaign.goal_new_members is None else parent_target,
        lines=check_lines,
        policy_pct=campaign.goal_growth_pct,
        declared_baseline_total=baseline_total,
        declared_target_total=target_total,
        baseline_date=campaign.baseline_on.isoformat() if campaign.baseline_on else "",
    )


@transaction.atomic
def target_table_import(
    *,
    actor,
    campaign: Campaign,
    unit: Organization | None = None,
    path: Path | str,
    original_name: str,
    dry_run: bool = False,
) -> TargetImport:
    """Store a decomposition table as `unit`'s decomposition (the campaign's organization by
    default), replacing its next-level targets: matched rows are written even when other names
    are unmatched; no header, no matched unit or an unreadable file raise FileRejected and
    write nothing; a dry run writes nothing and reports the same checks."""
    unit = unit or campaign.owner
    authorise(actor, campaign, unit)
    table = read_target_table(path, original_name)
    if not table.rows:
        raise FileRejected(MSG_NO_UNITS, "no_units")
    resolved = resolve_rows(unit, table.rows)
    if not resolved.matched:
        names = "、".join(f"「{row.name}」" for row in table.rows[:5])
        names += " 等" if len(table.rows) > 5 else ""
        raise FileRejected(
            MSG_NO_MATCH.format(count=len(table.rows), names=names, unit=unit.name), "no_match"
        )
    if all(row.bad for row, _org, _rule in resolved.matched):
        raise FileRejected(MSG_NO_VALID_ROWS.format(first=table.errors[0].message), "no_rows")
    errors = list(table.errors)
    for row, org, first in resolved.duplicates:
        message = MSG_DUPLICATE.format(row=row.row, name=row.name, first=first, unit=org.name)
        errors.append(RowError(row.row, table.columns[UNIT], message))
    errors.sort(key=lambda error: error.row)
    stored = {t.unit_id: t for t in next_level_targets(campaign, unit)}
    lines = _lines(table, resolved, stored)
    baseline_total, target_total = _declared(table, campaign, unit)
    source = original_name.replace("\\", "/").rsplit("/", 1)[-1]
    if dry_run:
        checks = _dry_run_checks(campaign, unit, lines, baseline_total, target_total)
    else:
        services.decomposition_save(
            actor=actor,
            campaign=campaign,
            unit=unit,
            lines=lines,
            declared_baseline_total=baseline_total,
            declared_target_total=target_total,
            source=source,
            replace=True,
        )
        checks = decomposition_view(campaign=campaign, unit=unit).checks
    matched = [
        Matched(row.row, row.name, org, rule, row.baseline, row.target, not row.bad)
        for row, org, rule in resolved.matched
    ]
    return TargetImport(
        units=len(table.rows),
        matched=matched,
        unmatched=resolved.unmatched,
        errors=errors,
        declared_baseline=baseline_total,
        declared_target=target_total,
        checks=checks,
        dry_run=dry_run,
        source=source,
    )
