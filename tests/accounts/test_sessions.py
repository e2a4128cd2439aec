"""Session lifetime: 30 minutes idle, 12 hours absolute (SESS-1); access ends at once when an
account is deactivated (SESS-4) or its password reset; a one-time password must be changed first
(AUTH-6), and the password rules answer in Chinese."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from ruhui.accounts import services
from tests.accounts.helpers import errors_in, is_login_redirect
from tests.factories import PASSWORD

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CJK = re.compile(r"[\u4e00-\u9fff]")
PASSWORD_URL = "/accounts/password/"
NEW_PASSWORD = "Gongren-ruhui-2026"


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def at(traveller, **delta):
    traveller.move_to(T0 + dt.timedelta(**delta))


# --- Idle and absolute expiry ----------------------------------------------------------------


def test_idle_for_31_minutes_is_sent_to_login(world, as_user, clock):
    client = as_user(world.county_admin)
    assert client.get("/").status_code == 200
    at(clock, minutes=31)
    assert is_login_redirect(client.get("/"), next_path="/")


def test_idle_for_29_minutes_is_still_logged_in(world, as_user, clock):
    client = as_user(world.county_admin)
    at(clock, minutes=29)
    assert client.get("/").status_code == 200


def test_a_request_every_20_minutes_keeps_the_session_beyond_31_minutes(world, as_user, clock):
    client = as_user(world.county_admin)
    for minutes in (20, 40, 60, 80):
        at(clock, minutes=minutes)
        assert client.get("/").status_code == 200, f"logged out after {minutes} minutes"


def test_a_busy_session_still_ends_after_12_hours(world, as_user, clock):
    client = as_user(world.county_admin)
    for step in range(1, 12 * 3 + 1):  # every 20 minutes up to exactly 12 h
        at(clock, minutes=20 * step)
        assert client.get("/").status_code == 200, f"logged out after {20 * step} minutes"
    at(clock, hours=12, minutes=1)
    assert is_login_redirect(client.get("/orgs/"), next_path="/orgs/")
    at(clock, hours=12, minutes=2)
    assert is_login_redirect(client.get("/"), next_path="/")


def test_the_12_hours_count_from_login_not_from_the_first_request(world, as_user, clock):
    client = as_user(world.county_admin)
    at(clock, hours=11, minutes=50)
    client.logout()
    client.force_login(world.county_admin)  # a fresh login restarts the clock
    for minutes in (20, 40, 60):
        at(clock, hours=11, minutes=50 + minutes)
        assert client.get("/").status_code == 200


# --- Access ends at once (SESS-4) ------------------------------------------------------------


def test_deactivated_user_loses_access_on_the_next_request(world):
    viewer = Client()
    viewer.force_login(world.county_viewer)
    assert viewer.get("/").status_code == 200

    v = world.county_viewer
    services.user_update(
        actor=world.county_admin,
        user=v,
        full_name=v.full_name,
        organization=v.organization,
        role=v.role,
        is_active=False,
    )

    assert is_login_redirect(viewer.get("/"), next_path="/")


def test_password_reset_ends_the_users_sessions(world):
    viewer = Client()
    viewer.force_login(world.county_viewer)
    assert viewer.get("/").status_code == 200

    services.user_reset_password(actor=world.county_admin, user=world.county_viewer)

    assert is_login_redirect(viewer.get("/"), next_path="/")


# --- First-login password change (AUTH-6) ----------------------------------------------------


@pytest.fixture
def must_change(world, as_user):
    world.county_viewer.must_change_password = True
    world.county_viewer.save()
    return as_user(world.county_viewer)


@pytest.mark.parametrize("path", ["/", "/orgs/", "/accounts/tokens/"])
def test_must_change_password_is_redirected_to_the_password_page(must_change, path):
    response = must_change.get(path)
    assert response.status_code == 302
    assert response["Location"] == PASSWORD_URL


def test_the_password_page_itself_is_reachable(must_change):
    assert must_change.get(PASSWORD_URL).status_code == 200


def test_the_password_page_states_the_rules_in_chinese(must_change):
    html = must_change.get(PASSWORD_URL).content.decode()
    assert "你的密码必须包含至少 10 个字符。" in html
    assert "你的密码不能是一个常见密码。" in html


def test_after_changing_the_password_the_workspace_opens(world, must_change):
    response = must_change.post(
        PASSWORD_URL,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert must_change.get("/").status_code == 200
    world.county_viewer.refresh_from_db()
    assert not world.county_viewer.must_change_password
    assert world.county_viewer.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Xq7-abcd", "密码长度太短"),  # 8 characters, 10 required
        ("password123", "这个密码太常见了"),
        ("3948572615", "密码只包含数字"),
    ],
    ids=["short", "common", "numeric"],
)
def test_weak_passwords_are_rejected_in_chinese(world, must_change, password, expected):
    response = must_change.post(
        PASSWORD_URL,
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    messages = errors_in(response, "field-error")
    assert any(expected in m for m in messages), messages
    assert all(CJK.search(m) for m in messages), messages
    world.county_viewer.refresh_from_db()
    assert world.county_viewer.check_password(PASSWORD)
    assert world.county_viewer.must_change_password
