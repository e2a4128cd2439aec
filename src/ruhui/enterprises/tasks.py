"""Enterprise import runs: a dry run, then its commit, each a background task (Django's task
API, like the member import), recorded as a small JSON file beside the uploaded file.

A run is not a database row: the member import's ImportJob runs only the member importer, and a
record that holds nothing but a file's progress needs no migration. A run belongs to the unit
it imports into; pages fetch that unit through `get_scoped_or_404` first, so a run outside the
user's jurisdiction answers the same 404 as a missing one. Run ids are random (uuid4). The
files live in RUHUI_JOB_FILES and go with the retention purge of unreferenced job files.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from ruhui.core.private import private_file
from ruhui.jobs import progress
from ruhui.jobs.files import job_dir, job_file
from ruhui.tabular.files import FileRejected, check_upload
from ruhui.tabular.report import summary_capped

PROGRESS_KIND = "enterprise-import"
QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
STATUS_LABELS = {QUEUED: "排队中", RUNNING: "进行中", SUCCEEDED: "已完成", FAILED: "失败"}
MSG_WORKER_DIED = _("后台任务中断（处理进程意外退出），没有写入任何数据，请重新导入。")
MSG_FAILED = _("导入失败，没有写入任何数据：%(error)s")
MSG_NOT_CONFIRMABLE = _("只能确认已完成的检查结果，且每个检查结果只能确认一次。")
_ID_CHARS = frozenset("0123456789abcdef")


@dataclass
class Run:
    """One dry run or commit of an enterprise list or survey sheet."""

    id: str
    kind: str  # importer.ENTERPRISE or importer.SURVEY
    unit_id: int
    actor_id: int | None
    original_name: str
    stored_path: str
    file_kind: str
    update: bool = False
    dry_run: bool = True
    parent: str = ""
    confirmed_by: str = ""  # the commit run started from this dry run
    status: str = QUEUED
    error: str = ""
    summary: dict = field(default_factory=dict)
    preview: list = field(default_factory=list)
    headers: list = field(default_factory=list)
    report_path: str = ""
    created_at: str = ""
    started_at: float | None = None
    finished_at: str = ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def is_finished(self) -> bool:
        return self.status in (SUCCEEDED, FAILED)

    @property
    def can_confirm(self) -> bool:
        s = self.summary
        return (
            self.dry_run
            and self.status == SUCCEEDED
            and not self.confirmed_by
            and (s.get("created", 0) + s.get("updated", 0)) > 0
        )

    def save(self) -> None:
        path = _record(self.id)
        temporary = private_file(path.with_suffix(".tmp"))  # 0600, kept by the rename
        temporary.write_text(json.dumps(asdict(self), ensure_ascii=False), encoding="utf-8")
        temporary.replace(path)


def _record(run_id: str) -> Path:
    return job_dir() / f"ent-run-{run_id}.json"


def run_get(run_id: str) -> Run | None:
    """The run with this id, or None (also for a malformed id)."""
    if not (len(run_id) == 32 and set(run_id) <= _ID_CHARS):
        return None
    path = _record(run_id)
    if not path.exists():
        return None
    return Run(**json.loads(path.read_text(encoding="utf-8")))


def _store(source, original_name: str) -> Path:
    suffix = Path(original_name).suffix.lower()[:8]
    target = job_file(f"ent-{uuid.uuid4().hex}{suffix}")
    with target.open("wb") as out:
        if hasattr(source, "chunks"):
            for chunk in source.chunks():
                out.write(chunk)
        else:
            out.write(Path(source).read_bytes())
    return target


def run_create(*, actor, kind: str, unit, source, original_name: str, update: bool = False) -> Run:
    """Check the file (a hostile one is refused at once and not kept), keep it, queue the dry
    run. The caller has checked the role; the unit must lie in the actor's jurisdiction."""
    from ruhui.orgs.scoping import in_jurisdiction

    if not in_jurisdiction(actor, unit):
        raise PermissionDenied
    stored = _store(source, original_name)
    try:
        file_kind = check_upload(stored, original_name)
    except FileRejected as exc:
        stored.unlink(missing_ok=True)
        raise ValidationError({"file": ValidationError(str(exc))}) from None
    run = Run(
        id=uuid.uuid4().hex,
        kind=kind,
        unit_id=unit.pk,
        actor_id=actor.pk,
        original_name=original_name[:200],
        stored_path=str(stored),
        file_kind=file_kind,
        update=update,
        created_at=timezone.now().isoformat(),
    )
    run.save()
    run_enterprise_import.enqueue(run.id)
    return run


