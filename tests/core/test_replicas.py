"""The read-replica rules (core/replicas.py) on either backend: what goes to the primary, when a
replica is skipped, the read-your-writes cookie, the 数据截至 line, and a replica failing in the
middle of a page. A second alias onto the test database stands in for the replica (its own
connection, its own query log); tests/core/test_replica_streaming.py runs a real one."""

import copy
from datetime import UTC, datetime

import pytest
from django.db import OperationalError, connections, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from ruhui.accounts.models import User
from ruhui.core import replicas
from ruhui.core.replicas import ReplicaHealth, ReplicaRouter
from ruhui.orgs.models import Organization
from tests.profiles import run

ALIAS = "replica_1"
AS_OF = "数据截至"


@pytest.fixture(autouse=True)
def fresh_health():
    replicas.forget_health()
    yield
    replicas.forget_health()


@pytest.fixture
def configured(settings):
    """One replica configured (its alias; the router as settings.py installs it)."""
    settings.RUHUI_REPLICA_ALIASES = [ALIAS]
    settings.DATABASE_ROUTERS = ["ruhui.core.replicas.ReplicaRouter"]
    settings.RUHUI_REPLICA_MAX_LAG_S = 30
    settings.RUHUI_REPLICA_CHECK_S = 5
    settings.RUHUI_READ_YOUR_WRITES_S = 5
    return settings


@pytest.fixture
def replica_alias(configured):
    """`replica_1` as a second connection to the test database (or, broken=True, to nowhere)."""
    made = []

    def add(*, broken: bool = False):
        entry = copy.deepcopy(connections["default"].settings_dict)
        if broken and entry["ENGINE"].endswith("sqlite3"):
            entry["NAME"] = "/nonexistent-ruhui-replica/db.sqlite3"
        elif broken:
            entry.update(PORT="1", OPTIONS={**entry.get("OPTIONS", {}), "connect_timeout": 2})
        # Put in place as Django's "dynamically created connection" (not in settings): the test
        # database is not copied for it, and a test may use it like the primary.
        wrapper = connections["default"].__class__(entry, alias=ALIAS)
        setattr(connections._connections, ALIAS, wrapper)
        made.append(wrapper)
        return wrapper

    yield add
    for wrapper in made:
        wrapper.close()
        if hasattr(connections._connections, ALIAS):
            delattr(connections._connections, ALIAS)


def healthy(monkeypatch):
    now = datetime(2026, 12, 7, 3, 4, 5, tzinfo=UTC)
    monkeypatch.setattr(
        replicas, "replica_health",
        lambda alias: ReplicaHealth(alias, ok=True, lag_s=0.0, data_time=now, checked=0.0),
    )  # fmt: skip


# ── the router ────────────────────────────────────────────────────────────────────────────────


def test_without_a_marked_request_every_read_goes_to_the_primary(configured):
    assert ReplicaRouter().db_for_read(Organization) == "default"
    replica_org = Organization()
    replica_org._state.db = ALIAS  # read from a replica on an earlier page
    assert ReplicaRouter().db_for_read(Organization, instance=replica_org) == "default"
    assert ReplicaRouter().db_for_write(Organization) == "default"


@pytest.mark.django_db(transaction=True)
def test_a_marked_request_reads_the_replica_except_in_a_transaction_and_for_accounts(configured):
    router = ReplicaRouter()
    token = replicas._reads.set(replicas._ReadState(ALIAS))
    try:
        assert router.db_for_read(Organization) == ALIAS
        assert router.db_for_read(User) == "default", "accounts and sessions: always the primary"
        with transaction.atomic():
            assert router.db_for_read(Organization) == "default"
        assert router.db_for_write(Organization) == "default"
    finally:
        replicas._reads.reset(token)


def test_objects_relate_across_the_primary_and_the_replica_and_it_is_never_migrated(configured):
    one, other = Organization(), Organization()
    one._state.db, other._state.db = "default", ALIAS
    assert ReplicaRouter().allow_relation(one, other) is True
    other._state.db = "elsewhere"
    assert ReplicaRouter().allow_relation(one, other) is None
    assert ReplicaRouter().allow_migrate(ALIAS, "orgs") is False
    assert ReplicaRouter().allow_migrate("default", "orgs") is None


# ── which requests may read a replica ─────────────────────────────────────────────────────────


def _request(method: str, name: str, cookie: str | None = None):
    path = reverse(name)
    request = getattr(RequestFactory(), method.lower())(path)
    request.resolver_match = resolve(path)
    if cookie is not None:
        request.COOKIES[replicas.WROTE_COOKIE] = cookie
    return request


