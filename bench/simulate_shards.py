"""The national step on paper, checked against the system's own SQL (issue 20, item 5;
docs/decisions/0016-national-step-citus.md).

Runs the real pages and services against a small registry in a scratch PostgreSQL database
(SIM_PG, dropped at the end): the demo city (SIM_MEMBERS members through the demo generator),
its 2019 campaign computed once. Every statement any Django connection sends (all threads: the
importer's writer and lookup threads too) is recorded, and every COPY the bulk path writes,
with its rows. Each statement is then routed over N virtual shards by `bench.shards.classify`
under two layouts:

- 今天的 SQL (`today`): members and join applications distributed by the blind index
  (`id_number_hash`); membership events, transfers and application events co-located with
  them by a column they do not have yet (`person_hash`), so no statement of today pins them.
  Enterprises stay on the coordinator (a Citus local table: their USCC must stay unique, and
  they join only the reference organizations, never a member by key).
- 按 0016 改造后 (`planned`): the same, and a statement that pins a member, an application or a
  transfer by its id is routed to that person's shard (the record's app changes: the routing
  key carried beside the id, member ids resolved through a locator distributed by id).

Printed: per page and overall, for N = 4, 16, 64, the share of statements that run on one node
(one shard, a reference copy, the coordinator), the share on one shard, and the mean fan-out.
Run: `.venv/bin/python bench/simulate_shards.py` (SIM_OUT=path writes the Markdown table there).
"""

from __future__ import annotations

import datetime
import logging
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench import bench_dashboard as dash  # noqa: E402 (after the path is set)
from bench.shards import (  # noqa: E402
    CONTROL,
    MULTI,
    ONE_NODE,
    REFERENCE_WRITE,
    SINGLE,
    Layout,
    classify,
    copy_route,
)

PG_URL = os.environ.get("SIM_PG", "postgres://postgres@127.0.0.1:5432/ruhui_citus_sim")
dash.PG_URL = PG_URL  # its scratch_database() drops and creates this one
MEMBERS = int(os.environ.get("SIM_MEMBERS", "500"))
IMPORT_ROWS = int(os.environ.get("SIM_IMPORT_ROWS", "300"))
SHARD_COUNTS = (4, 16, 64)
TASK_BACKEND = "django_tasks_db.DatabaseBackend"
_LOCK = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE)\b", re.IGNORECASE)
#: Worker nodes for N shards (a reference-table write goes to each): 2, 4 and 8 shards a node.
NODES = {4: 2, 16: 4, 64: 8}

#: Reference tables: small, read by nearly every page, joined with the members' union.
REFERENCE = (
    "orgs_organization",
    "orgs_organization_groups",
    "orgs_workergroup",
    "orgs_standarditem",
)

# ---------------------------------------------------------------------------------------------
# Recording


class Recorder:
    """Every statement of every Django connection (all threads) and every bulk COPY."""

    def __init__(self):
        self.log: list[tuple] = []
        self.on = False

    def install(self) -> None:
        from django.db.backends import utils

        from ruhui.core import bulk

        recorder = self
        execute, executemany = utils.CursorWrapper._execute, utils.CursorWrapper._executemany

        def _execute(self, sql, params, *ignored):
            result = execute(self, sql, params, *ignored)
            if recorder.on:
                text = self.db.ops.last_executed_query(self.cursor, sql, params)
                recorder.log.append(("sql", text))
            return result

        def _executemany(self, sql, param_list, *ignored):
            param_list = list(param_list)
            result = executemany(self, sql, param_list, *ignored)
            if recorder.on:
                recorder.log.append(("many", sql, len(param_list)))
            return result

        utils.CursorWrapper._execute = _execute
        utils.CursorWrapper._executemany = _executemany
        prepare, run = bulk.prepare_insert, bulk.run_insert

        def prepare_insert(table, columns, rows):
            rows = list(rows)
            insert = prepare(table, columns, rows)
            return insert._replace(rows=rows) if insert.payload is not None else insert

        def run_insert(insert):
            if recorder.on and (insert.rows or insert.payload):
                recorder.log.append(("copy", insert.table, list(insert.columns), insert.rows))
            if insert.payload is not None:
                insert = insert._replace(rows=None)
            return run(insert)

        bulk.prepare_insert, bulk.run_insert = prepare_insert, run_insert
        side_connection = bulk.side_connection

        def recorded_side_connection():
            return _RecordedConnection(side_connection(), recorder)

        bulk.side_connection = recorded_side_connection

    def capture(self, action) -> list[tuple]:
        start = len(self.log)
        self.on = True
        try:
            action()
        finally:
            self.on = False
        return self.log[start:]


