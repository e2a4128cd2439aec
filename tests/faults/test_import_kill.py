"""Fault drill 1: a 10,000-row member import whose database backend is ended with
pg_terminate_backend at a random moment of its transaction (issue 19 item 9).

The import runs as the worker runs it (jobs.services.job_run of a member_import job queued by
importing.jobs.import_job_create), in a thread of its own with its own connection; this thread
ends that connection's backend from another connection. Each trial proves: nothing was
committed (the member table holds exactly what it held), the job ended failed with a Chinese
message (or was reaped as a dead worker's), and the same file imported again adds exactly
10,000 members. RUHUI_FAULTS_TRIALS (20) and RUHUI_FAULTS_SEED change the drill.
"""

import os
import random
import threading
import time

import pytest
from django.conf import settings
from django.db import connection

from bench.rosters import rows, write_csv
from ruhui.importing.jobs import import_job_create
from ruhui.jobs import progress, services
from ruhui.jobs.kinds import PROGRESS
from ruhui.jobs.models import Job, JobStatus
from ruhui.members.models import Member

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

TRIALS = int(os.environ.get("RUHUI_FAULTS_TRIALS", "20"))
ROWS = 10_000
WARM_START = 5_000_000  # far from every trial's serials (trial × ROWS, retries included)
DB_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": list(settings.RUHUI_TASK_QUEUES),
    }
}


def _scalar(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def member_count() -> int:
    return _scalar(f"SELECT count(*) FROM {Member._meta.db_table}")  # noqa: S608 (a model's table)


def inserted_so_far() -> int:
    """Rows ever inserted into the member table, committed or rolled back (statistics)."""
    _scalar("SELECT pg_stat_clear_snapshot()")
    return _scalar(
        "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = %s", [Member._meta.db_table]
    )


class ImportRun(threading.Thread):
    """job_run of one job, on this thread's own connection, whose backend pid it publishes."""

    def __init__(self, job_id: int):
        super().__init__(daemon=True)
        self.job_id, self.pid, self.summary, self.error = job_id, None, None, None
        self.ready = threading.Event()

    def run(self):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.ready.set()
            self.summary = services.job_run(self.job_id)
        except Exception as exc:  # the killed run's error is what the drill looks at
            self.error = exc
        finally:
            self.ready.set()
            connection.close()


def in_transaction(pid: int) -> bool:
    return bool(
        _scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = %s AND xact_start IS NOT NULL "
            "AND query NOT LIKE 'SELECT pg_backend_pid()%%'",
            [pid],
        )
    )


def start_import(world, path) -> Job:
    return import_job_create(
        actor=world.county_admin,
        union=world.county_trade,
        source=path,
        original_name=path.name,
        dry_run=False,
    )


def test_an_import_whose_backend_is_terminated_commits_nothing_and_reruns_exactly(
    world, settings, tmp_path, monkeypatch
):
    settings.TASKS = DB_TASKS  # queued in the database, run here: job_run is what the worker runs
    seed = int(os.environ.get("RUHUI_FAULTS_SEED") or random.SystemRandom().randrange(10**6))
    rng = random.Random(seed)
    print(f"\nfaults: import kill drill, {TRIALS} trials of {ROWS} rows, seed {seed}")
    # A first clean import (its own IDs) tells how long an import's transaction lasts here.
    warm = write_csv(tmp_path / "warm.csv", rows(ROWS, start=WARM_START, seed=seed))
    job = start_import(world, warm)
    began = time.monotonic()
    assert services.job_run(job.pk)["created"] == ROWS
    estimate = time.monotonic() - began
    passed = 0
    trial = 0
    while passed < TRIALS:
        assert trial < TRIALS * 2, "too many trials finished before the kill could land"
        path = write_csv(
            tmp_path / f"roster-{trial}.csv", rows(ROWS, start=trial * ROWS, seed=trial)
        )
        trial += 1
        before, inserted_before = member_count(), inserted_so_far()
        job = start_import(world, path)
        run = ImportRun(job.pk)
        run.start()
        assert run.ready.wait(30) and run.pid, "the import thread did not start"
        # Wait until the import's transaction is open, then a random share of its length.
        deadline = time.monotonic() + 30
        while not in_transaction(run.pid) and run.is_alive() and time.monotonic() < deadline:
            time.sleep(0.002)
        delay = rng.uniform(0.0, 0.9 * estimate)
        time.sleep(delay)
        reported = (progress.read(PROGRESS, job.pk) or {}).get("done", 0)
        killed = _scalar("SELECT pg_terminate_backend(%s)", [run.pid]) and run.is_alive()
        run.join(120)
        assert not run.is_alive(), "the killed import never returned"
        job.refresh_from_db()
        if not killed or job.status == JobStatus.SUCCEEDED:
            # The import had already finished: not a trial. Count its rows and try again.
            print(f"faults: trial {trial} finished before the kill ({delay:.2f} s) — again")
            estimate *= 0.8
            continue
        after = member_count()
        time.sleep(0.6)  # the ended backend's statistics arrive with its exit
        # The row it had got to: what it reported done, or wrote (statistics count rolled-back
        # inserts too), whichever is further.
        written = max(inserted_so_far() - inserted_before, reported)
        assert after == before, f"trial {trial}: {after - before} members committed"
        if job.status == JobStatus.RUNNING:  # the run could not even record its failure
            monkeypatch.setattr(progress, "STALE_AFTER_SECONDS", 0)
            assert services.reap_stale_jobs(Job.objects.filter(pk=job.pk)) == 1
            monkeypatch.undo()
            job.refresh_from_db()
        assert job.status == JobStatus.FAILED, (trial, job.status, run.error)
        assert "没有写入任何数据" in job.error, job.error
        # The same file again: exactly its 10,000 members.
        again = start_import(world, path)
        began = time.monotonic()
        summary = services.job_run(again.pk)
        estimate = time.monotonic() - began
        assert summary["created"] == ROWS and summary.get("rejected", 0) == 0, summary
        assert member_count() == before + ROWS
        passed += 1
        print(
            f"faults: import killed at row {written} — 0 committed, re-run {ROWS} ✓"
            f"  ({delay:.2f} s into the transaction; job: {job.error})"
        )
    print(f"faults: {passed}/{TRIALS} trials passed")
