"""Attachments for every feature (a 实施方案, inspection photos, a 自评报告): checked, stored
privately under a random name, and served only as a download.

`attachment_store(upload)` checks an uploaded file and keeps it, or raises `FileRejected` with a
Chinese message that names the file and says what to do; a refused file leaves nothing behind.
Checks, in order:
1. size: empty, or above ``RUHUI_ATTACHMENT_MAX_BYTES`` (10 MB) → refused;
2. extension: .jpg/.jpeg, .png, .pdf, .docx, .xlsx only (macro documents get their own message);
3. content: the magic bytes must be what the extension says (a renamed program, an HTML page,
   an old .doc named .docx are refused, naming what the file really is);
4. by kind: images are opened and fully decoded by Pillow (a fake or truncated image, or one of
   more pixels than Pillow's decompression-bomb limit, is refused); a PDF must end as a PDF does;
   a .docx/.xlsx must hold its main part, no macros, and pass the measured inflation guard
   (`files.check_zip_inflation`).

Stored files go to ``RUHUI_ATTACHMENTS`` (outside any URL the web server serves), named by a
random 128-bit id, folder 0700 and file 0600. The owning feature keeps `StoredAttachment` on its
own model and serves it through its scoped view with `attachment_response` (a download,
`no-store`).
"""

from __future__ import annotations

import hashlib
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import FileResponse
from PIL import Image

