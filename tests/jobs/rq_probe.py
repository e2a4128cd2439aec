"""A job kind for the RQ worker tests (tests/jobs/test_rq_workers.py), installed in the worker
processes through tests/jobs/rq_settings.py and registered in the test process itself.

Each run notes itself in `rq_probe_runs` (its own statement, committed at once: how many times
the job was executed, by which worker and which of its work horses) and then writes `rows` rows into `rq_probe_writes`
in one transaction, `sleep` seconds apart: a worker killed in between leaves none of them."""

import os
import time

from django.apps import AppConfig
from django.db import connection, transaction

from ruhui.jobs.kinds import JobKind, Outcome, register

PROBE = "rq_probe"
TABLES = (
    "CREATE TABLE IF NOT EXISTS rq_probe_runs (job_id integer NOT NULL, worker integer NOT NULL, "
    "horse integer NOT NULL)",
    "CREATE TABLE IF NOT EXISTS rq_probe_writes (job_id integer NOT NULL, n integer NOT NULL)",
)


def run(job, context) -> Outcome:
    rows, pause = int(job.options.get("rows", 1)), float(job.options.get("sleep", 0))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO rq_probe_runs VALUES (%s, %s, %s)", [job.pk, os.getppid(), os.getpid()]
        )
    with transaction.atomic(), connection.cursor() as cursor:
        for n in range(rows):
            cursor.execute("INSERT INTO rq_probe_writes VALUES (%s, %s)", [job.pk, n])
            context.progress(n + 1, rows)
            time.sleep(pause)
    return Outcome(summary={"created": rows}, rows=rows)


PROBE_KIND = JobKind(
    key=PROBE,
    label="RQ 测试任务",
    run=run,
    permission="orgs.view_organization",
    verb="执行",
    queue="default",
)


class RQProbeConfig(AppConfig):
    name = "tests.jobs.rq_probe"
    label = "rq_probe"

    def ready(self) -> None:
        register(PROBE_KIND)
