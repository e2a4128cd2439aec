"""Read replicas against a real streaming replica (issue 20 item 2).

A throw-away primary on port 5436 (tests/pgcluster.py) gets the schema (`ruhui migrate`) and two
officers; `pg_basebackup -R` makes a streaming replica of it on port 5437. gunicorn then serves
the site with DATABASE_URL = the primary and DATABASE_REPLICA_URLS = the replica. Evidence comes
from the databases: with the replica's replay paused, a row the app wrote is on the primary and
not on the replica, so a page shows it exactly when it read the primary; and the replica's own
scan counters grow with the pages it served. The shared server (5432) is never touched; both
clusters and the server are stopped and deleted whatever happens.
"""

import json
import os
import re
import secrets
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
from django.db import connection
from django.urls import reverse

from tests.pgcluster import Cluster
from tests.profiles import b64_key

pytestmark = [pytest.mark.postgres]

PRIMARY_PORT, REPLICA_PORT = 5436, 5437
DATABASE = "ruhui_rep_app"
RUHUI = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "ruhui"
PASSWORD = "Ruhui-replica-2026"
MAX_LAG_S, CHECK_S, WINDOW_S = 5.0, 1.5, 2.0
AS_OF = "数据截至"
NEW_UNION = "舞钢副本演练行业工会"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

