"""Locust users for bench/bench_join.py: workers opening a union's join page and submitting it.

BENCH_JOIN_MODE selects the traffic:
  join    — GET the join form (3 of 4 tasks) and POST a complete application (1 of 4) with a new,
            valid ID number each time, as a phone would (CSRF cookie and token from the form);
  static  — GET the same server's stylesheet (the floor: what the server does with no work).
BENCH_JOIN_TOKEN is the union's join-link token. Users think 1–3 s between actions
(BENCH_JOIN_THINK=0 removes the pause, to find the saturation throughput).
"""

import itertools
import os
import random
import re

from locust import HttpUser, between, constant, task

from ruhui.core import idnumber

MODE = os.environ.get("BENCH_JOIN_MODE", "join")
TOKEN = os.environ.get("BENCH_JOIN_TOKEN", "")
THINK = os.environ.get("BENCH_JOIN_THINK", "1") != "0"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_serial = itertools.count(random.randrange(10**6))


def new_id_number() -> str:
    n = next(_serial)
    first17 = f"410481{1970 + n % 30}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return first17 + idnumber.checksum_char(first17)


class Worker(HttpUser):
    wait_time = between(1, 3) if THINK else constant(0)

    @task(3)
    def open_form(self):
        if MODE == "static":
            self.client.get("/static/web/css/ruhui.css", name="static")
            return
        self.client.get(f"/j/{TOKEN}/", name="GET join form")

    @task(1)
    def submit(self):
        if MODE == "static":
            self.client.get("/static/web/css/ruhui.css", name="static")
            return
        page = self.client.get(f"/j/{TOKEN}/", name="GET join form")
        match = CSRF_RE.search(page.text)
        if not match:
            page.failure("no CSRF token in the form")
            return
        n = next(_serial)
        with self.client.post(
            f"/j/{TOKEN}/",
            data={
                "csrfmiddlewaretoken": match.group(1),
                "name": "王晓" + "明亮强伟芳"[n % 5],
                "id_number": new_id_number(),
                "phone": f"139{n % 10**8:08d}",
                "ethnicity": "01",
                "education": "",
                "household_division": "410481",
                "is_migrant_worker": "1",
                "employment_status": "1",
                "employment_form": "",
                "group": "02",
                "employer_name": "顺丰速运舞钢营业部",
                "work_location": "舞钢市院岭街道",
                "consent": "on",
            },
            headers={"Referer": f"{self.host}/j/{TOKEN}/"},
            name="POST join form",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"status {response.status_code}")
