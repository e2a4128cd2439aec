"""Files refused at the door: a renamed .exe, an oversize file and a fake image are refused by
the plan's attachment path (`services.plan_attach` → `tabular.attachments`) and by the project
import's upload check, with a Chinese message, and leave no file behind."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from ruhui.jobs.models import Job
from ruhui.projects import services
from ruhui.projects.jobs import project_import_start
from ruhui.projects.models import Attachment
from ruhui.tabular.attachments import attachment_store
from ruhui.tabular.files import FileRejected

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 2048
FAKE_JPEG = b"this is not a photo, only text named .jpg\n" * 10


def docx_bytes() -> bytes:
    document = Document()
    document.add_paragraph("舞钢市总工会农民工入会集中行动实施方案")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def files_in(folder) -> list:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.fixture
def plan(people, drive):
    return services.plan_open(actor=people.county_admin, campaign=drive)


def test_a_real_scheme_is_kept(people, plan, settings):
    row = services.plan_attach(
        actor=people.county_admin, plan=plan, upload=upload("实施方案.docx", docx_bytes())
    )
    assert Attachment.objects.filter(pk=row.pk).exists()
    assert row.original_name == "实施方案.docx"
    assert len(files_in(settings.RUHUI_ATTACHMENTS)) == 1


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("实施方案.docx", EXE, "实施方案.docx"),
        ("实施方案.pdf", EXE, "实施方案.pdf"),
        ("现场照片.jpg", FAKE_JPEG, "现场照片.jpg"),
        ("setup.exe", EXE, "setup.exe"),
    ],
)
def test_hostile_files_are_refused_and_not_kept(people, plan, settings, name, data, expected):
    with pytest.raises(ValidationError) as refused:
        services.plan_attach(actor=people.county_admin, plan=plan, upload=upload(name, data))
    [message] = refused.value.message_dict["file"]
    assert expected in message and "附件" in message
    assert not Attachment.objects.exists()
    assert files_in(settings.RUHUI_ATTACHMENTS) == []


def test_an_oversize_attachment_is_refused(people, plan, settings):
    settings.RUHUI_ATTACHMENT_MAX_BYTES = 4096
    data = docx_bytes() + b"\x00" * 8192  # a real .docx made larger than the limit
    with pytest.raises(ValidationError) as refused:
        services.plan_attach(actor=people.county_admin, plan=plan, upload=upload("方案.docx", data))
    assert "超过了" in refused.value.message_dict["file"][0]
    assert files_in(settings.RUHUI_ATTACHMENTS) == []
    # The shared store itself: same refusal, nothing kept.
    with pytest.raises(FileRejected):
        attachment_store(upload("方案.docx", data))
    assert files_in(settings.RUHUI_ATTACHMENTS) == []


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("项目清单.xlsx", EXE),  # a renamed program
        ("项目清单.csv", EXE),
        ("项目清单.jpg", FAKE_JPEG),  # not a table at all
        ("项目清单.xlsx", FAKE_JPEG),
    ],
)
def test_the_import_upload_check_refuses_and_keeps_nothing(people, plan, settings, name, data):
    with pytest.raises(ValidationError) as refused:
        project_import_start(actor=people.county_admin, plan=plan, upload=upload(name, data))
    assert refused.value.message_dict["file"][0]
    assert not Job.objects.exists()
    assert files_in(settings.RUHUI_JOB_FILES) == []


def test_an_oversize_import_is_refused(people, plan, settings, tmp_path):
    settings.RUHUI_IMPORT_MAX_BYTES = 1024
    data = ("序号,类型,项目名称\n" + "1,拟建企业工会,某公司工会\n" * 200).encode("utf-8")
    with pytest.raises(ValidationError) as refused:
        project_import_start(actor=people.county_admin, plan=plan, upload=upload("大.csv", data))
    assert "超过了" in refused.value.message_dict["file"][0]
    assert not Job.objects.exists() and files_in(settings.RUHUI_JOB_FILES) == []
