"""The campaigns' uploads and exports on the shared job mechanism (issue 14 item 2): a
decomposition table is checked as a job, shown on the job page and saved once confirmed there
(nothing kept in the session); the dashboard workbook is an export job. The allowed / read-only
/ sibling-county triangle for both."""

import datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ruhui.audit.models import AuditEvent
from ruhui.campaigns.dashboard import dashboard
from ruhui.campaigns.export import dashboard_workbook
from ruhui.campaigns.models import Decomposition, Target
from ruhui.campaigns.selectors import decomposition_view
from ruhui.campaigns.target_tables import (
    MSG_EXTENSION,
    MSG_NO_HEADER,
    MSG_NO_MATCH,
    MSG_NO_UNITS,
    MSG_NO_VALID_ROWS,
    MSG_NOT_INTEGER,
    MSG_TEXT_ENCODING,
)
from ruhui.jobs.models import Job, JobStatus
from ruhui.jobs.services import MSG_NOT_CONFIRMABLE
from tests.campaigns.test_target_tables import HEADER, city_table, stored, write_csv

CITY_ROWS = [
    ["舞钢", 1000, 150, "含快递"],
    ["鹰城", 500, 50, ""],
    ["工交工会", 0, 20, ""],
    ["合计", 1500, 220, ""],
]


def upload(path, name=None):
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def import_url(campaign, unit):
    return reverse("campaigns:targets_import", args=[campaign.slug, unit.pk])


def job_page(job):
    return reverse("jobs:detail", args=[job.pk])


@pytest.fixture
def check(world, campaign, as_user, tmp_path, django_capture_on_commit_callbacks):
    """The city admin uploads the city's table: the check job it starts, run."""
    client = as_user(world.city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            import_url(campaign, world.city), {"file": upload(city_table(tmp_path, CITY_ROWS))}
        )
    job = Job.objects.get(kind="target_import")
    assert response.status_code == 302 and response["Location"] == job_page(job)
    return job


def test_upload_is_checked_shown_and_saved_once_confirmed(
    world, campaign, as_user, check, django_capture_on_commit_callbacks
):
    client = as_user(world.city_admin)
    assert "campaign_target_upload" not in client.session  # nothing kept in the session
    assert check.status == JobStatus.SUCCEEDED and check.dry_run
    assert (check.organization, check.created_by) == (world.city, world.city_admin)
    assert check.options == {"campaign": campaign.pk} and check.rows == 3
    # A check writes nothing.
    assert not Target.objects.exists() and not Decomposition.objects.exists()
    assert not AuditEvent.objects.filter(object_repr__contains="任务分解").exists()

    page = client.get(job_page(check)).content.decode()
    assert "检查结果（尚未保存）" in page
    assert "共 3 个单位，对应上 2 个" in page and "1 个没有对应上" in page
    for name in ("舞钢市总工会", "平顶山市工交工会", "简称"):
        assert name in page
    assert "「鹰城」" in page  # the unmatched name, with what to do about it
    assert "合计行：基数 1,500，任务数 220" in page
    checks = check.summary["checks"]
    codes = {c["code"] for c in checks}
    assert {"declared_target_total_mismatch", "declared_baseline_total_mismatch"} <= codes
    for item in checks:
        assert item["message"] in page
    assert "badge-danger" in page or "badge-warn" in page
    assert "确认导入" in page  # the button, and its question:
    question = "确认按「分解表.csv」保存平顶山市总工会的任务分解吗？将写入对应上的 2 个单位"
    assert f'data-confirm="{question}' in page
    assert "未导入的行" not in page  # no row errors in this table

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("jobs:confirm", args=[check.pk]))
    commit = Job.objects.get(kind="target_import", parent=check)
    assert response["Location"] == job_page(commit)
    assert commit.status == JobStatus.SUCCEEDED and not commit.dry_run
    # Saved exactly as `target_table_import` saves the table.
    assert stored(campaign) == {
        "WG": (1000, 150, "含快递", "分解表.csv"),
        "GJ": (0, 20, "", "分解表.csv"),
    }
    decomposition = Decomposition.objects.get(campaign=campaign, unit=world.city)
    assert (
        decomposition.declared_baseline_total,
        decomposition.declared_target_total,
        decomposition.source,
        decomposition.updated_by,
    ) == (1500, 220, "分解表.csv", world.city_admin)
    [event] = AuditEvent.objects.filter(object_repr__contains="任务分解")
    assert event.actor == world.city_admin
    # The check showed the checks the saved decomposition fails.
    saved = [c.as_dict() for c in decomposition_view(campaign=campaign, unit=world.city).checks]
    assert commit.summary["checks"] == saved == checks

    page = client.get(job_page(commit)).content.decode()
    assert "已保存" in page
    assert reverse("campaigns:targets", args=[campaign.slug, world.city.pk]) in page
    assert reverse("campaigns:unit", args=[campaign.slug, world.city.pk]) in page
    assert "确认导入" not in page

    # Once only: a second confirm (a double click, another cadre) is refused.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("jobs:confirm", args=[check.pk]), follow=True)
    assert str(MSG_NOT_CONFIRMABLE) in again.content.decode()
    assert Job.objects.filter(kind="target_import").count() == 2
    assert AuditEvent.objects.filter(object_repr__contains="任务分解").count() == 1
    # The targets page lists both jobs and the table as the decomposition's source.
    targets = client.get(reverse("campaigns:targets", args=[campaign.slug, world.city.pk]))
    body = targets.content.decode()
    assert job_page(check) in body and job_page(commit) in body
    assert "当前分解表来源：分解表.csv" in body


