"""The positions' background job (shared job mechanism, `ruhui.jobs`): the import of service
positions from a table — a check first, then, confirmed on the job page, the commit. A job
belongs to the unit imported into."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.urls import reverse

from ruhui.jobs.kinds import JobKind, Outcome, RunContext, register
from ruhui.jobs.models import Job
from ruhui.jobs.services import job_start

POSITION_IMPORT = "position_import"
PERM_EDIT = "positions.edit_position"


@transaction.atomic
def position_import_start(*, actor, unit, upload) -> Job:
    """Keep a table of positions and queue its check for `unit` (the actor's jurisdiction); a
    file that is no table (or a hostile one) is refused at once (ValidationError on "file")."""
    from ruhui.positions.importer import authorise

    authorise(actor, unit)
    return job_start(
        actor=actor,
        kind=POSITION_IMPORT,
        organization=unit,
        source=upload,
        original_name=upload.name,
    )


def _run(job: Job, context: RunContext) -> Outcome:
    from ruhui.positions.importer import import_positions

    preview: list = []
    summary = import_positions(
        context.upload,
        actor=job.created_by,
        unit=job.organization,
        dry_run=job.dry_run,
        kind=job.file_kind,
        original_name=job.original_name,
        report_path=context.result_path,
        preview=preview,
        progress=context.progress,
    )
    data = summary.as_dict() | {"preview": preview, "headers": summary.columns}
    return Outcome(summary=data, rows=summary.rows, wrote_file=True)


def _prompt(job: Job) -> str:
    return (
        f"确认把 {job.summary.get('created', 0)} 个新阵地、{job.summary.get('updated', 0)} 个"
        f"已有阵地的修改写入{job.organization.name}吗？未通过检查的 "
        f"{job.summary.get('rejected', 0)} 行不会写入。"
    )


POSITION_IMPORT_KIND = JobKind(
    key=POSITION_IMPORT,
    label="服务阵地导入",
    run=_run,
    permission=PERM_EDIT,
    is_import=True,
    confirmable=lambda job: (job.summary.get("created", 0) + job.summary.get("updated", 0)) > 0,
    confirm_prompt=_prompt,
    result_name=lambda job: f"导入结果-{Path(job.original_name).stem}.xlsx",
    back=lambda job: ("服务阵地", reverse("positions:list")),
    describe=lambda job: f"{job.organization.name} · 服务阵地清单",
)

#: Registered when the app is ready (PositionsConfig.ready imports this module).
register(POSITION_IMPORT_KIND)
