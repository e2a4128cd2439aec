"""Documents written for a download (a plan's .docx, an assessment's .xlsx, cases for the
newspaper): a private temporary file to write into, and the streamed response that sends it
once and removes it. Every feature that writes a document on request uses these."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.http import FileResponse
from django.utils.http import content_disposition_header

from ruhui.tabular.attachments import CONTENT_TYPES

XLSX_TYPE = CONTENT_TYPES["xlsx"]
DOCX_TYPE = CONTENT_TYPES["docx"]


def temporary_path(suffix: str) -> Path:
    """A private temporary file to write a download into (removed once it is opened)."""
    handle, name = tempfile.mkstemp(suffix=suffix, prefix="ruhui-")
    os.close(handle)
    return Path(name)


def file_download(path: str | os.PathLike, *, filename: str, content_type: str) -> FileResponse:
    """A written file as a streamed download: the file is opened and unlinked at once (the
    open handle keeps it until sent), named with an RFC 5987 filename*, never cached."""
    handle = Path(path).open("rb")  # noqa: SIM115 (FileResponse closes it when sent)
    Path(path).unlink(missing_ok=True)
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def written_download(write, suffix: str, *, filename: str, content_type: str) -> FileResponse:
    """`write(path)` into a temporary file, then send it; a failed write leaves no file."""
    path = temporary_path(suffix)
    try:
        write(path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return file_download(path, filename=filename, content_type=content_type)