def test_row_errors_are_listed_once(
    world, campaign, as_user, tmp_path, django_capture_on_commit_callbacks
):
    client = as_user(world.city_admin)
    path = city_table(tmp_path, [["舞钢", 1200, "很多", ""], ["宝丰", 800, 90, ""]])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(import_url(campaign, world.city), {"file": upload(path)})
    job = Job.objects.get(kind="target_import")
    [error] = job.summary["errors"]
    message = MSG_NOT_INTEGER.format(row=2, column=HEADER[2], value="很多")
    assert error == {"row": 2, "field": HEADER[2], "message": message}
    page = client.get(job_page(job)).content.decode()
    assert page.count(message) == 1  # in the page's table of 未导入的行, not twice
    assert "未导入的行" in page and "有问题的行 1 行" in page
    assert "（其中 1 个导入）" in page and "数字无法读取" in page


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [["鹰城", 1, 1, ""], ["汝州", 2, 2, ""]],
            MSG_NO_MATCH.format(count=2, names="「鹰城」、「汝州」", unit="平顶山市总工会"),
        ),
        ([["合计", 1, 1, ""]], MSG_NO_UNITS),
        (
            [["舞钢", "x", 1, ""]],
            MSG_NO_VALID_ROWS.format(
                first=MSG_NOT_INTEGER.format(row=2, column=HEADER[1], value="x")
            ),
        ),
    ],
)
def test_a_bad_table_fails_with_its_message_and_saves_nothing(
    world, campaign, as_user, tmp_path, django_capture_on_commit_callbacks, rows, message
):
    client = as_user(world.city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            import_url(campaign, world.city), {"file": upload(city_table(tmp_path, rows))}
        )
    job = Job.objects.get(kind="target_import")
    assert response["Location"] == job_page(job)
    assert job.status == JobStatus.FAILED and job.error == message
    page = client.get(job_page(job)).content.decode()
    assert message in page and "确认导入" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("jobs:confirm", args=[job.pk]))
    assert Job.objects.filter(kind="target_import").count() == 1
    assert not Target.objects.exists() and not Decomposition.objects.exists()


def test_a_table_without_header_fails_too(
    world, campaign, as_user, tmp_path, django_capture_on_commit_callbacks
):
    path = write_csv(tmp_path / "名单.csv", [["姓名", "电话"], ["张三", "123"]])
    with django_capture_on_commit_callbacks(execute=True):
        as_user(world.city_admin).post(import_url(campaign, world.city), {"file": upload(path)})
    job = Job.objects.get(kind="target_import")
    assert job.status == JobStatus.FAILED and job.error == MSG_NO_HEADER.format(rows=30)
    assert not Target.objects.exists()


