"""Every job's life: started (an upload checked first, refused at once if hostile), run in a
worker, confirmed (a check becomes its commit, once), approved or rejected (a job that waits
for another admin), reaped when its worker died. The same for every kind."""

from __future__ import annotations

import shutil
import time
import uuid
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ruhui.accounts.rules import is_admin
from ruhui.audit.services import Action, audit_record
from ruhui.jobs import progress
from ruhui.jobs.files import job_file
from ruhui.jobs.kinds import PROGRESS, JobKind, RunContext, get_kind
from ruhui.jobs.models import Job, JobStatus
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import in_jurisdiction
from ruhui.tabular.files import FileRejected, check_upload
from ruhui.tabular.report import summary_capped

MSG_OUTSIDE = _("所选单位不在您的管辖范围内。")
MSG_NOT_CONFIRMABLE = _("只能确认已完成的检查结果，且每个检查结果只能确认一次。")
MSG_FILES_PURGED = _("文件已按保存期限清除，不能再确认，请重新上传。")
MSG_WORKER_DIED = _("后台任务中断（处理进程意外退出），没有写入任何数据，请重新%(verb)s。")
MSG_FAILED = _("%(verb)s失败，没有写入任何数据：%(error)s")
MSG_NO_ACTOR = _("发起任务的账号已删除或停用，任务没有执行，请重新提交。")
MSG_NOT_AWAITING = _("这项任务已经审批过（或不需要审批），不能再次审批。")
MSG_DECISION_NOTE = _("请填写审批意见。")
MSG_APPROVER_OUTSIDE = _("这项导出不在您的管辖范围内。")
MSG_APPROVE_OWN = _("不能审批自己发起的导出，请由本单位或上级工会的另一位管理员审批。")
MSG_APPROVER_ROLE = _("只有管理员可以审批完整证件号码导出。")


def _check_actor(actor, kind: JobKind, organization: Organization) -> None:
    if not in_jurisdiction(actor, organization):
        raise PermissionDenied(MSG_OUTSIDE)
    if not actor.has_perm(kind.permission):
        raise PermissionDenied


def _store(source, original_name: str) -> Path:
    """Copy an upload (UploadedFile or a path) into the job folder under a random name."""
    suffix = Path(original_name).suffix.lower()[:8]
    target = job_file(f"{uuid.uuid4().hex}{suffix}")
    if hasattr(source, "chunks"):
        with target.open("wb") as out:
            for chunk in source.chunks():
                out.write(chunk)
    else:
        shutil.copyfile(source, target)
    return target


@transaction.atomic
def job_start(
    *,
    actor,
    kind: str,
    organization: Organization,
    source=None,
    original_name: str = "",
    dry_run: bool | None = None,
    options: dict | None = None,
    status: str = JobStatus.QUEUED,
    rows_requested: int = 0,
) -> Job:
    """Queue a job of a registered kind for a unit in the actor's jurisdiction. An import's
    file is checked first (size, type, zip bomb, macros): refused at once, and not kept. An
    import runs as a check unless dry_run=False is given."""
    spec = get_kind(kind)
    _check_actor(actor, spec, organization)
    upload_path, file_kind = "", ""
    if spec.is_import:
        if source is None:
            raise ValidationError({"file": ValidationError(_("请选择要上传的文件。"))})
        stored = _store(source, original_name)
        try:
            file_kind = (spec.upload_check or check_upload)(stored, original_name)
        except FileRejected as exc:
            stored.unlink(missing_ok=True)
            raise ValidationError({"file": ValidationError(str(exc), code=exc.code)}) from None
        upload_path = str(stored)
    job = Job.objects.create(
        kind=kind,
        organization=organization,
        created_by=actor,
        status=status,
        dry_run=spec.is_import if dry_run is None else dry_run,
        options=options or {},
        original_name=original_name[:200],
        upload_path=upload_path,
        file_kind=file_kind,
        rows_requested=rows_requested,
    )
    if status == JobStatus.QUEUED:
        _enqueue(job)
    return job


def _enqueue(job: Job) -> None:
    from ruhui.jobs.tasks import run_job

    task = run_job.using(queue_name=get_kind(job.kind).queue_name)
    transaction.on_commit(lambda: task.enqueue(job.pk))


