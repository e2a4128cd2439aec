"""Read replicas (issue 20): read-only pages read a PostgreSQL streaming replica when one is
configured (`DATABASE_REPLICA_URLS`) and healthy; everything else reads the primary.

What goes where:

- every write goes to the primary (`db_for_write`);
- a read goes to a replica only while a request marked for replica reads is being answered:
  a GET/HEAD of a view named in `RUHUI_REPLICA_VIEWS` (dashboards, lists, exports, reports),
  by a client that has not written within `RUHUI_READ_YOUR_WRITES_S` (every non-safe request
  stamps a signed cookie, so the page right after a save reads the primary and shows the save);
- inside `transaction.atomic` on the primary every read goes to the primary too;
- the session, the account and login-security tables are always read from the primary (a
  sign-out or a lockout takes effect at once, never after the replica catches up).

Health: one small query per replica (`replica_health`), cached `RUHUI_REPLICA_CHECK_S` seconds
per process: its lag is 0 when it has replayed all the WAL the primary had written just before,
otherwise the age of the last transaction it replayed. A replica that cannot be reached (a short
connect_timeout) or lags more than `RUHUI_REPLICA_MAX_LAG_S` is skipped: the page reads the
primary. A replica that fails in the middle of a page (it stopped after its last check) is marked
down and the page is answered again from the primary — never an error page.

A page served from a replica shows 「数据截至 …」 (the replica's data time, `request.replica_as_of`,
in web/base.html).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import random
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, connections

from ruhui.core.middleware import is_db_outage

logger = logging.getLogger("ruhui.replicas")

#: The signed cookie a non-safe request leaves: "this client wrote at …".
WROTE_COOKIE = "ruhui_wrote"
WROTE_SALT = "ruhui.core.replicas.wrote"
SAFE_METHODS = ("GET", "HEAD")
#: Apps whose tables are always read from the primary: sessions, accounts (users, their
#: sessions, tokens), login lockouts and second factors, the task queue.
PRIMARY_ONLY_APPS = frozenset(
    {"sessions", "accounts", "auth", "axes", "otp_totp", "otp_static", "django_tasks_db"}
)

LAG_SQL = (
    "SELECT pg_is_in_recovery(), "
    "COALESCE(pg_last_wal_replay_lsn() >= %s::pg_lsn, NOT pg_is_in_recovery()), "
    "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), "
    "pg_last_xact_replay_timestamp(), now()"
)


@dataclass(frozen=True)
class ReplicaHealth:
    """One replica's state at its last check."""

    alias: str
    ok: bool
    lag_s: float | None = None
    #: The time up to which its data is complete (now when caught up, else its last replay).
    data_time: datetime | None = None
    reason: str = ""
    checked: float = 0.0


@dataclass
class _ReadState:
    alias: str
    used: bool = False


_reads: contextvars.ContextVar[_ReadState | None] = contextvars.ContextVar(
    "ruhui_replica_reads", default=None
)
_health: dict[str, ReplicaHealth] = {}
_health_lock = threading.Lock()


def replica_aliases() -> list[str]:
    """The configured replicas' database aliases (replica_1, …); empty without replicas."""
    return list(getattr(settings, "RUHUI_REPLICA_ALIASES", ()))


def forget_health() -> None:
    """Drop every cached check (tests; a changed configuration)."""
    with _health_lock:
        _health.clear()


def _primary_lsn() -> str | None:
    """The primary's current WAL position, or None (not PostgreSQL, or it cannot answer)."""
    primary = connections["default"]
    if primary.vendor != "postgresql":
        return None
    try:
        with primary.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            return cursor.fetchone()[0]
    except DatabaseError:
        return None


def _measure(alias: str, lsn: str | None) -> tuple[bool, bool, float | None, datetime, datetime]:
    with connections[alias].cursor() as cursor:
        if lsn is None:
            cursor.execute(LAG_SQL.replace("%s::pg_lsn", "pg_last_wal_receive_lsn()"))
        else:
            cursor.execute(LAG_SQL, [lsn])
        in_recovery, caught_up, lag, replayed_at, now = cursor.fetchone()
    return in_recovery, caught_up, (None if lag is None else float(lag)), replayed_at, now


def _close(alias: str) -> None:
    """Drop a replica's broken connection (the next use connects again)."""
    with contextlib.suppress(DatabaseError):
        connections[alias].close()


