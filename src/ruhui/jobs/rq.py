"""Tasks on Redis (RQ), the production path for a second host: django_tasks_rq's backend, with
each queue's time limit and retries from settings.RUHUI_TASK_QUEUES (django_tasks_rq passes
neither), and what a worker that died in the middle of a job leaves behind.

A worker that dies mid-job (SIGKILL, its host lost) is noticed by another worker's maintenance
once its heartbeat in Redis expires (RQ's AbandonedJobError). Its database transaction died with
its connection, so nothing was written; the Job goes back to 「排队中」 when RQ will retry the task,
else it fails with the Chinese reason. A task that failed every try stays in RQ's
FailedJobRegistry: the dead-letter list (jobs.deadletter, /jobs/failed/)."""

from __future__ import annotations

from django.conf import settings
from django_tasks.base import TASK_MAX_PRIORITY, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id
from django_tasks_rq.backend import Job, RQBackend, failed_callback, success_callback
from rq.exceptions import AbandonedJobError
from rq.job import Callback, JobStatus, Retry
from rq.worker import Worker

#: The task whose argument is a Job's id (jobs.tasks.run_job).
RUN_JOB = "ruhui.jobs.tasks.run_job"


def queue_limits(queue_name: str) -> dict:
    """A queue's time limit (seconds) and retries; an unlisted queue gets the default's."""
    queues = settings.RUHUI_TASK_QUEUES
    return queues.get(queue_name, queues["default"])


def _abandoned(job) -> None:
    """A Job whose run died with its process: queued again if RQ will retry it, else failed."""
    if job.func_name == RUN_JOB and job.args:
        from ruhui.jobs.services import job_abandoned

        job_abandoned(int(job.args[0]), retrying=bool(job.retries_left))


def task_failed(job, connection, exc_type, exc_value, traceback) -> None:
    """RQ's failure callback: django_tasks_rq's (the task_finished signal), then, for a Job
    whose whole worker died (found by another worker's maintenance), _abandoned."""
    failed_callback(job, connection, exc_type, exc_value, traceback)
    if issubclass(exc_type, AbandonedJobError):
        _abandoned(job)


class RuhuiWorker(Worker):
    """RQ's forking worker (settings.RQ WORKER_CLASS): when the work horse running a job is
    killed (SIGKILL, the out-of-memory killer) the worker itself notices at once, and RQ calls
    no failure callback on that path, so the Job is handled here."""

    def handle_work_horse_killed(self, job, retpid, ret_val, rusage) -> None:
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)
        _abandoned(job)


class RuhuiRQBackend(RQBackend):
    """django_tasks_rq.RQBackend whose jobs carry their queue's timeout and Retry."""

    def enqueue(self, task, args, kwargs):
        import django_rq

        self.validate_task(task)
        task_result = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        limits = queue_limits(task.queue_name)
        retries = int(limits.get("retries", 0))
        queue = django_rq.get_queue(task.queue_name, job_class=Job)
        job = queue.create_job(
            task.module_path,
            args=args,
            kwargs=kwargs,
            job_id=task_result.id,
            timeout=int(limits["timeout"]),
            retry=Retry(max=retries, interval=limits.get("retry_after", 0)) if retries else None,
            status=JobStatus.SCHEDULED if task.run_after else JobStatus.QUEUED,
            on_failure=Callback(task_failed),
            on_success=Callback(success_callback),
            meta={"backend_name": self.alias},
        )
        if task.run_after is None:
            job = queue.enqueue_job(job, at_front=task.priority == TASK_MAX_PRIORITY)
        else:
            job = queue.schedule_job(job, task.run_after)
        object.__setattr__(task_result, "enqueued_at", job.enqueued_at)
        task_enqueued.send(type(self), task_result=task_result)
        return task_result
