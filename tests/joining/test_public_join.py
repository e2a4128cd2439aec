"""The public join form behind a poster's QR code (issue 5 item 2), and the page after it (4)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from ruhui.joining import services
from ruhui.joining.forms_public import JoinForm
from ruhui.joining.models import Application, ApplicationStatus
from tests.members.factories import join, make_id_number, make_phone

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"SQ[2-9A-HJ-NP-Z]{10}")


def form_url(link):
    return reverse("join:form", args=[link.token])


def test_form_shows_the_union_every_field_and_an_unticked_consent(client, link):
    response = client.get(form_url(link))
    body = response.content.decode()
    assert response.status_code == 200
    assert "舞钢快递行业工会" in body
    for label in ("姓名", "身份证号", "手机号", "民族", "学历", "户籍所在地", "是否农民工"):
        assert label in body
    for label in ("就业状况", "用工形式", "八大群体类别", "工作单位或平台", "工作地点"):
        assert label in body
    consent = re.search(r'<input type="checkbox" name="consent"[^>]*>', body).group(0)
    assert "checked" not in consent
    assert "同意工会为办理入会处理上述个人信息（含身份证号码等敏感个人信息）" in body
    assert "<details" in body and "180 天后删除" in body  # the notice, collapsible
    assert 'inputmode="numeric"' in body and 'autocomplete="tel"' in body
    assert '<option value="410481">舞钢市</option>' in body
    assert '<option value="510000">四川省</option>' in body  # other provinces by province
    assert "<script" not in body and "style=" not in body


def test_form_fields_are_the_documented_inventory():
    """PI-5: the form asks for exactly the fields the service documents, plus consent."""
    assert list(JoinForm().fields) == sorted(
        [*services.JOIN_FIELDS, "consent"], key=list(JoinForm().fields).index
    )
    assert set(JoinForm().fields) == {*services.JOIN_FIELDS, "consent"}


def test_unknown_token_shows_a_generic_page_that_names_no_union(client, link):
    response = client.get(reverse("join:form", args=["not-a-real-token"]))
    body = response.content.decode()
    assert response.status_code == 404
    assert "二维码无效" in body
    assert "舞钢" not in body and "行业工会" not in body  # PUB-5: reveals no union


def test_retired_token_says_the_code_is_retired(client, world, link):
    services.join_link_regenerate(actor=world.county_admin, union=world.county_trade)
    response = client.get(form_url(link))
    assert response.status_code == 410
    assert "此二维码已停用" in response.content.decode()
    assert client.post(form_url(link), {}).status_code == 410
    assert client.get(reverse("join:transfer", args=[link.token])).status_code == 410


def test_valid_application_is_pending_with_the_notice_version(client, link, worker_data):
    data = worker_data()
    response = client.post(form_url(link), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("join:submitted")
    application = Application.objects.get()
    assert application.status == ApplicationStatus.PENDING
    assert application.union == link.union and application.link == link
    assert application.consent_version == services.PRIVACY_NOTICE_VERSION
    assert application.consent_at is not None
    assert application.household_division == "410481" and application.is_migrant_worker
    page = client.get(response["Location"])
    body = page.content.decode()
    assert application.number in body
    assert "手机号后四位" in body
    assert data["id_number"] not in body and data["phone"] not in body  # PUB-4
    assert application.number not in response["Location"]


def test_submitted_page_without_a_submission_goes_home(client):
    response = client.get(reverse("join:submitted"))
    assert response.status_code == 302 and response["Location"] == reverse("join:home")


def test_without_consent_400_and_no_row(client, link, worker_data):
    response = client.post(form_url(link), worker_data(consent=None))
    assert response.status_code == 400
    assert services.MSG_CONSENT in response.content.decode()
    assert not Application.objects.exists()


def test_errors_in_chinese_next_to_each_field_and_input_kept(client, link, worker_data):
    data = worker_data(id_number="410481199013011234", phone="12345", name="", consent=None)
    data["employer_name"] = "某某公司"
    response = client.post(form_url(link), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert not Application.objects.exists()
    for field in ("name", "id_number", "phone", "consent"):
        assert f'id="id_{field}_error"' in body, field
    assert "姓名不能为空" in body
    assert "手机号码应为 11 位" in body
    assert services.MSG_CONSENT in body
    assert 'value="某某公司"' in body  # what was typed stays, except the personal numbers:
    assert "410481199013011234" not in body and 'value="12345"' not in body
    assert body.count("为保护您的个人信息，页面不回显已填写的号码，请重新填写。") == 2
    error = re.search(r'id="id_phone_error">([^<]*)<', body).group(1)
    assert re.search(r"[\u4e00-\u9fff]", error)


def test_same_page_for_new_pending_and_member_elsewhere(world, link, worker_data):
    """PUB-3: nothing in the answer tells whether the ID number belongs to a member."""
    member_id, member_phone = make_id_number(), make_phone()
    join(world.sibling_admin, world.sibling_trade, id_number=member_id, phone=member_phone)
    pending = worker_data()
    Client().post(form_url(link), pending)  # already pending before the compared submission

    cases = {
        "new": worker_data(),
        "pending": pending,
        "member elsewhere": worker_data(id_number=member_id, phone=member_phone),
    }
    answers = {}
    for case, data in cases.items():
        client = Client()
        posted = client.post(form_url(link), data)
        page = client.get(posted["Location"])
        number = NUMBER.search(page.content.decode()).group(0)
        answers[case] = (
            posted.status_code,
            posted["Location"],
            page.status_code,
            page.content.decode().replace(number, "SQ**********"),
        )
    assert answers["new"] == answers["pending"] == answers["member elsewhere"]
    # The pending person's second submission answers with the application already waiting
    # (one pending application per person and union), so three are pending, not four.
    assert Application.objects.filter(status=ApplicationStatus.PENDING).count() == 3


def test_privacy_page_states_purpose_contents_retention(client, settings):
    settings.RUHUI_APPLICATION_RETENTION_DAYS = 90
    body = client.get(reverse("join:privacy")).content.decode()
    for words in ("用来做什么", "收集哪些信息", "保存多久", "90 天后删除", "谁处理"):
        assert words in body
    assert services.PRIVACY_NOTICE_VERSION in body


def test_home_links_to_every_service(client):
    body = client.get(reverse("join:home")).content.decode()
    for name in ("join:find", "join:status", "join:card"):
        assert reverse(name) in body
