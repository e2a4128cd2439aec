"""Import and export jobs: create (checks first), run (in a worker), confirm, reap dead ones;
approval of large full-ID exports (PI-4)."""

import shutil
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ruhui.accounts.rules import is_admin
from ruhui.audit.services import Action, audit_record
from ruhui.importing.models import ExportJob, ImportJob, JobStatus
from ruhui.jobs import progress
from ruhui.jobs.files import job_file
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import in_jurisdiction, scoped
from ruhui.tabular.files import FileRejected, check_upload
from ruhui.tabular.report import summary_capped

MSG_OUTSIDE = _("所选工会不在您的管辖范围内。")
MSG_NOT_DRY_RUN = _("只能确认已完成的检查（试导入）任务。")
MSG_WORKER_DIED = _("后台任务中断（处理进程意外退出），没有写入任何数据，请重新导入。")
MSG_FAILED = _("导入失败，没有写入任何数据：%(error)s")
MSG_FILES_PURGED = _("文件已按保存期限清除，不能再确认导入，请重新上传花名册。")
MSG_NOT_AWAITING = _("这项导出已经审批过（或不需要审批），不能再次审批。")
MSG_DECISION_NOTE = _("请填写审批意见。")


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


def _check_actor(actor, union: Organization) -> None:
    if not in_jurisdiction(actor, union):
        raise PermissionDenied(MSG_OUTSIDE)
    if not actor.has_perm("members.add_member"):
        raise PermissionDenied


@transaction.atomic
def import_job_create(
    *,
    actor,
    union: Organization,
    source,
    original_name: str,
    dry_run: bool = True,
    update_existing: bool = False,
    parent: ImportJob | None = None,
) -> ImportJob:
    """Check the file (refused at once if hostile), keep it, queue the import."""
    _check_actor(actor, union)
    stored = _store(source, original_name)
    try:
        kind = check_upload(stored, original_name)
    except FileRejected as exc:
        stored.unlink(missing_ok=True)
        raise ValidationError({"file": ValidationError(str(exc))}) from None
    job = ImportJob.objects.create(
        union=union,
        created_by=actor,
        original_name=original_name[:200],
        stored_path=str(stored),
        kind=kind,
        dry_run=dry_run,
        update_existing=update_existing,
        parent=parent,
    )
    _enqueue_import(job)
    return job


def _enqueue_import(job: ImportJob) -> None:
    from ruhui.importing.tasks import run_import_job

    transaction.on_commit(lambda: run_import_job.enqueue(job.pk))


@transaction.atomic
def import_job_confirm(*, actor, job: ImportJob) -> ImportJob:
    """Commit the rows a finished dry run checked (the file is validated again as it is written)."""
    _check_actor(actor, job.union)
    if not job.dry_run or job.status != JobStatus.SUCCEEDED:
        raise ValidationError(MSG_NOT_DRY_RUN)
    if job.files_purged_at is not None:
        raise ValidationError(MSG_FILES_PURGED)
    commit = ImportJob.objects.create(
        union=job.union,
        created_by=actor,
        original_name=job.original_name,
        stored_path=job.stored_path,
        kind=job.kind,
        dry_run=False,
        update_existing=job.update_existing,
        parent=job,
    )
    _enqueue_import(commit)
    return commit


def import_job_run(job_id: int) -> dict:
    """Run an import job (in the worker). The job row is updated outside the import's own
    transaction, so a failure leaves the job marked failed and no member rows written."""
    from ruhui.importing.member_import import import_members

    job = ImportJob.objects.select_related("union", "created_by").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return job.summary
    job.status, job.started_at = JobStatus.RUNNING, timezone.now()
    job.save(update_fields=["status", "started_at"])
    report_path = job_file(f"report-{job.pk}-{uuid.uuid4().hex[:8]}.xlsx")
    started = time.time()
    progress.report("import", job.pk, done=0, total=0, phase="reading")

    def on_progress(done: int, total: int) -> None:
        progress.report(
            "import", job.pk, done=done, total=total, phase="checking" if job.dry_run else "writing"
        )

    try:
        summary = import_members(
            actor=job.created_by,
            union=job.union,
            path=Path(job.stored_path),
            kind=job.kind,
            dry_run=job.dry_run,
            update_existing=job.update_existing,
            report_path=report_path,
            progress=on_progress,
        )
    except FileRejected as exc:
        report_path.unlink(missing_ok=True)  # the rows read before the refusal: not kept
        return _fail(job, str(exc))
    except Exception as exc:  # the job must never stay "running": record why and re-raise
        report_path.unlink(missing_ok=True)
        _fail(job, MSG_FAILED % {"error": type(exc).__name__})
        raise
    job.summary = summary_capped(summary.as_dict())
    job.rows_total = summary.rows
    job.report_path = str(report_path)
    job.status, job.finished_at = JobStatus.SUCCEEDED, timezone.now()
    job.save(update_fields=["summary", "rows_total", "report_path", "status", "finished_at"])
    progress.report("import", job.pk, done=summary.rows, total=summary.rows, phase="done")
    job.summary["seconds"] = round(time.time() - started, 2)
    ImportJob.objects.filter(pk=job.pk).update(summary=job.summary)
    return job.summary


def _fail(job: ImportJob, message: str) -> dict:
    job.status, job.error, job.finished_at = JobStatus.FAILED, str(message), timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    progress.report("import", job.pk, done=0, total=0, phase="failed")
    return {"error": str(message)}


