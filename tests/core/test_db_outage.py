"""A database outage answers the generic 503 page (no traceback, Retry-After), whether the view
or the session and auth middleware before it met the error; the public join form says that
what was typed was not submitted (issue 19 item 9; make faults stops a real server)."""

import logging
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.urls import reverse

from ruhui.core.middleware import (
    MSG_OUTAGE,
    MSG_OUTAGE_JOIN,
    MSG_OUTAGE_JOIN_UNSURE,
    OUTAGE_RETRY_AFTER,
    PERMISSIONS_POLICY,
)
from ruhui.joining import services
from ruhui.joining.models import Application
from tests.joining.form_data import join_form_data

pytestmark = pytest.mark.django_db

LOST = "server closed the connection unexpectedly"
SESSION_LOAD = "django.contrib.sessions.backends.db.SessionStore.load"


@pytest.fixture
def link(world):
    return services.join_link_for(world.county_trade)


def plain_client() -> Client:
    """A client that gets the response Django sends, never the exception re-raised."""
    return Client(raise_request_exception=False)


def outage_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def assert_outage_page(response, message) -> str:
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == str(OUTAGE_RETRY_AFTER)
    assert "no-store" in response["Cache-Control"]
    assert str(message) in body
    for leak in ("Traceback", "OperationalError", "InterfaceError", LOST, "psycopg"):
        assert leak not in body
    return body


def test_a_view_that_loses_the_database_answers_503_and_logs_once(link, caplog):
    client = plain_client()
    with mock.patch.object(services, "link_by_token", side_effect=OperationalError(LOST)):
        response = client.get(reverse("join:form", args=[link.token]))
    assert_outage_page(response, MSG_OUTAGE)
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY  # the other headers still set
    records = outage_records(caplog)
    assert len(records) == 1 and records[0].name == "ruhui.outage"
    assert records[0].exc_info is None and LOST not in records[0].getMessage()


def test_a_join_form_post_during_an_outage_says_nothing_was_submitted(
    link, worker_data_post, caplog
):
    client = plain_client()
    with mock.patch.object(services, "application_submit", side_effect=InterfaceError(LOST)):
        response = client.post(reverse("join:form", args=[link.token]), worker_data_post)
    body = assert_outage_page(response, MSG_OUTAGE_JOIN)
    assert "您填写的内容未提交" in body
    assert len(outage_records(caplog)) == 1


@pytest.fixture
def worker_data_post():
    return join_form_data()


def test_an_outage_met_by_the_session_middleware_is_a_503_not_a_500(world, caplog):
    """The signed-in cadre's session is read before any view runs (auth, 2FA, lifetime)."""
    client = plain_client()
    client.force_login(world.county_admin)
    with mock.patch(SESSION_LOAD, side_effect=OperationalError(LOST)):
        response = client.get(reverse("members:list"))
    assert_outage_page(response, MSG_OUTAGE)
    assert "Content-Security-Policy" in response  # the headers middleware did not fail either
    assert len(outage_records(caplog)) == 1


def test_an_outage_while_the_session_is_saved_after_the_view_is_a_503(settings, caplog):
    """The session is written by the middleware after the view has answered."""
    settings.SESSION_SAVE_EVERY_REQUEST = True
    client = plain_client()
    session = client.session
    session["probe"] = 1
    session.save()
    # Django's store turns the failed UPDATE into UpdateError, its middleware that into a 400.
    with mock.patch("ruhui.accounts.models.UserSession.save", side_effect=InterfaceError(LOST)):
        response = client.get(reverse("join:home"))
    assert_outage_page(response, MSG_OUTAGE)
    assert len(outage_records(caplog)) == 1


def test_a_join_post_whose_session_write_fails_never_says_it_was_not_submitted(
    link, worker_data_post
):
    """The application was committed in the view; only the session write after it failed."""
    client = plain_client()
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.save", side_effect=InterfaceError(LOST)
    ):
        response = client.post(reverse("join:form", args=[link.token]), worker_data_post)
    body = assert_outage_page(response, MSG_OUTAGE_JOIN_UNSURE)
    assert "未提交" not in body and "同一人重复提交只算一份申请" in body
    assert Application.objects.count() == 1
    # The retry the page asks for: the same application, and now its number.
    again = client.post(reverse("join:form", args=[link.token]), worker_data_post)
    assert again.status_code == 302 and Application.objects.count() == 1


def test_the_api_gets_its_json_shape_during_an_outage(world):
    client = plain_client()
    client.force_login(world.county_admin)
    with mock.patch(SESSION_LOAD, side_effect=OperationalError(LOST)):
        response = client.get("/api/v1/members/")
    assert response.status_code == 503 and response["Retry-After"] == str(OUTAGE_RETRY_AFTER)
    assert response.json() == {"detail": str(MSG_OUTAGE)}


def test_other_errors_still_get_the_500_page(link):
    client = plain_client()
    with mock.patch.object(services, "link_by_token", side_effect=RuntimeError("boom")):
        response = client.get(reverse("join:form", args=[link.token]))
    assert response.status_code == 500 and "Retry-After" not in response
    assert "boom" not in response.content.decode()