def test_a_word_table_copied_as_text(
    world, campaign, as_user, tmp_path, django_capture_on_commit_callbacks
):
    """.txt tables (the 2015 plan's own) are read as before, though the shared upload checks
    know spreadsheets and CSV only."""
    path = tmp_path / "分解表.txt"
    path.write_text("单位名称\t2015新增任务数（人）\n舞钢\t30\n工交工会\t20\n", encoding="gb18030")
    client = as_user(world.city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(import_url(campaign, world.city), {"file": upload(path)})
    check = Job.objects.get(kind="target_import")
    assert check.status == JobStatus.SUCCEEDED and check.file_kind == "txt"
    assert [m["code"] for m in check.summary["matched"]] == ["WG", "GJ"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("jobs:confirm", args=[check.pk]))
    assert stored(campaign) == {
        "WG": (None, 30, "", "分解表.txt"),
        "GJ": (None, 20, "", "分解表.txt"),
    }


def test_files_that_are_no_table_are_refused_on_the_upload_form(
    world, campaign, as_user, tmp_path, job_files
):
    client = as_user(world.city_admin)
    target = import_url(campaign, world.city)
    fake = tmp_path / "分解表.xlsx"
    fake.write_bytes(b"MZ\x90\x00 this is a program, not a workbook")
    response = client.post(target, {"file": upload(fake)})
    assert response.status_code == 422
    assert "可执行程序" in response.content.decode()  # the upload checks' message
    response = client.post(target, {"file": upload(fake, "分解表.docx")})
    assert response.status_code == 422
    assert MSG_EXTENSION.format(ext="「.docx」") in response.content.decode()
    utf16 = tmp_path / "分解表.txt"
    utf16.write_text("单位名称\t任务数\n舞钢\t30\n", encoding="utf-16")
    response = client.post(target, {"file": upload(utf16)})
    assert response.status_code == 422
    assert MSG_TEXT_ENCODING in response.content.decode()
    assert response.context["form"] is not None  # the targets page, with its form
    response = client.post(target, {})
    assert response.status_code == 422
    assert not Job.objects.exists()
    assert not job_files.exists() or not any(job_files.iterdir())  # nothing kept


def test_triangle_for_the_upload_and_its_job(
    world, campaign, as_user, tmp_path, django_capture_on_commit_callbacks
):
    path = write_csv(tmp_path / "t.csv", [["单位", "任务数"], ["快递行业工会", 30]])
    target = import_url(campaign, world.county)
    assert as_user(world.county_viewer).post(target, {"file": upload(path)}).status_code == 403
    assert as_user(world.sibling_admin).post(target, {"file": upload(path)}).status_code == 404
    assert not Job.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(world.county_admin).post(target, {"file": upload(path)})
    job = Job.objects.get(kind="target_import")
    assert response["Location"] == job_page(job) and job.status == JobStatus.SUCCEEDED
    confirm = reverse("jobs:confirm", args=[job.pk])
    assert as_user(world.sibling_admin).get(job_page(job)).status_code == 404
    assert as_user(world.sibling_admin).post(confirm).status_code == 404
    viewer = as_user(world.county_viewer)
    page = viewer.get(job_page(job))
    assert page.status_code == 200 and "确认导入" not in page.content.decode()
    assert viewer.post(confirm).status_code == 403
    assert not Target.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        as_user(world.county_admin).post(confirm)
    assert stored(campaign) == {"WG-KD": (None, 30, "", "t.csv")}


# --- the dashboard workbook ------------------------------------------------------------------


def sheets(data: bytes) -> dict:
    book = load_workbook(BytesIO(data))
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}


