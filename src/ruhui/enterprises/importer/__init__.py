"""Import of enterprise lists (企业名单) and survey sheets (排查表), by the member import's rules.

Decisions (docs/decisions/0004-member-import.md, applied here; docs/guide/enterprise-import.md):
- One streaming pass over the file (`tabular.readers.read_table`: title rows, header variants,
  blank and notes rows). Every data row ends as exactly one of 新增 / 更新 / 未导入, so rows =
  created + updated + rejected; blank and notes rows are counted apart. Never stops at the
  first bad row; every message names the column header as the file has it and says the fix.
- Field rules are the registry's own (`validation.clean_enterprise_fields`,
  `clean_survey_fields`); the writes go through the services one row at a time
  (`enterprise_create`, `enterprise_update`, `headcount_record`, `survey_record`), each row in a
  savepoint, so a row the service refuses is 未导入 with the service's message and the others
  stand. All valid rows are written in ONE transaction: all or nothing.
- Duplicates: inside the file (same credit code, or same normalised name + county) the first
  row wins; against the database `services.find_duplicate` decides — the existing enterprise is
  updated only in update mode (and only if the actor may manage it), else 未导入 naming it.
  Re-running a file therefore creates nothing new. Update mode changes only the columns the
  file fills in: an empty cell never erases a recorded value; the responsible unit stays.
- Survey sheets: a row finds its enterprise within the actor's jurisdiction (and under the
  chosen unit) by credit code, else by normalised name + county, and is recorded as a new
  survey (history kept). A row identical to a recorded survey of the same enterprise and date
  is 未导入 (already imported); a differing one on the same date is recorded as a correction.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError

from ruhui.enterprises import services
from ruhui.enterprises.importer.columns import (
    ENTERPRISE,
    ENTERPRISE_ALIASES,
    GROUP_COLUMNS,
    KINDS,
    LABELS,
    SURVEY,
    SURVEY_ALIASES,
)
from ruhui.enterprises.importer.engine import PREVIEW_ROWS, Summary
from ruhui.enterprises.importer.enterprises import EnterpriseImporter
from ruhui.enterprises.importer.surveys import SurveyImporter
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import in_jurisdiction
from ruhui.tabular.files import check_upload

__all__ = [
    "ENTERPRISE",
    "ENTERPRISE_ALIASES",
    "GROUP_COLUMNS",
    "KINDS",
    "LABELS",
    "PREVIEW_ROWS",
    "SURVEY",
    "SURVEY_ALIASES",
    "EnterpriseImporter",
    "Summary",
    "SurveyImporter",
    "import_enterprises",
    "import_surveys",
]


# --- entry points ------------------------------------------------------------------------


def _kind_of(path: Path, kind: str | None, original_name: str | None) -> str:
    return kind or check_upload(path, original_name or path.name)


def import_enterprises(
    path,
    *,
    actor,
    responsible_unit: Organization,
    dry_run: bool,
    update: bool = False,
    kind: str | None = None,
    original_name: str | None = None,
    report_path=None,
    preview: list | None = None,
    progress=None,
) -> Summary:
    """Import an enterprise list under a responsible unit in the actor's jurisdiction; every row
    ends 新增, 更新 (update mode only) or 未导入; valid rows are written in one transaction."""
    path = Path(path)
    if not in_jurisdiction(actor, responsible_unit):
        raise PermissionDenied(services.MSG_OUTSIDE)
    if not responsible_unit.is_active:
        raise ValidationError(services.MSG_UNIT_INACTIVE, params={"unit": responsible_unit.name})
    importer = EnterpriseImporter(
        actor=actor, responsible_unit=responsible_unit, dry_run=dry_run, update=update
    )
    importer.preview, importer.progress = preview, progress
    file_kind = _kind_of(path, kind, original_name)
    return importer.run(path, file_kind, report_path=report_path, name=original_name or "")


def import_surveys(
    path,
    *,
    actor,
    dry_run: bool,
    unit: Organization | None = None,
    kind: str | None = None,
    original_name: str | None = None,
    report_path=None,
    preview: list | None = None,
    progress=None,
) -> Summary:
    """Import a survey sheet: each row is a new survey (history kept) of an enterprise the actor
    (and `unit`, when given) may manage; valid rows are written in one transaction."""
    path = Path(path)
    if unit is not None and not in_jurisdiction(actor, unit):
        raise PermissionDenied(services.MSG_OUTSIDE)
    importer = SurveyImporter(actor=actor, unit=unit, dry_run=dry_run)
    importer.preview, importer.progress = preview, progress
    file_kind = _kind_of(path, kind, original_name)
    return importer.run(path, file_kind, report_path=report_path, name=original_name or "")
