"""Every job in one table (issue 14 item 2): the member import and export jobs of the importing
app, and the enterprise import runs that were JSON files in the job folder, become `Job` rows.
Files stay where they are; the JSON records are removed once their rows exist."""

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.db import migrations
from django.utils import timezone

IMPORT_FIELDS = (
    "original_name", "dry_run", "status", "summary", "error", "created_at", "started_at",
    "finished_at", "files_purged_at",
)  # fmt: skip
EXPORT_FIELDS = (
    "status", "rows_requested", "error", "decided_by_id", "decided_at", "decision_note",
    "created_at", "finished_at", "files_purged_at",
)  # fmt: skip


def _when(value):
    if not value:
        return None
    if isinstance(value, int | float):
        return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)
    parsed = datetime.datetime.fromisoformat(value)
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _move_member_jobs(apps, Job):
    ImportJob = apps.get_model("importing", "ImportJob")
    ExportJob = apps.get_model("importing", "ExportJob")
    new_pk = {}
    for old in ImportJob.objects.order_by("pk"):
        job = Job(
            kind="member_import",
            organization_id=old.union_id,
            created_by_id=old.created_by_id,
            options={"update_existing": old.update_existing},
            upload_path=old.stored_path,
            file_kind=old.kind,
            result_path=old.report_path,
            rows=old.rows_total,
            parent_id=new_pk.get(old.parent_id),
            **{name: getattr(old, name) for name in IMPORT_FIELDS},
        )
        job.save()
        new_pk[old.pk] = job.pk
        # auto_now_add stamped "now": keep the original time.
        Job.objects.filter(pk=job.pk).update(created_at=old.created_at)
    for old in ExportJob.objects.order_by("pk"):
        job = Job(
            kind="member_export",
            organization_id=old.union_id,
            created_by_id=old.created_by_id,
            options={
                "fmt": old.fmt,
                "full": old.full,
                "reason": old.reason,
                "filters": old.filters,
            },
            result_path=old.file_path,
            rows=old.rows,
            **{name: getattr(old, name) for name in EXPORT_FIELDS},
        )
        job.save()
        Job.objects.filter(pk=job.pk).update(created_at=old.created_at)


def _move_enterprise_runs(Job, Organization):
    folder = Path(settings.RUHUI_JOB_FILES)
    if not folder.is_dir():
        return
    records, new_pk = [], {}
    for path in sorted(folder.glob("ent-run-*.json")):
        try:
            records.append((path, json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError):
            continue  # unreadable: left for the retention purge
    # Checks before their commits, so a commit finds its parent's new row.
    records.sort(key=lambda item: (bool(item[1].get("parent")), item[1].get("created_at", "")))
    for _path, run in records:
        if not Organization.objects.filter(pk=run.get("unit_id")).exists():
            continue
        summary = dict(run.get("summary") or {})
        if run.get("preview"):
            summary["preview"], summary["headers"] = run["preview"], run.get("headers", [])
        job = Job.objects.create(
            kind="survey_import" if run.get("kind") == "survey" else "enterprise_import",
            organization_id=run["unit_id"],
            created_by_id=run.get("actor_id"),
            status=run.get("status", "failed"),
            dry_run=run.get("dry_run", True),
            options={"update": bool(run.get("update"))},
            original_name=run.get("original_name", "")[:200],
            upload_path=run.get("stored_path", ""),
            file_kind=run.get("file_kind", ""),
            result_path=run.get("report_path", ""),
            rows=summary.get("rows", 0),
            summary=summary,
            error=run.get("error", ""),
            parent_id=new_pk.get(run.get("parent")),
            started_at=_when(run.get("started_at")),
            finished_at=_when(run.get("finished_at")),
        )
        created = _when(run.get("created_at"))
        if created:
            Job.objects.filter(pk=job.pk).update(created_at=created)
        new_pk[run["id"]] = job.pk
    for path, _run in records:
        path.unlink(missing_ok=True)


def forwards(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    _move_member_jobs(apps, Job)
    _move_enterprise_runs(Job, apps.get_model("orgs", "Organization"))


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_initial"),
        ("importing", "0002_export_approval_and_file_retention"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
