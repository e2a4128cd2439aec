"""Fault drill 2: the `db_worker` (django-tasks-db) killed with SIGKILL in the middle of an
import job (issue 19 item 9).

A real worker process (`ruhui db_worker`) runs against the test database; this process queues a
40,000-row member import the way the upload page does, waits until the worker has started it,
and kills the worker with SIGKILL. Then: nothing was committed, the job is not reaped while its
heartbeat is fresh, and once the heartbeat is older than the stale limit (shortened here from
300 s) jobs.services.reap_stale_jobs marks it failed with the Chinese message; a new worker
imports the same file completely.
"""

import os
import random
import signal
import subprocess
import time

import pytest
from django.db import connection

from bench.rosters import rows, write_csv
from ruhui.importing.jobs import import_job_create
from ruhui.jobs import progress, services
from ruhui.jobs.models import Job, JobStatus
from tests.faults.conftest import RUHUI, child_env, progress_cache, stop_process, wait_for
from tests.faults.test_import_kill import DB_TASKS, member_count

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

STALE_FOR_TEST = 3  # seconds without a heartbeat before the reaper takes the worker as dead
#: Long enough that the kill lands inside the import on an idle machine too (10,000 rows were
#: imported within the 0.2–1.0 s wait once nothing else ran; 40,000 take about 2 s there).
ROWS = 40_000


def start_worker(env) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 (this checkout's ruhui, fixed arguments)
        [
            str(RUHUI),
            "db_worker",
            "--queue-name",
            "*",
            "--interval",
            "0.2",
            "--no-startup-delay",
            "--no-reload",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def status_of(job: Job) -> str:
    job.refresh_from_db()
    return job.status


def test_a_worker_killed_during_an_import_leaves_a_failed_job_and_nothing_written(
    world, settings, tmp_path, monkeypatch
):
    settings.TASKS = DB_TASKS
    var = tmp_path / "var"
    env = child_env(var)
    monkeypatch.setattr(progress, "_cache", lambda: progress_cache(var))
    path = write_csv(tmp_path / "roster.csv", rows(ROWS, start=0, seed=7))
    before = member_count()
    worker = start_worker(env)
    try:
        job = import_job_create(
            actor=world.county_admin, union=world.county_trade, source=path,
            original_name=path.name, dry_run=False,
        )  # fmt: skip
        wait_for(lambda: status_of(job) != JobStatus.QUEUED, timeout=60, what="the worker")
        time.sleep(random.SystemRandom().uniform(0.1, 0.6))  # somewhere inside the import
        assert status_of(job) == JobStatus.RUNNING, "the import finished before the kill"
        killed_at = time.monotonic()
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        assert worker.returncode == -signal.SIGKILL
    finally:
        stop_process(worker)
    # PostgreSQL ends the dead client's backend and rolls its transaction back.
    wait_for(
        lambda: (
            not _scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
            )
        ),
        timeout=30,
        what="the killed worker's transaction to end",
    )
    assert member_count() == before, "the killed worker committed members"
    assert status_of(job) == JobStatus.RUNNING
    assert services.reap_stale_jobs() == 0, "a job with a fresh heartbeat was reaped"
    monkeypatch.setattr(progress, "STALE_AFTER_SECONDS", STALE_FOR_TEST)
    reaped = wait_for(services.reap_stale_jobs, timeout=60, interval=0.5, what="the reaper")
    seconds = time.monotonic() - killed_at
    job.refresh_from_db()
    assert reaped == 1 and job.status == JobStatus.FAILED
    assert job.error == str(services.MSG_WORKER_DIED % {"verb": "导入"})
    # A new worker, the same file: every row.
    worker = start_worker(env)
    try:
        again = import_job_create(
            actor=world.county_admin, union=world.county_trade, source=path,
            original_name=path.name, dry_run=False,
        )  # fmt: skip
        wait_for(lambda: status_of(again) in (JobStatus.SUCCEEDED, JobStatus.FAILED),
                 timeout=300, interval=0.2, what="the re-run")  # fmt: skip
    finally:
        stop_process(worker)
    assert again.status == JobStatus.SUCCEEDED, again.error
    assert again.summary["created"] == ROWS and member_count() == before + ROWS
    print(
        f"\nfaults: db_worker killed (SIGKILL) during a {ROWS}-row import — 0 committed, "
        f"reaped after {seconds:.1f} s (stale limit {STALE_FOR_TEST} s): 「{job.error}」, "
        f"re-run {ROWS} ✓"
    )


def _scalar(sql: str):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]