def reap_stale_jobs(queryset=None) -> int:
    """Mark running jobs whose worker stopped reporting as failed (nothing was committed:
    the import writes in one transaction, which died with the worker). A page passes just the
    job it shows, so polling never scans every job of the system."""
    count = 0
    queryset = ImportJob.objects.all() if queryset is None else queryset
    for job in queryset.filter(status=JobStatus.RUNNING):
        started = job.started_at.timestamp() if job.started_at else None
        if progress.is_stale("import", job.pk, started=started):
            updated = ImportJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
                status=JobStatus.FAILED, error=str(MSG_WORKER_DIED), finished_at=timezone.now()
            )
            count += updated
    return count


@transaction.atomic
def export_job_create(
    *,
    actor,
    union: Organization,
    fmt: str,
    full: bool = False,
    reason: str = "",
    filters: dict | None = None,
) -> ExportJob:
    """Queue an export of the union subtree's members (filters as on the member list). A full
    export of more than RUHUI_FULL_EXPORT_APPROVAL_ROWS members waits for another admin's
    approval instead (PI-4)."""
    if not in_jurisdiction(actor, union):
        raise PermissionDenied(MSG_OUTSIDE)
    if fmt not in ("xlsx", "csv"):
        raise ValidationError({"fmt": ValidationError(_("导出格式只能是 xlsx 或 csv。"))})
    filters = filters or {}
    status, rows_requested = JobStatus.QUEUED, 0
    if full:
        from ruhui.importing.export import check_full_export
        from ruhui.members.selectors import member_list

        check_full_export(actor=actor, reason=reason)
        rows_requested = member_list(user=actor, union=union, **filters).count()
        if rows_requested > settings.RUHUI_FULL_EXPORT_APPROVAL_ROWS:
            status = JobStatus.AWAITING_APPROVAL
    job = ExportJob.objects.create(
        union=union,
        created_by=actor,
        fmt=fmt,
        full=full,
        reason=reason.strip()[:200],
        filters=filters,
        status=status,
        rows_requested=rows_requested,
    )
    if status == JobStatus.QUEUED:
        _enqueue_export(job)
    return job


def _enqueue_export(job: ExportJob) -> None:
    from ruhui.importing.tasks import run_export_job

    transaction.on_commit(lambda: run_export_job.enqueue(job.pk))


def check_export_approver(*, actor, job: ExportJob) -> None:
    """403 unless the actor is another admin whose jurisdiction covers the export's union."""
    refusal = job.approval_refusal(actor)
    if refusal is not None:
        raise PermissionDenied(refusal)


@transaction.atomic
def export_job_decide(*, actor, job: ExportJob, approve: bool, note: str) -> ExportJob:
    """Approve (the export is queued) or reject a full export waiting for approval; the
    requester may not decide their own, and the decision is audited with its reason."""
    check_export_approver(actor=actor, job=job)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": ValidationError(MSG_DECISION_NOTE, code="required")})
    # The row lock makes a second approver (or a double click) see "already decided" (CONC-2).
    job = ExportJob.objects.select_for_update().select_related("union").get(pk=job.pk)
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
        object_repr=f"完整证件号码导出申请（{job.union.name}）",
        changes={
            "状态": [str(JobStatus.AWAITING_APPROVAL.label), "已批准" if approve else "已驳回"],
            "审批意见": [None, note],
            "申请人": [None, job.created_by.username if job.created_by else ""],
            "申请导出行数": [None, job.rows_requested],
            "导出事由": [None, job.reason],
        },
    )
    if approve:
        _enqueue_export(job)
    return job


def export_jobs_visible(*, user) -> QuerySet[ExportJob]:
    """The export jobs a user may open: their own, those they decided, and (an admin) the full
    exports in their jurisdiction that wait for approval."""
    condition = Q(created_by=user) | Q(decided_by=user)
    if is_admin(user):
        condition |= Q(status=JobStatus.AWAITING_APPROVAL)
    return scoped(user, ExportJob).filter(condition)


def export_jobs_awaiting_approval(*, user) -> QuerySet[ExportJob]:
    """Full exports in the user's jurisdiction that wait for approval and the user may decide."""
    if not is_admin(user):
        return ExportJob.objects.none()
    return (
        scoped(user, ExportJob)
        .filter(status=JobStatus.AWAITING_APPROVAL)
        .exclude(created_by=user)
        .select_related("union", "created_by")
    )


def export_job_run(job_id: int) -> int:
    """Write an export file (in the worker) through the same scoped selector as the list."""
    from ruhui.importing.export import export_members
    from ruhui.members.selectors import member_list

    job = ExportJob.objects.select_related("union", "created_by", "decided_by").get(pk=job_id)
    # An export waiting for approval (or rejected) never runs, even if a task was queued.
    if job.status != JobStatus.QUEUED:
        return job.rows
    job.status = JobStatus.RUNNING
    job.save(update_fields=["status"])
    path = job_file(f"export-{job.pk}-{uuid.uuid4().hex[:8]}.{job.fmt}")
    try:
        queryset = member_list(user=job.created_by, union=job.union, **job.filters)
        rows = export_members(
            actor=job.created_by,
            queryset=queryset,
            path=path,
            fmt=job.fmt,
            full=job.full,
            reason=job.reason,
            approved_by=job.decided_by,
        )
    except Exception as exc:
        path.unlink(missing_ok=True)  # no half-written roster left behind
        job.status, job.error = JobStatus.FAILED, type(exc).__name__
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        raise
    job.rows, job.file_path, job.status = rows, str(path), JobStatus.SUCCEEDED
    job.finished_at = timezone.now()
    job.save(update_fields=["rows", "file_path", "status", "finished_at"])
    return rows