from ruhui.core.private import private_dir, private_file
from ruhui.tabular.files import (
    MACRO_EXTENSIONS,
    FileRejected,
    _human,
    check_zip_inflation,
    describe_content,
    extension_of,
)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
CHUNK = 1024 * 1024
KINDS = {
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".png": "png",
    ".pdf": "pdf",
    ".docx": "docx",
    ".xlsx": "xlsx",
}
CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAGIC = {
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "pdf": (b"%PDF-",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
}
MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
WHAT = {
    "jpeg": "JPG 图片",
    "png": "PNG 图片",
    "pdf": "PDF 文件",
    "docx": "Word 文档",
    "xlsx": "Excel 工作簿",
}

MSG_EMPTY = "附件「{name}」是空文件（0 字节）：请确认选择了正确的文件。"
MSG_TOO_LARGE = "附件「{name}」大小为 {size}，超过了 {limit} 的上限：请压缩图片或拆分文件后再上传。"
MSG_EXTENSION = (
    "附件「{name}」的类型不能上传：只能上传 JPG、PNG 图片，PDF 文件，Word 文档（.docx）或 "
    "Excel 工作簿（.xlsx）。其他格式请先另存为其中一种。"
)
MSG_MACRO = "附件「{name}」含有宏，不能上传：请在 Office 或 WPS 中另存为 .docx 或 .xlsx 后再上传。"
MSG_MISMATCH = (
    "附件「{name}」的扩展名是 {ext}，内容却是{what}：请用原来的程序打开它，另存为 JPG、PNG、"
    "PDF、.docx 或 .xlsx 后再上传。"
)
MSG_BAD_IMAGE = "附件「{name}」不是完整的{what}，无法打开：请重新拍照或导出图片后再上传。"
MSG_BAD_PDF = "附件「{name}」不是完整的 PDF 文件（可能下载不完整）：请重新导出 PDF 后再上传。"
MSG_BAD_OFFICE = "附件「{name}」已损坏或不是完整的{what}：请在 Office 或 WPS 中打开，另存后再上传。"


@dataclass(frozen=True)
class StoredAttachment:
    """A kept attachment: where it is (`path`, random name), what the user called it, its kind,
    size and SHA-256 (for the record and for a later integrity check)."""

    path: Path
    original_name: str
    kind: str
    size: int
    sha256: str

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


def attachments_dir() -> Path:
    return private_dir(settings.RUHUI_ATTACHMENTS)


def _max_bytes() -> int:
    return int(getattr(settings, "RUHUI_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _shown_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "（无名）"
    return base if len(base) <= 60 else base[:57] + "…"


def check_attachment(path: Path | str, original_name: str) -> str:
    """The kind ('jpeg', 'png', 'pdf', 'docx', 'xlsx') of a file on disk, or FileRejected."""
    path = Path(path)
    name = _shown_name(original_name)
    size = path.stat().st_size
    if size == 0:
        raise FileRejected(MSG_EMPTY.format(name=name), "empty")
    if size > _max_bytes():
        limit = _human(_max_bytes())
        raise FileRejected(MSG_TOO_LARGE.format(name=name, size=_human(size), limit=limit), "size")
    ext = extension_of(original_name)
    if ext in MACRO_EXTENSIONS or ext in (".docm", ".dotm"):
        raise FileRejected(MSG_MACRO.format(name=name), "macro")
    kind = KINDS.get(ext)
    if kind is None:
        raise FileRejected(MSG_EXTENSION.format(name=name), "extension")
    with path.open("rb") as handle:
        head = handle.read(512)
    if not head.startswith(MAGIC[kind]):
        what = describe_content(head)
        raise FileRejected(MSG_MISMATCH.format(name=name, ext=ext, what=what), "mismatch")
    if kind in ("jpeg", "png"):
        _check_image(path, name, kind)
    elif kind == "pdf":
        _check_pdf(path, name, size)
    else:
        _check_office(path, name, kind)
    return kind


def _check_image(path: Path, name: str, kind: str) -> None:
    """Open the image twice: verify() reads the structure, load() decodes every pixel (a
    truncated or forged file fails here); past Pillow's pixel limit it is a bomb."""
    try:
        with Image.open(path) as image:
            if image.format != kind.upper():
                raise FileRejected(MSG_BAD_IMAGE.format(name=name, what=WHAT[kind]), "bad_image")
            image.verify()
        with Image.open(path) as image:
            image.load()
    except FileRejected:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise FileRejected(MSG_BAD_IMAGE.format(name=name, what=WHAT[kind]), "bad_image") from None


def _check_pdf(path: Path, name: str, size: int) -> None:
    with path.open("rb") as handle:
        handle.seek(max(0, size - 2048))
        tail = handle.read()
    if b"%%EOF" not in tail:
        raise FileRejected(MSG_BAD_PDF.format(name=name), "bad_pdf")


def _check_office(path: Path, name: str, kind: str) -> None:
    bad = FileRejected(MSG_BAD_OFFICE.format(name=name, what=WHAT[kind]), "bad_office")
    try:
        with zipfile.ZipFile(path) as archive:
            names = {info.filename.lower() for info in archive.infolist()}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise bad from None
    if any(entry.endswith("vbaproject.bin") for entry in names):
        raise FileRejected(MSG_MACRO.format(name=name), "macro")
    if MAIN_PART[kind] not in names or "[content_types].xml" not in names:
        other = {"docx": "xlsx", "xlsx": "docx"}[kind]
        if MAIN_PART[other] in names:
            what = WHAT[other]
            ext = extension_of(name) or f".{kind}"
            raise FileRejected(MSG_MISMATCH.format(name=name, ext=ext, what=what), "mismatch")
        raise bad
    check_zip_inflation(path)


def attachment_store(upload, *, original_name: str | None = None) -> StoredAttachment:
    """Check an upload (Django UploadedFile, or a path) and keep it under a random name; on
    refusal nothing is kept. Returns what the owning record stores."""
    name = original_name or getattr(upload, "name", None) or Path(upload).name
    ext = extension_of(name)
    target = private_file(attachments_dir() / f"{secrets.token_hex(16)}{ext[:6]}")
    digest = hashlib.sha256()
    try:
        with target.open("wb") as out:
            chunks = upload.chunks() if hasattr(upload, "chunks") else _file_chunks(Path(upload))
            for chunk in chunks:
                digest.update(chunk)
                out.write(chunk)
        kind = check_attachment(target, name)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return StoredAttachment(
        path=target,
        original_name=_shown_name(name),
        kind=kind,
        size=target.stat().st_size,
        sha256=digest.hexdigest(),
    )


def _file_chunks(path: Path):
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def attachment_response(path: Path | str, *, filename: str, kind: str) -> FileResponse:
    """A stored attachment as a download (never shown inline), not kept by any cache. The
    caller has fetched the owning record through the scoping function first."""
    response = FileResponse(
        Path(path).open("rb"),  # noqa: SIM115 (FileResponse closes it when sent)
        as_attachment=True,
        filename=filename,
        content_type=CONTENT_TYPES[kind],
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def attachment_delete(path: Path | str) -> None:
    """Remove a stored attachment (its record is being deleted)."""
    Path(path).unlink(missing_ok=True)
