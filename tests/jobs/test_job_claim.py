"""job_run runs a job once (it claims it: queued → running, one conditional UPDATE), so a task
delivered again — an RQ retry, a requeue from the dead-letter list — writes nothing twice; and
job_abandoned, what the RQ worker calls for a job whose process died. Any database; the same
with real workers and Redis is tests/jobs/test_rq_workers.py."""

import pytest

from ruhui.jobs import kinds, services
from ruhui.jobs.kinds import JobKind, Outcome
from ruhui.jobs.models import Job, JobStatus

COUNT = "test_count"
ran: list[int] = []


def _count(job, context):
    ran.append(job.pk)
    return Outcome(summary={"created": 1}, rows=1)


@pytest.fixture(autouse=True)
def count_kind():
    ran.clear()
    kinds.register(
        JobKind(
            key=COUNT, label="计数", run=_count, permission="orgs.view_organization", verb="执行"
        )
    )
    yield
    kinds._KINDS.pop(COUNT)


def queued(world) -> Job:
    return services.job_start(actor=world.county_admin, kind=COUNT, organization=world.county_trade)


def test_a_job_delivered_again_runs_once(world):
    job = queued(world)
    first = services.job_run(job.pk)
    assert first["created"] == 1 and ran == [job.pk]
    assert services.job_run(job.pk) == first  # a retry, a second worker: the summary, no run
    assert ran == [job.pk]
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED


@pytest.mark.parametrize("status", [JobStatus.RUNNING, JobStatus.FAILED, JobStatus.REJECTED])
def test_a_job_not_queued_is_not_run(world, status):
    job = queued(world)
    Job.objects.filter(pk=job.pk).update(status=status)
    services.job_run(job.pk)
    assert ran == []
    job.refresh_from_db()
    assert job.status == status


def test_a_job_whose_process_died_is_queued_again_or_failed_with_the_reason(world):
    job = queued(world)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    assert services.job_abandoned(job.pk, retrying=True) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.started_at is None
    services.job_run(job.pk)
    assert ran == [job.pk]
    other = queued(world)
    Job.objects.filter(pk=other.pk).update(status=JobStatus.RUNNING)
    assert services.job_abandoned(other.pk, retrying=False) == 1
    other.refresh_from_db()
    assert other.status == JobStatus.FAILED and other.finished_at
    assert other.error == "后台任务中断（处理进程意外退出），没有写入任何数据，请重新执行。"
    # A job that is not running (finished meanwhile) is left alone.
    assert services.job_abandoned(job.pk, retrying=False) == 0
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
