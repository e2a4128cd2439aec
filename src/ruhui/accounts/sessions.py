"""A cadre's active sessions, read from the session table (accounts.UserSession, whose rows
carry their user's id: see ruhui.accounts.session_store).

At login the session records a random, non-secret session id (`ruhui_sid`, shown in forms
instead of the session key, which is the cookie's secret), the client IP and the first 200
characters of the browser's user agent. Nothing else is added. Listing reads the user's
unexpired sessions (one indexed query) and keeps those still valid: the password hash they
carry matches and the 12-hour absolute limit has not passed. Last activity is the expiry minus
the idle age (sessions are saved every request)."""

import datetime
import hashlib
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from ruhui.accounts.middleware import SESSION_STARTED_KEY
from ruhui.accounts.models import UserSession
from ruhui.accounts.session_store import SessionStore
from ruhui.core.context import client_ip

SID_KEY = "ruhui_sid"
IP_KEY = "ruhui_ip"
AGENT_KEY = "ruhui_agent"
AGENT_LENGTH = 200


def record_login(request) -> None:
    """Called at login (accounts.signals): the session's public id, IP and browser."""
    request.session[SID_KEY] = secrets.token_hex(8)
    request.session[IP_KEY] = client_ip() or request.META.get("REMOTE_ADDR") or ""
    request.session[AGENT_KEY] = request.META.get("HTTP_USER_AGENT", "")[:AGENT_LENGTH]


@dataclass
class SessionInfo:
    sid: str
    started: datetime.datetime | None
    last_activity: datetime.datetime
    ip: str
    agent: str
    session_key: str  # internal: never rendered
    current: bool = False


def _derived_sid(session_key: str) -> str:
    """A public id for a session made before ids were recorded: a digest, never the key."""
    return hashlib.sha256(f"ruhui-sid:{session_key}".encode()).hexdigest()[:16]


def active_sessions(user, current_key: str | None = None) -> list[SessionInfo]:
    """The user's valid sessions, the most recently active first."""
    store = SessionStore()
    now = timezone.now()
    user_id = str(user.pk)
    auth_hash = user.get_session_auth_hash()
    found = []
    rows = UserSession.objects.filter(user_id=user.pk, expire_date__gt=now)
    for row in rows.order_by("-expire_date"):
        data = store.decode(row.session_data)
        if str(data.get(SESSION_KEY, "")) != user_id:  # the data decides; the column finds
            continue
        if not constant_time_compare(str(data.get(HASH_SESSION_KEY, "")), auth_hash):
            continue
        started = data.get(SESSION_STARTED_KEY)
        if started is None or time.time() - started > settings.RUHUI_SESSION_ABSOLUTE_SECONDS:
            continue
        found.append(
            SessionInfo(
                sid=str(data.get(SID_KEY, "") or _derived_sid(row.session_key)),
                started=datetime.datetime.fromtimestamp(started, tz=datetime.UTC),
                last_activity=row.expire_date
                - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE),
                ip=str(data.get(IP_KEY, "")),
                agent=str(data.get(AGENT_KEY, "")),
                session_key=row.session_key,
                current=row.session_key == current_key,
            )
        )
    return found


def delete_sessions(keys: list[str]) -> int:
    deleted, _ = UserSession.objects.filter(session_key__in=keys).delete()
    return deleted


def end_other_sessions(user, keep_key: str | None) -> int:
    """End every session of `user` but the one in use (after the second factor is turned on,
    a session signed in without it must sign in again)."""
    deleted, _ = UserSession.objects.filter(user_id=user.pk).exclude(session_key=keep_key).delete()
    return deleted
