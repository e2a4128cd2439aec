"""The pages' triangle (the allowed user 2xx, the same unit read-only 403 on writes, a sibling
county 404 on objects), the forms' refusals next to their fields, the 夏送清凉-for-快递员 link,
masked phones, the signed text behind the scoped view, and the project close-out's recorded
coverage beside the planned."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ruhui.positions import ledger_registers
from ruhui.positions.models import Consultation, ServiceActivity, SocialWorker
from tests.positions.ledger.conftest import activity_data

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def registers(cast):
    world = cast.world
    consultation = ledger_registers.consultation_create(
        actor=world.county_admin,
        data={
            "level": "industry",
            "industry": "快递业",
            "union": world.county_trade,
            "employer_association": "舞钢市快递行业协会",
            "topics": ["wage", "safety"],
            "held_on": "2019-05-10",
            "agreed": True,
            "term_from": "2019-06-01",
            "term_to": "2021-05-31",
            "workers_covered": "320",
            "groups": ["02", "06"],
        },
        files=[SimpleUploadedFile("集体合同.pdf", PDF, content_type="application/pdf")],
    )
    worker = ledger_registers.social_worker_create(
        actor=world.county_admin,
        data={
            "name": "陈社工",
            "phone": "13937512345",
            "union": world.county_trade,
            "starts_on": "2019-03-01",
        },
    )
    return consultation, worker


def pages(cast, registers):
    consultation, worker = registers
    return {
        "activities": reverse("positions:activities"),
        "activity": reverse("positions:activity", args=[cast.activity.pk]),
        "activity_edit": reverse("positions:activity_edit", args=[cast.activity.pk]),
        "activity_create": reverse("positions:activity_create"),
        "export": reverse("positions:activities_export"),
        "consultations": reverse("positions:consultations"),
        "consultation": reverse("positions:consultation", args=[consultation.pk]),
        "consultation_edit": reverse("positions:consultation_edit", args=[consultation.pk]),
        "consultation_create": reverse("positions:consultation_create"),
        "consultation_file": reverse(
            "positions:consultation_file", args=[consultation.files.get().pk]
        ),
        "workers": reverse("positions:social_workers"),
        "worker_edit": reverse("positions:social_worker_edit", args=[worker.pk]),
        "worker_create": reverse("positions:social_worker_create"),
    }


OBJECT_PAGES = ("activity", "activity_edit", "consultation", "consultation_edit")
OBJECT_PAGES += ("consultation_file", "worker_edit")
WRITE_PAGES = ("activity_edit", "activity_create", "consultation_edit", "consultation_create")
WRITE_PAGES += ("worker_edit", "worker_create")


def test_triangle(cast, registers, as_user):
    urls = pages(cast, registers)
    client = as_user(cast.world.county_admin)
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
    client = as_user(cast.world.county_viewer)
    for name, url in urls.items():
        expected = 403 if name in WRITE_PAGES else 200
        assert client.get(url).status_code == expected, name
    client = as_user(cast.world.sibling_admin)
    for name in OBJECT_PAGES:
        assert client.get(urls[name]).status_code == 404, name
    listing = client.get(urls["activities"]).content.decode()
    assert "夏送清凉进快递网点" not in listing
    assert "陈社工" not in client.get(urls["workers"]).content.decode()


def test_summer_for_couriers_link_opens_a_ready_form(cast, as_user):
    client = as_user(cast.world.county_admin)
    listing = client.get(reverse("positions:activities")).content.decode()
    assert "?kind=summer&amp;group=02" in listing
    page = client.get(reverse("positions:activity_create") + "?kind=summer&group=02")
    text = page.content.decode()
    assert page.status_code == 200
    assert '<option value="summer" selected>' in text
    assert "请在「快递员」一栏填写服务的人数" in text
    assert 'name="g02"' in text and "autofocus" in text
    data = {
        "kind": "summer",
        "union": str(cast.world.county.pk),
        "starts_on": "2019-07-20",
        "amount": "2400",
        "g02": "30",
    }
    response = client.post(reverse("positions:activity_create"), data)
    created = ServiceActivity.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("positions:activity", args=[created.pk])
    assert (created.title, created.group_counts, created.workers_served) == (
        "夏送清凉",
        {"02": 30},
        30,
    )


def test_form_refusals_next_to_their_fields(cast, as_user):
    client = as_user(cast.clerk)
    data = {
        "kind": "summer",
        "union": str(cast.world.county_trade.pk),
        "starts_on": "2019-07-20",
        "ends_on": "2019-07-01",
        "amount": "10.001",
        "workers_served": "1",
        "g02": "-2",
    }
    before = ServiceActivity.objects.count()
    response = client.post(reverse("positions:activity_create"), data)
    text = response.content.decode()
    assert response.status_code == 400
    assert "最多保留两位小数" in text
    assert "快递员人数「-2」应为不小于 0 的整数" in text
    assert "结束日期" in text
    assert ServiceActivity.objects.count() == before


def test_recipient_added_on_the_page(cast, as_user):
    client = as_user(cast.clerk)
    url = reverse("positions:activity", args=[cast.activity.pk])
    response = client.post(url, {"id_number": cast.courier_number, "group": "02"})
    assert response.status_code == 302
    text = client.get(url).content.decode()
    assert "李*递" in text and cast.courier_number not in text and "李快递" not in text
    response = client.post(url, {"id_number": "410481199001011234"})
    assert response.status_code == 400
    assert "身份证号" in response.content.decode()
    assert as_user(cast.world.county_viewer).post(url, {}).status_code == 403


def test_worker_phone_masked_and_kept(cast, registers, as_user):
    _consultation, worker = registers
    client = as_user(cast.world.county_admin)
    listing = client.get(reverse("positions:social_workers")).content.decode()
    assert "139****2345" in listing and "13937512345" not in listing
    edit = reverse("positions:social_worker_edit", args=[worker.pk])
    assert "13937512345" not in client.get(edit).content.decode()
    data = {"name": "陈社工", "phone": "", "union": str(worker.union_id), "starts_on": "2019-03-01"}
    assert client.post(edit, data).status_code == 302
    assert SocialWorker.objects.get(pk=worker.pk).phone == "13937512345"
    end = reverse("positions:social_worker_end", args=[worker.pk])
    assert as_user(cast.clerk).post(end, {"ends_on": "2019-12-31"}).status_code == 403
    client = as_user(cast.world.county_admin)
    assert client.post(end, {"ends_on": "2019-02-01"}).status_code == 302
    assert SocialWorker.objects.get(pk=worker.pk).ends_on is None  # before it began: refused
    client.post(end, {"ends_on": "2019-12-31"})
    assert str(SocialWorker.objects.get(pk=worker.pk).ends_on) == "2019-12-31"


def test_consultation_refusals(cast, as_user):
    client = as_user(cast.world.county_admin)
    data = {
        "level": "enterprise",
        "union": str(cast.world.county_trade.pk),
        "held_on": "2019-05-10",
        "term_from": "2019-06-01",
        "term_to": "2019-01-01",
        "agreed": "on",
    }
    response = client.post(reverse("positions:consultation_create"), data)
    text = response.content.decode()
    assert response.status_code == 400
    assert "请填写企业方" in text and "请至少选择一项协商内容" in text
    assert "协议期限至" in text
    exe = SimpleUploadedFile("合同.pdf", b"MZ\x90\x00", content_type="application/pdf")
    data |= {"employer_association": "协会", "topics": ["wage"], "term_to": "2020-01-01"}
    response = client.post(reverse("positions:consultation_create"), data | {"files": exe})
    assert response.status_code == 400 and "合同.pdf" in response.content.decode()
    assert not Consultation.objects.filter(employer_association="协会").exists()


def test_closeout_shows_recorded_beside_planned(cast, as_user):
    from ruhui.positions import ledger_services

    ledger_services.activity_create(
        actor=cast.clerk, data=activity_data(cast.world, project=cast.project.pk)
    )
    page = as_user(cast.world.county_admin).get(reverse("projects:project", args=[cast.project.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    # 60 (the fixture's entry) + 25 (this one); planned 800.
    assert "服务台账记录覆盖职工 85 人（计划 800 人）" in text


def test_export_has_counts_not_people(cast, as_user):
    from python_calamine import CalamineWorkbook

    response = as_user(cast.world.county_admin).get(reverse("positions:activities_export"))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        handle.write(content)
        handle.flush()
        rows = CalamineWorkbook.from_path(handle.name).get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["服务类别", "活动名称", "组织工会"]
    assert [r[1] for r in rows[1:]] == ["夏送清凉进快递网点"]  # not the sibling's entry
