"""Login and logout: Chinese login page, audit of every attempt (LOG-1), one message for every
failure (AUTH-4), lockout after 5 failures for 15 minutes (AUTH-3), a new session key at login
(SESS-2), and a POST-only logout that really ends the session (SESS-3).

Every login here is a real POST to the login page: axes only sees attempts made with a request.
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from ruhui.accounts.models import UserSession as Session
from ruhui.accounts.session_store import SessionStore
from ruhui.audit.models import AuditEvent
from tests.accounts.helpers import CLIENT_IP, LOGIN_URL, errors_in, is_logged_in, is_login_redirect

WRONG = "Wrong-password-77"
MSG_INVALID = "请输入一个正确的用户名和密码"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def fail_times(login_post, username, times):
    return [login_post(username, WRONG) for _ in range(times)]


# --- The page ------------------------------------------------------------------------------


def test_login_page_is_chinese(client, db):
    response = client.get(LOGIN_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert re.search(r"<h1>\s*登录\s*</h1>", html)
    assert re.search(r'<label for="id_username">\s*用户名\s*</label>', html)
    assert re.search(r'<label for="id_password">\s*密码\s*</label>', html)


# --- Success -------------------------------------------------------------------------------


def test_successful_login_redirects_to_home(client, world, login_post):
    response = login_post("county_admin")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(world.county_admin.pk)


def test_successful_login_writes_one_audit_event_with_the_ip(world, login_post):
    login_post("county_admin")
    events = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN)
    assert events.count() == 1
    event = events.get()
    assert event.actor == world.county_admin
    assert event.actor_username == "county_admin"
    assert event.ip == CLIENT_IP


# --- Failure -------------------------------------------------------------------------------


def test_wrong_password_and_unknown_user_get_the_same_answer(world, login_post):
    wrong_password = login_post("county_admin", WRONG)
    unknown_user = login_post("no_such_cadre", WRONG)
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert errors_in(wrong_password, "form-errors") == errors_in(unknown_user, "form-errors")
    assert MSG_INVALID in errors_in(wrong_password, "form-errors")[0]


def test_inactive_user_gets_the_same_answer_as_a_wrong_password(world, login_post):
    world.county_viewer.is_active = False
    world.county_viewer.save()
    inactive = login_post("county_viewer")
    wrong_password = login_post("county_admin", WRONG)
    assert inactive.status_code == wrong_password.status_code == 200
    assert errors_in(inactive, "form-errors") == errors_in(wrong_password, "form-errors")


@pytest.mark.parametrize("username", ["county_admin", "no_such_cadre"])
def test_failed_login_writes_one_login_failed_row_without_the_password(world, login_post, username):
    login_post(username, WRONG)
    rows = AuditEvent.objects.all()
    assert [(r.action, r.actor_username, r.result) for r in rows] == [
        (AuditEvent.Action.LOGIN_FAILED, username, "failed")
    ]
    assert rows.get().ip == CLIENT_IP
    assert WRONG not in str(list(AuditEvent.objects.values()))


def test_failed_login_is_filed_under_the_users_organization(world, login_post):
    login_post("county_admin", WRONG)
    login_post("no_such_cadre", WRONG)
    paths = dict(AuditEvent.objects.values_list("actor_username", "org_path"))
    assert paths == {"county_admin": world.county.path, "no_such_cadre": ""}


# --- Lockout (django-axes) -----------------------------------------------------------------


def test_axes_answers_a_locked_account_with_429():
    assert settings.AXES_HTTP_RESPONSE_CODE == 429


def test_four_failures_do_not_lock_the_account(client, world, login_post):
    fail_times(login_post, "county_admin", 4)
    response = login_post("county_admin")
    assert response.status_code == 302
    assert is_logged_in(client)


def test_five_failures_refuse_the_correct_password(client, world, login_post):
    fail_times(login_post, "county_admin", 5)
    response = login_post("county_admin")
    assert response.status_code == 429
    assert "账号已锁定" in response.content.decode()
    assert not is_logged_in(client)


def test_lockout_writes_a_lockout_audit_row(world, login_post):
    fail_times(login_post, "county_admin", 5)
    lockouts = AuditEvent.objects.filter(action=AuditEvent.Action.LOCKOUT)
    assert lockouts.count() == 1
    assert lockouts.get().actor_username == "county_admin"
    assert lockouts.get().org_path == world.county.path


def test_lockout_is_per_account_not_per_address(client, world, login_post):
    # A county office shares one NAT address: a colleague must still get in (decision 0002).
    fail_times(login_post, "county_admin", 5)
    response = login_post("county_viewer", on=Client())
    assert response.status_code == 302


def test_account_is_still_locked_after_14_minutes(client, world, login_post):
    with time_machine.travel(T0, tick=False) as traveller:
        fail_times(login_post, "county_admin", 5)
        traveller.shift(dt.timedelta(minutes=14))
        assert login_post("county_admin").status_code == 429
    assert not is_logged_in(client)


def test_correct_password_works_again_after_15_minutes(client, world, login_post):
    with time_machine.travel(T0, tick=False) as traveller:
        fail_times(login_post, "county_admin", 5)
        traveller.shift(dt.timedelta(minutes=15, seconds=1))
        response = login_post("county_admin")
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(world.county_admin.pk)


def test_attempts_during_a_lock_do_not_extend_it(client, world, login_post):
    # An attacker who keeps guessing during the lock (one try every few minutes, even the right
    # password from a leaked list) must not keep the account locked for ever.
    with time_machine.travel(T0, tick=False) as traveller:
        fail_times(login_post, "county_admin", 5)
        for _ in range(4):
            traveller.shift(dt.timedelta(minutes=3, seconds=30))
            assert login_post("county_admin", WRONG).status_code == 429
            assert login_post("county_admin").status_code == 429
        # 14 minutes of attempts later, one more minute ends the lock that began at T0.
        traveller.shift(dt.timedelta(minutes=1, seconds=1))
        response = login_post("county_admin")
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(world.county_admin.pk)


def test_a_new_round_of_failures_after_the_lock_locks_again(client, world, login_post):
    with time_machine.travel(T0, tick=False) as traveller:
        fail_times(login_post, "county_admin", 5)
        traveller.shift(dt.timedelta(minutes=15, seconds=1))
        fail_times(login_post, "county_admin", 5)
        assert login_post("county_admin").status_code == 429


# --- Session fixation (SESS-2) -------------------------------------------------------------


def test_login_issues_a_new_session_key(client, world, login_post):
    planted = SessionStore()
    planted["planted"] = True
    planted.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key

    login_post("county_admin")

    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != planted.session_key
    assert not Session.objects.filter(session_key=planted.session_key).exists()
    assert client.session["_auth_user_id"] == str(world.county_admin.pk)


# --- Logout (SESS-3) -----------------------------------------------------------------------


def test_logout_by_get_is_refused(client, world, login_post):
    login_post("county_admin")
    response = client.get("/accounts/logout/")
    assert response.status_code == 405
    assert client.get("/").status_code == 200


def test_logout_ends_the_session_for_good(client, world, login_post):
    login_post("county_admin")
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value

    response = client.post("/accounts/logout/")

    assert is_login_redirect(response)
    assert not Session.objects.filter(session_key=old_key).exists()
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
    assert is_login_redirect(replay.get("/"), next_path="/")


def test_logout_writes_one_logout_audit_row(client, world, login_post):
    login_post("county_admin")
    client.post("/accounts/logout/")
    logouts = AuditEvent.objects.filter(action=AuditEvent.Action.LOGOUT)
    assert logouts.count() == 1
    assert logouts.get().actor == world.county_admin
    assert logouts.get().ip == "127.0.0.1"
