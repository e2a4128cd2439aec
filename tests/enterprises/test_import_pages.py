"""Import pages on the shared job mechanism: upload → check job (its page) → confirm once →
commit job, the result file, templates; the triangle (county admin allowed, read-only 403,
sibling 404 / cannot import into the county's unit); a dead worker; a hostile file."""

import datetime
import re
import time
import xml.etree.ElementTree as ET
import zipfile
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from ruhui.enterprises.models import Enterprise, Survey
from ruhui.jobs import progress
from ruhui.jobs.files import job_dir
from ruhui.jobs.models import Job, JobStatus
from tests.enterprises.factories import make_uscc

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
MSG_ONCE = "只能确认已完成的检查结果，且每个检查结果只能确认一次。"
MSG_DIED = "后台任务中断（处理进程意外退出），没有写入任何数据，请重新导入。"


def csv_upload(rows, name="企业名单.csv"):
    text = "\n".join(",".join(row) for row in rows) + "\n"
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def enterprise_rows():
    return [
        ["企业名称", "统一社会信用代码", "所在县区"],
        ["舞钢页面导入有限公司", make_uscc(), "410481"],
        ["舞钢页面导入二有限公司", "", "410481"],
        ["舞钢页面导入坏行", "123", "410481"],
    ]


@pytest.fixture
def post(run_jobs):
    """POST, then run the jobs it queued, as the worker would once the request commits."""

    def send(client, url, data=None, **extra):
        with run_jobs():
            return client.post(url, data or {}, **extra)

    return send


@pytest.fixture
def upload(post):
    def send(
        client, world, *, kind="enterprise", unit=None, rows=None, name="企业名单.csv", **extra
    ):
        data = {
            "kind": kind,
            "unit": (unit or world.county).pk,
            "file": csv_upload(rows or enterprise_rows(), name),
            **extra,
        }
        return post(client, reverse("enterprise_import:upload"), data)

    return send


def job_of(response) -> Job:
    """The job a response redirected to (its job page)."""
    assert response.status_code == 302, response.content.decode()[:500]
    match = re.fullmatch(r"/jobs/(\d+)/", response["Location"])
    assert match, response["Location"]
    return Job.objects.get(pk=int(match.group(1)))