def check_replica(alias: str) -> ReplicaHealth:
    """Ask the replica how far behind the primary it is (no cache)."""
    limit = float(settings.RUHUI_REPLICA_MAX_LAG_S)
    checked = time.monotonic()
    lsn = _primary_lsn()
    try:
        in_recovery, caught_up, lag, replayed_at, now = _measure(alias, lsn)
        if not caught_up and (lag is None or lag > limit) and lsn is not None:
            # A transaction committed on the primary a moment ago may simply be in flight:
            # look once more before calling a quiet replica far behind.
            time.sleep(0.2)
            in_recovery, caught_up, lag, replayed_at, now = _measure(alias, lsn)
    except DatabaseError as exc:
        _close(alias)
        return ReplicaHealth(alias, ok=False, reason=f"无法连接（{type(exc).__name__}）",
                             checked=checked)  # fmt: skip
    if caught_up or not in_recovery:
        return ReplicaHealth(alias, ok=True, lag_s=0.0, data_time=now, checked=checked)
    if lag is None:
        return ReplicaHealth(alias, ok=False, reason="尚未回放任何事务", checked=checked)
    lag = max(lag, 0.0)
    if lag > limit:
        return ReplicaHealth(alias, ok=False, lag_s=lag, data_time=replayed_at,
                             reason=f"延迟 {lag:.1f} 秒，超过 {limit:g} 秒", checked=checked)  # fmt: skip
    return ReplicaHealth(alias, ok=True, lag_s=lag, data_time=replayed_at, checked=checked)


def replica_health(alias: str) -> ReplicaHealth:
    """The replica's state, checked at most every `RUHUI_REPLICA_CHECK_S` seconds per process."""
    every = float(settings.RUHUI_REPLICA_CHECK_S)
    with _health_lock:
        cached = _health.get(alias)
    if cached is not None and time.monotonic() - cached.checked < every:
        return cached
    health = check_replica(alias)
    with _health_lock:
        before = _health.get(alias)
        _health[alias] = health
    if health.ok != (before.ok if before else True):
        if health.ok:
            logger.warning("只读副本 %s 已恢复使用（延迟 %.1f 秒）", alias, health.lag_s or 0.0)
        else:
            logger.warning("只读副本 %s 暂不使用，读主库：%s", alias, health.reason)
    return health


def mark_down(alias: str, reason: str) -> None:
    """A page failed on this replica: skip it until its next check is due."""
    with _health_lock:
        _health[alias] = ReplicaHealth(alias, ok=False, reason=reason, checked=time.monotonic())
    logger.warning("只读副本 %s 出错，本页改读主库：%s", alias, reason)


def choose_replica() -> ReplicaHealth | None:
    """A healthy replica to read (spread at random among the healthy ones), or None."""
    healthy = [h for h in map(replica_health, replica_aliases()) if h.ok]
    return random.choice(healthy) if healthy else None  # noqa: S311 (spreading load)


def wrote_recently(request) -> bool:
    """Did this client send a non-safe request within the read-your-writes window?"""
    window = float(settings.RUHUI_READ_YOUR_WRITES_S)
    stamp = request.get_signed_cookie(WROTE_COOKIE, default=None, salt=WROTE_SALT, max_age=window)
    return stamp is not None


def replica_candidate(request) -> bool:
    """May this request's reads go to a replica (before asking whether one is healthy)?"""
    if not replica_aliases() or request.method not in SAFE_METHODS:
        return False
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name not in settings.RUHUI_REPLICA_VIEWS:
        return False
    return not wrote_recently(request)


class ReplicaRouter:
    """DATABASE_ROUTERS entry (set only when replicas are configured)."""

    def db_for_read(self, model, **hints):
        # "default" rather than None: an object read from a replica on one page must not pull
        # its related objects from the replica later (Django's fallback is the object's own db).
        state = _reads.get()
        if state is None or model._meta.app_label in PRIMARY_ONLY_APPS:
            return "default"
        if connections["default"].in_atomic_block:
            return "default"
        state.used = True
        return state.alias

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        ours = {"default", *replica_aliases()}
        if obj1._state.db in ours and obj2._state.db in ours:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db in replica_aliases() else None


class ReplicaReadsMiddleware:
    """Decides per request whether its reads may use a replica; stamps the read-your-writes
    cookie on every non-safe request; answers a page again from the primary when its replica
    failed in the middle. Listed last in MIDDLEWARE (its process_exception runs first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        token = _reads.set(None)
        try:
            response = self.get_response(request)
        finally:
            _reads.reset(token)
        if request.method not in SAFE_METHODS:
            response.set_signed_cookie(
                WROTE_COOKIE, "1", salt=WROTE_SALT,
                max_age=max(1, int(float(settings.RUHUI_READ_YOUR_WRITES_S) + 0.999)),
                httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
            )  # fmt: skip
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not replica_candidate(request):
            return None
        health = choose_replica()
        if health is None:
            return None
        request.replica_as_of = health.data_time
        request._replica_view = (view_func, view_args, view_kwargs)
        _reads.set(_ReadState(health.alias))
        return None

    def process_exception(self, request, exception):
        state = _reads.get()
        if state is None or not state.used or not is_db_outage(exception):
            return None
        # The replica failed after its last check (stopped, restarted): mark it down and answer
        # the same GET again from the primary. A failure of the primary goes on to the 503 page.
        mark_down(state.alias, type(exception).__name__)
        _reads.set(None)
        request.replica_as_of = None
        _close(state.alias)
        view_func, view_args, view_kwargs = request._replica_view
        response = view_func(request, *view_args, **view_kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response
