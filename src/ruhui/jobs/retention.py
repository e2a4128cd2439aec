"""Retention of job files (PI-9): uploaded rosters and lists, import result files and export
files repeat full ID numbers and phone numbers, so they are kept only RUHUI_JOB_FILE_RETENTION_DAYS after their job ends.

`job_files_purge` deletes the files of finished jobs (succeeded, failed, rejected) that ended
before the cut-off, clears the jobs' file fields and stamps `files_purged_at` (the pages then say
「文件已按保存期限清除」), and deletes files in the job folder that no job refers to and that
are older than the cut-off. Queued, running and waiting jobs are never touched, nor is a file
that a younger job still uses (a confirmed import shares its dry run's upload). The database is
updated first and the files deleted after: a file left behind by a crash is an orphan that the
next run removes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ruhui.audit.services import Action, audit_record
from ruhui.jobs.models import FINISHED_STATUSES, Job
from ruhui.orgs.models import Organization

MSG_PURGED = _("文件已按保存期限清除")
MSG_DAYS = _("保存期限至少为 1 天。")
AUDIT_USERNAME = "系统（任务文件保存期限清理）"

#: The job's file fields.
FILE_FIELDS = ("upload_path", "result_path")


@dataclass
class PurgeResult:
    """What a purge did (or, in a dry run, would do)."""

    days: int
    cutoff: datetime.datetime
    dry_run: bool
    jobs: list[int] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    orphans: list[Path] = field(default_factory=list)
    bytes: int = 0
    failed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """A Chinese summary for the command line."""
        verb = "将" if self.dry_run else "已"
        lines = [
            f"保存期限 {self.days} 天：清理 {timezone.localtime(self.cutoff):%Y-%m-%d %H:%M} "
            "以前结束的任务的文件。",
            f"{verb}清除 {len(self.jobs)} 个任务的文件，"
            f"{verb}删除任务文件 {len(self.files)} 个、无任务引用的文件 {len(self.orphans)} 个，"
            f"共 {self.bytes / 1024 / 1024:.1f} MB。",
        ]
        if self.failed:
            lines.append(f"有 {len(self.failed)} 个文件删除失败：{'；'.join(self.failed[:10])}")
        if self.dry_run:
            lines.append("（试运行：没有删除任何文件，也没有修改任何记录。）")
        return "\n".join(lines)


def job_files_purge(
    *,
    days: int | None = None,
    now: datetime.datetime | None = None,
    dry_run: bool = False,
    actor=None,
) -> PurgeResult:
    """Delete the files of jobs that finished more than ``days`` ago (default
    RUHUI_JOB_FILE_RETENTION_DAYS) and unreferenced job-folder files older than that; mark those
    jobs purged; write one audit event. A dry run only reports what it would do."""
    days = settings.RUHUI_JOB_FILE_RETENTION_DAYS if days is None else days
    if days < 1:
        raise ValueError(str(MSG_DAYS))
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=days)
    folder = Path(settings.RUHUI_JOB_FILES)
    result = PurgeResult(days=days, cutoff=cutoff, dry_run=dry_run)

    expired = _expired(cutoff)
    result.jobs = sorted(expired)
    expired_paths, kept_paths = set(), set()
    for pk, *paths in Job.objects.values_list("pk", *FILE_FIELDS):
        target = expired_paths if pk in expired else kept_paths
        target.update(p for p in paths if p)
    # A file that a younger job still uses stays (a confirmed import shares its dry run's upload).
    for path in sorted(expired_paths - kept_paths):
        file = Path(path)
        if _inside(file, folder) and file.is_file():
            result.files.append(file)
    result.orphans = _orphans(folder, referenced=expired_paths | kept_paths, cutoff=cutoff)
    result.bytes = sum(_size(file) for file in result.files + result.orphans)
    if dry_run:
        return result

    with transaction.atomic():
        Job.objects.filter(pk__in=result.jobs).update(
            upload_path="", result_path="", files_purged_at=now
        )
        audit_record(
            actor=actor,
            action=Action.DELETE,
            org_path=_top_path(),
            username=None if actor is not None else AUDIT_USERNAME,
            object_repr="后台任务文件（保存期限清理）",
            changes={
                "保存期限（天）": [None, days],
                "清理截止时间": [None, cutoff],
                "任务": [None, result.jobs],
                "删除任务文件数": [None, len(result.files)],
                "删除无引用文件数": [None, len(result.orphans)],
                "释放空间（字节）": [None, result.bytes],
            },
        )
    for file in result.files + result.orphans:
        try:
            file.unlink(missing_ok=True)
        except OSError as error:
            result.failed.append(f"{file.name}（{error.strerror or type(error).__name__}）")
    return result


def _expired(cutoff: datetime.datetime) -> set[int]:
    """Finished jobs that ended before the cut-off, still holding at least one file."""
    has_file = Q()
    for name in FILE_FIELDS:
        has_file |= ~Q(**{name: ""})
    return set(
        Job.objects.annotate(ended=Coalesce("finished_at", "created_at"))
        .filter(has_file, status__in=FINISHED_STATUSES, ended__lt=cutoff, files_purged_at=None)
        .values_list("pk", flat=True)
    )


def _orphans(folder: Path, *, referenced: set[str], cutoff: datetime.datetime) -> list[Path]:
    """Files directly in the job folder that no job names, last modified before the cut-off."""
    if not folder.is_dir():
        return []
    known = {str(Path(p).resolve()) for p in referenced}
    limit = cutoff.timestamp()
    found = []
    for file in sorted(folder.iterdir()):
        if not file.is_file() or file.is_symlink():
            continue
        if str(file.resolve()) in known or file.stat().st_mtime >= limit:
            continue
        found.append(file)
    return found


def _inside(file: Path, folder: Path) -> bool:
    """Only files in the job folder are ever deleted, whatever a record says."""
    try:
        return file.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


def _size(file: Path) -> int:
    try:
        return file.stat().st_size
    except OSError:
        return 0


def _top_path() -> str:
    """The purge spans every union: its audit event belongs to the top of the tree."""
    roots = list(Organization.objects.get_root_nodes().values_list("path", flat=True)[:2])
    return roots[0] if len(roots) == 1 else ""