class _RecordedCursor:
    """A cursor of the importer's side connection (plain psycopg, outside Django's wrappers)
    that records what it executes, its parameters written into the text as Django's are."""

    def __init__(self, cursor, connection, recorder):
        self._cursor, self._connection, self._recorder = cursor, connection, recorder

    def execute(self, sql, params=None, **kwargs):
        if self._recorder.on:
            import psycopg

            text = psycopg.ClientCursor(self._connection).mogrify(sql, params)
            self._recorder.log.append(("sql", text))
        return self._cursor.execute(sql, params, **kwargs)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self._cursor.__exit__(*exc)

    def __getattr__(self, name):
        return getattr(self._cursor, name)


class _RecordedConnection:
    def __init__(self, connection, recorder):
        self._connection, self._recorder = connection, recorder

    def cursor(self, *args, **kwargs):
        return _RecordedCursor(
            self._connection.cursor(*args, **kwargs), self._connection, self._recorder
        )

    def execute(self, sql, params=None, **kwargs):
        with self.cursor() as cursor:
            cursor.execute(sql, params, **kwargs)
        return cursor

    def __getattr__(self, name):
        return getattr(self._connection, name)


# ---------------------------------------------------------------------------------------------
# The pages and services


def scenarios(workdir: Path) -> dict:
    """{label: action}: each a page requested as a cadre would, or a service the pages call."""
    from django.test import Client

    from bench.rosters import id_number as roster_id_number
    from bench.rosters import rows, write_csv
    from ruhui.accounts.models import User
    from ruhui.campaigns.models import Campaign
    from ruhui.campaigns.progress import progress_refresh
    from ruhui.importing.member_import import import_members
    from ruhui.members import services
    from ruhui.members.models import Member, MemberStatus
    from ruhui.orgs.choices import ADMITTING_KINDS
    from ruhui.orgs.models import Organization
    from ruhui.reports.bulletins import bulletin_figures

    serials = iter(range(900_000, 1_000_000))
    rng = random.Random(16)

    def make_id_number() -> str:
        return roster_id_number(next(serials), rng)

    def make_phone() -> str:
        return f"139{next(serials):08d}"

    users = {u.username: u for u in User.objects.filter(username__in=["pds_admin", "wg_admin"])}
    clients = {}
    for username, user in users.items():
        clients[username] = Client()
        clients[username].force_login(user)
    campaign = Campaign.objects.get(slug="pds-2019")
    wg = Organization.objects.get(code="WG")
    admitting = list(
        Organization.objects.filter(
            kind__in=ADMITTING_KINDS, is_active=True, path__startswith=wg.path
        )
        .exclude(pk=wg.pk)
        .order_by("path")
    )
    city_unions = list(
        Organization.objects.filter(kind__in=ADMITTING_KINDS, is_active=True).order_by("path")
    )
    sample = (
        Member.objects.filter(union__path__startswith=wg.path, status=MemberStatus.ACTIVE)
        .order_by("id")
        .first()
    )
    # The clear ID number is not stored: a member joined here is the one looked up by number.
    known_number = make_id_number()
    services.member_join(
        actor=users["wg_admin"],
        union=admitting[0],
        data={"name": "王建国", "id_number": known_number, "phone": make_phone()},
    )
    tail = sample.phone_tail
    initials = sample.name_initials[:2]

    def get(username, path, data=None):
        def action():
            response = clients[username].get(path, data or {})
            assert response.status_code == 200, (path, response.status_code)

        return action

    def find():
        response = clients["wg_admin"].post("/members/find/", {"id_number": known_number})
        if response.status_code != 200 or "王建国" not in response.content.decode():
            raise SystemExit("按证件号码查找没有找到刚登记的会员")

    def join():
        services.member_join(
            actor=users["wg_admin"],
            union=admitting[1],
            data={"name": "李秀英", "id_number": make_id_number(), "phone": make_phone()},
        )

    def transfer():
        member = services.member_join(
            actor=users["pds_admin"],
            union=city_unions[0],
            data={"name": "赵志强", "id_number": make_id_number(), "phone": make_phone()},
        )
        issued = services.transfer_issue(
            actor=users["pds_admin"], member=member, to_union=city_unions[-1]
        )
        services.transfer_accept(actor=users["pds_admin"], code=issued.code, union=city_unions[-1])

    def import_rows():
        path = write_csv(
            workdir / "roster.csv",
            rows(IMPORT_ROWS, start=700_000, unions=[u.code for u in admitting]),
        )
        summary = import_members(
            actor=users["wg_admin"], union=wg, path=path, kind="csv", dry_run=False
        )
        assert summary.created == IMPORT_ROWS, summary.as_dict()

    def recompute():
        progress_refresh(campaign)

    def bulletin():
        bulletin_figures(campaign=campaign, cut_off=datetime.date(2019, 7, 31))

    slug = campaign.slug
    return {
        "市级看板（市总）": get("pds_admin", f"/campaigns/{slug}/"),
        "县级看板（舞钢）": get("wg_admin", f"/campaigns/{slug}/"),
        "工作台（市总）": get("pds_admin", "/"),
        "工作台（舞钢）": get("wg_admin", "/"),
        "会员列表（舞钢）": get("wg_admin", "/members/"),
        "按姓名首字母查找": get("wg_admin", "/members/", {"q": initials}),
        "按手机尾号查找": get("wg_admin", "/members/", {"phone_tail": tail}),
        "按证件号码精确查找": find,
        "会员详情": get("wg_admin", f"/members/{sample.pk}/"),
        "入会（一人）": join,
        "接转（转出并转入）": transfer,
        f"导入 {IMPORT_ROWS} 行": import_rows,
        "集中行动统计重算": recompute,
        "通报（截至 7 月末的数字）": bulletin,
    }


