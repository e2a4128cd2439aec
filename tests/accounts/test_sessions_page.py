"""Sessions (issue 19 item 3): the password page lists the user's own active sessions (当前 marked)
with revoke buttons; admins (and the security administrator) end all sessions of a user in their
scope. Real logins, so the session carries what login records: a public id, the IP, the browser."""

import re

import pytest
from django.test import Client

from ruhui.accounts import sessions
from ruhui.accounts.models import UserSession as Session
from ruhui.accounts.sessions import AGENT_KEY, IP_KEY, SID_KEY
from ruhui.accounts.twofactor import DEVICE_AT_LOGIN
from ruhui.audit.models import AuditEvent
from tests.accounts.helpers import CLIENT_IP, is_logged_in
from tests.factories import PASSWORD, UserFactory

PHONE_AGENT = "Mozilla/5.0 (Linux; Android 14) 测试手机浏览器"
DESK_AGENT = "Mozilla/5.0 (Windows NT 10.0) 测试电脑浏览器"


def signed_in(user, agent, ip=CLIENT_IP) -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and is_logged_in(client)
    return client


def sids(body: str) -> list[str]:
    return re.findall(r'name="sid" value="([0-9a-f]+)"', body)


def test_own_sessions_are_listed_and_another_can_be_ended(world):
    user = world.county_viewer
    phone = signed_in(user, PHONE_AGENT, ip="198.51.100.4")
    desk = signed_in(user, DESK_AGENT)
    body = desk.get("/accounts/password/").content.decode()
    assert "测试手机浏览器" in body and "测试电脑浏览器" in body and "198.51.100.4" in body
    assert body.count(">当前<") == 1
    # Only the other session has a button; the session keys (the cookies' secrets) never show.
    (phone_sid,) = sids(body)
    assert phone.session[SID_KEY] == phone_sid
    for key in Session.objects.values_list("session_key", flat=True):
        assert key not in body
    response = desk.post("/accounts/sessions/revoke/", {"sid": phone_sid})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    assert "已结束该会话" in desk.get("/accounts/password/").content.decode()
    assert phone.get("/members/").status_code == 302  # back to the login page
    assert not is_logged_in(phone)
    assert is_logged_in(desk)
    event = AuditEvent.objects.filter(actor=user, changes__has_key="session").get()
    assert event.changes["ip"] == [None, "198.51.100.4"]


def test_the_current_session_and_foreign_sessions_cannot_be_ended_from_the_list(world):
    user = world.county_viewer
    desk = signed_in(user, DESK_AGENT)
    other_user = signed_in(world.county_admin, PHONE_AGENT)
    own_sid = desk.session[SID_KEY]
    response = desk.post("/accounts/sessions/revoke/", {"sid": own_sid}, follow=True)
    assert "该会话已结束或不属于您" in response.content.decode()
    assert is_logged_in(desk)
    # Another user's session id (posted by hand) is not found among the user's own.
    response = desk.post(
        "/accounts/sessions/revoke/", {"sid": other_user.session[SID_KEY]}, follow=True
    )
    assert "该会话已结束或不属于您" in response.content.decode()
    assert is_logged_in(other_user)


def test_login_records_only_the_public_id_ip_and_agent(world):
    client = signed_in(world.county_viewer, "x" * 500)
    data = client.session
    assert len(data[SID_KEY]) == 16 and data[IP_KEY] == CLIENT_IP
    assert data[AGENT_KEY] == "x" * 200
    # Nothing else: Django's auth keys, the login time, these three, django-otp's device and
    # whether the account had a second factor at sign-in (a boolean, twofactor.DEVICE_AT_LOGIN).
    assert set(data.keys()) <= {
        "_auth_user_id",
        "_auth_user_backend",
        "_auth_user_hash",
        "otp_device_id",
        "ruhui_started",
        DEVICE_AT_LOGIN,
        SID_KEY,
        IP_KEY,
        AGENT_KEY,
    }


@pytest.mark.parametrize(
    ("actor_name", "status"),
    [("city_admin", 302), ("county_admin", 302), ("county_viewer", 403), ("sibling_admin", 404)],
    ids=["city-admin", "county-admin", "read-only", "sibling-county"],
)
def test_revoking_all_sessions_of_a_user_follows_the_triangle(world, actor_name, status):
    """Allowed (admins above the user), read-only (403), a sibling county's admin (404)."""
    target = UserFactory(username="wg_kd_clerk", organization=world.county_trade, role="clerk")
    first, second = signed_in(target, PHONE_AGENT), signed_in(target, DESK_AGENT)
    actor = Client()
    actor.force_login(getattr(world, actor_name))
    response = actor.post(f"/accounts/users/{target.pk}/sessions/revoke/")
    assert response.status_code == status
    ended = status == 302
    assert is_logged_in(first) is not ended and is_logged_in(second) is not ended
    logged = AuditEvent.objects.filter(object_id=str(target.pk), changes__has_key="sessions")
    assert logged.exists() is ended
    if ended:
        assert logged.get().changes["sessions"] == [2, "全部结束"]


def test_user_edit_page_offers_ending_all_sessions(world, client):
    client.force_login(world.city_admin)
    body = client.get(f"/accounts/users/{world.county_viewer.pk}/edit/").content.decode()
    assert f"/accounts/users/{world.county_viewer.pk}/sessions/revoke/" in body
    assert "结束全部会话" in body


def test_listing_a_users_sessions_reads_only_theirs(world, django_assert_num_queries, monkeypatch):
    """Each session row records its user (ruhui.accounts.session_store): listing one user's
    sessions is one query over that user's rows, however many others are signed in."""
    mine = signed_in(world.county_viewer, DESK_AGENT)
    for n in range(5):
        signed_in(UserFactory(organization=world.county), f"{PHONE_AGENT} {n}")
    Client().get("/join/")  # an anonymous visitor's session has no user
    assert Session.objects.filter(user_id=world.county_viewer.pk).count() == 1
    assert Session.objects.filter(user_id__isnull=False).count() == 6
    decoded = []
    real_decode = sessions.SessionStore.decode
    monkeypatch.setattr(
        sessions.SessionStore,
        "decode",
        lambda self, data: decoded.append(1) or real_decode(self, data),
    )
    with django_assert_num_queries(1):
        listed = sessions.active_sessions(world.county_viewer, mine.session.session_key)
    assert len(decoded) == 1  # the other six sessions are never read
    assert [s.current for s in listed] == [True]
    assert listed[0].agent == DESK_AGENT