def page(client, job: Job) -> str:
    response = client.get(reverse("jobs:detail", args=[job.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_upload_check_confirm_once_and_report(world, as_user, upload, post):
    client = as_user(world.county_admin)
    assert client.get(reverse("enterprise_import:upload")).status_code == 200
    check = job_of(upload(client, world))
    assert (check.kind, check.status, check.dry_run) == ("enterprise_import", "succeeded", True)
    assert check.organization == world.county and check.created_by == world.county_admin
    assert check.options == {"update": False} and check.file_kind == "csv"
    assert (check.summary["created"], check.summary["rejected"], check.rows) == (2, 1, 3)
    assert check.summary["headers"] == ["企业名称", "统一社会信用代码", "所在县区"]
    assert [row[2] for row in check.summary["preview"]] == ["新增", "新增", "未导入"]
    body = page(client, check)
    assert "检查结果：企业名单.csv" in body and "企业名单导入" in body
    assert "责任单位：舞钢市总工会" in body and "更新已登记的企业" not in body
    assert "数据行 3 = 新增 2 + 更新 0 + 未导入 1" in body
    assert "舞钢页面导入坏行" in body and "应为 18 位" in body
    assert "确认把 2 行新增写入「舞钢市总工会」吗？" in body and "确认导入" in body
    assert reverse("enterprise_import:upload") in body  # back to the feature page
    assert Enterprise.objects.count() == 0

    report = client.get(reverse("jobs:result", args=[check.pk]))
    assert report.status_code == 200
    assert "导入结果-企业名单.xlsx" in unquote(report["Content-Disposition"])
    path = job_dir() / "downloaded.xlsx"
    path.write_bytes(b"".join(report.streaming_content))
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("导入结果").to_python()
    assert rows[0][-2:] == ["导入结果", "错误说明"]
    assert [r[-2] for r in rows[1:]] == ["新增", "新增", "未导入"]

    commit = job_of(post(client, reverse("jobs:confirm", args=[check.pk])))
    assert commit.parent == check and not commit.dry_run
    assert commit.status == JobStatus.SUCCEEDED and commit.summary["created"] == 2
    body = page(client, commit)
    assert "导入结果：企业名单.csv" in body and "已新增" in body
    assert reverse("jobs:detail", args=[check.pk]) in body  # "已按…的检查结果导入"
    assert Enterprise.objects.filter(responsible_unit=world.county).count() == 2
    assert reverse("jobs:detail", args=[commit.pk]) in page(client, check)
    assert "确认导入" not in page(client, check)

    # A check is confirmed once only: a second confirm (double click) is refused with the
    # message, on the check's page, and writes nothing.
    again = post(client, reverse("jobs:confirm", args=[check.pk]))
    assert again["Location"] == reverse("jobs:detail", args=[check.pk])
    assert MSG_ONCE in client.get(again["Location"]).content.decode()
    assert check.commits.count() == 1
    assert Enterprise.objects.count() == 2

    # The upload page lists both jobs.
    listed = client.get(reverse("enterprise_import:upload")).content.decode()
    for job in (check, commit):
        assert reverse("jobs:detail", args=[job.pk]) in listed


def test_update_mode_is_kept_in_the_job_and_used(world, as_user, upload, post):
    client = as_user(world.county_admin)
    uscc = make_uscc()
    rows = [["企业名称", "统一社会信用代码", "所在县区"], ["舞钢页面导入有限公司", uscc, "410481"]]
    post(client, reverse("jobs:confirm", args=[job_of(upload(client, world, rows=rows)).pk]))
    rows = [[*rows[0], "乡镇(街道)"], [*rows[1], "垭口街道"]]
    plain = job_of(upload(client, world, rows=rows))
    assert plain.options == {"update": False}
    assert (plain.summary["updated"], plain.summary["rejected"]) == (0, 1)  # already registered
    check = job_of(upload(client, world, rows=rows, update="on"))
    assert check.options == {"update": True} and check.summary["updated"] == 1
    body = page(client, check)
    assert "更新已登记的企业" in body and "1 行更新" in body
    commit = job_of(post(client, reverse("jobs:confirm", args=[check.pk])))
    assert commit.options == {"update": True} and commit.status == JobStatus.SUCCEEDED
    assert Enterprise.objects.get(uscc=uscc).township == "垭口街道"
    # A survey sheet has no update mode, whatever the form says.
    survey = [["企业名称", "所在县区", "排查日期", "建会情况"]]
    job = job_of(upload(client, world, kind="survey", rows=survey, name="s.csv", update="on"))
    assert job.options == {"update": False}


def test_a_check_with_nothing_to_write_cannot_be_confirmed(world, as_user, upload, post):
    client = as_user(world.county_admin)
    rows = [enterprise_rows()[0], ["舞钢页面导入坏行", "123", "410481"]]
    check = job_of(upload(client, world, rows=rows))
    assert check.status == JobStatus.SUCCEEDED and check.summary["rejected"] == 1
    assert "确认导入" not in page(client, check)
    response = post(client, reverse("jobs:confirm", args=[check.pk]))
    assert MSG_ONCE in client.get(response["Location"]).content.decode()
    assert not check.commits.exists()


def test_hostile_upload_refused_with_nothing_kept(world, as_user, job_files):
    client = as_user(world.county_admin)
    evil = SimpleUploadedFile("名单.xlsm", b"PK\x03\x04 macro")
    response = client.post(
        reverse("enterprise_import:upload"),
        {"kind": "enterprise", "unit": world.county.pk, "file": evil},
    )
    assert response.status_code == 200
    assert "含宏的文件不能导入" in response.content.decode()
    assert not Job.objects.exists()
    assert not [p for p in job_files.rglob("*") if p.is_file()]
    assert Enterprise.objects.count() == 0


def test_readonly_cannot_import_but_downloads_templates(world, as_user, upload, post):
    client = as_user(world.county_viewer)
    assert upload(client, world).status_code == 403
    assert client.get(reverse("enterprise_import:upload")).status_code == 403
    assert not Job.objects.exists()
    for kind in ("enterprise", "survey"):
        response = client.get(reverse("enterprise_import:template", args=[kind]))
        assert response.status_code == 200
        b"".join(response.streaming_content)
    assert client.get(reverse("enterprise_import:template", args=["members"])).status_code == 404
    job = job_of(post(client, reverse("enterprise_import:worklist_export")))
    assert job.kind == "worklist_export" and job.status == JobStatus.SUCCEEDED


def test_sibling_cannot_import_into_or_see_the_countys_jobs(world, as_user, upload, post):
    county = as_user(world.county_admin)
    check = job_of(upload(county, world))
    sibling = as_user(world.sibling_admin)
    response = upload(sibling, world, unit=world.county)
    assert response.status_code == 200 and "不是可选的组织" in response.content.decode()
    for name in ("detail", "status", "result"):
        assert sibling.get(reverse(f"jobs:{name}", args=[check.pk])).status_code == 404
    assert post(sibling, reverse("jobs:confirm", args=[check.pk])).status_code == 404
    missing = Job.objects.order_by("pk").last().pk + 100
    assert sibling.get(reverse("jobs:detail", args=[missing])).status_code == 404
    assert (
        reverse("jobs:detail", args=[check.pk])
        not in sibling.get(reverse("enterprise_import:upload")).content.decode()
    )
    viewer = as_user(world.county_viewer)
    body = page(viewer, check)
    assert "数据行 3" in body and "确认导入" not in body
    assert post(viewer, reverse("jobs:confirm", args=[check.pk])).status_code == 403
    assert not check.commits.exists()
    assert Enterprise.objects.count() == 0


def test_survey_sheet_through_the_pages(world, as_user, upload, post):
    client = as_user(world.county_admin)
    post(client, reverse("jobs:confirm", args=[job_of(upload(client, world)).pk]))
    rows = [
        ["企业名称", "所在县区", "排查日期", "建会情况"],
        ["舞钢页面导入二有限公司", "410481", "2026-05-01", "未建会"],
    ]
    check = job_of(upload(client, world, kind="survey", rows=rows, name="排查表.csv"))
    assert check.kind == "survey_import" and check.organization == world.county
    body = page(client, check)
    assert "排查表导入" in body and "可新增" in body and "数据行 1 = 新增 1" in body
    assert Survey.objects.count() == 0
    commit = job_of(post(client, reverse("jobs:confirm", args=[check.pk])))
    assert commit.status == JobStatus.SUCCEEDED, commit.error
    assert Survey.objects.get().enterprise.name == "舞钢页面导入二有限公司"


def test_a_job_whose_worker_died_is_shown_failed(world, as_user, monkeypatch):
    job = Job.objects.create(
        kind="enterprise_import",
        organization=world.county,
        created_by=world.county_admin,
        dry_run=True,
        original_name="企业名单.csv",
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
    )
    progress.report("job", job.pk, done=100, total=0, phase="checking")
    client = as_user(world.county_admin)
    assert "已处理 100 行" in page(client, job)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING  # still beating
    later = time.time() + progress.STALE_AFTER_SECONDS + 1
    monkeypatch.setattr(progress.time, "time", lambda: later)
    assert MSG_DIED in page(client, job)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == MSG_DIED
    assert Enterprise.objects.count() == 0


def test_a_job_that_never_reported_is_reaped_from_its_start(world, as_user):
    job = Job.objects.create(
        kind="survey_import",
        organization=world.county,
        created_by=world.county_admin,
        dry_run=True,
        original_name="排查表.csv",
        status=JobStatus.RUNNING,
    )
    started = timezone.now() - datetime.timedelta(seconds=progress.STALE_AFTER_SECONDS + 60)
    Job.objects.filter(pk=job.pk).update(started_at=started)
    data = as_user(world.county_admin).get(reverse("jobs:status", args=[job.pk])).json()
    assert data["status"] == "failed" and data["finished"]
    job.refresh_from_db()
    assert job.error == MSG_DIED


# --- templates ------------------------------------------------------------------------------


def _validations(path) -> dict[str, ET.Element]:
    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read("xl/worksheets/sheet1.xml"))  # noqa: S314 (our own file)
    found = {}
    for element in root.iterfind("m:dataValidations/m:dataValidation", NS):
        column = re.match(r"[A-Z]+", element.get("sqref")).group()
        found[column] = element
    return found


@pytest.mark.parametrize(
    ("kind", "sheet", "coded"),
    [
        ("enterprise", "企业名单", ["所在县(市、区)", "所属行业", "项目规模", "在建项目"]),
        ("survey", "排查表", ["建会情况", "未建会原因", "法人态度", "推进措施", "排查日期"]),
    ],
)
def test_templates_have_dropdowns_and_instructions(world, as_user, kind, sheet, coded):
    client = as_user(world.county_admin)
    response = client.get(reverse("enterprise_import:template", args=[kind]))
    path = job_dir() / f"{kind}.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    assert not Job.objects.exists()  # a blank template is no job
    workbook = CalamineWorkbook.from_path(str(path))
    assert workbook.sheet_names[:2] == [sheet, "填写说明"]
    header = workbook.get_sheet_by_name(sheet).to_python()[0]
    assert header[0] == "*企业名称"
    letters = {
        h.lstrip("*"): chr(65 + i) if i < 26 else "A" + chr(39 + i) for i, h in enumerate(header)
    }
    validations = _validations(path)
    for column in coded:
        assert letters[column] in validations, column
    help_text = "".join(
        str(c) for row in workbook.get_sheet_by_name("填写说明").to_python() for c in row
    )
    assert "填写要求" in help_text and "一行" in help_text
    if kind == "enterprise":
        division = validations[letters["所在县(市、区)"]].find("m:formula1", NS).text
        assert "410481 舞钢市" in division  # the counties of the user's unit, inline
        industry = validations[letters["所属行业"]].find("m:formula1", NS).text
        assert "代码表" in industry  # a long list lives on the hidden sheet
        codes = workbook.get_sheet_by_name("代码表").to_python()
        assert codes[1][0] == "农、林、牧、渔业"
    # The template reads back: its header is recognised and no row is taken as data.
    from ruhui.enterprises.importer import import_enterprises, import_surveys

    importer = import_enterprises if kind == "enterprise" else import_surveys
    extra = {"responsible_unit": world.county} if kind == "enterprise" else {}
    summary = importer(path, actor=world.county_admin, dry_run=True, **extra)
    assert summary.rows == 0 and summary.unknown_headers == []


def test_row_limit_fails_the_job_with_its_message_and_keeps_no_result_file(
    world, as_user, settings, job_files, upload
):
    settings.RUHUI_IMPORT_MAX_ROWS = 3  # the header and two of the three rows
    client = as_user(world.county_admin)
    job = job_of(upload(client, world))
    assert job.status == JobStatus.FAILED and "超过 3 行" in job.error
    assert job.result_path == "" and job.summary == {}
    body = page(client, job)
    assert "超过 3 行" in body and "确认导入" not in body
    assert client.get(reverse("jobs:result", args=[job.pk])).status_code == 404
    kept = [p for p in job_files.rglob("*") if p.is_file()]
    assert kept == [job_files / job.upload_path.rsplit("/", 1)[-1]]  # the upload only
    assert Enterprise.objects.count() == 0


def test_stored_summary_is_capped(world, as_user, settings, upload):
    settings.RUHUI_IMPORT_MAX_ERRORS_STORED = 1
    rows = [*enterprise_rows(), ["舞钢页面导入坏行二", "456", "410481"]]
    job = job_of(upload(as_user(world.county_admin), world, rows=rows))
    assert job.summary["rejected"] == 2
    assert len(job.summary["errors"]) == 1 and job.summary["errors_unlisted_rows"] == 1
