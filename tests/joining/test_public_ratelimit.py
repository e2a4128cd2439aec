"""Rate limits of the public pages (PUB-2): per IP with a human check past the limit, per ID
number without one."""

import base64
import io
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from PIL import Image

from ruhui.core import ratelimit
from ruhui.joining.models import Application
from ruhui.joining.views_public import (
    MSG_CHALLENGE_WRONG,
    MSG_ID_TOO_MANY,
    MSG_TOO_MANY,
    MSG_WAIT,
)
from tests.members.factories import join, make_id_number, make_phone

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.RUHUI_RATELIMITS = {
        "submit_ip": [2, 600],
        "submit_id": [2, 86400],
        "lookup_ip": [2, 600],
        "identity_ip": [2, 600],
        "identity_id": [3, 86400],
        "challenge_ip": [30, 3600],
    }


def challenge_of(response):
    """(token, correct answer) of the human check on a page: the answer as a person reading the
    picture knows it, taken here from the server's cache (it is nowhere in the page)."""
    body = response.content.decode()
    token = re.search(r'name="challenge_token" value="([^"]+)"', body).group(1)
    return token, str(cache.get(ratelimit._challenge_key(token)))


def test_join_past_the_ip_limit_asks_a_human_check(client, link, worker_data):
    url = reverse("join:form", args=[link.token])
    for _ in range(2):
        assert client.post(url, worker_data()).status_code == 302
    refused = client.post(url, worker_data())
    assert refused.status_code == 429
    assert MSG_TOO_MANY in refused.content.decode()
    assert Application.objects.count() == 2
    assert 'name="id_number"' in refused.content.decode()  # the form comes back, filled in

    token, answer = challenge_of(refused)
    wrong = client.post(url, worker_data(challenge_token=token, challenge_answer="99"))
    assert wrong.status_code == 429 and MSG_CHALLENGE_WRONG in wrong.content.decode()

    token, answer = challenge_of(wrong)
    passed = client.post(url, worker_data(challenge_token=token, challenge_answer=answer))
    assert passed.status_code == 302 and Application.objects.count() == 3
    replay = client.post(url, worker_data(challenge_token=token, challenge_answer=answer))
    assert replay.status_code == 429  # each question is accepted once


def test_the_form_already_carries_the_check_once_the_limit_is_used(client, link, worker_data):
    url = reverse("join:form", args=[link.token])
    assert "请回答" not in client.get(url).content.decode()
    for _ in range(2):
        client.post(url, worker_data())
    assert "请回答" in client.get(url).content.decode()


def test_per_id_limit_has_no_human_check(client, link, worker_data, settings):
    settings.RUHUI_RATELIMITS["submit_ip"] = [100, 600]
    url = reverse("join:form", args=[link.token])
    id_number = make_id_number()
    for _ in range(2):
        assert client.post(url, worker_data(id_number=id_number)).status_code == 302
    refused = client.post(url, worker_data(id_number=id_number))
    body = refused.content.decode()
    assert refused.status_code == 429 and MSG_ID_TOO_MANY in body
    assert "请回答" not in body
    assert Application.objects.count() == 2
    assert client.post(url, worker_data()).status_code == 302  # another person is not held up


def test_field_errors_do_not_use_up_the_per_id_limit(client, link, worker_data, settings):
    settings.RUHUI_RATELIMITS["submit_ip"] = [100, 600]
    url = reverse("join:form", args=[link.token])
    id_number = make_id_number()
    for _ in range(3):
        assert client.post(url, worker_data(id_number=id_number, phone="1")).status_code == 400
    assert client.post(url, worker_data(id_number=id_number)).status_code == 302


def test_status_lookup_limit(client):
    url = reverse("join:status")
    for _ in range(2):
        assert client.post(url, {"number": "SQ2222222222", "phone_tail": "1234"}).status_code == 400
    refused = client.post(url, {"number": "SQ2222222222", "phone_tail": "1234"})
    assert refused.status_code == 429 and "请回答" in refused.content.decode()