# ---------------------------------------------------------------------------------------------
# Layouts and routing


def layouts() -> dict[str, Layout]:
    """The two layouts (see the module docstring), the resolvers reading the scratch database
    after every page has run (members, applications and transfers created by the pages too)."""
    from django.apps import apps

    from ruhui.joining.models import Application
    from ruhui.members.models import Member, Transfer

    member_key = dict(Member.objects.values_list("id", "id_number_hash"))
    application_key = dict(Application.objects.values_list("id", "id_number_hash"))
    transfer_member = dict(Transfer.objects.values_list("id", "member_id"))

    def by_member(value):
        return member_key.get(_int(value))

    def by_application(value):
        return application_key.get(_int(value))

    def by_transfer(value):
        return member_key.get(transfer_member.get(_int(value)))

    known = frozenset(m._meta.db_table for m in apps.get_models(include_auto_created=True))
    today = {
        "members_member": ("person", {"id_number_hash": None}),
        "joining_application": ("person", {"id_number_hash": None}),
        "members_membershipevent": ("person", {"person_hash": None}),
        "members_transfer": ("person", {"person_hash": None}),
        "joining_applicationevent": ("person", {"person_hash": None}),
    }
    planned = {
        "members_member": ("person", {"id_number_hash": None, "id": by_member}),
        "joining_application": (
            "person",
            {"id_number_hash": None, "id": by_application, "transfer_id": by_transfer},
        ),
        "members_membershipevent": ("person", {"person_hash": None, "member_id": by_member}),
        "members_transfer": (
            "person",
            {"person_hash": None, "member_id": by_member, "id": by_transfer},
        ),
        "joining_applicationevent": (
            "person",
            {"person_hash": None, "application_id": by_application},
        ),
    }
    reference = frozenset(t for t in REFERENCE if t in known)
    return {
        "today": Layout(today, reference, known),
        "planned": Layout(planned, reference, known),
    }


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def route(entry: tuple, layout: Layout, shards: int):
    if entry[0] == "sql":
        return classify(entry[1], layout, shards, NODES[shards])
    if entry[0] == "copy":
        _kind, table, columns, rows = entry
        found = copy_route(table, columns, rows, layout, shards)
        if found.kind == REFERENCE_WRITE:
            found.fanout = NODES[shards]
        return found
    # executemany (SQLite's bulk path only): one statement per row, routed as its SQL.
    return classify(entry[1], layout, shards, NODES[shards])


def summarise(log: list[tuple], layout: Layout, shards: int) -> dict:
    pairs = [(entry, route(entry, layout, shards)) for entry in log]
    pairs = [(entry, r) for entry, r in pairs if r.kind != CONTROL]
    routes = [r for _entry, r in pairs]
    # Citus takes row locks (SELECT … FOR UPDATE) on one shard only (docs/decisions/0016).
    locks = sum(
        1 for entry, r in pairs if r.kind == MULTI and entry[0] == "sql" and _LOCK.search(entry[1])
    )
    kinds = Counter(r.kind for r in routes)
    rest = [r.fanout for r in routes if r.kind not in ONE_NODE]
    return {
        "statements": len(routes),
        "one_node": sum(kinds[k] for k in ONE_NODE) / len(routes) if routes else 0.0,
        "single": kinds[SINGLE] / len(routes) if routes else 0.0,
        "fanout": statistics.fmean(r.fanout for r in routes) if routes else 0.0,
        "rest": statistics.fmean(rest) if rest else 0.0,
        "kinds": kinds,
        "unpinned": Counter(t for r in routes if r.kind == MULTI for t in r.unpinned),
        "locks": locks,
    }


