"""Security properties of the public pages: CSRF on every POST (PUB-1), no-store on every page
(PI-8), no ID or phone number in any URL or log line (PI-7), no unmasked data after submitting
(PUB-4)."""

import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

from ruhui.joining import services, urls_public
from ruhui.joining.models import Application
from tests.members.factories import join, make_id_number, make_phone

pytestmark = pytest.mark.django_db

ARGS = {"form": ["TOKEN"], "transfer": ["TOKEN"], "verify": ["x"]}


def every_route(link):
    """(name, url) of every public route, so a new route cannot be forgotten here."""
    names = [pattern.name for pattern in urls_public.urlpatterns]
    assert len(names) == 11
    return [
        (
            name,
            reverse(
                f"join:{name}", args=[a.replace("TOKEN", link.token) for a in ARGS.get(name, [])]
            ),
        )
        for name in names
    ]


def test_csrf_is_enforced_on_every_public_route(link, worker_data):
    client = Client(enforce_csrf_checks=True)
    for name, url in every_route(link):
        client.get(url)  # the CSRF cookie is set, but the POST carries no token
        response = client.post(url, worker_data())
        assert response.status_code == 403, name
    assert not Application.objects.exists()


def test_csrf_token_in_every_public_form(client, link):
    for name in ("form", "transfer", "status", "card"):
        url = dict(every_route(link))[name]
        body = client.get(url).content.decode()
        assert body.count('name="csrfmiddlewaretoken"') == body.count('<form method="post"'), name


def test_every_public_page_says_no_store(client, link, worker_data):
    for name, url in every_route(link):
        response = client.get(url)
        assert "no-store" in response.get("Cache-Control", ""), name
    posted = client.post(reverse("join:form", args=[link.token]), worker_data())
    assert "no-store" in posted["Cache-Control"]
    for url in (
        reverse("join:submitted"),
        reverse("join:status"),
        reverse("join:form", args=["x"]),
    ):
        assert "no-store" in client.get(url)["Cache-Control"], url
    invalid = client.post(reverse("join:form", args=[link.token]), worker_data(consent=None))
    assert "no-store" in invalid["Cache-Control"]


def test_no_id_or_phone_number_in_any_url_or_log(client, world, link, worker_data, caplog):
    """PI-7 over the whole worker journey: every redirect, link and form action, and the log."""
    caplog.set_level(logging.DEBUG)
    data = worker_data()
    id_number, phone = make_id_number(), make_phone()
    member = join(world.county_admin, world.county_enterprise, id_number=id_number, phone=phone)
    other_link = services.join_link_for(world.county_trade)
    identity = {"id_number": id_number, "phone": phone, "member_number": member.member_number}
    responses = [
        client.get(reverse("join:form", args=[link.token])),
        client.post(reverse("join:form", args=[link.token]), data),
        client.post(reverse("join:form", args=[link.token]), {**data, "phone": "1"}),
        client.get(reverse("join:submitted")),
        client.post(
            reverse("join:status"), {"number": "SQ2222222222", "phone_tail": data["phone"][-4:]}
        ),
        client.get(reverse("join:status")),
        client.post(
            reverse("join:transfer", args=[other_link.token]), {**identity, "consent": "on"}
        ),
        client.post(reverse("join:card"), identity),
        client.post(reverse("join:card"), {**identity, "phone": make_phone()}),
        client.get(reverse("join:card")),
    ]
    urls = []
    for response in responses:
        urls.append(response.get("Location", ""))
        body = response.content.decode()
        urls += re.findall(r'(?:href|action|src)="([^"]*)"', body)
    secrets = [data["id_number"], data["phone"], id_number, phone]
    for url in urls:
        for secret in secrets:
            assert secret not in url and secret[-11:] not in url, url
    log = "\n".join(record.getMessage() for record in caplog.records)
    for secret in secrets:
        assert secret not in log


def test_success_page_shows_no_personal_data(client, link, worker_data):
    data = worker_data()
    client.post(reverse("join:form", args=[link.token]), data)
    body = client.get(reverse("join:submitted")).content.decode()
    for secret in (data["id_number"], data["phone"], data["name"], data["phone"][-4:]):
        assert secret not in body