def run_confirm(*, actor, run: Run) -> Run:
    """Commit what a finished dry run checked (the file is checked again as it is written)."""
    if not run.can_confirm:
        raise ValidationError(MSG_NOT_CONFIRMABLE)
    commit = Run(
        id=uuid.uuid4().hex,
        kind=run.kind,
        unit_id=run.unit_id,
        actor_id=actor.pk,
        original_name=run.original_name,
        stored_path=run.stored_path,
        file_kind=run.file_kind,
        update=run.update,
        dry_run=False,
        parent=run.id,
        created_at=timezone.now().isoformat(),
    )
    commit.save()
    run.confirmed_by = commit.id
    run.save()
    run_enterprise_import.enqueue(commit.id)
    return commit


def run_reap(run: Run) -> Run:
    """A running run whose worker stopped reporting is marked failed (its one transaction died
    with the worker, so nothing was written)."""
    if run.status == RUNNING and progress.is_stale(PROGRESS_KIND, run.id, started=run.started_at):
        run.status, run.error = FAILED, str(MSG_WORKER_DIED)
        run.save()
    return run


def run_execute(run_id: str) -> dict:
    """Run the importer for a queued run (in the worker)."""
    from ruhui.accounts.models import User
    from ruhui.enterprises.importer import SURVEY, import_enterprises, import_surveys
    from ruhui.orgs.models import Organization

    run = run_get(run_id)
    if run is None or run.status != QUEUED:
        return {}
    run.status, run.started_at = RUNNING, time.time()
    run.save()
    progress.report(PROGRESS_KIND, run.id, done=0, total=0, phase="reading")
    report = job_file(f"ent-report-{run.id}.xlsx")
    preview: list = []
    try:
        actor = User.objects.select_related("organization").get(pk=run.actor_id)
        unit = Organization.objects.get(pk=run.unit_id)
        common = {
            "actor": actor,
            "dry_run": run.dry_run,
            "kind": run.file_kind,
            "original_name": run.original_name,
            "report_path": report,
            "preview": preview,
            "progress": lambda done: progress.report(
                PROGRESS_KIND, run.id, done=done, total=0, phase="checking"
            ),
        }
        path = Path(run.stored_path)
        if run.kind == SURVEY:
            summary = import_surveys(path, unit=unit, **common)
        else:
            summary = import_enterprises(path, responsible_unit=unit, update=run.update, **common)
    except (FileRejected, ValidationError, PermissionDenied) as exc:
        report.unlink(missing_ok=True)  # the rows read before the refusal: not kept
        message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        return _fail(run, message or str(MSG_FAILED % {"error": type(exc).__name__}))
    except Exception as exc:  # never left "running": record why, then re-raise
        report.unlink(missing_ok=True)
        _fail(run, str(MSG_FAILED % {"error": type(exc).__name__}))
        raise
    run.summary = summary_capped(summary.as_dict())
    run.summary["seconds"] = round(time.time() - run.started_at, 2)
    run.preview, run.headers, run.report_path = preview, summary.columns, str(report)
    run.status, run.finished_at = SUCCEEDED, timezone.now().isoformat()
    run.save()
    progress.report(PROGRESS_KIND, run.id, done=summary.rows, total=summary.rows, phase="done")
    return run.summary


def _fail(run: Run, message: str) -> dict:
    run.status, run.error, run.finished_at = FAILED, message, timezone.now().isoformat()
    run.save()
    progress.report(PROGRESS_KIND, run.id, done=0, total=0, phase="failed")
    return {"error": message}


@task()
def run_enterprise_import(run_id: str) -> dict:
    return run_execute(run_id)
