"""Import and export jobs: the pages, the task backends (database and Redis), dead workers."""

import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from ruhui.importing import jobs
from ruhui.jobs import progress
from ruhui.jobs.models import Job, JobStatus
from ruhui.jobs.services import reap_stale_jobs
from ruhui.members.models import Member
from ruhui.tabular.report import summary_capped
from tests.importing.test_member_import import good_row, roster
from tests.members.factories import join


def upload(path):
    return SimpleUploadedFile(path.name, path.read_bytes())


@pytest.fixture
def roster_file(tmp_path):
    return roster(tmp_path / "花名册.xlsx", [good_row(), good_row(), good_row(phone="12")])


def test_upload_checks_then_confirm_commits(
    world, as_user, roster_file, django_capture_on_commit_callbacks
):
    client = as_user(world.county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("importing:upload"),
            {"union": world.county_trade.pk, "file": upload(roster_file)},
        )
    job = Job.objects.filter(kind="member_import").get()
    assert response.status_code == 302
    assert job.status == JobStatus.SUCCEEDED and job.dry_run
    assert job.summary["created"] == 2 and job.summary["rejected"] == 1
    assert Member.objects.count() == 0
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "确认导入" in page and "手机号码" in page
    report = client.get(reverse("jobs:result", args=[job.pk]))
    assert report.status_code == 200 and b"".join(report.streaming_content)[:2] == b"PK"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("jobs:confirm", args=[job.pk]))
    commit = Job.objects.filter(kind="member_import").exclude(pk=job.pk).get()
    assert response["Location"] == reverse("jobs:detail", args=[commit.pk])
    assert commit.status == JobStatus.SUCCEEDED and not commit.dry_run
    assert Member.objects.count() == 2


def test_hostile_upload_is_refused_at_once_with_nothing_kept(world, as_user, tmp_path, job_files):
    fake = tmp_path / "名单.xlsx"
    fake.write_bytes(b"MZ\x90\x00 this is a program, not a workbook")
    response = as_user(world.county_admin).post(
        reverse("importing:upload"), {"union": world.county_trade.pk, "file": upload(fake)}
    )
    assert response.status_code == 200
    assert "xlsx" in response.content.decode()
    assert not Job.objects.filter(kind="member_import").exists()
    assert not any(job_files.glob("*.xlsx"))


def test_read_only_role_cannot_import(world, as_user, roster_file):
    client = as_user(world.county_viewer)
    assert client.get(reverse("importing:upload")).status_code == 403
    assert (
        client.post(
            reverse("importing:upload"),
            {"union": world.county_trade.pk, "file": upload(roster_file)},
        ).status_code
        == 403
    )


def test_status_endpoint_reports_progress(world, as_user):
    job = Job.objects.create(
        kind="member_import",
        organization=world.county_trade,
        created_by=world.county_admin,
        original_name="a.xlsx",
        upload_path="x",
        file_kind="xlsx",
        status=JobStatus.RUNNING,
    )
    progress.report("job", job.pk, done=5000, total=0, phase="checking")
    data = as_user(world.county_admin).get(reverse("jobs:status", args=[job.pk])).json()
    assert data["status"] == "running" and data["progress"]["done"] == 5000
    assert not data["finished"]


def test_a_job_whose_worker_died_is_marked_failed(world, monkeypatch):
    job = Job.objects.create(
        kind="member_import",
        organization=world.county_trade,
        created_by=world.county_admin,
        original_name="a.xlsx",
        upload_path="x",
        file_kind="xlsx",
        status=JobStatus.RUNNING,
    )
    progress.report("job", job.pk, done=100, total=0, phase="writing")
    assert reap_stale_jobs() == 0
    later = time.time() + progress.STALE_AFTER_SECONDS + 1
    monkeypatch.setattr(progress.time, "time", lambda: later)
    assert reap_stale_jobs() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "中断" in job.error


