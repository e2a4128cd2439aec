"""Fault drill 3: the database stopped under load (issue 19 item 9).

gunicorn serves the site against the scratch cluster while a few threads open the public join
form and post it (each post a new person) and re-open it with their session cookie. The cluster
is stopped (`pg_ctl stop -m fast`) and started again. Every response during the outage must be
the 503 page (never a 500, never a traceback), every error must be gone within 30 s of the
restart, and the applications in the database must be exactly the posts that were answered
with the "submitted" redirect, plus those told 「可能已经受理」 (the session write after the
committed application failed): none told 「未提交」 is stored, none accepted is lost.
"""

import itertools
import os
import re
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field

import pytest
import requests
from django.db import connection

from bench.rosters import id_number
from ruhui.core.middleware import MSG_OUTAGE, MSG_OUTAGE_JOIN, MSG_OUTAGE_JOIN_UNSURE
from ruhui.joining import services
from ruhui.joining.models import Application
from ruhui.members.personal import id_hash
from tests.faults.conftest import RUHUI, child_env, stop_process, wait_for
from tests.joining.form_data import join_form_data

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

TRIALS = int(os.environ.get("RUHUI_FAULTS_OUTAGE_TRIALS", "3"))
THREADS = 4
BEFORE, DOWN, RECOVERY_LIMIT, QUIET = 3.0, 5.0, 30.0, 5.0
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SERIALS = itertools.count(700_000)
SERIALS_LOCK = threading.Lock()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def worker_data(serial: int) -> dict:
    """A valid join form whose ID number and phone are fixed by `serial` (each post its own)."""
    import random

    return join_form_data(
        id_number=id_number(serial, random.Random(serial)), phone=f"139{serial:08d}"
    )


