"""The one job mechanism (ruhui.jobs), independent of any feature: a kind registered by a test,
run, failure, confirm once, the page triangle (allowed / read-only / sibling county), privacy of
private kinds, and two cadres confirming one check at once on PostgreSQL."""

import threading
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.urls import reverse

from ruhui.jobs import kinds, progress, services
from ruhui.jobs.kinds import JobKind, Outcome
from ruhui.jobs.models import Job, JobStatus

ECHO = "test_echo"
SECRET = "test_secret"
CSV = "姓名,数量\n甲,1\n乙,2\n丙,坏\n".encode()


def _echo(job, context):
    """Counts the csv's rows; a row whose 数量 is not a number is rejected."""
    lines = context.upload.read_text(encoding="utf-8").splitlines()[1:]
    if job.options.get("refuse"):
        raise ValidationError("文件第 1 行：表头缺少「姓名」列，请按模板填写。")
    if job.options.get("crash"):
        raise RuntimeError("boom")
    errors = [
        {"row": n, "field": "数量", "message": "数量应为整数"}
        for n, line in enumerate(lines, start=2)
        if not line.split(",")[1].isdigit()
    ]
    created = 0 if job.dry_run else len(lines) - len(errors)
    context.result_path.write_text("result", encoding="utf-8")
    if not job.dry_run:
        Job.objects.filter(pk=job.pk).update(error="")  # the kind's own write, in its run
    context.progress(len(lines), len(lines))
    summary = {
        "rows": len(lines),
        "created": len(lines) - len(errors) if job.dry_run else created,
        "updated": 0,
        "rejected": len(errors),
        "errors": errors,
    }
    return Outcome(summary=summary, rows=len(lines), wrote_file=True)


def _secret(job, context):
    context.result_path.write_text("personal data", encoding="utf-8")
    return Outcome(summary={"exported": 1}, rows=1, wrote_file=True)


@pytest.fixture(autouse=True)
def test_kinds(job_files):
    echo = kinds.register(
        JobKind(
            key=ECHO,
            label="测试导入",
            run=_echo,
            permission="members.add_member",
            is_import=True,
            result_name=lambda job: "结果.csv",
        )
    )
    secret = kinds.register(
        JobKind(
            key=SECRET,
            label="测试导出",
            run=_secret,
            permission="members.view_member",
            verb="导出",
            result_owner_only=True,
            private=True,
        )
    )
    yield echo, secret
    kinds._KINDS.pop(ECHO)
    kinds._KINDS.pop(SECRET)


def start(world, actor=None, **options):
    return services.job_start(
        actor=actor or world.county_admin,
        kind=ECHO,
        organization=world.county_trade,
        source=SimpleUploadedFile("名单.csv", CSV),
        original_name="名单.csv",
        options=options,
    )


def test_a_kind_cannot_be_registered_twice(test_kinds):
    echo, _ = test_kinds
    with pytest.raises(ValueError, match="twice"):
        kinds.register(JobKind(key=ECHO, label="另一个", run=_echo, permission="x"))
    assert kinds.register(echo) is echo  # the same object again is harmless


