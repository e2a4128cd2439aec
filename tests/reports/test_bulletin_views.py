"""通报 pages: the city writes, generates, publishes and downloads (no-store, checksum shown);
a county's read-only cadre sees the published bulletin only (a draft is 404, a POST 403); a
sibling county gets 404 on a bulletin of a campaign it is not in; refusals come back as the
field's Chinese message."""

import datetime
import hashlib

import pytest
from django.urls import reverse

from ruhui.reports import bulletin_services as services
from ruhui.reports.choices import BulletinStatus
from ruhui.reports.models import Bulletin
from tests.projects.factories import make_campaign

D = datetime.date
JULY = D(2019, 7, 31)
DATA = {"title": "关于集中行动推进情况的通报", "number": "平工组〔2019〕12号"}


def _draft(people, campaign, cut_off=JULY):
    bulletin = services.bulletin_create(
        actor=people.city_admin, campaign=campaign, cut_off=cut_off, data=DATA
    )
    services.bulletin_build(bulletin.pk)
    return Bulletin.objects.get(pk=bulletin.pk)


def test_the_city_writes_generates_publishes_and_downloads(
    people, drive, as_user, django_capture_on_commit_callbacks
):
    client = as_user(people.city_admin)
    page = client.get(reverse("reports:bulletins", args=[drive.slug]))
    assert page.status_code == 200 and "编写通报" in page.content.decode()
    created = client.post(
        reverse("reports:bulletin_new", args=[drive.slug]),
        {"cut_off": "2019-07-31", **DATA},
    )
    bulletin = Bulletin.objects.get()
    assert created.url == reverse("reports:bulletin", args=[drive.slug, bulletin.pk])
    url = created.url
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "render"})
    bulletin.refresh_from_db()
    assert bulletin.rendered and not bulletin.render_queued
    client.post(url, {"action": "publish"})
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.PUBLISHED
    page = client.get(url).content.decode()
    assert bulletin.files["docx"]["sha256"] in page and "发布更正" in page
    download = client.get(reverse("reports:bulletin_file", args=[drive.slug, bulletin.pk, "docx"]))
    body = b"".join(download.streaming_content)
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]
    assert hashlib.sha256(body).hexdigest() == bulletin.files["docx"]["sha256"]
    assert download["X-Content-SHA256"] == bulletin.files["docx"]["sha256"]


def test_refusals_name_the_field(people, drive, as_user):
    client = as_user(people.city_admin)
    url = reverse("reports:bulletin_new", args=[drive.slug])
    bad_day = client.post(url, {"cut_off": "2019-07-30", **DATA})
    assert bad_day.status_code == 400 and "不是月末" in bad_day.content.decode()
    bad_number = client.post(url, {"cut_off": "2019-07-31", **DATA, "number": "平工组2019-12"})
    assert (
        bad_number.status_code == 400 and "平工组〔2019〕12号 的形式" in bad_number.content.decode()
    )
    assert not Bulletin.objects.exists()
    bulletin = _draft(people, drive)
    services.bulletin_publish(actor=people.city_admin, bulletin=bulletin)
    page = as_user(people.city_admin).post(
        reverse("reports:bulletin", args=[drive.slug, bulletin.pk]),
        {"action": "update", **DATA, "title": "改过"},
    )
    assert page.status_code == 400 and "不能修改" in page.content.decode()


def test_a_county_reads_published_bulletins_only(people, drive, as_user):
    draft = _draft(people, drive)
    client = as_user(people.county_viewer)
    detail = reverse("reports:bulletin", args=[drive.slug, draft.pk])
    assert client.get(detail).status_code == 404
    assert (
        client.get(reverse("reports:bulletin_file", args=[drive.slug, draft.pk, "pdf"])).status_code
        == 404
    )
    assert (
        DATA["title"]
        not in client.get(reverse("reports:bulletins", args=[drive.slug])).content.decode()
    )
    services.bulletin_publish(actor=people.city_admin, bulletin=draft)
    page = client.get(detail)
    assert page.status_code == 200 and "发布更正" not in page.content.decode()
    assert client.post(detail, {"action": "publish"}).status_code == 403
    assert client.get(reverse("reports:bulletin_new", args=[drive.slug])).status_code == 403
    sibling = as_user(people.sibling_admin)
    assert sibling.get(detail).status_code == 200  # a county of the city's campaign