@dataclass
class Tally:
    """What the load threads saw in one trial."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    ok: int = 0
    unavailable: int = 0
    server_errors: int = 0
    other: int = 0
    refused: int = 0
    tracebacks: int = 0
    wrong_503: int = 0
    accepted: int = 0
    last_error: float = 0.0
    first_503: float = 0.0
    others: list = field(default_factory=list)
    submitted: list = field(default_factory=list)
    not_submitted: list = field(default_factory=list)
    unsure: list = field(default_factory=list)
    restarted: float = 0.0
    first_ok_after_restart: float = 0.0

    def record(self, response, *, join_post: bool = False, id_number: str = "") -> None:
        now = time.monotonic()
        body = response.text
        with self.lock:
            self.requests += 1
            if "Traceback" in body or "OperationalError" in body:
                self.tracebacks += 1
            if response.status_code == 503:
                self.unavailable += 1
                self.first_503 = self.first_503 or now
                if join_post and str(MSG_OUTAGE_JOIN) in body:
                    self.not_submitted.append(id_number)
                elif join_post and str(MSG_OUTAGE_JOIN_UNSURE) in body:
                    self.unsure.append(id_number)
                elif join_post or str(MSG_OUTAGE) not in body:
                    self.wrong_503 += 1
                if "Retry-After" not in response.headers:
                    self.wrong_503 += 1
            elif response.status_code >= 500:
                self.server_errors += 1
            elif response.status_code in (200, 302):
                self.ok += 1
                if join_post and response.status_code == 302:
                    self.accepted += 1
                    self.submitted.append(id_number)
                if self.restarted and not self.first_ok_after_restart:
                    self.first_ok_after_restart = now
                return
            else:
                self.other += 1
                errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]{1,120})', body)
                self.others.append((response.status_code, response.request.method, errors[:3]))
            self.last_error = now

    def refusal(self) -> None:
        with self.lock:
            self.requests += 1
            self.refused += 1
            self.last_error = time.monotonic()


def load(base: str, form_path: str, tally: Tally, stop: threading.Event) -> None:
    """Open the form, post it as a new person, again; keep the session cookie throughout."""
    session = requests.Session()
    while not stop.is_set():
        try:
            page = session.get(base + form_path, timeout=30)
            tally.record(page)
            token = TOKEN.search(page.text) if page.status_code == 200 else None
            if token is None:
                time.sleep(0.05)
                continue
            with SERIALS_LOCK:
                serial = next(SERIALS)
            data = worker_data(serial) | {"csrfmiddlewaretoken": token.group(1)}
            posted = session.post(
                base + form_path, data=data, timeout=30, allow_redirects=False,
                headers={"Referer": base + form_path},
            )  # fmt: skip
            tally.record(posted, join_post=True, id_number=data["id_number"])
        except requests.RequestException:
            tally.refusal()
            time.sleep(0.05)


def start_server(env, port: int, log) -> subprocess.Popen:
    gunicorn = RUHUI.parent / "gunicorn"
    return subprocess.Popen(  # noqa: S603 (this checkout's gunicorn, fixed arguments)
        [str(gunicorn), "ruhui.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--threads", "4", "--timeout", "60", "--graceful-timeout", "5"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def test_the_database_stopped_under_load_gives_503s_then_recovers(world, pg_cluster, tmp_path):
    link = services.join_link_for(world.county_trade)
    form_path = f"/j/{link.token}/"
    port = free_port()
    env = child_env(
        tmp_path / "var",
        ALLOWED_HOSTS="127.0.0.1",
        RUHUI_RATELIMITS='{"submit_ip": [1000000, 600], "submit_id": [1000, 86400]}',
        LOG_LEVEL="WARNING",
    )
    log_path = tmp_path / "gunicorn.log"
    base = f"http://127.0.0.1:{port}"
    accepted_total = 0
    print(f"\nfaults: database stopped under load — {THREADS} threads on the public join form")
    with log_path.open("w") as log:
        server = start_server(env, port, log)
        try:
            wait_for(lambda: _answers(base + form_path), timeout=60, interval=0.2, what="gunicorn")
            for trial in range(1, TRIALS + 1):
                tally, stop = Tally(), threading.Event()
                threads = [
                    threading.Thread(target=load, args=(base, form_path, tally, stop), daemon=True)
                    for _ in range(THREADS)
                ]
                for thread in threads:
                    thread.start()
                time.sleep(BEFORE)
                pg_cluster.stop(delete=False)  # pg_ctl stop -m fast
                stopped = time.monotonic()
                time.sleep(DOWN)
                pg_cluster.start()
                restarted = tally.restarted = time.monotonic()
                while time.monotonic() - restarted < RECOVERY_LIMIT + QUIET and (
                    time.monotonic() - max(tally.last_error, restarted) < QUIET
                ):
                    time.sleep(0.2)
                stop.set()
                for thread in threads:
                    thread.join(60)
                recovered = max(0.0, tally.last_error - restarted)
                first_ok = tally.first_ok_after_restart - restarted
                connection.close()  # this process's connection died with the server
                held = set(Application.objects.values_list("id_number_hash", flat=True))

                def stored(numbers, held=held):
                    return sum(id_hash(number) in held for number in numbers)

                unsure_stored = stored(tally.unsure)
                accepted_total += tally.accepted + unsure_stored
                applications = len(held)
                print(
                    f"faults: outage trial {trial}: {tally.requests} requests, "
                    f"{tally.unavailable} × 503, {tally.server_errors} × 500, "
                    f"{tally.refused} refused connections, {tally.other} other; down "
                    f"{restarted - stopped:.1f} s; after the restart the first success in "
                    f"{first_ok:.1f} s, the last error at {recovered:.1f} s; posts: "
                    f"{tally.accepted} accepted, {len(tally.not_submitted)} 「未提交」 "
                    f"({stored(tally.not_submitted)} stored), {len(tally.unsure)} 「可能已经受理」 "
                    f"({unsure_stored} stored); {applications} applications in the database"
                )
                assert tally.unavailable > 0, "the outage was not seen"
                assert tally.server_errors == 0 and tally.tracebacks == 0 and tally.wrong_503 == 0
                assert tally.refused == 0 and tally.other == 0, tally.others
                assert recovered <= RECOVERY_LIMIT
                assert stored(tally.submitted) == tally.accepted, "an accepted application lost"
                assert stored(tally.not_submitted) == 0, "「未提交」 but stored"
                assert applications == accepted_total, "an application nobody was told about"
        finally:
            stop_process(server)
    logged = log_path.read_text(errors="replace")
    assert "Traceback" not in logged, logged[-3000:]
    print(f"faults: {TRIALS}/{TRIALS} outage trials passed; server log: "
          f"{logged.count('数据库不可用，已答复 503')} outage lines, 0 tracebacks")  # fmt: skip


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False