def _wrote_cookie(seconds_ago: float) -> str:
    from django.core import signing

    signer = signing.get_cookie_signer(salt=replicas.WROTE_COOKIE + replicas.WROTE_SALT)
    signer.timestamp = lambda: signing.b62_encode(int(datetime.now(UTC).timestamp() - seconds_ago))
    return signer.sign("1")


def test_only_gets_of_listed_pages_by_clients_that_have_not_just_written(configured):
    assert replicas.replica_candidate(_request("GET", "orgs:list"))
    assert replicas.replica_candidate(_request("HEAD", "workbench:home"))
    assert not replicas.replica_candidate(_request("POST", "orgs:list"))
    assert not replicas.replica_candidate(_request("GET", "orgs:create"))
    assert not replicas.replica_candidate(_request("GET", "orgs:list", _wrote_cookie(1)))
    assert replicas.replica_candidate(_request("GET", "orgs:list", _wrote_cookie(30)))
    assert replicas.replica_candidate(_request("GET", "orgs:list", "forged"))


def test_without_replicas_nothing_changes(settings):
    settings.RUHUI_REPLICA_ALIASES = []
    assert not replicas.replica_candidate(_request("GET", "orgs:list"))


# ── health: lag, failures, the cache ──────────────────────────────────────────────────────────


def _measured(monkeypatch, *answers):
    """`_measure` answers these in turn (an exception is raised); returns the call log."""
    calls = []
    now = datetime(2026, 12, 7, 3, 4, 5, tzinfo=UTC)
    replayed = datetime(2026, 12, 7, 3, 3, 0, tzinfo=UTC)

    def measure(alias, lsn):
        answer = answers[min(len(calls), len(answers) - 1)]
        calls.append(lsn)
        if isinstance(answer, Exception):
            raise answer
        caught_up, lag = answer
        return True, caught_up, lag, replayed, now

    monkeypatch.setattr(replicas, "_measure", measure)
    monkeypatch.setattr(replicas, "_primary_lsn", lambda: "0/3000000")
    monkeypatch.setattr(replicas, "_close", lambda alias: None)
    monkeypatch.setattr(replicas.time, "sleep", lambda seconds: None)
    return calls, now, replayed


def test_a_caught_up_replica_is_used_with_the_current_time(configured, monkeypatch):
    _calls, now, _ = _measured(monkeypatch, (True, 65.0))
    health = replicas.check_replica(ALIAS)
    assert (health.ok, health.lag_s, health.data_time) == (True, 0.0, now)


def test_a_replica_behind_within_the_limit_is_used_with_its_replay_time(configured, monkeypatch):
    _calls, _, replayed = _measured(monkeypatch, (False, 12.5))
    health = replicas.check_replica(ALIAS)
    assert (health.ok, health.lag_s, health.data_time) == (True, 12.5, replayed)


def test_a_replica_lagging_beyond_the_limit_is_skipped(configured, monkeypatch):
    calls, _, _ = _measured(monkeypatch, (False, 65.0))
    health = replicas.check_replica(ALIAS)
    assert not health.ok and health.lag_s == 65.0 and "超过 30 秒" in health.reason
    assert len(calls) == 2, "looked twice before calling it behind"
    assert replicas.choose_replica() is None


def test_a_commit_in_flight_does_not_make_a_quiet_replica_lag(configured, monkeypatch):
    calls, _, _ = _measured(monkeypatch, (False, 600.0), (True, 600.0))
    assert replicas.check_replica(ALIAS).ok and len(calls) == 2


def test_a_replica_that_cannot_be_reached_is_skipped_and_checked_again_later(
    configured, monkeypatch
):
    calls, _, _ = _measured(monkeypatch, OperationalError("connection refused"), (True, 0.0))
    assert replicas.choose_replica() is None
    assert replicas.replica_health(ALIAS).reason.startswith("无法连接")
    assert len(calls) == 1, "cached: not asked again within RUHUI_REPLICA_CHECK_S"
    configured.RUHUI_REPLICA_CHECK_S = 0
    assert replicas.choose_replica().alias == ALIAS and len(calls) == 2


# ── the middleware, end to end through pages ──────────────────────────────────────────────────