def test_export_job_masked_by_default(world, as_user, django_capture_on_commit_callbacks):
    join(world.county_admin, world.county_trade, name="名册甲")
    client = as_user(world.county_viewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("importing:export"), {"union": world.county.pk, "fmt": "csv"})
    job = Job.objects.filter(kind="member_export").get()
    assert job.status == JobStatus.SUCCEEDED and job.rows == 1 and not job.options["full"]
    body = b"".join(client.get(reverse("jobs:result", args=[job.pk])).streaming_content).decode(
        "utf-8-sig"
    )
    assert "名册甲" in body and "********" in body
    # Another cadre of the same union cannot download it.
    other = as_user(world.county_admin)
    assert other.get(reverse("jobs:result", args=[job.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_database_backend_runs_an_import(world, roster_file, settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": list(settings.RUHUI_TASK_QUEUES),
        }
    }
    job = jobs.import_job_create(
        actor=world.county_admin,
        union=world.county_trade,
        source=roster_file,
        original_name=roster_file.name,
        dry_run=False,
    )
    assert Job.objects.filter(kind="member_import").get(pk=job.pk).status == JobStatus.QUEUED
    call_command(
        "db_worker", queue_name="*", batch=True, no_startup_delay=True, interval=0, verbosity=0
    )
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert Member.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_redis_backend_runs_an_import(world, roster_file, settings):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(settings.RQ_QUEUES["default"]["URL"]).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_rq.RQBackend",
            "QUEUES": list(settings.RUHUI_TASK_QUEUES),
        }
    }
    queue = django_rq.get_queue("imports", job_class=Job)
    queue.empty()
    job = jobs.import_job_create(
        actor=world.county_admin,
        union=world.county_trade,
        source=roster_file,
        original_name=roster_file.name,
        dry_run=False,
    )
    assert queue.count == 1
    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert Member.objects.count() == 2
    queue.empty()


def test_result_file_is_for_the_uploader_or_a_privileged_role_and_audited(
    world, as_user, roster_file, django_capture_on_commit_callbacks
):
    from ruhui.audit.models import AuditEvent

    with django_capture_on_commit_callbacks(execute=True):
        as_user(world.county_admin).post(
            reverse("importing:upload"),
            {"union": world.county_trade.pk, "file": upload(roster_file)},
        )
    job = Job.objects.filter(kind="member_import").get()
    url = reverse("jobs:result", args=[job.pk])
    assert as_user(world.county_viewer).get(url).status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()
    response = as_user(world.county_admin).get(url)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert AuditEvent.objects.filter(action="export", object_id=str(job.pk)).count() == 1
    assert as_user(world.sibling_admin).get(url).status_code == 404


# --- bounded summaries and result files (issue 13 item 1) ---------------------------------


def test_stored_summary_keeps_the_first_errors_and_counts_the_rest(
    world, as_user, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.RUHUI_IMPORT_MAX_ERRORS_STORED = 3
    bad = [good_row(phone=f"1{n}") for n in range(7)]
    path = roster(tmp_path / "花名册.xlsx", [good_row(), *bad])
    client = as_user(world.county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("importing:upload"), {"union": world.county_trade.pk, "file": upload(path)}
        )
    job = Job.objects.filter(kind="member_import").get()
    assert job.status == JobStatus.SUCCEEDED
    assert job.summary["rejected"] == 7
    assert len(job.summary["errors"]) == 3
    assert job.summary["errors_unlisted_rows"] == 4
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "另有 4 行未导入的原因没有列出" in page and "下载逐行结果" in page
    report = client.get(reverse("jobs:result", args=[job.pk]))
    assert b"".join(report.streaming_content)[:2] == b"PK"  # every row is still in the file


def test_summary_capped_is_small_whatever_the_error_count(settings):
    settings.RUHUI_IMPORT_MAX_ERRORS_STORED = 1000
    errors = [
        {"row": n, "field": "手机号码", "message": "手机号码应为 11 位数字" * 5}
        for n in range(50_000)
    ]
    capped = summary_capped({"rows": 50_000, "rejected": 50_000, "errors": errors})
    assert len(capped["errors"]) == 1000 and capped["errors_unlisted_rows"] == 49_000
    assert len(json.dumps(capped, ensure_ascii=False)) < 200_000


def test_row_limit_fails_the_job_with_its_message_and_keeps_no_result_file(
    world, as_user, tmp_path, settings, job_files, django_capture_on_commit_callbacks
):
    settings.RUHUI_IMPORT_MAX_ROWS = 6
    path = roster(tmp_path / "花名册.xlsx", [good_row() for _ in range(10)])
    client = as_user(world.county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("importing:upload"), {"union": world.county_trade.pk, "file": upload(path)}
        )
    job = Job.objects.filter(kind="member_import").get()
    assert job.status == JobStatus.FAILED
    assert "超过 6 行" in job.error and not job.result_path
    assert "超过 6 行" in client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert not list(job_files.glob("member_import-*"))
    assert Member.objects.count() == 0


def test_row_limit_on_the_command_line(world, tmp_path, settings):
    settings.RUHUI_IMPORT_MAX_ROWS = 6
    path = roster(tmp_path / "花名册.xlsx", [good_row() for _ in range(10)])
    with pytest.raises(CommandError, match="超过 6 行"):
        call_command("import_members", str(path), "--union", "WG-KD")
    assert Member.objects.count() == 0