def test_identity_limits_per_ip_and_per_id(client, world, settings):
    settings.RUHUI_RATELIMITS["identity_id"] = [2, 86400]
    id_number, phone = make_id_number(), make_phone()
    member = join(world.county_admin, world.county_trade, id_number=id_number, phone=phone)
    url = reverse("join:card")
    guess = {"id_number": id_number, "phone": make_phone(), "member_number": "1"}
    for _ in range(2):
        assert client.post(url, guess).status_code == 400
    refused = client.post(url, guess)
    assert refused.status_code == 429 and "请回答" in refused.content.decode()

    # Past the per-ID limit even a correct answer and the right credentials are refused.
    token, answer = challenge_of(refused)
    right = {"id_number": id_number, "phone": phone, "member_number": member.member_number}
    refused = client.post(url, {**right, "challenge_token": token, "challenge_answer": answer})
    assert refused.status_code == 429
    assert MSG_ID_TOO_MANY in refused.content.decode()


def test_transfer_counts_as_identity_check(client, link):
    url = reverse("join:transfer", args=[link.token])
    body = {"id_number": make_id_number(), "phone": make_phone(), "member_number": "1"}
    body["consent"] = "on"
    for _ in range(2):
        assert client.post(url, body).status_code == 400
    assert client.post(url, body).status_code == 429


def _over_the_limit(client, url, worker_data):
    for _ in range(2):
        client.post(url, worker_data())
    return client.post(url, worker_data())


def test_the_page_does_not_carry_the_answer(client, link, worker_data):
    # The probe decoded the old signed token ({"s": answer}) and passed 50 of 50 checks.
    url = reverse("join:form", args=[link.token])
    refused = _over_the_limit(client, url, worker_data)
    body = refused.content.decode()
    token, _answer = challenge_of(refused)
    # The token is 16 random bytes: nothing to decode (the old one was signed JSON {"s": …}).
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", token)
    assert b'"s"' not in base64.urlsafe_b64decode(token + "==")
    # Neither the question nor the answer is in the HTML; the question is only the picture.
    assert "等于几" not in body
    assert not re.search(r"[一二三四五六七八九]\s*加\s*[一二三四五六七八九]", body)
    image = re.search(r'src="data:image/png;base64,([^"]+)"', body).group(1)
    assert Image.open(io.BytesIO(base64.b64decode(image))).size == (260, 64)


def test_a_script_reading_the_page_gets_nothing_through(client, link, worker_data):
    # What a script can do without reading the picture: decode the token (nothing there), or
    # guess. A guess uses the question up, right or wrong, so it cannot try every sum.
    url = reverse("join:form", args=[link.token])
    page = _over_the_limit(client, url, worker_data)
    through = 0
    for _ in range(30):
        token, answer = challenge_of(page)
        wrong = str((int(answer) % 18) + 1)
        page = client.post(url, worker_data(challenge_token=token, challenge_answer=wrong))
        assert page.status_code == 429
        retry = client.post(url, worker_data(challenge_token=token, challenge_answer=answer))
        through += retry.status_code == 302
        page = retry if retry.status_code == 429 else client.get(url)
    assert through == 0
    assert Application.objects.count() == 2


def test_even_a_script_that_reads_the_picture_is_bounded(client, link, worker_data, settings):
    settings.RUHUI_RATELIMITS["challenge_ip"] = [3, 3600]
    url = reverse("join:form", args=[link.token])
    page = _over_the_limit(client, url, worker_data)
    results = []
    for _ in range(10):
        token, answer = (
            challenge_of(page) if "challenge_token" in page.content.decode() else ("", "")
        )
        response = client.post(url, worker_data(challenge_token=token, challenge_answer=answer))
        results.append(response.status_code)
        page = client.get(url)
    assert results[:3] == [302, 302, 302]
    assert set(results[3:]) == {429}
    assert Application.objects.count() == 2 + 3
    refused = client.post(url, worker_data(challenge_token="x", challenge_answer="1"))
    assert MSG_WAIT.format(minutes=60) in refused.content.decode()
    assert "challenge_token" not in client.get(url).content.decode()  # no more questions


def test_a_question_expires(client, link, worker_data):
    url = reverse("join:form", args=[link.token])
    token, answer = challenge_of(_over_the_limit(client, url, worker_data))
    cache.delete(ratelimit._challenge_key(token))  # what ten minutes do
    late = client.post(url, worker_data(challenge_token=token, challenge_answer=answer))
    assert late.status_code == 429 and MSG_CHALLENGE_WRONG in late.content.decode()
