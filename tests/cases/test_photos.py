"""Case photos go public: they are re-encoded without EXIF (GPS, camera, time) and only JPG or
PNG is taken; a refused photo leaves no case and no file behind."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ruhui.cases.models import Case, CasePhoto
from tests.cases.factories import png_upload, submit


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[0x0132] = "2019:06:01 10:00:00"  # DateTime
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (33.0, 18.0, 12.5)
    gps[3] = "E"
    gps[4] = (113.0, 31.0, 40.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


@pytest.mark.django_db
def test_exif_and_gps_are_stripped_from_a_jpeg(world):
    raw = jpeg_with_gps()
    with Image.open(io.BytesIO(raw)) as original:  # the test photo does carry a position
        assert original.getexif().get_ifd(0x8825)
    upload = SimpleUploadedFile("现场.jpg", raw, content_type="image/jpeg")
    case = submit(world.county_admin, photos=[upload])
    photo = case.photos.get()
    data = Path(photo.path).read_bytes()
    assert b"Exif" not in data and b"TestCam" not in data
    with Image.open(photo.path) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()
        assert stored.size == (64, 48) == (photo.width, photo.height)
    assert photo.original_name == "现场.jpg"


@pytest.mark.django_db
def test_a_png_is_kept_as_png(world):
    case = submit(world.county_admin, photos=[png_upload()])
    with Image.open(case.photos.get().path) as stored:
        assert stored.format == "PNG"


@pytest.mark.django_db
def test_a_pdf_is_not_a_photo_and_nothing_is_kept(world, settings):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    upload = SimpleUploadedFile("方案.pdf", pdf, content_type="application/pdf")
    with pytest.raises(ValidationError) as caught:
        submit(world.county_admin, photos=[png_upload(), upload])
    assert "不是 JPG 或 PNG 图片" in caught.value.message_dict["photos"][0]
    assert not Case.objects.exists() and not CasePhoto.objects.exists()
    folder = Path(settings.RUHUI_ATTACHMENTS)
    assert not folder.exists() or not any(folder.iterdir())
