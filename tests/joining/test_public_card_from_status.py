"""The e-card in one tap from the status page (issue 15): the session that looked up (or
submitted) an application that was approved opens its own member's card without the identity
check; every other session — another browser, an expired lookup, a lookup of another
application — gets today's identity form, and nothing that is not an approved, still-held
membership gets a card."""

import logging
import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from ruhui.core import ratelimit
from ruhui.joining import services, views_public
from ruhui.joining.models import ApplicationStatus
from ruhui.members import services as member_services
from tests.members.factories import join, make_id_number, make_phone

pytestmark = pytest.mark.django_db

STATUS = reverse("join:status")
TAP = reverse("join:status_card")
CARD = reverse("join:card")
IDENTITY_FORM = "显示会员卡</button>"


@pytest.fixture
def applied(link, worker_data):
    """`applied(**changes)` → an application submitted through the service, with its secrets."""

    def make(**changes):
        data = worker_data(**changes)
        application = services.application_submit(link=link, data=data, consent=True)
        application.data = data
        return application

    return make


@pytest.fixture
def approved(world, applied):
    application = applied(name="王大明")
    services.application_approve(actor=world.county_admin, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED and application.member is not None
    return application


def look_up(client, application):
    response = client.post(
        STATUS, {"number": application.number, "phone_tail": application.data["phone"][-4:]}
    )
    assert response.status_code == 302 and response["Location"] == STATUS
    return response


def shows_card_of(body: str, application) -> bool:
    return application.member.member_number in body and "会员卡核验二维码" in body


def identity_form(response) -> str:
    body = response.content.decode()
    assert response.status_code == 200 and IDENTITY_FORM in body
    assert "会员卡核验二维码" not in body
    return body


def test_the_approved_status_page_opens_the_card_in_one_tap(client, approved, caplog):
    caplog.set_level(logging.DEBUG)
    look_up(client, approved)
    status = client.get(STATUS)
    body = status.content.decode()
    assert "已批准入会" in body
    # One button, a POST to a URL that names nobody; its form carries the CSRF token.
    form = re.search(r'<form method="post" action="([^"]+)">\s*<input type="hidden"', body)
    assert form and form.group(1) == TAP and "查看电子会员卡</button>" in body

    tapped = client.post(TAP)
    assert tapped.status_code == 302 and tapped["Location"] == CARD
    assert "no-store" in tapped["Cache-Control"]
    card = client.get(CARD)
    assert "no-store" in card["Cache-Control"]
    body = card.content.decode()
    assert shows_card_of(body, approved) and IDENTITY_FORM not in body
    assert "王*明" in body and "王大明" not in body
    assert approved.data["id_number"] not in body and approved.data["phone"] not in body
    log = "\n".join(record.getMessage() for record in caplog.records)
    assert approved.data["id_number"] not in log and approved.data["phone"] not in log


def test_the_submitting_session_taps_too_once_approved(client, world, link, worker_data):
    data = worker_data()
    client.post(reverse("join:form", args=[link.token]), data)  # remembered as it submits
    application = services.application_lookup(
        number=client.session[views_public.SESSION_SUBMITTED]["number"],
        phone_tail=data["phone"][-4:],
    )
    services.application_approve(actor=world.county_admin, application=application)
    application.refresh_from_db()
    client.post(TAP)
    assert shows_card_of(client.get(CARD).content.decode(), application)


def test_another_browser_gets_the_identity_form(client, approved):
    look_up(client, approved)
    other = Client()
    tapped = other.post(TAP)
    assert tapped.status_code == 302 and tapped["Location"] == CARD
    body = identity_form(other.get(CARD))
    assert approved.member.member_number not in body
    # The same page a stranger gets today, and the applicant's own session is unaffected.
    assert identity_form(Client().get(CARD))
    client.post(TAP)
    assert shows_card_of(client.get(CARD).content.decode(), approved)


def test_a_session_remembered_for_another_application_gets_the_identity_form(
    client, approved, applied
):
    someone_else = applied()  # pending, a different person
    look_up(client, someone_else)
    client.post(TAP)
    body = identity_form(client.get(CARD))
    assert approved.member.member_number not in body


def test_an_expired_lookup_gets_the_identity_form(client, approved, monkeypatch):
    look_up(client, approved)
    later = time.time() + views_public.REMEMBER_SECONDS + 1
    monkeypatch.setattr(views_public.time, "time", lambda: later)
    client.post(TAP)
    identity_form(client.get(CARD))


@pytest.mark.parametrize("outcome", ["pending", "rejected", "withdrawn", "member_left"])
def test_no_card_without_an_approved_held_membership(client, world, applied, outcome):
    application = applied()
    if outcome == "rejected":
        services.application_reject(
            actor=world.county_admin, application=application, reason="不在本会范围"
        )
    elif outcome == "withdrawn":
        services.application_withdraw(application=application)
    elif outcome == "member_left":
        services.application_approve(actor=world.county_admin, application=application)
        application.refresh_from_db()
        member_services.member_withdraw(actor=world.county_admin, member=application.member)
    look_up(client, application)
    body = client.get(STATUS).content.decode()
    if outcome != "member_left":
        assert TAP not in body  # the button is only on an approved application
    assert client.post(TAP)["Location"] == CARD
    identity_form(client.get(CARD))
    application.refresh_from_db()
    assert services.card_member(application) is None


def test_a_transfer_application_opens_no_card(client, world, link):
    id_number, phone = make_id_number(), make_phone()
    member = join(world.county_admin, world.county_enterprise, id_number=id_number, phone=phone)
    application = services.transfer_request_submit(
        member=member, to_union=world.county_trade, link=link, consent=True
    )
    for _ in range(2):  # 转出, then 转入
        services.application_approve(actor=world.county_admin, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETED
    client.post(STATUS, {"number": application.number, "phone_tail": phone[-4:]})
    client.post(TAP)
    identity_form(client.get(CARD))


def test_the_tap_opens_the_looked_up_application_not_an_earlier_card(client, world, approved):
    """A session that verified someone's card and then looks up another application sees that
    application's card, or none — never the earlier one under the new application's button."""
    id_number, phone = make_id_number(), make_phone()
    other = join(world.county_admin, world.county_enterprise, id_number=id_number, phone=phone)
    identity = {"id_number": id_number, "phone": phone, "member_number": other.member_number}
    client.post(CARD, identity)
    assert other.member_number in client.get(CARD).content.decode()
    look_up(client, approved)
    client.post(TAP)
    body = client.get(CARD).content.decode()
    assert shows_card_of(body, approved) and other.member_number not in body


def test_the_tap_needs_post_and_spends_no_identity_attempt(client, approved, settings):
    assert client.get(TAP).status_code == 405
    assert "no-store" in client.get(TAP)["Cache-Control"]
    settings.RUHUI_RATELIMITS = {**settings.RUHUI_RATELIMITS, "identity_ip": [1, 600]}
    look_up(client, approved)
    for _ in range(3):
        client.post(TAP)
    assert not ratelimit.exceeded("identity_ip", "127.0.0.1")
    assert shows_card_of(client.get(CARD).content.decode(), approved)
    client.post(CARD, {"id_number": "x", "phone": "y", "member_number": "z"})
    assert ratelimit.exceeded("identity_ip", "127.0.0.1")  # the identity check does count
