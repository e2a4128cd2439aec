"""Where background jobs keep their files (uploads, result workbooks, exports): one private
folder, RUHUI_JOB_FILES, readable by this system's account only."""

from pathlib import Path

from django.conf import settings

from ruhui.core.private import private_dir, private_file


def job_dir() -> Path:
    """The job files' folder, readable by this account only (0700)."""
    return private_dir(settings.RUHUI_JOB_FILES)


def job_file(name: str) -> Path:
    """A new job file, created empty at 0600 before anything is written to it: uploads,
    result workbooks and exports hold full ID and phone numbers (core.private)."""
    return private_file(job_dir() / name)
