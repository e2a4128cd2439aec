"""The kinds of background work: each feature registers its own in its AppConfig.ready().

A kind says what a job does (`run`), who may start it (`permission`), whether it is an import
(an uploaded file, checked first, then confirmed on the job page), what its result file is
called and who may download it, and where its feature page is. The job model, the services that
queue, run, confirm, approve and reap jobs, the job page and its template are the same for every
kind; this app knows nothing of members, enterprises or campaigns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ruhui.jobs import progress

if TYPE_CHECKING:
    from ruhui.jobs.models import Job

PROGRESS = "job"


@dataclass
class Outcome:
    """What a run returns: the summary the page shows (JSON), the rows it read or wrote, and
    whether it wrote the result file."""

    summary: dict
    rows: int = 0
    wrote_file: bool = False


@dataclass
class RunContext:
    """What a kind's runner gets besides its job: where to write its result file (created
    empty, 0600, removed again if the run fails or writes nothing) and a progress callback that
    is also the job's heartbeat."""

    job: Job
    result_path: Path

    @property
    def upload(self) -> Path:
        return Path(self.job.upload_path)

    def progress(self, done: int, total: int = 0, phase: str = "") -> None:
        phase = phase or ("checking" if self.job.dry_run else "writing")
        progress.report(PROGRESS, self.job.pk, done=done, total=total, phase=phase)


def _always(job: Job) -> bool:
    return True


def _writes_rows(job: Job) -> bool:
    return job.counted > 0


@dataclass(frozen=True)
class JobKind:
    key: str
    label: str
    #: Does the work in the worker; raises FileRejected / ValidationError with a Chinese
    #: message for bad input (the job fails with it, nothing written).
    run: Callable[[Job, RunContext], Outcome]
    #: Needed to start, confirm or approve a job of this kind.
    permission: str
    #: An import: an uploaded file, checked by the upload checks, run first as a check.
    is_import: bool = False
    #: The check an import's upload passes before it is kept: (stored path, original name) →
    #: the file's kind, or FileRejected with the Chinese message. Default: the spreadsheet
    #: checks of `tabular.files.check_upload` (size, type, zip bomb, macros).
    upload_check: Callable[[Path, str], str] | None = None
    #: "导入" or "导出": the verb of the kind's messages.
    verb: str = "导入"
    #: Whether a finished check may be confirmed (besides the common conditions).
    confirmable: Callable[[Job], bool] = _writes_rows
    #: The confirm button's question.
    confirm_prompt: Callable[[Job], str] = lambda job: "确认写入吗？"
    #: The result file's suffix, or a function of the job that gives it.
    result_suffix: str | Callable[[Job], str] = ".xlsx"
    result_name: Callable[[Job], str] = lambda job: f"结果-{job.pk}.xlsx"
    result_label: str = "下载逐行结果（xlsx）"
    #: Only the job's requester may download its result (exports of personal data).
    result_owner_only: bool = False
    #: Anyone else who may see the job needs this permission to download its result.
    result_permission: str | None = None
    #: Downloads of the result are audited as exports, with this description.
    result_audit: str | None = None
    #: Only the requester, the approver and (while it waits) the admins who may approve it see
    #: the job: it is about one person's export of personal data.
    private: bool = False
    #: The feature page the job belongs to: (label, url).
    back: Callable[[Job], tuple[str, str]] = lambda job: ("后台任务", "/jobs/")
    #: The feature's own section of the job page (a template included with `job`), if any.
    detail_template: str = ""
    #: Shown in the page header under the title (what was asked for).
    describe: Callable[[Job], str] = lambda job: ""
    #: The task queue its jobs go to (settings.RUHUI_TASK_QUEUES: each queue its own time
    #: limit and retries on RQ). Default: "imports" for an import, "documents" otherwise (an
    #: export, a generated file).
    queue: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def queue_name(self) -> str:
        return self.queue or ("imports" if self.is_import else "documents")


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    """Register a kind (from the feature's AppConfig.ready())."""
    existing = _KINDS.get(kind.key)
    if existing is not None and existing is not kind:
        raise ValueError(f"job kind {kind.key!r} is registered twice")
    _KINDS[kind.key] = kind
    return kind


def kind_or_none(key: str) -> JobKind | None:
    return _KINDS.get(key)


def get_kind(key: str) -> JobKind:
    return _KINDS[key]


def all_kinds() -> list[JobKind]:
    return list(_KINDS.values())


def private_kinds() -> list[str]:
    return [kind.key for kind in _KINDS.values() if kind.private]
