"""Task workers on their own hosts (issue 20 item 3): real `ruhui rqworker` processes against one
Redis (database 12) and the test database (PostgreSQL: the workers are other processes).

1. Two workers, 40 probe jobs, 10 of them delivered twice (a retry, a requeue): each job runs
   exactly once (counted in the database), both workers took part.
2. A worker killed with SIGKILL in the middle of a job: nothing of it was written; when RQ's
   maintenance notices the dead worker (what every worker runs every few minutes — run here
   with its clock moved past the dead worker's heartbeat) the job is queued again and a new
   worker runs it completely; with no retries left it fails with the Chinese reason and the
   task is in the dead-letter list.
"""

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from ruhui.jobs import deadletter, kinds, services
from ruhui.jobs.models import Job, JobStatus
from ruhui.jobs.tasks import run_job
from tests.faults.conftest import RUHUI, child_env, wait_for
from tests.jobs.rq_probe import PROBE, PROBE_KIND, TABLES

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REDIS = "redis://127.0.0.1:6379/12"
ROOT = Path(__file__).resolve().parents[2]
JOBS = 40
TWICE = 10


@pytest.fixture
def rq(settings, tmp_path):
    """The rq task backend on Redis database 12 (flushed before and after), the probe kind and
    its tables, and a way to start `ruhui rqworker` processes (all killed at the end)."""
    if connection.vendor != "postgresql":
        pytest.skip("the workers are other processes: they need PostgreSQL, not the test SQLite")
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("RUHUI_REQUIRE_REDIS"):
            raise
        pytest.skip("Redis 未在 127.0.0.1:6379 运行（.ci/run 会启动它）")
    client.flushdb()
    queues = {
        name: dict(queue, retry_after=[0]) for name, queue in settings.RUHUI_TASK_QUEUES.items()
    }
    settings.RUHUI_TASK_QUEUES = queues
    settings.RQ_QUEUES = {name: {"URL": REDIS, "DEFAULT_TIMEOUT": 60} for name in queues}
    settings.TASKS = {
        "default": {"BACKEND": "ruhui.jobs.rq.RuhuiRQBackend", "QUEUES": list(queues)}
    }
    kinds.register(PROBE_KIND)
    with connection.cursor() as cursor:
        for sql in TABLES:
            cursor.execute(sql)
    env = child_env(
        tmp_path / "var",
        RUHUI_TASK_BACKEND="rq",
        REDIS_URL=REDIS,
        DJANGO_SETTINGS_MODULE="tests.jobs.rq_settings",
        PYTHONPATH=str(ROOT),
    )
    processes: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        process = subprocess.Popen(  # noqa: S603 (this checkout's ruhui, fixed arguments)
            [str(RUHUI), "rqworker", "--verbosity", "0"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: the worker and its work horse
        )
        processes.append(process)
        return process

    try:
        yield start
    finally:
        for process in processes:  # the worker, its scheduler process, any work horse left
            _kill_host(process)
            process.wait(timeout=10)
        client.flushdb()
        kinds._KINDS.pop(PROBE, None)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS rq_probe_runs, rq_probe_writes")


def _kill_host(worker: subprocess.Popen, horse: int | None = None) -> None:
    """SIGKILL everything of a worker, as when its host is lost: its process group (the worker,
    its scheduler process) and its work horse (RQ puts it in a group of its own)."""
    for kill, pid in ((os.killpg, worker.pid), (os.kill, horse)):
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                kill(pid, signal.SIGKILL)


def probe(world, **options) -> Job:
    return services.job_start(
        actor=world.county_admin, kind=PROBE, organization=world.county_trade, options=options
    )


def rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def status(job: Job) -> str:
    job.refresh_from_db()
    return job.status


def test_two_workers_run_each_job_exactly_once(rq, world, figure):
    workers = [rq(), rq()]
    started = time.monotonic()
    jobs = [probe(world, rows=3, sleep=0.02) for _ in range(JOBS)]
    for job in jobs[:TWICE]:  # delivered a second time: a retry, a requeue from the list
        run_job.using(queue_name=PROBE_KIND.queue_name).enqueue(job.pk)
    ids = [job.pk for job in jobs]
    wait_for(
        lambda: Job.objects.filter(pk__in=ids, status=JobStatus.SUCCEEDED).count() == JOBS,
        timeout=60,
        interval=0.2,
        what="the two workers to run every job",
    )
    wait_for(lambda: _queues_empty(), timeout=30, interval=0.2, what="the duplicates to be taken")
    seconds = time.monotonic() - started
    runs = dict(rows("SELECT job_id, count(*) FROM rq_probe_runs GROUP BY job_id"))
    assert runs == dict.fromkeys(ids, 1), "a job ran more than once, or never"
    writes = dict(rows("SELECT job_id, count(*) FROM rq_probe_writes GROUP BY job_id"))
    assert writes == dict.fromkeys(ids, 3)
    by_worker = dict(rows("SELECT worker, count(*) FROM rq_probe_runs GROUP BY worker"))
    assert set(by_worker) == {worker.pid for worker in workers}, "one worker did everything"
    figure(
        "rq workers",
        f"2 `ruhui rqworker` processes, {JOBS} jobs (+{TWICE} delivered twice): each ran once "
        f"({' + '.join(str(n) for n in sorted(by_worker.values()))}), {seconds:.1f} s",
    )


def _queues_empty() -> bool:
    import django_rq

    return all(
        django_rq.get_queue(name).count == 0
        and django_rq.get_queue(name).started_job_registry.count == 0
        for name in ("imports", "figures", "documents", "default")
    )


def _run_begun(job: Job) -> tuple[int, int]:
    """(worker pid, work horse pid) of the job's latest run, once it has begun writing."""
    wait_for(lambda: status(job) == JobStatus.RUNNING, timeout=60, interval=0.1, what="the worker")
    wait_for(
        lambda: rows("SELECT count(*) FROM rq_probe_runs WHERE job_id = %s", [job.pk])[0][0],
        timeout=10,
        what="the run to begin",
    )
    time.sleep(1)  # some rows written, not committed
    return rows(
        "SELECT worker, horse FROM rq_probe_runs WHERE job_id = %s ORDER BY horse DESC", [job.pk]
    )[0]


def _dead_transactions_ended() -> None:
    wait_for(
        lambda: (
            not rows(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
            )[0][0]
        ),
        timeout=30,
        what="the killed run's transaction to end",
    )


def written(job: Job) -> int:
    return rows("SELECT count(*) FROM rq_probe_writes WHERE job_id = %s", [job.pk])[0][0]


def runs(job: Job) -> int:
    return rows("SELECT count(*) FROM rq_probe_runs WHERE job_id = %s", [job.pk])[0][0]


def _maintenance(queue_name: str) -> None:
    """What a surviving worker's maintenance does once the dead one's heartbeat (≥ 60 s) has
    expired: RQ's StartedJobRegistry.cleanup, with the clock moved an hour on."""
    import django_rq
    from django_tasks_rq.backend import Job as TaskJob

    queue = django_rq.get_queue(queue_name, job_class=TaskJob)
    queue.started_job_registry.cleanup(timestamp=time.time() + 3600)


def _failed_tasks(queue_name: str) -> int:
    import django_rq
    from rq.registry import FailedJobRegistry

    return FailedJobRegistry(queue=django_rq.get_queue(queue_name)).count


def test_a_worker_killed_mid_job_leaves_it_retried_or_failed_never_half_written(
    rq, world, settings, figure, as_user
):
    queue = PROBE_KIND.queue_name
    # 1. The work horse killed (the out-of-memory killer): its worker queues the job again and
    #    runs it from the start.
    worker = rq()
    job = probe(world, rows=10, sleep=0.3)
    _, horse = _run_begun(job)
    os.kill(horse, signal.SIGKILL)
    wait_for(lambda: status(job) == JobStatus.SUCCEEDED, timeout=60, interval=0.2, what="retry")
    assert written(job) == 10 and runs(job) == 2
    assert worker.poll() is None, "the worker died with its work horse"

    # 2. The whole worker killed (its host lost): nothing written; once another worker's
    #    maintenance notices, the job is queued again and a new worker runs it completely.
    job = probe(world, rows=10, sleep=0.3)
    _, horse = _run_begun(job)
    _kill_host(worker, horse)
    worker.wait(timeout=10)
    killed_at = time.monotonic()
    _dead_transactions_ended()
    assert written(job) == 0 and status(job) == JobStatus.RUNNING
    _maintenance(queue)
    assert status(job) == JobStatus.QUEUED, "the retried job was not queued again"
    worker = rq()
    wait_for(lambda: status(job) == JobStatus.SUCCEEDED, timeout=60, interval=0.2, what="retry")
    retried_in = time.monotonic() - killed_at
    assert written(job) == 10 and runs(job) == 2

    # 3. The same with no retries left: the job fails with the reason, nothing written, and the
    #    task waits in the dead-letter list.
    settings.RUHUI_TASK_QUEUES = {
        name: dict(limits, retries=0) for name, limits in settings.RUHUI_TASK_QUEUES.items()
    }
    last = probe(world, rows=10, sleep=0.3)
    _, horse = _run_begun(last)
    _kill_host(worker, horse)
    worker.wait(timeout=10)
    _dead_transactions_ended()
    _maintenance(queue)
    last.refresh_from_db()
    assert last.status == JobStatus.FAILED
    assert last.error == str(services.MSG_WORKER_DIED % {"verb": "执行"})
    assert written(last) == 0 and runs(last) == 1
    assert _failed_tasks(queue) == 1
    # The dead-letter page lists it (its job, RQ's reason) to the county's admin, who may not
    # retry it (the job has ended) and deletes it.
    client = as_user(world.county_admin)
    body = client.get(reverse("jobs:failed")).content.decode()
    assert reverse("jobs:detail", args=[last.pk]) in body and "AbandonedJobError" in body
    assert (
        "AbandonedJobError"
        not in as_user(world.sibling_admin).get(reverse("jobs:failed")).content.decode()
    )
    (task_id,) = [task.id for task in deadletter.failed_tasks(user=world.county_admin)]
    client = as_user(world.county_admin)
    response = client.post(reverse("jobs:failed"), {"task": task_id, "do": "retry"}, follow=True)
    assert "重试也不会再执行" in response.content.decode() and _failed_tasks(queue) == 1
    client.post(reverse("jobs:failed"), {"task": task_id, "do": "delete"})
    assert _failed_tasks(queue) == 0
    figure(
        "rq worker killed",
        f"work horse SIGKILLed: retried at once, 10 rows once; whole worker SIGKILLed: 0 rows "
        f"written, retried and done {retried_in:.1f} s later; without retries: failed "
        f"「{last.error}」, in the dead-letter list",
    )


def test_each_queue_gives_its_tasks_its_time_limit_and_retries(rq, world, settings):
    import django_rq
    from django_tasks_rq.backend import Job as TaskJob

    from ruhui.campaigns.tasks import refresh_progress

    settings.RUHUI_TASK_QUEUES = settings.RUHUI_TASK_QUEUES | {
        "figures": {"timeout": 123, "retries": 4, "retry_after": [1, 2]},
        "default": {"timeout": 45, "retries": 0},
    }
    queued = {
        "figures": refresh_progress.enqueue(0).id,
        "default": run_job.using(queue_name="default").enqueue(probe(world).pk).id,
    }
    connection_ = django_rq.get_connection("default")
    figures, default = (TaskJob.fetch(queued[name], connection=connection_) for name in queued)
    assert (figures.origin, figures.timeout, figures.retries_left) == ("figures", 123, 4)
    assert figures.retry_intervals == [1, 2]
    assert (default.origin, default.timeout, default.retries_left) == ("default", 45, None)