@pytest.fixture
def county_drive(people):
    """A campaign of 舞钢 (its trade unions report)."""
    from ruhui.campaigns.services import campaign_create

    return campaign_create(
        actor=people.county_admin,
        owner=people.county,
        slug="wg-2019",
        data={
            "name": "舞钢集中行动",
            "year": 2019,
            "starts_on": D(2019, 4, 1),
            "ends_on": D(2019, 12, 31),
            "goal_new_members": 10,
        },
    )


def test_a_sibling_county_gets_404_on_another_countys_bulletin(people, county_drive, as_user):
    bulletin = services.bulletin_create(
        actor=people.county_admin, campaign=county_drive, cut_off=D(2019, 7, 31), data=DATA
    )
    services.bulletin_build(bulletin.pk)
    services.bulletin_publish(actor=people.county_admin, bulletin=bulletin)
    client = as_user(people.sibling_admin)
    for url in (
        reverse("reports:bulletins", args=[county_drive.slug]),
        reverse("reports:bulletin", args=[county_drive.slug, bulletin.pk]),
        reverse("reports:bulletin_file", args=[county_drive.slug, bulletin.pk, "docx"]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        as_user(people.county_admin)
        .get(reverse("reports:bulletin", args=[county_drive.slug, bulletin.pk]))
        .status_code
        == 200
    )


def test_the_list_offers_the_default_cut_offs(people, as_user):
    from ruhui.campaigns.models import Phase

    campaign = make_campaign(people, slug="pds-2019b")
    Phase.objects.create(
        campaign=campaign, name="推进实施", starts_on=D(2019, 6, 1), ends_on=D(2019, 11, 30)
    )
    page = as_user(people.city_admin).get(reverse("reports:bulletins", args=[campaign.slug]))
    text = page.content.decode()
    assert all(day in text for day in ("2019-07-31", "2019-09-30", "2019-11-30"))


def test_a_failed_rendering_is_no_longer_shown_as_running(
    people, drive, as_user, django_capture_on_commit_callbacks, monkeypatch
):
    """The render task fails (here: the PDF writer): the draft leaves 「正在生成」, the page says
    why and asks for another try, the history keeps the failure, and the next try clears it."""
    from ruhui.reports import bulletin_files

    bulletin = services.bulletin_create(
        actor=people.city_admin, campaign=drive, cut_off=JULY, data=DATA
    )
    url = reverse("reports:bulletin", args=[drive.slug, bulletin.pk])
    client = as_user(people.city_admin)

    def broken(*args, **kwargs):
        raise OSError("磁盘已满")

    monkeypatch.setattr(bulletin_files, "write_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "render"})
    bulletin.refresh_from_db()
    assert not bulletin.render_queued and not bulletin.rendered
    assert "生成文件失败" in bulletin.render_error and "磁盘已满" in bulletin.render_error
    page = client.get(url).content.decode()
    assert "生成文件失败" in page and "正在生成" not in page
    assert bulletin.events.filter(action="render_failed").exists()
    refused = client.post(url, {"action": "publish"})
    assert "还没有生成" in refused.content.decode()

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "render"})
    bulletin.refresh_from_db()
    assert bulletin.rendered and bulletin.render_error == ""


def test_a_rendering_queued_too_long_is_shown_as_stalled(people, drive, as_user):
    """No worker picked the task up (or it died): after 15 minutes the page and the publish
    refusal say so and ask for another try, instead of 「正在生成」 forever."""
    from django.utils import timezone

    bulletin = services.bulletin_create(
        actor=people.city_admin, campaign=drive, cut_off=JULY, data=DATA
    )
    services.bulletin_render(actor=people.city_admin, bulletin=bulletin)
    url = reverse("reports:bulletin", args=[drive.slug, bulletin.pk])
    client = as_user(people.city_admin)
    assert "正在生成" in client.get(url).content.decode()
    Bulletin.objects.filter(pk=bulletin.pk).update(
        updated_at=timezone.now() - datetime.timedelta(minutes=16)
    )
    page = client.get(url).content.decode()
    assert "超过 15 分钟" in page and "正在生成" not in page
    refused = client.post(url, {"action": "publish"})
    assert "超过 15 分钟" in refused.content.decode()