def can_confirm(user, job: Job) -> bool:
    """Whether this check may be confirmed now, by this user."""
    spec = get_kind(job.kind)
    return (
        spec.is_import
        and job.dry_run
        and job.status == JobStatus.SUCCEEDED
        and job.files_purged_at is None
        and not job.commits.exists()
        and spec.confirmable(job)
        and user.has_perm(spec.permission)
    )


@transaction.atomic
def job_confirm(*, actor, job: Job) -> Job:
    """Commit what a finished check checked, once (the file is validated again as it is
    written). The check's row is locked, so a double click or a second cadre gets the message."""
    spec = get_kind(job.kind)
    _check_actor(actor, spec, job.organization)
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.files_purged_at is not None:
        raise ValidationError(MSG_FILES_PURGED)
    if not can_confirm(actor, job):
        raise ValidationError(MSG_NOT_CONFIRMABLE)
    commit = Job.objects.create(
        kind=job.kind,
        organization=job.organization,
        created_by=actor,
        dry_run=False,
        options=job.options,
        original_name=job.original_name,
        upload_path=job.upload_path,
        file_kind=job.file_kind,
        parent=job,
    )
    _enqueue(commit)
    return commit


def job_run(job_id: int) -> dict:
    """Run a queued job (in the worker), as its requester: a job whose requester's account is
    gone or deactivated fails without running. The job row is written outside the kind's own
    transaction, so a failure leaves the job failed with its reason and nothing written.

    A job runs once: the worker claims it (queued → running) with one conditional UPDATE, so a
    task delivered twice (a retry, a second worker, a requeue from the dead-letter list) finds
    it claimed, finished or failed and returns what it has without running it again."""
    started_at = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=started_at
    )
    job = Job.objects.select_related("organization", "created_by", "decided_by").get(pk=job_id)
    if not claimed:
        return job.summary
    spec = get_kind(job.kind)
    # A job runs as its requester (their jurisdiction, their role): never as nobody.
    if job.created_by is None or not job.created_by.is_active:
        job.started_at = None  # claimed, but never started
        job.save(update_fields=["started_at"])
        return _fail(job, MSG_NO_ACTOR)
    started = time.time()
    progress.report(PROGRESS, job.pk, done=0, total=0, phase="reading")
    suffix = spec.result_suffix(job) if callable(spec.result_suffix) else spec.result_suffix
    result = job_file(f"{job.kind}-{job.pk}-{uuid.uuid4().hex[:8]}{suffix}")
    try:
        outcome = spec.run(job, RunContext(job=job, result_path=result))
    except (FileRejected, ValidationError, PermissionDenied) as exc:
        result.unlink(missing_ok=True)  # what was written before the refusal: not kept
        message = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        return _fail(job, message or MSG_FAILED % {"verb": spec.verb, "error": type(exc).__name__})
    except Exception as exc:  # never left "running": record why, then re-raise
        result.unlink(missing_ok=True)
        _fail_reconnecting(job, MSG_FAILED % {"verb": spec.verb, "error": type(exc).__name__})
        raise
    if not outcome.wrote_file:
        result.unlink(missing_ok=True)
    job.summary = summary_capped(outcome.summary)
    job.summary["seconds"] = round(time.time() - started, 2)
    job.rows = outcome.rows
    job.result_path = str(result) if outcome.wrote_file else ""
    job.status, job.finished_at = JobStatus.SUCCEEDED, timezone.now()
    job.save(update_fields=["summary", "rows", "result_path", "status", "finished_at"])
    progress.report(PROGRESS, job.pk, done=outcome.rows, total=outcome.rows, phase="done")
    return job.summary


def _fail(job: Job, message) -> dict:
    job.status, job.error, job.finished_at = JobStatus.FAILED, str(message), timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    progress.report(PROGRESS, job.pk, done=0, total=0, phase="failed")
    return {"error": str(message)}


def _fail_reconnecting(job: Job, message) -> dict:
    """_fail, on a fresh connection if the job died with its own (the server ended the backend,
    or restarted): otherwise the job would stay 「进行中」 until the reaper notices, minutes later.
    Inside an outer transaction (the immediate backend in a request) there is nothing to retry."""
    try:
        return _fail(job, message)
    except (OperationalError, InterfaceError):
        if connection.in_atomic_block:
            raise
        connection.close()
        return _fail(job, message)


