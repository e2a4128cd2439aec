"""The 月报 pages: the unit's own cadre (2xx), the read-only role of the same unit (403 on a
step), a sibling county (404); the flow through the pages; attachments checked at the door
and served as a scoped download."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ruhui.demo.projects import _on
from ruhui.reports import services
from ruhui.reports.choices import ReportStatus
from ruhui.reports.models import MonthlyReport, ReportAttachment

D = datetime.date
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 2048


def url(drive, unit, month="2019-06"):
    return reverse("reports:report", args=[drive.slug, unit.pk, month])


def test_the_report_page_triangle(as_user, people, drive, june):
    page = url(drive, people.county)
    owner = as_user(people.county_admin).get(page)
    assert owner.status_code == 200
    body = owner.content.decode()
    assert "六月份新建快递行业工会" in body and "报送平顶山市总工会" in body
    viewer = as_user(people.county_viewer).get(page)
    assert viewer.status_code == 200 and "报送平顶山市总工会" not in viewer.content.decode()
    assert as_user(people.county_viewer).post(page, {"action": "submit"}).status_code == 403
    assert as_user(people.sibling_admin).get(page).status_code == 404
    assert as_user(people.sibling_admin).post(page, {"action": "submit"}).status_code == 404
    assert MonthlyReport.objects.get(pk=june.pk).status == ReportStatus.DRAFT
    assert as_user(people.city_admin).get(page).status_code == 200
    assert as_user(people.county_admin).get(url(drive, people.county, "2019-13")).status_code == 404


def test_the_flow_through_the_pages(as_user, people, drive):
    client = as_user(people.county_admin)
    page = url(drive, people.county, "2019-07")
    assert "开始填报" in client.get(page).content.decode()
    client.post(page, {"action": "open"})
    report = MonthlyReport.objects.get(unit=people.county, month="2019-07")
    upload = SimpleUploadedFile("七月照片.pdf", PDF, content_type="application/pdf")
    response = client.post(
        page,
        {"action": "submit", "progress": "七月走访快递网点 12 个。", "files": [upload]},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.attachments.count() == 1
    city = as_user(people.city_admin)
    refused = city.post(page, {"action": "return", "opinion": ""})
    assert refused.status_code == 400 and "退回修改时请填写意见" in refused.content.decode()
    city.post(page, {"action": "read", "opinion": ""})
    report.refresh_from_db()
    assert report.status == ReportStatus.READ


def test_a_second_report_of_the_month_is_refused_on_the_page(as_user, people, drive, june):
    response = as_user(people.county_admin).post(url(drive, people.county), {"action": "open"})
    assert response.status_code == 400
    assert "2019年6月的月报已经建立" in response.content.decode()
    assert MonthlyReport.objects.count() == 1


def test_a_renamed_exe_is_refused(as_user, people, drive, june):
    upload = SimpleUploadedFile("工作照片.pdf", EXE, content_type="application/pdf")
    response = as_user(people.county_admin).post(
        url(drive, people.county), {"action": "save", "progress": "改过的进展", "files": [upload]}
    )
    assert response.status_code == 400 and "工作照片.pdf" in response.content.decode()
    assert not ReportAttachment.objects.exists()
    # Nothing half-written: the narrative of the refused save is not kept either.
    assert MonthlyReport.objects.get(pk=june.pk).progress.startswith("六月份")


def test_the_attachment_download_is_scoped(as_user, people, drive, june):
    upload = SimpleUploadedFile("六月照片.pdf", PDF, content_type="application/pdf")
    services.report_save(
        actor=people.county_admin, report=june, data={"progress": "x"}, uploads=[upload]
    )
    item = june.attachments.get()
    link = reverse("reports:attachment", args=[item.pk])
    got = as_user(people.city_admin).get(link)
    assert got.status_code == 200 and "no-store" in got["Cache-Control"]
    assert b"".join(got.streaming_content) == PDF
    assert as_user(people.sibling_admin).get(link).status_code == 404


def test_the_matrix_and_the_index(as_user, people, drive, june):
    with _on(D(2019, 7, 4)):
        services.report_submit(actor=people.county_admin, report=june)
    body = as_user(people.city_admin).get(reverse("reports:matrix", args=[drive.slug]))
    text = body.content.decode()
    assert body.status_code == 200
    assert "宝丰县总工会" in text and "按时" in text and "未报" in text
    own = as_user(people.county_admin).get(reverse("reports:matrix", args=[drive.slug]))
    assert "宝丰县总工会" not in own.content.decode()
    index = as_user(people.county_admin).get(reverse("reports:index")).content.decode()
    assert "填报" in index and "2019-06" in index
    assert (
        "各单位报送情况"
        in as_user(people.city_admin).get(reverse("reports:index")).content.decode()
    )


@pytest.mark.parametrize("user", ["county_viewer", "sibling_admin"])
def test_a_review_from_outside_the_owner_is_refused(as_user, people, drive, june, user):
    with _on(D(2019, 7, 4)):
        services.report_submit(actor=people.county_admin, report=june)
    response = as_user(getattr(people, user)).post(url(drive, people.county), {"action": "read"})
    assert response.status_code in (403, 404)
    assert MonthlyReport.objects.get(pk=june.pk).status == ReportStatus.SUBMITTED


def test_a_returned_report_shows_the_opinion(as_user, people, drive, june):
    with _on(D(2019, 7, 4)):
        services.report_submit(actor=people.county_admin, report=june)
    services.report_return(actor=people.city_admin, report=june, opinion="请补充群体数据说明")
    body = as_user(people.county_admin).get(url(drive, people.county)).content.decode()
    assert "退回修改，意见：请补充群体数据说明" in body and "报送平顶山市总工会" in body


def test_the_report_page_takes_a_fixed_number_of_queries(as_user, people, drive, june):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(people.city_admin)
    client.get(url(drive, people.county))  # warm the session
    with CaptureQueriesContext(connection) as before:
        client.get(url(drive, people.county))
    uploads = [
        SimpleUploadedFile(f"照片{n}.pdf", PDF, content_type="application/pdf") for n in range(3)
    ]
    services.report_save(
        actor=people.county_admin, report=june, data={"progress": "更多"}, uploads=uploads
    )
    with CaptureQueriesContext(connection) as after:
        assert client.get(url(drive, people.county)).status_code == 200
    assert len(after.captured_queries) == len(before.captured_queries) <= 30


def test_the_schedule_page(as_user, people, drive):
    """The city's admins set the due day on a page (the matrix links to it); the city's
    reviewer, a county and a county's read-only cadre get 403; a wrong value comes back next to
    its field in Chinese and nothing is saved; a campaign of another county's is 404."""
    from ruhui.campaigns import services as campaign_services
    from ruhui.reports.models import ReportSchedule

    page = reverse("reports:schedule", args=[drive.slug])
    admin = as_user(people.city_admin)
    matrix = admin.get(reverse("reports:matrix", args=[drive.slug])).content.decode()
    assert page in matrix and "设置报送时间" in matrix
    assert admin.get(page).status_code == 200
    for user in (people.city_reviewer, people.county_admin, people.county_viewer):
        client = as_user(user)
        assert client.get(page).status_code == 403
        assert client.post(page, {"due_day": "9"}).status_code == 403
        assert page not in client.get(reverse("reports:matrix", args=[drive.slug])).content.decode()
    assert not ReportSchedule.objects.exists()

    admin = as_user(people.city_admin)
    refused = admin.post(page, {"due_day": "31", "first_month": ""})
    assert refused.status_code == 200 and "1 到 28" in refused.content.decode()
    refused = admin.post(page, {"due_day": "8", "first_month": "2020-01"})
    assert "首个报送月份应为行动期间的月份" in refused.content.decode()
    assert not ReportSchedule.objects.exists()

    saved = admin.post(page, {"due_day": "8", "first_month": "2019-06"}, follow=True)
    assert "2019-06 起每月的月报于次月 8 日前报送" in saved.content.decode()
    schedule = ReportSchedule.objects.get(campaign=drive)
    assert (schedule.due_day, schedule.first_month) == (8, "2019-06")
    assert "次月 8 日前" in admin.get(reverse("reports:matrix", args=[drive.slug])).content.decode()

    county_drive = campaign_services.campaign_create(
        actor=people.county_admin,
        owner=people.county,
        slug="wg-2019",
        data={
            "name": "舞钢农民工入会行动",
            "year": 2019,
            "starts_on": datetime.date(2019, 4, 1),
            "ends_on": datetime.date(2019, 12, 31),
            "baseline_on": datetime.date(2018, 12, 31),
            "goal_new_members": 10,
        },
    )
    other = reverse("reports:schedule", args=[county_drive.slug])
    assert as_user(people.county_admin).get(other).status_code == 200
    assert as_user(people.sibling_admin).get(other).status_code == 404
    assert as_user(people.sibling_admin).post(other, {"due_day": "3"}).status_code == 404
