"""The electronic membership card and its public verify page (issue 5 item 7)."""

import re
import time

import pytest
import time_machine
from django.urls import reverse

from ruhui.joining import services, views_public
from ruhui.members import services as member_services
from tests.members.factories import join, make_id_number, make_phone

pytestmark = pytest.mark.django_db

CARD = reverse("join:card")


@pytest.fixture
def member(world):
    id_number, phone = make_id_number(), make_phone()
    member = join(
        world.county_admin, world.county_trade, name="王大明", id_number=id_number, phone=phone
    )
    member.credentials = {
        "id_number": id_number,
        "phone": phone,
        "member_number": member.member_number,
    }
    return member


def test_identity_check_then_card_with_masked_name_and_qr(client, member):
    assert "显示会员卡" in client.get(CARD).content.decode()  # the form first
    response = client.post(CARD, member.credentials)
    assert response.status_code == 302 and response["Location"] == CARD
    body = client.get(CARD).content.decode()
    assert "王*明" in body and "王大明" not in body
    assert "舞钢快递行业工会" in body and member.member_number in body
    assert member.joined_on.strftime("%Y年") in body and "在籍" in body
    assert re.search(r'<img src="data:image/svg\+xml[^"]+" alt="会员卡核验二维码"', body)
    assert "截图保存" in body
    assert member.credentials["id_number"] not in body
    assert member.credentials["phone"] not in body


def test_qr_holds_the_absolute_verify_url(client, member, monkeypatch):
    urls = []
    real_make = views_public.segno.make

    def spy(content, **kwargs):
        urls.append(content)
        return real_make(content, **kwargs)

    monkeypatch.setattr(views_public.segno, "make", spy)
    # The signed token carries a timestamp: hold the clock so the page's token and ours agree.
    with time_machine.travel(time.time(), tick=False):
        client.post(CARD, member.credentials)
        client.get(CARD)
        token = services.card_token(member)
    assert urls == ["http://testserver" + reverse("join:verify", args=[token])]


def test_card_is_remembered_for_half_an_hour(client, member, monkeypatch):
    client.post(CARD, member.credentials)
    assert "王*明" in client.get(CARD).content.decode()
    later = time.time() + views_public.REMEMBER_SECONDS + 1
    monkeypatch.setattr(views_public.time, "time", lambda: later)
    body = client.get(CARD).content.decode()
    assert "王*明" not in body and "显示会员卡" in body


def test_wrong_phone_gives_the_generic_message(client, member):
    response = client.post(CARD, {**member.credentials, "phone": make_phone()})
    assert response.status_code == 400
    assert services.MSG_IDENTITY in response.content.decode()
    assert "王*明" not in client.get(CARD).content.decode()


def test_verify_valid_shows_only_validity_union_and_masked_name(client, member):
    body = client.get(reverse("join:verify", args=[services.card_token(member)])).content.decode()
    assert "有效" in body and "王*明" in body and "舞钢快递行业工会" in body
    assert member.member_number not in body and "王大明" not in body
    assert "无效" not in body


@pytest.mark.parametrize("token", ["garbage", "eyJtIjoxfQ:1abc:xyz"])
def test_verify_invalid_token(client, token):
    body = client.get(reverse("join:verify", args=[token])).content.decode()
    assert "无效" in body and "有效</h1>" not in body


def test_verify_after_the_member_left(client, world, member):
    token = services.card_token(member)
    member_services.member_withdraw(actor=world.county_admin, member=member)
    body = client.get(reverse("join:verify", args=[token])).content.decode()
    assert "无效" in body and "王*明" not in body
    client.post(CARD, member.credentials)
    assert "王*明" not in client.get(CARD).content.decode()  # no card for a former member
