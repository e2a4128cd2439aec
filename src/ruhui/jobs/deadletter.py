"""The dead-letter list (/jobs/failed/): background tasks that failed every try and wait for an
administrator — on RQ the FailedJobRegistry of each queue (settings.RUHUI_TASK_QUEUES), with the
database backend its failed task results.

Who sees what: admins only. A task that runs a Job (jobs.tasks.run_job) is shown to the admins
who may open that job (jobs_visible: their jurisdiction, a private export only its requester's);
any other task (recomputed figures, a bulletin's files, the retention purge) has no unit, so
only a superuser or an admin of a root unit (the province) sees it. Retrying and deleting are
audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from ruhui.accounts.rules import is_admin
from ruhui.audit.services import Action, audit_record
from ruhui.jobs.models import Job, JobStatus
from ruhui.jobs.selectors import jobs_visible

RUN_JOB = "ruhui.jobs.tasks.run_job"
#: What each task is called on the page.
TASK_LABELS = {
    RUN_JOB: "后台任务（导入、导出）",
    "ruhui.jobs.tasks.purge_job_files": "清除过期任务文件",
    "ruhui.campaigns.tasks.refresh_progress": "重算活动进度",
    "ruhui.core.tasks.refresh_figure": "重算工作台数字",
    "ruhui.projects.tasks.refresh_closeout": "重算项目结项统计",
    "ruhui.reports.tasks.render_bulletin": "生成通报文件",
}
#: How many failed tasks of each queue are read (the oldest first).
LIMIT = 200

MSG_GONE = _("这条失败记录已不存在（可能已被重试或删除）。")
MSG_JOB_ENDED = _("这项任务已经%(status)s，重试也不会再执行；如需重做，请在任务页面重新提交。")


@dataclass
class FailedTask:
    id: str
    backend: str  # "rq" or "db"
    queue: str
    path: str
    args: list
    kwargs: dict
    failed_at: datetime | None
    error: str
    job: Job | None = None

    @property
    def label(self) -> str:
        return TASK_LABELS.get(self.path, self.path.rsplit(".", 1)[-1])

    @property
    def job_id(self) -> int | None:
        if self.path == RUN_JOB and self.args:
            try:
                return int(self.args[0])
            except (TypeError, ValueError):
                return None
        return None


def may_see_system_tasks(user) -> bool:
    """Tasks of no unit: a superuser, or an admin whose jurisdiction is a whole tree."""
    if user.is_superuser:
        return True
    return bool(is_admin(user) and user.organization.is_root())


def may_use(user) -> bool:
    return bool(user.is_superuser or is_admin(user))


def _backend_kind() -> str:
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks_db import DatabaseBackend
    from django_tasks_rq import RQBackend

    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if isinstance(backend, RQBackend):
        return "rq"
    if isinstance(backend, DatabaseBackend):
        return "db"
    return ""


def _last_line(text: str | None) -> str:
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _rq_failed() -> list[FailedTask]:
    import django_rq
    from django.conf import settings
    from django_tasks_rq.backend import Job as TaskJob

    found = []
    for name in settings.RUHUI_TASK_QUEUES:
        queue = django_rq.get_queue(name, job_class=TaskJob)
        ids = queue.failed_job_registry.get_job_ids(0, LIMIT - 1)
        for job in TaskJob.fetch_many(ids, connection=queue.connection):
            if job is None:
                continue
            result = job.latest_result()
            found.append(
                FailedTask(
                    id=job.id,
                    backend="rq",
                    queue=name,
                    path=job.func_name,
                    args=list(job.args),
                    kwargs=dict(job.kwargs),
                    failed_at=job.ended_at,
                    error=_last_line(result.exc_string if result else ""),
                )
            )
    return found


def _db_failed() -> list[FailedTask]:
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.failed().order_by("-finished_at")[:LIMIT]
    return [
        FailedTask(
            id=str(row.id),
            backend="db",
            queue=row.queue_name,
            path=row.task_path,
            args=list(row.args_kwargs.get("args", [])),
            kwargs=dict(row.args_kwargs.get("kwargs", {})),
            failed_at=row.finished_at,
            error=_last_line(row.traceback),
        )
        for row in rows
    ]


def failed_tasks(*, user) -> list[FailedTask]:
    """The failed tasks this admin may see, newest first, each Job task with its Job."""
    if not may_use(user):
        return []
    kind = _backend_kind()
    tasks = _rq_failed() if kind == "rq" else _db_failed() if kind == "db" else []
    job_ids = {task.job_id for task in tasks if task.job_id is not None}
    jobs = {
        job.pk: job
        for job in jobs_visible(user=user)
        .filter(pk__in=job_ids)
        .select_related("organization", "created_by")
    }
    system = may_see_system_tasks(user)
    shown = []
    for task in tasks:
        if task.job_id is not None:
            task.job = jobs.get(task.job_id)
            if task.job is None:  # outside the jurisdiction, private, or deleted
                continue
        elif not system:
            continue
        shown.append(task)
    return sorted(
        shown, key=lambda task: task.failed_at.timestamp() if task.failed_at else 0, reverse=True
    )


def failed_task(*, user, task_id: str) -> FailedTask:
    """One failed task this admin may see, or ValidationError (the same for one outside)."""
    for task in failed_tasks(user=user):
        if task.id == task_id:
            return task
    raise ValidationError(MSG_GONE)


def _audit(actor, task: FailedTask, what: str, action: str) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=task.job,
        object_repr=f"失败的后台任务：{task.label}"[:200],
        changes={
            "操作": [None, what],
            "队列": [None, task.queue],
            "任务编号": [None, task.id],
            "失败原因": [None, task.error],
        },
    )


def retry(*, actor, task: FailedTask) -> None:
    """Queue a failed task again (audited). A Job that has already ended is not run again
    (job_run would not run it): the admin is told to submit it anew."""
    if task.job is not None:
        task.job.refresh_from_db(fields=["status"])
        if task.job.status != JobStatus.QUEUED:
            raise ValidationError(MSG_JOB_ENDED % {"status": task.job.get_status_display()})
    if task.backend == "rq":
        import django_rq
        from django_tasks_rq.backend import Job as TaskJob

        queue = django_rq.get_queue(task.queue, job_class=TaskJob)
        queue.failed_job_registry.requeue(task.id)
    else:
        from django_tasks_db.models import DBTaskResult

        import_string(task.path).using(queue_name=task.queue).enqueue(*task.args, **task.kwargs)
        DBTaskResult.objects.filter(pk=task.id).delete()
    _audit(actor, task, "重试", Action.UPDATE)


def discard(*, actor, task: FailedTask) -> None:
    """Delete a failed task from the list (audited); a Job keeps its own record."""
    if task.backend == "rq":
        import django_rq
        from django_tasks_rq.backend import Job as TaskJob

        queue = django_rq.get_queue(task.queue, job_class=TaskJob)
        queue.failed_job_registry.remove(task.id, delete_job=True)
    else:
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(pk=task.id).delete()
    _audit(actor, task, "删除", Action.DELETE)
