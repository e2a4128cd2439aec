"""Retention purge of job files (PI-9): time travel by passing `now=` to the service."""

import datetime
import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from ruhui.audit.models import AuditEvent
from ruhui.jobs.models import Job, JobStatus
from ruhui.jobs.retention import MSG_PURGED, job_files_purge
from ruhui.jobs.services import job_confirm

DAY = datetime.timedelta(days=1)
PURGED = str(MSG_PURGED)


@pytest.fixture
def t0():
    return timezone.now()


def job_file(folder, name: str, *, age: datetime.timedelta | None = None):
    """A file in the job folder; ``age`` back-dates its modification time."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"410481199005010011")
    if age is not None:
        stamp = (timezone.now() - age).timestamp()
        os.utime(path, (stamp, stamp))
    return path


def import_job(world, folder, name, *, status=JobStatus.SUCCEEDED, finished=None, **fields):
    stored = job_file(folder, f"{name}.xlsx")
    report = job_file(folder, f"report-{name}.xlsx") if status == JobStatus.SUCCEEDED else None
    job = Job.objects.create(
        kind="member_import",
        organization=world.county_trade,
        created_by=world.county_admin,
        original_name=f"{name}.xlsx",
        upload_path=str(stored),
        result_path=str(report or ""),
        file_kind="xlsx",
        status=status,
        finished_at=finished,
        summary={"rows": 1, "created": 1, "updated": 0, "rejected": 0},
        **fields,
    )
    return job, stored, report


def export_job(world, folder, name, *, status=JobStatus.SUCCEEDED, finished=None, **fields):
    exported = job_file(folder, f"export-{name}.csv") if status == JobStatus.SUCCEEDED else None
    return Job.objects.create(
        kind="member_export",
        organization=world.county_trade,
        created_by=world.county_admin,
        options={"fmt": "csv", "full": False, "reason": "", "filters": {}},
        status=status,
        rows=1,
        result_path=str(exported or ""),
        finished_at=finished,
        **fields,
    ), exported


def test_purge_deletes_files_of_old_finished_jobs_only(world, job_files, t0):
    old, old_upload, old_report = import_job(world, job_files, "old", finished=t0 - 40 * DAY)
    failed, failed_upload, _ = import_job(
        world, job_files, "failed", status=JobStatus.FAILED, finished=t0 - 40 * DAY
    )
    recent, recent_upload, recent_report = import_job(
        world, job_files, "recent", finished=t0 - 5 * DAY
    )
    running, running_upload, _ = import_job(world, job_files, "running", status=JobStatus.RUNNING)
    queued, queued_upload, _ = import_job(world, job_files, "queued", status=JobStatus.QUEUED)
    # Running and queued jobs started long ago are still not touched.
    Job.objects.filter(kind="member_import").filter(pk__in=[running.pk, queued.pk]).update(
        created_at=t0 - 90 * DAY
    )
    old_export, old_file = export_job(world, job_files, "old", finished=t0 - 31 * DAY)
    new_export, new_file = export_job(world, job_files, "new", finished=t0 - 29 * DAY)

    result = job_files_purge(now=t0)

    assert not old_upload.exists() and not old_report.exists() and not failed_upload.exists()
    assert not old_file.exists()
    for kept in (recent_upload, recent_report, running_upload, queued_upload, new_file):
        assert kept.exists()
    assert result.jobs == sorted([old.pk, failed.pk, old_export.pk])
    assert len(result.files) == 4 and result.orphans == []
    for job in (old, failed, old_export):
        job.refresh_from_db()
        assert job.files_purged_at == t0
    assert old.upload_path == old.result_path == "" and old_export.result_path == ""
    for job in (recent, running, queued, new_export):
        job.refresh_from_db()
        assert job.files_purged_at is None
    running.refresh_from_db()
    assert running.status == JobStatus.RUNNING and running.upload_path == str(running_upload)


def test_time_travel_keeps_files_until_the_period_has_passed(world, job_files, t0, settings):
    settings.RUHUI_JOB_FILE_RETENTION_DAYS = 30
    job, upload, report = import_job(world, job_files, "roster", finished=t0)
    job_files_purge(now=t0 + 29 * DAY)
    assert upload.exists() and report.exists()
    job_files_purge(now=t0 + 31 * DAY)
    assert not upload.exists() and not report.exists()
    job.refresh_from_db()
    assert job.files_purged_at == t0 + 31 * DAY


def test_an_upload_shared_with_a_younger_commit_is_kept(world, job_files, t0):
    dry, upload, dry_report = import_job(
        world, job_files, "dry", finished=t0 - 40 * DAY, dry_run=True
    )
    commit = Job.objects.create(
        kind="member_import",
        organization=dry.organization,
        created_by=dry.created_by,
        original_name=dry.original_name,
        upload_path=dry.upload_path,
        file_kind="xlsx",
        dry_run=False,
        status=JobStatus.SUCCEEDED,
        finished_at=t0 - 2 * DAY,
        parent=dry,
    )
    job_files_purge(now=t0)
    assert upload.exists() and not dry_report.exists()
    dry.refresh_from_db()
    commit.refresh_from_db()
    assert dry.files_purged_at == t0 and commit.upload_path == str(upload)


def test_a_purged_dry_run_cannot_be_confirmed(world, job_files, t0):
    dry, _, _ = import_job(world, job_files, "dry", finished=t0 - 40 * DAY, dry_run=True)
    job_files_purge(now=t0)
    dry.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        job_confirm(actor=world.county_admin, job=dry)
    assert "保存期限" in caught.value.messages[0]


def test_orphans_older_than_the_period_are_deleted(world, job_files, tmp_path, t0):
    stale = job_file(job_files, "template-7.xlsx", age=40 * DAY)
    fresh = job_file(job_files, "upload-in-progress.xlsx", age=DAY)
    (job_files / "subfolder").mkdir()
    nested = job_file(job_files / "subfolder", "x.xlsx", age=40 * DAY)
    # A record pointing outside the job folder is cleared but its file is never deleted.
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes(b"keep me")
    job = Job.objects.create(
        kind="member_export",
        organization=world.county_trade,
        created_by=world.county_admin,
        options={"fmt": "csv", "full": False, "reason": "", "filters": {}},
        status=JobStatus.SUCCEEDED,
        result_path=str(outside),
        finished_at=t0 - 40 * DAY,
    )
    # A referenced file, however old, is not an orphan.
    _, live_upload, live_report = import_job(world, job_files, "live", finished=t0 - DAY)
    for path in (live_upload, live_report):
        stamp = (t0 - 40 * DAY).timestamp()
        os.utime(path, (stamp, stamp))

    result = job_files_purge(now=t0)

    assert result.orphans == [stale]
    assert not stale.exists()
    assert fresh.exists() and nested.exists() and outside.exists()
    assert live_upload.exists() and live_report.exists()
    job.refresh_from_db()
    assert job.result_path == "" and job.files_purged_at == t0


def test_dry_run_writes_nothing(world, job_files, t0):
    job, upload, report = import_job(world, job_files, "old", finished=t0 - 40 * DAY)
    orphan = job_file(job_files, "orphan.csv", age=40 * DAY)
    audits = AuditEvent.objects.count()

    result = job_files_purge(now=t0, dry_run=True)

    assert result.jobs == [job.pk] and len(result.files) == 2 and result.orphans == [orphan]
    assert upload.exists() and report.exists() and orphan.exists()
    job.refresh_from_db()
    assert job.files_purged_at is None and job.result_path == str(report)
    assert AuditEvent.objects.count() == audits
    assert "试运行" in result.summary()


def test_each_run_writes_one_audit_event(world, job_files, t0):
    import_job(world, job_files, "old", finished=t0 - 40 * DAY)
    job_file(job_files, "orphan.csv", age=40 * DAY)
    before = AuditEvent.objects.count()

    job_files_purge(now=t0)
    job_files_purge(now=t0)  # nothing left: still one event, recording that

    events = list(AuditEvent.objects.order_by("id")[before:])
    assert len(events) == 2
    first, second = events
    assert first.action == AuditEvent.Action.DELETE and first.actor is None
    assert first.changes["删除任务文件数"] == [None, 2]
    assert first.changes["删除无引用文件数"] == [None, 1]
    assert first.changes["保存期限（天）"] == [None, 30]
    assert first.org_path == world.province.path
    assert second.changes["删除任务文件数"] == [None, 0]


def test_command_prints_a_chinese_summary(world, job_files):
    _, upload, _ = import_job(world, job_files, "old", finished=timezone.now() - 20 * DAY)
    out = io.StringIO()
    call_command("purge_job_files", "--days", "10", "--dry-run", stdout=out)
    assert "将清除 1 个任务的文件" in out.getvalue() and "试运行" in out.getvalue()
    assert upload.exists()
    out = io.StringIO()
    call_command("purge_job_files", "--days", "10", stdout=out)
    assert "已清除 1 个任务的文件" in out.getvalue() and "已删除任务文件 2 个" in out.getvalue()
    assert not upload.exists()
    with pytest.raises(CommandError):
        call_command("purge_job_files", "--days", "0", stdout=io.StringIO())


def test_pages_say_the_files_were_purged(world, job_files, as_user, t0):
    job, _, _ = import_job(world, job_files, "old", finished=t0 - 40 * DAY, dry_run=True)
    export, _ = export_job(world, job_files, "old", finished=t0 - 40 * DAY)
    job_files_purge(now=t0)
    client = as_user(world.county_admin)

    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert PURGED in page
    assert reverse("jobs:result", args=[job.pk]) not in page
    assert reverse("jobs:confirm", args=[job.pk]) not in page
    assert client.get(reverse("jobs:result", args=[job.pk])).status_code == 404

    listing = client.get(reverse("importing:export")).content.decode()
    assert PURGED in listing
    assert reverse("jobs:result", args=[export.pk]) not in listing
    page = client.get(reverse("jobs:detail", args=[export.pk])).content.decode()
    assert PURGED in page
    assert reverse("jobs:result", args=[export.pk]) not in page
    assert client.get(reverse("jobs:result", args=[export.pk])).status_code == 404
