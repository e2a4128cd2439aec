"""The status page (issue 5 item 4): application number + the phone's last four digits, never an
ID number in a URL; withdrawing a pending application; plain words for every status."""

import pytest
from django.test import Client
from django.urls import reverse

from ruhui.joining import services
from ruhui.joining.models import Application, ApplicationStatus
from ruhui.joining.views_public import MSG_WITHDRAWN
from tests.members.factories import join, make_id_number, make_phone

pytestmark = pytest.mark.django_db

STATUS = reverse("join:status")


@pytest.fixture
def submitted(link, worker_data):
    """An application submitted by a worker whose phone ends in its `tail`."""
    data = worker_data()
    application = services.application_submit(link=link, data=data, consent=True)
    application.tail = data["phone"][-4:]
    return application


def look_up(client, application, tail=None):
    return client.post(
        STATUS, {"number": application.number, "phone_tail": tail or application.tail}
    )


def test_right_tail_shows_the_status_and_a_withdraw_button(client, submitted):
    response = look_up(client, submitted)
    assert response.status_code == 302 and response["Location"] == STATUS  # nothing in the URL
    body = client.get(STATUS).content.decode()
    assert "待审核" in body and submitted.number in body
    assert "李*军" in body and "李小军" not in body
    assert reverse("join:withdraw") in body and "撤回申请" in body


@pytest.mark.parametrize("change", ["tail", "number"])
def test_wrong_number_or_tail_gives_one_generic_message(client, submitted, change):
    if change == "tail":
        response = look_up(client, submitted, tail="0000" if submitted.tail != "0000" else "1111")
    else:
        response = client.post(STATUS, {"number": "SQ2345678923", "phone_tail": submitted.tail})
    body = response.content.decode()
    assert response.status_code == 400
    assert services.MSG_NO_APPLICATION in body
    assert submitted.number not in body.replace(f'value="{submitted.number}"', "")
    assert "待审核" not in body


def test_lookup_is_remembered_only_in_this_session(client, submitted):
    look_up(client, submitted)
    assert "待审核" in client.get(STATUS).content.decode()
    assert "待审核" not in Client().get(STATUS).content.decode()


def test_withdraw_a_pending_application(client, submitted):
    look_up(client, submitted)
    response = client.post(reverse("join:withdraw"))
    assert response.status_code == 302 and response["Location"] == STATUS
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.WITHDRAWN
    body = client.get(STATUS).content.decode()
    assert MSG_WITHDRAWN in body and "已撤回" in body
    assert "撤回申请</button>" not in body
    client.post(reverse("join:withdraw"))  # again: refused with the service's message
    assert "不能重复操作" in client.get(STATUS).content.decode()


def test_withdraw_without_a_lookup_does_nothing(client, submitted):
    assert client.post(reverse("join:withdraw")).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.PENDING


def test_withdraw_needs_post(client):
    assert client.get(reverse("join:withdraw")).status_code == 405


def test_submitting_remembers_the_application_for_the_status_page(client, link, worker_data):
    client.post(reverse("join:form", args=[link.token]), worker_data())
    body = client.get(STATUS).content.decode()
    assert Application.objects.get().number in body and "待审核" in body


def test_approved_shows_member_number(client, world, submitted):
    services.application_approve(actor=world.county_admin, application=submitted)
    look_up(client, submitted)
    body = client.get(STATUS).content.decode()
    submitted.refresh_from_db()
    assert "已批准入会" in body and submitted.member.member_number in body


def test_rejected_shows_the_reason(client, world, submitted):
    services.application_reject(
        actor=world.county_admin, application=submitted, reason="工作单位不在本会范围"
    )
    look_up(client, submitted)
    body = client.get(STATUS).content.decode()
    assert "未通过" in body and "工作单位不在本会范围" in body


def test_converted_application_shows_the_transfer_and_its_number(client, world, link, worker_data):
    id_number, phone = make_id_number(), make_phone()
    join(world.sibling_admin, world.sibling_trade, id_number=id_number, phone=phone)
    application = services.application_submit(
        link=link, data=worker_data(id_number=id_number, phone=phone), consent=True
    )
    services.application_approve(actor=world.county_admin, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CONVERTED
    client.post(STATUS, {"number": application.number, "phone_tail": phone[-4:]})
    body = client.get(STATUS).content.decode()
    assert "已转为转会办理" in body
    assert application.converted_to.number in body
    assert "待原工会同意转出" in body  # the transfer's own progress, right below


def test_transfer_progress_in_plain_words(client, world, link, worker_data):
    id_number, phone = make_id_number(), make_phone()
    member = join(world.county_admin, world.county_enterprise, id_number=id_number, phone=phone)
    application = services.transfer_request_submit(
        member=member, to_union=world.county_trade, link=link, consent=True
    )
    form = {"number": application.number, "phone_tail": phone[-4:]}
    client.post(STATUS, form)
    assert "待原工会同意转出" in client.get(STATUS).content.decode()
    services.application_approve(actor=world.county_admin, application=application)
    assert "待新工会接收" in client.get(STATUS).content.decode()
    services.application_approve(actor=world.county_admin, application=application)
    body = client.get(STATUS).content.decode()
    assert "已转入" in body and member.member_number in body