def test_the_export_is_a_job_with_the_same_workbook(
    world, campaign, history, as_user, django_capture_on_commit_callbacks
):
    from ruhui.campaigns.progress import progress_refresh

    progress_refresh(campaign)
    client = as_user(world.county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("campaigns:export", args=[campaign.slug]), {"unit": world.county.pk}
        )
    job = Job.objects.get(kind="campaign_export")
    assert response.status_code == 302 and response["Location"] == job_page(job)
    assert job.status == JobStatus.SUCCEEDED and job.organization == world.county
    assert job.options == {"campaign": campaign.pk}
    page = client.get(job_page(job)).content.decode()
    assert "下载 xlsx" in page and campaign.name in page
    download = client.get(reverse("jobs:result", args=[job.pk]))
    today = timezone.localdate()
    assert f"{campaign.slug}-WG-{today:%Y%m%d}.xlsx" in download["Content-Disposition"]
    data = b"".join(download.streaming_content)
    campaign.refresh_from_db()  # as the request reads it: computed
    board = dashboard(user=world.county_admin, campaign=campaign, unit=world.county)
    assert sheets(data) == sheets(dashboard_workbook(board))
    rows = sheets(data)["单位进度"]
    assert rows[1][0] == "舞钢市总工会（合计）" and rows[1][5] == 3
    # The file is the requester's: others who see the job may not download it.
    assert as_user(world.city_admin).get(job_page(job)).status_code == 200
    assert as_user(world.city_admin).get(reverse("jobs:result", args=[job.pk])).status_code == 403
    assert as_user(world.sibling_admin).get(job_page(job)).status_code == 404


def test_the_export_opens_on_the_users_unit_without_one(
    world, campaign, as_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        as_user(world.city_admin).post(reverse("campaigns:export", args=[campaign.slug]))
    job = Job.objects.get(kind="campaign_export")
    assert job.organization == world.city and job.status == JobStatus.SUCCEEDED
    download = as_user(world.city_admin).get(reverse("jobs:result", args=[job.pk]))
    assert sheets(b"".join(download.streaming_content))["说明"][0] == (campaign.name,)


def test_triangle_for_the_export(world, campaign, as_user, django_capture_on_commit_callbacks):
    target = reverse("campaigns:export", args=[campaign.slug])
    data = {"unit": world.county.pk}
    assert as_user(world.county_admin).get(target, data).status_code == 405  # POST only
    assert as_user(world.sibling_admin).post(target, data).status_code == 404
    assert not Job.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(world.county_viewer).post(target, data)  # reading is enough
    job = Job.objects.get(kind="campaign_export")
    assert response["Location"] == job_page(job) and job.status == JobStatus.SUCCEEDED
    result = as_user(world.county_viewer).get(reverse("jobs:result", args=[job.pk]))
    assert result.status_code == 200


def test_the_dashboard_button_posts_the_export(world, campaign, as_user):
    page = as_user(world.county_admin).get(reverse("campaigns:dashboard", args=[campaign.slug]))
    body = page.content.decode()
    action = reverse("campaigns:export", args=[campaign.slug])
    assert f'method="post" action="{action}"' in body
    assert f'name="unit" value="{world.county.pk}"' in body


def test_the_date_in_the_file_name_is_the_figures(world, campaign):
    from ruhui.campaigns.jobs import CAMPAIGN_EXPORT_KIND

    job = Job(
        kind="campaign_export",
        organization=world.county,
        created_by=world.county_admin,
        options={"campaign": campaign.pk},
        summary={"campaign_slug": campaign.slug},
        created_at=timezone.make_aware(datetime.datetime(2019, 6, 30, 23, 30)),
    )
    assert CAMPAIGN_EXPORT_KIND.result_name(job) == f"{campaign.slug}-WG-20190630.xlsx"


def test_the_workbook_states_the_computation_time_in_local_time(world, campaign, history):
    import datetime

    from ruhui.campaigns.progress import progress_refresh

    progress_refresh(campaign)
    campaign.refresh_from_db()
    # 20:30 UTC is 04:30 the next morning in China.
    campaign.progress_at = datetime.datetime(2019, 6, 30, 20, 30, tzinfo=datetime.UTC)
    board = dashboard(user=world.county_admin, campaign=campaign, unit=world.county)
    cells = [c for row in sheets(dashboard_workbook(board)).values() for r in row for c in r]
    assert "统计时间：2019-07-01 04:30" in cells
