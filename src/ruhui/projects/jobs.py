"""The projects' background job (shared job mechanism, `ruhui.jobs`): the import of a plan's
projects from a table — a check first, then, confirmed on the job page, the commit. This module
only says what the kind does; queuing, running, confirming and the job page are the jobs app's.
A job belongs to the plan's unit; its options keep the campaign and the plan."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from ruhui.jobs.kinds import JobKind, Outcome, RunContext, register
from ruhui.jobs.models import Job
from ruhui.jobs.services import job_start

PROJECT_IMPORT = "project_import"
PERM_EDIT = "projects.edit_plan"
MSG_PLAN_GONE = "这份行动计划已不存在，没有写入任何数据。"


def _plan_of(job: Job):
    from ruhui.projects.models import ActionPlan

    plan = (
        ActionPlan.objects.select_related("campaign__owner", "unit")
        .filter(pk=job.options.get("plan"))
        .first()
    )
    if plan is None:
        raise ValidationError(MSG_PLAN_GONE)
    return plan


@transaction.atomic
def project_import_start(*, actor, plan, upload) -> Job:
    """Keep a table of projects and queue its check for `plan`. Only the plan's own unit,
    while the plan may be edited; a file that is no table (or a hostile one) is refused at once
    (ValidationError on "file") and not kept."""
    from ruhui.projects.importer import authorise

    authorise(actor, plan)
    return job_start(
        actor=actor,
        kind=PROJECT_IMPORT,
        organization=plan.unit,
        source=upload,
        original_name=upload.name,
        options={"campaign": plan.campaign_id, "plan": plan.pk},
    )


def _run(job: Job, context: RunContext) -> Outcome:
    from ruhui.projects.importer import import_projects

    plan = _plan_of(job)
    preview: list = []
    summary = import_projects(
        context.upload,
        actor=job.created_by,
        plan=plan,
        dry_run=job.dry_run,
        kind=job.file_kind,
        original_name=job.original_name,
        report_path=context.result_path,
        preview=preview,
        progress=context.progress,
    )
    data = summary.as_dict() | {
        "preview": preview,
        "headers": summary.columns,
        "campaign_slug": plan.campaign.slug,
        "campaign_name": plan.campaign.name,
        "plan_unit": plan.unit.name,
    }
    return Outcome(summary=data, rows=summary.rows, wrote_file=True)


def _prompt(job: Job) -> str:
    return (
        f"确认把 {job.summary.get('created', 0)} 个项目写入{job.organization.name}的"
        f"“项目清单+责任制”行动计划吗？未通过检查的 {job.summary.get('rejected', 0)} 行不会写入。"
    )


def _back(job: Job) -> tuple[str, str]:
    slug = job.summary.get("campaign_slug")
    if not slug:
        from ruhui.campaigns.models import Campaign

        slug = (
            Campaign.objects.filter(pk=job.options.get("campaign"))
            .values_list("slug", flat=True)
            .first()
        )
    if not slug:
        return "集中行动", reverse("campaigns:list")
    return "行动计划", reverse("projects:plan", args=[slug, job.organization_id])


def _describe(job: Job) -> str:
    name = job.summary.get("campaign_name", "")
    return f"{job.organization.name}“项目清单+责任制”行动计划" + (f" · {name}" if name else "")


PROJECT_IMPORT_KIND = JobKind(
    key=PROJECT_IMPORT,
    label="项目清单导入",
    run=_run,
    permission=PERM_EDIT,
    is_import=True,
    confirm_prompt=_prompt,
    result_name=lambda job: f"导入结果-{Path(job.original_name).stem}.xlsx",
    back=_back,
    detail_template="projects/_import_job.html",
    describe=_describe,
)

#: Registered when the app is ready (ProjectsConfig.ready imports this module).
register(PROJECT_IMPORT_KIND)
