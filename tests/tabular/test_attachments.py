"""The general attachment check: what it keeps (jpg, png, pdf, docx, xlsx that are what they say)
and what it refuses (a renamed program, a fake or truncated image, a pixel bomb, an oversize or
empty file, a macro document, a Word file named .xlsx, a lying zip), leaving nothing behind."""

import io
import os
import stat
import zipfile

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ruhui.tabular.attachments import attachment_response, attachment_store
from ruhui.tabular.files import FileRejected


def png_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#c00").save(buffer, format="PNG")
    return buffer.getvalue()


def noise_png() -> bytes:
    buffer = io.BytesIO()
    Image.frombytes("RGB", (60, 60), os.urandom(60 * 60 * 3)).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "#0c0").save(buffer, format="JPEG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="PDF")
    return buffer.getvalue()


def office_bytes(main: str, extra: dict | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main, "<document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def xlsx_bytes(tmp_path) -> bytes:
    path = tmp_path / "real.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet().write(0, 0, "项目")
    book.close()
    return path.read_bytes()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def kept(folder) -> list:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.mark.parametrize(
    ("name", "make", "kind"),
    [
        ("现场照片.png", lambda tmp: png_bytes(), "png"),
        ("现场照片.JPG", lambda tmp: jpeg_bytes(), "jpeg"),
        ("实施方案.pdf", lambda tmp: pdf_bytes(), "pdf"),
        ("自评报告.docx", lambda tmp: office_bytes("word/document.xml"), "docx"),
        ("项目清单.xlsx", xlsx_bytes, "xlsx"),
    ],
)
def test_real_files_are_kept_privately_under_a_random_name(settings, tmp_path, name, make, kind):
    data = make(tmp_path)
    stored = attachment_store(upload(name, data))
    assert stored.kind == kind and stored.size == len(data) and stored.original_name == name
    assert stored.path.parent == settings.RUHUI_ATTACHMENTS
    assert name.rsplit(".", 1)[0] not in stored.path.name and len(stored.path.stem) == 32
    assert stored.path.read_bytes() == data
    assert stat.S_IMODE(os.stat(stored.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(stored.path.parent).st_mode) == 0o700


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("照片.png", b"MZ\x90\x00" + b"\x00" * 200, "可执行程序"),  # a renamed exe
        ("照片.jpg", b"\x89PNG\r\n\x1a\n" + b"x" * 100, "PNG 图片"),  # the wrong image kind
        ("照片.png", b"\x89PNG\r\n\x1a\n" + b"not an image" * 20, "不是完整的PNG 图片"),
        ("方案.pdf", b"%PDF-1.7\n" + b"x" * 100, "不是完整的 PDF"),
        ("方案.pdf", b"<html><body>", "网页"),
        ("报告.docm", b"PK\x03\x04", "含有宏"),
        ("报告.exe", b"MZ", "类型不能上传"),
        ("报告.doc", b"\xd0\xcf\x11\xe0", "类型不能上传"),
        ("空.png", b"", "空文件"),
    ],
)
def test_refused_files_leave_nothing(settings, name, data, words):
    with pytest.raises(FileRejected) as refused:
        attachment_store(upload(name, data))
    assert words in refused.value.message
    assert name.rsplit(".", 1)[0] in refused.value.message  # names the file
    assert kept(settings.RUHUI_ATTACHMENTS) == []


def test_truncated_image_is_refused(settings):
    data = png_bytes((400, 300))
    with pytest.raises(FileRejected, match="不是完整的"):
        attachment_store(upload("照片.png", data[: len(data) // 2]))
    assert kept(settings.RUHUI_ATTACHMENTS) == []


def test_pixel_bomb_is_refused(settings, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # the same check as at 89 Mpx, sooner
    with pytest.raises(FileRejected, match="不是完整的"):
        attachment_store(upload("照片.png", png_bytes((400, 300))))
    assert kept(settings.RUHUI_ATTACHMENTS) == []


def test_oversize_is_refused_with_both_sizes(settings):
    settings.RUHUI_ATTACHMENT_MAX_BYTES = 1000
    with pytest.raises(FileRejected) as refused:
        attachment_store(upload("照片.png", noise_png()))
    assert "KB" in refused.value.message  # the file's own size, then the limit
    assert "超过了 1000 字节 的上限" in refused.value.message
    assert kept(settings.RUHUI_ATTACHMENTS) == []


def test_office_documents_are_what_they_say(settings, tmp_path):
    word = office_bytes("word/document.xml")
    with pytest.raises(FileRejected, match="内容却是Word 文档"):
        attachment_store(upload("清单.xlsx", word))
    macro = office_bytes("word/document.xml", {"word/vbaProject.bin": b"x"})
    with pytest.raises(FileRejected, match="含有宏"):
        attachment_store(upload("报告.docx", macro))
    with pytest.raises(FileRejected, match="已损坏"):
        attachment_store(upload("报告.docx", b"PK\x03\x04" + b"\x00" * 100))
    assert kept(settings.RUHUI_ATTACHMENTS) == []


def test_download_is_an_attachment_never_stored(settings):
    stored = attachment_store(upload("现场照片.png", png_bytes()))
    response = attachment_response(stored.path, filename="现场照片.png", kind=stored.kind)
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == stored.path.read_bytes()
