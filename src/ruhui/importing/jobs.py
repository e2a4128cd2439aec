"""The member roster's background jobs, run by the shared job mechanism (`ruhui.jobs`): the
import (a check, then its confirmed commit) and the export (a large full-ID export waits for
another admin's approval first, PI-4). This module only says what the two kinds do; queuing,
running, confirming, approving, reaping and the job page are the jobs app's."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ruhui.jobs.kinds import JobKind, Outcome, RunContext
from ruhui.jobs.models import Job, JobStatus
from ruhui.jobs.services import MSG_OUTSIDE, job_start
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import in_jurisdiction

MEMBER_IMPORT = "member_import"
MEMBER_EXPORT = "member_export"
PERM_IMPORT = "members.add_member"


def import_job_create(
    *,
    actor,
    union: Organization,
    source,
    original_name: str,
    dry_run: bool = True,
    update_existing: bool = False,
) -> Job:
    """Check the roster file (refused at once if hostile), keep it, queue the import."""
    return job_start(
        actor=actor,
        kind=MEMBER_IMPORT,
        organization=union,
        source=source,
        original_name=original_name,
        dry_run=dry_run,
        options={"update_existing": bool(update_existing)},
    )


def _run_import(job: Job, context: RunContext) -> Outcome:
    from ruhui.importing.member_import import import_members

    summary = import_members(
        actor=job.created_by,
        union=job.organization,
        path=context.upload,
        kind=job.file_kind,
        dry_run=job.dry_run,
        update_existing=job.options.get("update_existing", False),
        report_path=context.result_path,
        progress=context.progress,
    )
    return Outcome(summary=summary.as_dict(), rows=summary.rows, wrote_file=True)


def export_job_create(
    *,
    actor,
    union: Organization,
    fmt: str,
    full: bool = False,
    reason: str = "",
    filters: dict | None = None,
) -> Job:
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
    return job_start(
        actor=actor,
        kind=MEMBER_EXPORT,
        organization=union,
        options={
            "fmt": fmt,
            "full": bool(full),
            "reason": (reason or "").strip()[:200],
            "filters": filters,
        },
        status=status,
        rows_requested=rows_requested,
    )


def _run_export(job: Job, context: RunContext) -> Outcome:
    """Write the export through the same scoped selector as the member list."""
    from ruhui.importing.export import export_members
    from ruhui.members.selectors import member_list

    options = job.options
    queryset = member_list(user=job.created_by, union=job.organization, **options["filters"])
    rows = export_members(
        actor=job.created_by,
        queryset=queryset,
        path=context.result_path,
        fmt=options["fmt"],
        full=options["full"],
        reason=options["reason"],
        approved_by=job.decided_by,
    )
    return Outcome(summary={"exported": rows}, rows=rows, wrote_file=True)


def _describe_export(job: Job) -> str:
    fmt = job.options.get("fmt", "")
    if job.options.get("full"):
        return f"完整证件号码和手机号码（{fmt}）"
    return f"证件号码、手机号码已脱敏（{fmt}）"


def _import_prompt(job: Job) -> str:
    summary = job.summary
    updated = f"和 {summary['updated']} 名会员的更新" if summary.get("updated") else ""
    return (
        f"确认把 {summary.get('created', 0)} 名新会员{updated}写入「{job.organization.name}」吗？"
    )


MEMBER_IMPORT_KIND = JobKind(
    key=MEMBER_IMPORT,
    label="会员花名册导入",
    run=_run_import,
    permission=PERM_IMPORT,
    is_import=True,
    confirm_prompt=_import_prompt,
    result_name=lambda job: f"导入结果-{Path(job.original_name).stem}.xlsx",
    # The result file repeats the roster as typed, full ID numbers included: only the person
    # who uploaded it, or a role allowed to see personal data, may download it; each time is
    # audited like an export.
    result_permission="members.reveal_personal_data",
    result_audit="导入逐行结果（含原始证件号码）",
    back=lambda job: ("导入会员", reverse("importing:upload")),
    describe=lambda job: "更新已有会员" if job.options.get("update_existing") else "",
)

MEMBER_EXPORT_KIND = JobKind(
    key=MEMBER_EXPORT,
    label="会员名册导出",
    run=_run_export,
    permission="members.view_member",
    verb="导出",
    result_suffix=lambda job: f".{job.options.get('fmt', 'xlsx')}",
    result_name=lambda job: f"会员名册-{job.organization.code}.{job.options.get('fmt', 'xlsx')}",
    result_label="下载文件",
    result_owner_only=True,
    private=True,
    back=lambda job: ("导出会员", reverse("importing:export")),
    describe=_describe_export,
)