def reap_stale_jobs(queryset=None) -> int:
    """Mark running jobs whose worker stopped reporting as failed (nothing was committed: a job
    writes in one transaction, which died with the worker). A page passes just the job it
    shows, so polling never scans every job of the system."""
    count = 0
    queryset = Job.objects.all() if queryset is None else queryset
    for job in queryset.filter(status=JobStatus.RUNNING):
        started = job.started_at.timestamp() if job.started_at else None
        if progress.is_stale(PROGRESS, job.pk, started=started):
            spec = get_kind(job.kind)
            count += Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
                status=JobStatus.FAILED,
                error=str(MSG_WORKER_DIED % {"verb": spec.verb}),
                finished_at=timezone.now(),
            )
    return count


def job_abandoned(job_id: int, *, retrying: bool) -> int:
    """The worker running this job died (killed, its host went down) and RQ noticed: its
    transaction died with its database connection, nothing was written. Queued again when the
    task will be retried, else failed with the reason. Only a job still 「进行中」 changes."""
    job = Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).first()
    if job is None:
        return 0
    running = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING)
    if retrying:
        return running.update(status=JobStatus.QUEUED, started_at=None)
    return running.update(
        status=JobStatus.FAILED,
        error=str(MSG_WORKER_DIED % {"verb": get_kind(job.kind).verb}),
        finished_at=timezone.now(),
    )


def approval_refusal(user, job: Job) -> str | None:
    """Why a user may not approve or reject this job, or None if they may: another admin
    (never the requester) whose jurisdiction covers the job's unit."""
    if not in_jurisdiction(user, job.organization):
        return str(MSG_APPROVER_OUTSIDE)
    if job.created_by_id is not None and job.created_by_id == user.pk:
        return str(MSG_APPROVE_OWN)
    if not is_admin(user):
        return str(MSG_APPROVER_ROLE)
    return None


def can_decide(user, job: Job) -> bool:
    """Whether the job waits for approval and this user may give it."""
    return job.status == JobStatus.AWAITING_APPROVAL and approval_refusal(user, job) is None


def check_approver(*, actor, job: Job) -> None:
    """403 unless the actor is another admin whose jurisdiction covers the job's unit."""
    refusal = approval_refusal(actor, job)
    if refusal is not None:
        raise PermissionDenied(refusal)


@transaction.atomic
def job_decide(*, actor, job: Job, approve: bool, note: str) -> Job:
    """Approve (the job is queued) or reject a job waiting for approval; the requester may not
    decide their own, and the decision is audited with its reason."""
    check_approver(actor=actor, job=job)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": ValidationError(MSG_DECISION_NOTE, code="required")})
    # The row lock makes a second approver (or a double click) see "already decided" (CONC-2).
    job = Job.objects.select_for_update().select_related("organization").get(pk=job.pk)
    if job.status != JobStatus.AWAITING_APPROVAL:
        raise ValidationError(MSG_NOT_AWAITING)
    now = timezone.now()
    job.status = JobStatus.QUEUED if approve else JobStatus.REJECTED
    job.decided_by, job.decided_at, job.decision_note = actor, now, note[:200]
    fields = ["status", "decided_by", "decided_at", "decision_note"]
    if not approve:
        job.finished_at = now
        fields.append("finished_at")
    job.save(update_fields=fields)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=job,
        object_repr=f"{job.kind_label}申请（{job.organization.name}）",
        changes={
            "状态": [str(JobStatus.AWAITING_APPROVAL.label), "已批准" if approve else "已驳回"],
            "审批意见": [None, note],
            "申请人": [None, job.created_by.username if job.created_by else ""],
            "申请导出行数": [None, job.rows_requested],
            "导出事由": [None, job.options.get("reason", "")],
        },
    )
    if approve:
        _enqueue(job)
    return job


def result_refusal(user, job: Job) -> str | None:
    """Why a user who can see the job may not download its result, or None."""
    spec = get_kind(job.kind)
    own = job.created_by_id == user.pk
    if spec.result_owner_only and not own:
        return _("这个文件只有申请人本人能下载。")
    if spec.result_permission and not own and not user.has_perm(spec.result_permission):
        return _("您的角色不能下载这个文件（其中有完整的个人信息），请联系上传人。")
    return None


def result_downloaded(*, actor, job: Job) -> None:
    """Audit a download of a result that repeats personal data, like an export."""
    spec = get_kind(job.kind)
    if spec.result_audit:
        audit_record(
            actor=actor,
            action=Action.EXPORT,
            obj=job,
            object_repr=f"{job.kind_label}结果文件：{job.original_name}"[:200],
            changes={"下载": [None, spec.result_audit]},
        )
