"""Photos that may be shown publicly (典型经验's, the service positions'): checked like every
attachment (`tabular.attachments`: size, extension, magic bytes, a full decode, the
decompression-bomb limit), only JPG or PNG, then re-encoded by Pillow into a new file that
carries pixels only — no EXIF (camera, time, GPS position), no XMP, no comments — since a
published case's photos and a position's photos are public. The orientation EXIF asked for is
applied first, and a photo larger than MAX_EDGE pixels on its long side is scaled down."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from ruhui.core.private import private_file
from ruhui.tabular.attachments import attachment_delete, attachment_store, attachments_dir
from ruhui.tabular.files import FileRejected

MAX_EDGE = 2400
MSG_NOT_IMAGE = "照片「{name}」不是 JPG 或 PNG 图片：照片只能上传 JPG、PNG 格式的图片。"


@dataclass(frozen=True)
class CleanPhoto:
    path: Path
    original_name: str
    kind: str
    size: int
    sha256: str
    width: int
    height: int


def photo_store(upload) -> CleanPhoto:
    """Check an uploaded photo and keep a metadata-free copy; FileRejected (nothing kept)."""
    stored = attachment_store(upload)
    try:
        if stored.kind not in ("jpeg", "png"):
            raise FileRejected(MSG_NOT_IMAGE.format(name=stored.original_name), "not_image")
        return _reencode(stored.path, stored.original_name, stored.kind)
    finally:
        attachment_delete(stored.path)


def _reencode(source: Path, name: str, kind: str) -> CleanPhoto:
    target = private_file(attachments_dir() / f"{secrets.token_hex(16)}.{kind[:4]}")
    try:
        with Image.open(source) as original:
            image = ImageOps.exif_transpose(original)
            if kind == "jpeg":
                image = image.convert("RGB")
            elif image.mode not in ("RGB", "RGBA", "L", "LA"):
                image = image.convert("RGBA")
            if max(image.size) > MAX_EDGE:
                image.thumbnail((MAX_EDGE, MAX_EDGE))
            # A fresh image from the raw pixels alone: nothing of the original's info follows.
            clean = Image.frombytes(image.mode, image.size, image.tobytes())
            with target.open("wb") as out:
                if kind == "jpeg":
                    clean.save(out, format="JPEG", quality=88, optimize=True)
                else:
                    clean.save(out, format="PNG", optimize=True)
            width, height = clean.size
        data = target.read_bytes()
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return CleanPhoto(
        path=target,
        original_name=name,
        kind=kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        width=width,
        height=height,
    )