SEED = f"""
from django.core.management import call_command
call_command("migrate", verbosity=0)
from ruhui.accounts.models import Role, User
from ruhui.orgs.models import Organization
city = Organization.add_root(name="平顶山市总工会", code="PDS", kind="city", division_code="410400")
for name in ("rep_a", "rep_b"):
    User.objects.create_user(username=name, password="{PASSWORD}", role=Role.ADMIN,
                             organization=city, full_name=name)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, *, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def sign_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    login = base + reverse("login")
    token = TOKEN.search(session.get(login, timeout=30).text).group(1)
    signed_in = session.post(
        login, data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": login}, timeout=30, allow_redirects=False,
    )  # fmt: skip
    assert signed_in.status_code == 302, signed_in.text[:500]
    return session


def scans(cluster: Cluster) -> int:
    """How often this server read the organization table (its own statistics)."""
    return int(
        cluster.psql(
            "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables "
            "WHERE relname = 'orgs_organization'",
            database=DATABASE,
        )
    )


def held(cluster: Cluster) -> int:
    return int(
        cluster.psql(
            f"SELECT count(*) FROM orgs_organization WHERE name = '{NEW_UNION}'",  # noqa: S608 (a constant)
            database=DATABASE,
        )
    )


@pytest.fixture
def clusters():
    if connection.vendor != "postgresql":
        pytest.skip(
            "只读副本演练需要 PostgreSQL（流复制）：在 PostgreSQL 一轮（DATABASE_URL）中运行"
        )
    primary = Cluster(
        port=PRIMARY_PORT,
        settings={"wal_level": "replica", "max_wal_senders": "4", "hot_standby": "on"},
    )
    made = [primary]
    try:
        primary.start()
        primary.psql(f"CREATE DATABASE {DATABASE}")
        yield primary, made
    finally:
        for cluster in reversed(made):
            cluster.stop()


def test_reads_go_to_the_replica_writes_to_the_primary_and_pages_survive_its_loss(
    clusters, tmp_path, figure
):
    primary, made = clusters
    began = time.monotonic()
    env = {
        **os.environ,
        "RUHUI_ENV": "development",
        "DEBUG": "0",
        "DATABASE_URL": primary.url(DATABASE),
        "RUHUI_VAR_DIR": str(tmp_path / "var"),
        "RUHUI_JOB_FILES": str(tmp_path / "jobs"),
        "RUHUI_TASK_BACKEND": "db",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        # Given, so that the seeding process and the server share them (no var/ secrets file).
        "SECRET_KEY": secrets.token_urlsafe(50),
        "RUHUI_FIELD_KEYS": json.dumps({"1": b64_key()}),
        "RUHUI_BLIND_INDEX_KEY": b64_key(),
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "gunicorn.log"
    server_env = env | {
        "DATABASE_REPLICA_URLS": f"postgres://postgres@127.0.0.1:{REPLICA_PORT}/{DATABASE}",
        "RUHUI_REPLICA_MAX_LAG_S": str(MAX_LAG_S),
        "RUHUI_REPLICA_CHECK_S": str(CHECK_S),
        "RUHUI_READ_YOUR_WRITES_S": str(WINDOW_S),
    }
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603 (this checkout's gunicorn, fixed arguments)
            [str(RUHUI.parent / "gunicorn"), "ruhui.wsgi:application", "--bind",
             f"127.0.0.1:{port}", "--workers", "1", "--threads", "4", "--timeout", "60"],
            env=server_env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        # While gunicorn starts: the schema and the two officers, then the replica.
        done = subprocess.run(  # noqa: S603 (this checkout's ruhui, fixed arguments)
            [str(RUHUI), "shell", "-c", SEED], env=env, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        replica = primary.standby(port=REPLICA_PORT)
        made.append(replica)
        assert replica.psql("SELECT pg_is_in_recovery()") == "t"
        wait_for(
            lambda: replica.psql("SELECT count(*) FROM accounts_user", database=DATABASE) == "2",
            timeout=30, what="the replica to receive the seed",
        )  # fmt: skip
        _drill(base, primary, replica, log_path, figure, began)
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=15)


def _drill(base, primary, replica, log_path, figure, began):
    def answers():
        try:
            return requests.get(base + "/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    wait_for(answers, timeout=60, what="gunicorn", interval=0.2)
    figure(
        "replica: setup (two clusters, migrate, seed, pg_basebackup -R, gunicorn)",
        f"{time.monotonic() - began:.1f} s",
    )
    writer, reader = sign_in(base, "rep_a"), sign_in(base, "rep_b")
    lists = base + reverse("orgs:list")
    time.sleep(WINDOW_S + 0.5)  # signing in was a write: let both windows pass
    replica_scans = scans(replica)

    # Reads land on the replica: the page says so, and the replica counts the reads (below).
    page = reader.get(lists, timeout=30)
    assert page.status_code == 200 and AS_OF in page.text and "平顶山市总工会" in page.text

    # Writes go to the primary; a page right after the write reads the primary and shows it,
    # while another client's page reads the replica, whose replay is paused: it has not got it.
    replica.psql("SELECT pg_wal_replay_pause()")
    paused = time.monotonic()
    form = writer.get(base + reverse("orgs:create"), timeout=30)
    assert form.status_code == 200
    parent = re.search(r'<option value="(\d+)"[^>]*>[^<]*平顶山市总工会', form.text).group(1)
    created = writer.post(
        base + reverse("orgs:create"),
        data={"parent": parent, "name": NEW_UNION, "code": "REP-1", "kind": "trade",
              "division_code": "410481", "csrfmiddlewaretoken": TOKEN.search(form.text).group(1)},
        headers={"Referer": base + reverse("orgs:create")}, timeout=30, allow_redirects=False,
    )  # fmt: skip
    assert created.status_code == 302, created.text[:2000]
    own = writer.get(lists, timeout=30)
    other = reader.get(lists, timeout=30)
    assert (held(primary), held(replica)) == (1, 0), "the write is on the primary only"
    assert own.status_code == 200 and NEW_UNION in own.text and AS_OF not in own.text
    assert other.status_code == 200 and NEW_UNION not in other.text and AS_OF in other.text
    assert time.monotonic() - paused < MAX_LAG_S, "the drill was too slow to see the replica"

    # A replica lagging beyond RUHUI_REPLICA_MAX_LAG_S is skipped: the same client's page reads
    # the primary (the replica still has not got the row), with no 数据截至 line.
    def from_primary():
        page = reader.get(lists, timeout=30)
        assert page.status_code == 200
        return NEW_UNION in page.text and AS_OF not in page.text

    wait_for(from_primary, timeout=MAX_LAG_S + 3 * CHECK_S + 5, what="the lagging replica skipped")
    skipped_after = time.monotonic() - paused
    assert held(replica) == 0
    assert skipped_after >= MAX_LAG_S - CHECK_S, f"skipped after {skipped_after:.1f} s only"
    figure(
        "replica: lagging replica skipped after", f"{skipped_after:.1f} s (limit {MAX_LAG_S:g} s)"
    )

    # Caught up again, it serves the reads again.
    replica.psql("SELECT pg_wal_replay_resume()")
    resumed = time.monotonic()

    def from_replica():
        page = reader.get(lists, timeout=30)
        return page.status_code == 200 and NEW_UNION in page.text and AS_OF in page.text

    wait_for(from_replica, timeout=3 * CHECK_S + 5, what="the replica used again")
    figure("replica: back in use after catching up", f"{time.monotonic() - resumed:.1f} s")
    wait_for(lambda: scans(replica) > replica_scans, timeout=20, what="the replica's statistics")
    figure("replica: organization-table scans on the replica", str(scans(replica) - replica_scans))

    # The replica stops right after a successful check: the next page fails on it mid-way and is
    # answered again from the primary; later pages skip it at the check. Never an error page.
    time.sleep(CHECK_S + 0.2)
    assert AS_OF in reader.get(lists, timeout=30).text  # a fresh check found it healthy
    seen = len(log_path.read_text(errors="replace"))
    replica.stop(delete=False)
    statuses = []
    started = time.monotonic()
    for _ in range(3):
        for url in (lists, base + reverse("workbench:home")):
            page = reader.get(url, timeout=30)
            statuses.append(page.status_code)
            assert page.status_code == 200 and AS_OF not in page.text, page.text[:1000]
        time.sleep(CHECK_S / 2)
    assert NEW_UNION in reader.get(lists, timeout=30).text
    log = log_path.read_text(errors="replace")
    # One page met the stopped replica mid-way; every later one skipped it at the check.
    assert log[seen:].count("出错，本页改读主库") == 1, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    figure(
        "replica: pages with the replica stopped",
        f"{statuses.count(200)}/{len(statuses)} answered 200 from the primary "
        f"in {time.monotonic() - started:.1f} s",
    )