def test_a_check_runs_in_the_worker_and_records_what_it_found(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = start(world)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.dry_run
    assert (job.summary["rows"], job.summary["created"], job.summary["rejected"]) == (3, 2, 1)
    assert job.summary["errors"][0]["row"] == 4 and job.rows == 3
    assert job.result_path and job.started_at and job.finished_at
    assert progress.read(kinds.PROGRESS, job.pk)["phase"] == "done"


def test_start_refuses_a_unit_outside_the_jurisdiction_or_a_missing_permission(world):
    with pytest.raises(PermissionDenied):
        start(world, actor=world.sibling_admin)
    with pytest.raises(PermissionDenied):
        start(world, actor=world.county_viewer)
    assert not Job.objects.exists()


def test_a_hostile_upload_is_refused_and_not_kept(world, job_files):
    with pytest.raises(ValidationError) as caught:
        services.job_start(
            actor=world.county_admin,
            kind=ECHO,
            organization=world.county_trade,
            source=SimpleUploadedFile("名单.xlsx", b"MZ\x90\x00 a program"),
            original_name="名单.xlsx",
        )
    assert "file" in caught.value.message_dict
    assert not Job.objects.exists() and not any(job_files.iterdir())


def test_a_refusal_fails_the_job_with_its_message_and_keeps_no_result(
    world, job_files, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = start(world, refuse=True)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "表头缺少「姓名」列" in job.error
    assert job.result_path == "" and not list(job_files.glob(f"{ECHO}-*"))


def test_a_crash_fails_the_job_says_so_in_chinese_and_is_raised(world, job_files):
    job = start(world, crash=True)
    with pytest.raises(RuntimeError):
        services.job_run(job.pk)
    job.refresh_from_db()
    assert (
        job.status == JobStatus.FAILED and job.error == "导入失败，没有写入任何数据：RuntimeError"
    )
    assert not list(job_files.glob(f"{ECHO}-*"))
    assert services.job_run(job.pk) == {}  # a finished job is never run again


@pytest.mark.django_db(transaction=True)
def test_a_crash_that_took_the_connection_still_fails_the_job(world, job_files, monkeypatch):
    """The server ended the worker's backend mid-job (make faults does it for real): recording
    the failure on the dead connection fails, so it is recorded again on a fresh one instead of
    leaving the job 「进行中」 until the reaper notices."""
    job = start(world, crash=True)  # in autocommit the task backend has already run it once
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, error="", finished_at=None)
    real_fail, calls = services._fail, []

    def fail_on_a_dead_connection_first(job, message):
        calls.append(message)
        if len(calls) == 1:
            raise OperationalError("terminating connection due to administrator command")
        return real_fail(job, message)

    monkeypatch.setattr(services, "_fail", fail_on_a_dead_connection_first)
    with pytest.raises(RuntimeError):
        services.job_run(job.pk)
    job.refresh_from_db()
    assert len(calls) == 2 and job.status == JobStatus.FAILED
    assert job.error == "导入失败，没有写入任何数据：RuntimeError"


def test_a_check_is_confirmed_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        check = start(world)
    check.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        commit = services.job_confirm(actor=world.county_admin, job=check)
    commit.refresh_from_db()
    assert commit.parent == check and not commit.dry_run
    assert commit.status == JobStatus.SUCCEEDED and commit.upload_path == check.upload_path
    with pytest.raises(ValidationError) as caught:
        services.job_confirm(actor=world.county_admin, job=check)
    assert "只能确认一次" in caught.value.messages[0]
    with pytest.raises(ValidationError):
        services.job_confirm(actor=world.county_admin, job=commit)  # a commit is not a check
    assert Job.objects.count() == 2


def test_a_dead_worker_is_reaped_when_the_page_is_opened(world, as_user, monkeypatch):
    job = start(world)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    progress.report(kinds.PROGRESS, job.pk, done=10, total=0, phase="checking")
    client = as_user(world.county_admin)
    assert client.get(reverse("jobs:status", args=[job.pk])).json()["status"] == "running"
    later = time.time() + progress.STALE_AFTER_SECONDS + 1
    monkeypatch.setattr(progress.time, "time", lambda: later)
    data = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert data["status"] == "failed" and data["finished"]
    job.refresh_from_db()
    assert job.error == "后台任务中断（处理进程意外退出），没有写入任何数据，请重新导入。"


def test_job_pages_allowed_read_only_and_sibling_county(
    world, as_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = start(world)
    detail = reverse("jobs:detail", args=[job.pk])
    confirm = reverse("jobs:confirm", args=[job.pk])
    result = reverse("jobs:result", args=[job.pk])
    # Allowed: the page, the confirm button, the result file.
    admin = as_user(world.county_admin)
    page = admin.get(detail).content.decode()
    assert "测试导入" in page and confirm in page and "数量应为整数" in page
    assert admin.get(result).status_code == 200
    assert "名单.csv" in admin.get(reverse("jobs:list")).content.decode()
    # Read-only: sees the check, cannot confirm it.
    viewer = as_user(world.county_viewer)
    page = viewer.get(detail)
    assert page.status_code == 200 and confirm not in page.content.decode()
    assert viewer.post(confirm).status_code == 403
    # Sibling county: the job does not exist for them.
    sibling = as_user(world.sibling_admin)
    for url in (detail, confirm, result, reverse("jobs:status", args=[job.pk])):
        response = sibling.post(url) if url == confirm else sibling.get(url)
        assert response.status_code == 404, url
    assert "名单.csv" not in sibling.get(reverse("jobs:list")).content.decode()
    assert Job.objects.count() == 1


def test_a_private_job_is_its_requesters_alone(world, as_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_start(
            actor=world.county_viewer, kind=SECRET, organization=world.county_trade
        )
    job.refresh_from_db()
    owner = as_user(world.county_viewer)
    assert owner.get(reverse("jobs:result", args=[job.pk])).status_code == 200
    # Even the county's admin, whose jurisdiction covers it, neither sees nor downloads it.
    admin = as_user(world.county_admin)
    assert admin.get(reverse("jobs:detail", args=[job.pk])).status_code == 404
    assert admin.get(reverse("jobs:result", args=[job.pk])).status_code == 404
    listing = admin.get(reverse("jobs:list")).content.decode()
    assert reverse("jobs:detail", args=[job.pk]) not in listing
    owner = as_user(world.county_viewer)
    assert reverse("jobs:detail", args=[job.pk]) in owner.get(reverse("jobs:list")).content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_cadres_confirming_one_check_at_once_make_one_commit(world, job_files):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")
    check = start(world)  # transaction=True: the on-commit task ran already
    check.refresh_from_db()
    assert check.status == JobStatus.SUCCEEDED
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt():
        try:
            barrier.wait(timeout=10)
            services.job_confirm(actor=world.county_admin, job=check)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        except Exception as exc:  # any other outcome is the failure this test looks for
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == sorted(["ok", str(services.MSG_NOT_CONFIRMABLE)]), outcomes
    assert Job.objects.filter(parent=check).count() == 1


def test_a_job_whose_requester_was_deactivated_fails_without_running(world, job_files):
    job = start(world)
    world.county_admin.is_active = False
    world.county_admin.save(update_fields=["is_active"])
    assert services.job_run(job.pk) == {"error": str(services.MSG_NO_ACTOR)}
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.started_at is None
    assert "账号已删除或停用" in job.error and not list(job_files.glob(f"{ECHO}-*"))