@pytest.mark.django_db(transaction=True)
def test_a_listed_page_reads_the_replica_and_says_how_current_it_is(
    world, as_user, replica_alias, monkeypatch
):
    replica = replica_alias()
    healthy(monkeypatch)
    client = as_user(world.city_admin)
    with CaptureQueriesContext(replica) as on_replica:
        page = client.get(reverse("orgs:list"))
    assert page.status_code == 200
    body = page.content.decode()
    assert f"{AS_OF} 2026-12-07 11:04:05" in body  # the replica's data time, Beijing time
    assert world.county.name in body
    assert any("orgs_organization" in q["sql"] for q in on_replica.captured_queries)
    assert not any("accounts_user" in q["sql"].split("FROM")[1][:40] for q in on_replica.captured_queries
                   if "FROM" in q["sql"]), "the account is read from the primary"  # fmt: skip

    with CaptureQueriesContext(replica) as on_replica:
        form = client.get(reverse("orgs:create"))
    assert form.status_code == 200 and AS_OF not in form.content.decode()
    assert on_replica.captured_queries == [], "a page not listed reads the primary only"


@pytest.mark.django_db(transaction=True)
def test_after_a_write_the_same_client_reads_the_primary_for_a_while(
    world, as_user, replica_alias, monkeypatch, configured
):
    replica = replica_alias()
    healthy(monkeypatch)
    client = as_user(world.city_admin)
    wrote = client.post(reverse("orgs:create"), {})  # refused, but a non-safe request
    assert wrote.status_code == 200
    cookie = wrote.cookies[replicas.WROTE_COOKIE]
    assert cookie["httponly"] and int(cookie["max-age"]) == 5
    with CaptureQueriesContext(replica) as on_replica:
        page = client.get(reverse("orgs:list"))
    assert page.status_code == 200 and AS_OF not in page.content.decode()
    assert on_replica.captured_queries == []


@pytest.mark.django_db(transaction=True)
def test_a_lagging_or_unreachable_replica_is_skipped_never_an_error(
    world, as_user, replica_alias, monkeypatch
):
    replica_alias()
    monkeypatch.setattr(
        replicas, "replica_health",
        lambda alias: ReplicaHealth(alias, ok=False, lag_s=99.0, reason="延迟 99 秒"),
    )  # fmt: skip
    page = as_user(world.city_admin).get(reverse("orgs:list"))
    assert page.status_code == 200 and AS_OF not in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_replica_failing_mid_page_is_marked_down_and_the_page_read_again_from_the_primary(
    world, as_user, replica_alias, monkeypatch, caplog
):
    replica_alias(broken=True)
    healthy(monkeypatch)  # its last check said healthy; it stopped since
    page = as_user(world.city_admin).get(reverse("orgs:list"))
    assert page.status_code == 200
    body = page.content.decode()
    assert AS_OF not in body and world.county.name in body
    assert "出错，本页改读主库" in caplog.text
    assert not replicas._health[ALIAS].ok


# ── settings ──────────────────────────────────────────────────────────────────────────────────

SHOW = (
    "from django.conf import settings as s; "
    "print(sorted(s.DATABASES), s.DATABASE_ROUTERS, s.RUHUI_REPLICA_ALIASES, "
    "[(d['HOST'], d['PORT'], d['TEST']['MIRROR'], d['OPTIONS']['connect_timeout']) "
    "for a, d in sorted(s.DATABASES.items()) if a != 'default'])"
)


def _settings_run(env, tmp_path, **extra):
    env = {k: v for k, v in env.items() if not k.startswith(("DATABASE_REPLICA", "RUHUI_REPLICA"))}
    return run(["-c", f"import django; django.setup(); {SHOW}"], env | extra, tmp_path)


def test_replica_urls_become_aliases_mirroring_the_primary_in_tests(production_env, tmp_path):
    done = _settings_run(
        production_env, tmp_path,
        DATABASE_REPLICA_URLS="postgres://ruhui@db2.example.cn:5432/ruhui, "
        "postgres://ruhui@db3.example.cn:6432/ruhui",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "['default', 'replica_1', 'replica_2'] ['ruhui.core.replicas.ReplicaRouter'] "
        "['replica_1', 'replica_2'] [('db2.example.cn', 5432, 'default', 2), "
        "('db3.example.cn', 6432, 'default', 2)]"
    )


def test_without_replica_urls_there_is_no_router(production_env, tmp_path):
    done = _settings_run(production_env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['default'] [] [] []"


def test_a_replica_of_sqlite_is_refused_with_the_variable_named(production_env, tmp_path):
    done = _settings_run(
        production_env, tmp_path, DATABASE_URL="sqlite:///x.sqlite3", RUHUI_ALLOW_SQLITE="1",
        DATABASE_REPLICA_URLS="postgres://ruhui@db2.example.cn/ruhui",
    )  # fmt: skip
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "DATABASE_REPLICA_URLS" in done.stderr