# ---------------------------------------------------------------------------------------------


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="ruhui-shards-"))
    os.environ.update(
        RUHUI_ENV="test",
        DJANGO_SETTINGS_MODULE="ruhui.settings",
        RUHUI_VAR_DIR=str(workdir),
        DATABASE_URL=PG_URL,
    )
    load = os.getloadavg()
    started = time.perf_counter()
    dash.scratch_database(create=True)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test.utils import override_settings

        from ruhui.accounts.models import User
        from ruhui.campaigns.models import Campaign
        from ruhui.campaigns.progress import progress_refresh
        from ruhui.demo.world import DEMO_USERS, seed_demo

        logging.getLogger("django_tasks").setLevel(logging.WARNING)
        call_command("migrate", verbosity=0)
        with override_settings(RUHUI_JOB_FILES=workdir / "jobs", RUHUI_ATTACHMENTS=workdir / "att"):
            seed_demo(members=MEMBERS)
            User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).update(
                must_change_password=False
            )
            progress_refresh(Campaign.objects.get(slug="pds-2019"))
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            recorder = Recorder()
            recorder.install()
            pages = {}
            # The production queue (a row in the database), not the test profile's immediate
            # run: an import records that it queued the recomputation, which is measured as a
            # page of its own.
            from django.conf import settings

            queues = list(settings.RUHUI_TASK_QUEUES)
            with override_settings(TASKS={"default": {"BACKEND": TASK_BACKEND, "QUEUES": queues}}):
                for label, action in scenarios(workdir).items():
                    pages[label] = recorder.capture(action)
            found = layouts()
            from ruhui.members.models import Member

            counts = {"members": Member.objects.count()}
    finally:
        from django.db import connections

        connections.close_all()
        dash.scratch_database(create=False)
        for path in sorted(workdir.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        workdir.rmdir()
    elapsed = time.perf_counter() - started
    table = report(pages, found)
    header = (
        f"`.venv/bin/python bench/simulate_shards.py`：{counts['members']} 名会员的演示城市"
        f"（SIM_MEMBERS={MEMBERS}），{time.strftime('%Y-%m-%d %H:%M %Z')}，"
        f"负载 {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}（1/5/15 分钟），用时 {elapsed:.0f} 秒。"
    )
    print(header)
    print(table)
    dump = os.environ.get("SIM_DUMP")
    if dump:  # every statement with its route (planned layout, 16 shards), for review
        with open(dump, "w", encoding="utf-8") as handle:
            for label, log in pages.items():
                for entry in log:
                    found_route = route(entry, found["planned"], 16)
                    text = entry[1] if entry[0] != "copy" else f"COPY {entry[1]} {entry[2]}"
                    handle.write(f"{label}\t{found_route.kind}\t{found_route.fanout}\t")
                    handle.write(" ".join(str(text).split())[:4000] + "\n")
    out = os.environ.get("SIM_OUT")
    if out:
        Path(out).write_text(header + "\n\n" + table + "\n", encoding="utf-8")


def report(pages: dict, found: dict) -> str:
    """The Markdown table: per page, statements; for each N, one-node share (today → planned),
    single-shard share and mean fan-out (planned)."""
    lines = []
    head = "| 页面或服务 | 语句 | " + " | ".join(
        f"N={n}：一个节点 今天→改造后 | N={n}：单分片（改造后） | N={n}：平均扇出（改造后）"
        for n in SHARD_COUNTS
    )
    lines.append(head + " |")
    lines.append("|" + "---|" * (2 + 3 * len(SHARD_COUNTS)))
    every = [entry for log in pages.values() for entry in log]
    unpinned, locks = Counter(), (0, 0)
    for label, log in [*pages.items(), ("**全部**", every)]:
        cells = []
        statements = 0
        for n in SHARD_COUNTS:
            today = summarise(log, found["today"], n)
            planned = summarise(log, found["planned"], n)
            statements = planned["statements"]
            if label == "**全部**" and n == SHARD_COUNTS[-1]:
                unpinned = planned["unpinned"]
                locks = (today["locks"], planned["locks"])
            cells += [
                f"{today['one_node']:.0%} → {planned['one_node']:.0%}",
                f"{planned['single']:.0%}",
                f"{planned['fanout']:.1f}",
            ]
        lines.append(f"| {label} | {statements} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        f"跨分片加行锁（SELECT … FOR UPDATE，Citus 只在单分片上支持）的语句：今天 {locks[0]} 条，"
        f"改造后 {locks[1]} 条。"
    )
    lines.append("")
    lines.append(
        "改造后仍要扇出到全部分片的语句按表计数（N=64）："
        + "，".join(f"`{t}` {c}" for t, c in unpinned.most_common())
    )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
