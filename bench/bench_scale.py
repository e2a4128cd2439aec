"""`make bench-scale` (issue 20): one province's system at 10,000,000 members.

Steps, on a scratch PostgreSQL database (BENCH_PG_SCALE) on the machine's own server:

1. migrate; the demo's tree (河南省总 → 平顶山 and its 18 units) without members; the demo's own
   drives dropped (one province drive and one city drive are measured here);
2. the province grown to 18 cities (GB/T 2260 410000's cities, 济源 included) with their
   counties as county federations, then BENCH_SCALE_UNIONS unions in all (grassroots unions under
   every county-level unit of every city), written through the bulk path (rows with their tree
   paths computed, as treebeard would compute them);
3. BENCH_SCALE_ENTERPRISES enterprises spread over the counties;
4. BENCH_SCALE_MEMBERS members through the member importer (the bulk path every import takes:
   validation, blind index, encryption, COPY; one join event per member), in chunks of
   BENCH_SCALE_CHUNK rows signed by the province admin, each chunk timed with the load average;
   then one more chunk of the same size into the full registry — the import measured against
   the import of the second chunk (the same size into a registry of one chunk: the "1M-registry
   time") in the same run;
5. VACUUM ANALYZE; the province drive (targets for the 18 cities) and the city drive (targets for
   Pingdingshan's 18 units), each recomputed once (`progress_refresh`, timed);
6. the pages, interleaved round by round with the signed-in baseline page (Django's test client
   in this process: middleware, session, every query, the template), after a warm-up: the
   province, city and county dashboards, the workbench of each level warm and just after a
   change, and the member list and its three searches (name initials, phone tail, the exact ID
   number) at province and city level. For each page the number of queries and the slowest
   query's `EXPLAIN (ANALYZE, BUFFERS)`, written to docs/benchmarks-scale-explain.md;
7. one bulletin of the province drive, timed in its own process as bench_reports does.

Results go to docs/benchmarks.md between the scale-bench markers. A full run (10M) takes about an
hour on 2 cores; BENCH_SCALE_MEMBERS=200000 BENCH_SCALE_CHUNK=50000 checks the script in minutes.
"""

import datetime
import hashlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench import bench_dashboard as dash  # noqa: E402 (after the path is set)
from bench import bench_reports as reports  # noqa: E402
from bench.rosters import id_number as roster_id_number  # noqa: E402
from bench.rosters import rows, write_csv  # noqa: E402

MEMBERS = int(os.environ.get("BENCH_SCALE_MEMBERS", "10000000"))
CHUNK = int(os.environ.get("BENCH_SCALE_CHUNK", "1000000"))
ENTERPRISES = int(os.environ.get("BENCH_SCALE_ENTERPRISES", "1000000"))
UNIONS = int(os.environ.get("BENCH_SCALE_UNIONS", "50000"))
REQUESTS = int(os.environ.get("BENCH_SCALE_REQUESTS", "40"))
PG_URL = os.environ.get("BENCH_PG_SCALE", "postgres://postgres@127.0.0.1:5432/ruhui_bench_scale")
#: A Redis database of its own, emptied before and after (dashboard 13, projects 12, reports 11).
REDIS_URL = os.environ.get("BENCH_SCALE_REDIS", "redis://127.0.0.1:6379/10")
DOC = Path(os.environ.get("BENCH_SCALE_OUT", str(ROOT / "docs" / "benchmarks.md")))
STATE = Path(os.environ.get("BENCH_SCALE_STATE", str(ROOT / "var" / "bench-scale.json")))
EXPLAIN_DOC = DOC.parent / "benchmarks-scale-explain.md"
START, END = "<!-- scale-bench:start -->", "<!-- scale-bench:end -->"
#: The issue's targets.
PAGE_P95_MS, REFRESH_S, IMPORT_RATIO = 300, 60, 2.0
BASELINE = "基准：修改密码页（登录后最简单的页面）"
COLD = "记录刚有变化"

dash.PG_URL = PG_URL  # scratch_database() drops and creates this one
dash.REDIS_URL = REDIS_URL


def grow_province(total: int) -> dict:
    """The other 17 cities and their counties under 河南省总, then grassroots unions under
    every county-level unit until the tree holds `total` organizations. Bulk writes: the tree
    paths are computed here the way treebeard's add_child computes them."""
    from ruhui.core import divisions
    from ruhui.orgs.choices import OrgKind
    from ruhui.orgs.models import Organization

    province = Organization.objects.get(code="HN")
    have_cities = set(
        Organization.objects.filter(parent_path(province)).values_list("division_code", flat=True)
    )
    cities = [d for d in divisions.children("410000") if d.code not in have_cities]
    step = _next_step(province)
    new_cities = []
    for division in cities:
        new_cities.append(
            Organization(
                path=Organization._get_path(province.path, province.depth + 1, step),
                depth=province.depth + 1,
                numchild=0,
                name=f"{division.name}总工会",
                code=f"C{division.code}",
                kind=OrgKind.CITY_FEDERATION,
                division_code=division.code,
            )
        )
        step += 1
    Organization.objects.bulk_create(new_cities)
    _set_numchild(province)
    counties = []
    for city in new_cities:
        children = divisions.children(city.division_code)
        for n, division in enumerate(children, start=1):
            counties.append(
                Organization(
                    path=Organization._get_path(city.path, city.depth + 1, n),
                    depth=city.depth + 1,
                    numchild=0,
                    name=f"{city.name[:-3]}{division.name}总工会",
                    code=f"X{division.code}",
                    kind=OrgKind.COUNTY_FEDERATION,
                    division_code=division.code,
                )
            )
    Organization.objects.bulk_create(counties, batch_size=1000)
    for city in new_cities:
        _set_numchild(Organization.objects.get(code=city.code))
    # Every county-level unit of the province (Pingdingshan's counties and city units too; 济源,
    # a city without counties, takes its grassroots unions itself).
    parents = [
        *Organization.objects.filter(
            kind__in=[OrgKind.COUNTY_FEDERATION, OrgKind.INDUSTRY_UNION, OrgKind.CITY_DIRECT]
        ).order_by("path"),
        Organization.objects.get(code="C419001"),
    ]
    steps = {parent.pk: _next_step(parent) for parent in parents}
    batch, n = [], 0
    have = Organization.objects.count()
    while have + n < total:
        parent = parents[n % len(parents)]
        n += 1
        batch.append(
            Organization(
                path=Organization._get_path(parent.path, parent.depth + 1, steps[parent.pk]),
                depth=parent.depth + 1,
                numchild=0,
                name=f"{parent.name[:8]}基准{n:05d}工会",
                code=f"G{n:05d}",
                kind=OrgKind.ENTERPRISE,
                division_code=parent.division_code
                if not parent.division_code.endswith("00")
                else "410402",
                founded_on=datetime.date(2015, 1, 1) + datetime.timedelta(days=(n * 37) % 3900),
            )
        )
        steps[parent.pk] += 1
        if len(batch) == 5000:
            Organization.objects.bulk_create(batch)
            batch = []
    Organization.objects.bulk_create(batch)
    for parent in parents:
        _set_numchild(parent)
    grassroots = list(
        Organization.objects.filter(kind=OrgKind.ENTERPRISE, code__startswith="G").values_list(
            "code", flat=True
        )
    )
    return {"cities": 18, "counties": len(counties), "grassroots": grassroots}


def parent_path(org):
    from django.db.models import Q

    return Q(path__startswith=org.path, depth=org.depth + 1)


def _next_step(parent) -> int:
    """The step after the parent's last child (1 when it has none)."""
    from ruhui.orgs.models import Organization

    last = (
        Organization.objects.filter(parent_path(parent))
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    return 1 if last is None else int(last[-Organization.steplen :], 36) + 1


def _set_numchild(parent) -> None:
    from ruhui.orgs.models import Organization

    Organization.objects.filter(pk=parent.pk).update(
        numchild=Organization.objects.filter(parent_path(parent)).count()
    )


def import_chunk(number: int, count: int, unions: list[str], workdir: Path) -> dict:
    """One chunk of the registry through the member importer, signed by the province admin."""
    from ruhui.accounts.models import User
    from ruhui.importing.member_import import import_members as run
    from ruhui.members.models import Member
    from ruhui.orgs.models import Organization

    path = write_csv(
        workdir / f"members-{number}.csv",
        rows(count, start=number * CHUNK, seed=2019 + number, unions=unions),
    )
    before_rows = Member.objects.count()
    load = os.getloadavg()
    started = time.perf_counter()
    summary = run(
        actor=User.objects.get(username="hn_admin"),
        union=Organization.objects.get(code="HN"),
        path=path,
        kind="csv",
        dry_run=False,
    )
    seconds = time.perf_counter() - started
    path.unlink()
    if not summary.reconciles or summary.created != count:
        raise SystemExit(f"chunk {number} did not import every row: {summary.as_dict()}")
    print(f"  chunk {number}: {count:,} rows into {before_rows:,} in {seconds:.1f} s", flush=True)
    return {"rows": count, "into": before_rows, "seconds": seconds, "load": load}


def make_province_campaign():
    """The province's drive: targets for its 18 cities."""
    from ruhui.accounts.models import User
    from ruhui.campaigns import services
    from ruhui.orgs.models import Organization

    actor = User.objects.get(username="hn_admin")
    province = Organization.objects.get(code="HN")
    campaign = services.campaign_create(
        actor=actor,
        owner=province,
        slug="bench-hn-2019",
        data={
            "name": "基准：全省建会入会集中行动（2019）",
            "year": 2019,
            "starts_on": datetime.date(2019, 4, 1),
            "ends_on": datetime.date(2019, 12, 31),
            "baseline_on": datetime.date(2018, 12, 31),
            "goal_new_members": 500000,
        },
    )
    cities = list(Organization.objects.filter(parent_path(province)).order_by("path"))
    lines = [
        services.TargetLine(city, 400_000 + 10_000 * i, 25_000 + 500 * i)
        for i, city in enumerate(cities)
    ]
    services.decomposition_save(actor=actor, campaign=campaign, unit=province, lines=lines)
    return campaign


def timed_refresh(campaign) -> dict:
    from ruhui.campaigns.models import UnitFigure
    from ruhui.campaigns.progress import progress_refresh

    load = os.getloadavg()
    started = time.perf_counter()
    progress_refresh(campaign)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "load": load,
        "figures": UnitFigure.objects.filter(campaign=campaign).count(),
    }


def measure(pages: dict) -> dict:
    """Every page REQUESTS times, one request of each per round (a busy moment of the shared
    machine falls on all alike), after 5 warm-up requests each; p50/p95/max, load before and
    after; then one more request of each under CaptureQueriesContext: the number of queries and
    the slowest SELECT with its time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def ask(client, method, path, data, before):
        before()
        response = client.post(path, data) if method == "POST" else client.get(path, data)
        if response.status_code != 200:
            raise SystemExit(f"{method} {path} answered {response.status_code}")
        return response

    load_before = os.getloadavg()
    for client, method, path, data, before in pages.values():
        for _ in range(5):
            ask(client, method, path, data, before)
    times = {label: [] for label in pages}
    for _ in range(REQUESTS):
        for label, (client, method, path, data, before) in pages.items():
            before()
            started = time.perf_counter()
            ask(client, method, path, data, lambda: None)
            times[label].append((time.perf_counter() - started) * 1000)
    load_after = os.getloadavg()
    result = {}
    for label, (client, method, path, data, before) in pages.items():
        before()
        with CaptureQueriesContext(connection) as captured:
            ask(client, method, path, data, lambda: None)
        selects = [q for q in captured.captured_queries if q["sql"].lstrip().startswith("SELECT")]
        slowest = max(selects, key=lambda q: float(q["time"]), default=None)
        series = sorted(times[label])
        result[label] = {
            "p50": statistics.median(series),
            "p95": series[max(int(len(series) * 0.95) - 1, 0)],
            "max": series[-1],
            "queries": len(captured.captured_queries),
            "slowest": slowest,
            "load": (load_before, load_after),
        }
        print(f"  {label}: p50 {result[label]['p50']:.0f} p95 {result[label]['p95']:.0f}")
    return result


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def generate(workdir: Path) -> dict:
    """Steps 1–5: the province's records, the two drives and their recomputation."""
    from django.core.management import call_command
    from django.db import connection

    from ruhui.demo.world import seed_demo
    from ruhui.enterprises.models import Enterprise
    from ruhui.members.models import Member, MembershipEvent
    from ruhui.orgs.models import Organization

    call_command("migrate", verbosity=0)
    seed_demo(members=0)
    dash.drop_demo_drives()
    started = time.perf_counter()
    tree = grow_province(UNIONS)
    grow = time.perf_counter() - started
    started = time.perf_counter()
    dash.make_enterprises(ENTERPRISES - Enterprise.objects.count(), name="河南基准{i:07d}有限公司")
    ents = time.perf_counter() - started
    chunks = []
    done = 0
    while done < MEMBERS:
        count = min(CHUNK, MEMBERS - done)
        chunks.append(import_chunk(len(chunks), count, tree["grassroots"], workdir))
        done += count
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    # The measured import: one more chunk into the full registry, beside the second chunk.
    last = import_chunk(len(chunks), CHUNK, tree["grassroots"], workdir)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]
    province_campaign = make_province_campaign()
    city_campaign = dash.make_campaign()
    return {
        "grow": grow,
        "ents": ents,
        "chunks": chunks,
        "last": last,
        "refresh": {
            "province": timed_refresh(province_campaign),
            "city": timed_refresh(city_campaign),
        },
        "counts": {
            "unions": Organization.objects.count(),
            "counties": tree["counties"],
            "enterprises": Enterprise.objects.count(),
            "members": Member.objects.count(),
            "events": MembershipEvent.objects.count(),
            "bytes": size,
        },
    }


def new_keys() -> dict[str, str]:
    """The secrets of one generated registry (a synthetic one: kept beside it in the state)."""
    import base64
    import secrets

    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "RUHUI_FIELD_KEYS": json.dumps({"1": base64.b64encode(secrets.token_bytes(32)).decode()}),
        "RUHUI_BLIND_INDEX_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


def sample_id_number() -> str:
    """The ID number of a member of the first chunk (the roster numbers follow the serial)."""
    return roster_id_number(CHUNK // 2, None)


def rekey_sample() -> None:
    """(A registry generated before the keys were kept.) Its blind indexes were written with
    keys no process holds any more: the sample member looked up by ID number gets its blind
    index again under this run's key, so the lookup finds them; the lookup's cost (one probe of
    each half of the blind index) is the same for every member."""
    from ruhui.core.masking import mask_id_number
    from ruhui.members.models import Member
    from ruhui.members.personal import id_hash

    number = sample_id_number()
    member = Member.objects.order_by("pk")[CHUNK // 2]
    if member.id_number_masked != mask_id_number(number):
        raise SystemExit(f"the sample member is not {mask_id_number(number)}")
    Member.objects.filter(pk=member.pk).update(id_number_hash=id_hash(number))


def apply_migrations() -> list[dict]:
    """(--measure) The migrations written since the records were generated, applied to them
    one by one and timed: at this size a migration's own time (an index built, a table
    converted) is a figure an operator needs."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    applied = []
    for migration, _backwards in plan:
        load = os.getloadavg()
        started = time.perf_counter()
        call_command("migrate", migration.app_label, migration.name, verbosity=0)
        applied.append(
            {
                "name": f"{migration.app_label}.{migration.name}",
                "seconds": time.perf_counter() - started,
                "load": load,
            }
        )
        print(f"  migrated {applied[-1]['name']} in {applied[-1]['seconds']:.1f} s", flush=True)
    return applied


def time_recounts() -> dict:
    """The workbench's registered figures (workbench.figures) counted as the background task
    counts them, for the province, Pingdingshan and Wugang: the time a cadre waits, after a
    change, for 「正在按最新记录重新统计」 to give way to the new figures. Median of three."""
    from django.utils import timezone

    from ruhui.orgs.models import Organization
    from ruhui.workbench.figures import enterprise_alerts_figure, members_figure

    today = timezone.localdate()
    start = today.replace(month=1, day=1)
    result = {}
    for label, code in (("省总", "HN"), ("平顶山市总", "PDS"), ("舞钢", "WG")):
        path = Organization.objects.get(code=code).path
        load = os.getloadavg()
        for name, figure, parts in (
            ("members", members_figure, (path, start.isoformat(), today.isoformat())),
            ("alerts", enterprise_alerts_figure, (path, today.isoformat())),
        ):
            series = []
            for _ in range(3):
                started = time.perf_counter()
                figure(parts)
                series.append(time.perf_counter() - started)
            result.setdefault(label, {"load": load})[name] = statistics.median(series)
        print(f"  recount {label}: {result[label]}", flush=True)
    return result


def measure_pages() -> tuple[dict, dict, dict]:
    """Steps 6–7 on the records as generated: the pages, their slowest queries' plans, and one
    bulletin of the province drive."""
    from django.core.cache import caches
    from django.test import Client

    from ruhui.accounts.models import User
    from ruhui.campaigns.models import Campaign
    from ruhui.core.changes import forget_figures
    from ruhui.members.models import Member
    from ruhui.reports.bulletin_services import bulletin_create
    from ruhui.reports.bulletins import default_cut_offs
    from ruhui.reports.models import Bulletin

    User.objects.filter(username__in=["hn_admin", "pds_admin", "wg_admin"]).update(
        must_change_password=False
    )
    caches["default"].clear()
    caches["progress"].clear()
    id_number = sample_id_number()
    tail = Member.objects.exclude(phone_tail="").values_list("phone_tail", flat=True)[1000]
    nothing = lambda: None  # noqa: E731
    wanted = {}
    for label, username, method, path, data, before in (
        ("省级看板（全省 18 个市）", "hn_admin", "GET", "/campaigns/bench-hn-2019/", {}, None),
        (
            "市级看板（平顶山：18 个单位）",
            "pds_admin",
            "GET",
            "/campaigns/bench-2019/",
            {},
            None,
        ),
        ("县级看板（舞钢）", "wg_admin", "GET", "/campaigns/bench-2019/", {}, None),
        ("工作台（省总）", "hn_admin", "GET", "/", {}, None),
        ("工作台（平顶山市总）", "pds_admin", "GET", "/", {}, None),
        ("工作台（舞钢）", "wg_admin", "GET", "/", {}, None),
        (f"工作台，{COLD}（省总）", "hn_admin", "GET", "/", {}, forget_figures),
        (f"工作台，{COLD}（平顶山市总）", "pds_admin", "GET", "/", {}, forget_figures),
        (f"工作台，{COLD}（舞钢）", "wg_admin", "GET", "/", {}, forget_figures),
        ("会员名单第一页（省总）", "hn_admin", "GET", "/members/", {}, None),
        ("会员名单第一页（平顶山市总）", "pds_admin", "GET", "/members/", {}, None),
        ("按拼音首字母查（省总，zw）", "hn_admin", "GET", "/members/", {"q": "zw"}, None),
        ("按拼音首字母查（平顶山，zw）", "pds_admin", "GET", "/members/", {"q": "zw"}, None),
        (
            f"按手机尾号查（省总，{tail}）",
            "hn_admin",
            "GET",
            "/members/",
            {"phone_tail": tail},
            None,
        ),
        (
            "按身份证号精确查找（省总）",
            "hn_admin",
            "POST",
            "/members/find/",
            {"id_number": id_number},
            None,
        ),
        (BASELINE, "wg_admin", "GET", "/accounts/password/", {}, None),
    ):
        client = Client()
        client.force_login(User.objects.get(username=username))
        wanted[label] = (client, method, path, data, before or nothing)
    found = wanted["按身份证号精确查找（省总）"][0].post("/members/find/", {"id_number": id_number})
    if "members/" not in found.content.decode().split("的结果", 1)[-1]:
        raise SystemExit("the exact ID lookup found nobody: the registry's keys are not this run's")
    cold = {label: page for label, page in wanted.items() if COLD in label}
    warm = {label: page for label, page in wanted.items() if label not in cold}
    pages = measure(warm)
    pages |= {
        (label if label != BASELINE else BASELINE + "（第二轮）"): figures
        for label, figures in measure(cold | {BASELINE: wanted[BASELINE]}).items()
    }
    recounts = time_recounts()
    plans = {}
    for label, figures in pages.items():
        if figures["slowest"] is not None:
            plans[label] = (figures["slowest"], explain(figures["slowest"]["sql"]))
    province_campaign = Campaign.objects.get(slug="bench-hn-2019")
    cut_offs = default_cut_offs(province_campaign)
    # A re-measure (--measure) builds the draft of the first run again.
    bulletin = Bulletin.objects.filter(
        campaign=province_campaign, cut_off=cut_offs[-1]
    ).first() or bulletin_create(
        actor=User.objects.get(username="hn_admin"),
        campaign=province_campaign,
        cut_off=cut_offs[-1],
        data={
            "title": "关于全省建会入会集中行动推进情况的通报（基准）",
            "number": "豫工组〔2019〕30号",
        },
    )
    before = os.getloadavg()
    reports.connections_close()
    child = reports.measure_bulletin(bulletin.pk, cut_offs[-2])
    child["load"] = (before, os.getloadavg())
    child["cut_off"] = cut_offs[-1].isoformat()
    print(f"  bulletin: {child}", flush=True)
    child["recounts"] = recounts
    return pages, plans, child


def main() -> None:
    """`bench_scale.py` generates and measures, then drops the database; with BENCH_SCALE_KEEP=1
    the database and the generation's figures (BENCH_SCALE_STATE) are kept, and
    `bench_scale.py --measure` measures the pages again on them (after a change to a page)."""
    workdir = Path(tempfile.mkdtemp(prefix="ruhui-scale-"))
    os.environ.update(
        RUHUI_ENV="test",
        DJANGO_SETTINGS_MODULE="ruhui.settings",
        RUHUI_VAR_DIR=str(workdir),
        DATABASE_URL=PG_URL,
        REDIS_URL=REDIS_URL,
        # Tasks queued as in production (the database queue, no worker here): a page that
        # queues a recount pays for the queueing, not for the recount (measured on its own).
        RUHUI_TASK_BACKEND="db",
    )
    again = "--measure" in sys.argv[1:]
    keep = again or os.environ.get("BENCH_SCALE_KEEP") == "1"
    state = json.loads(STATE.read_text(encoding="utf-8")) if again else {"keys": new_keys()}
    # The test profile draws new keys in every process: a kept registry is read again (blind
    # index, encryption) only with the keys it was written with, kept in the state file.
    os.environ.update(state.get("keys") or new_keys())
    if not again:
        dash.scratch_database(create=True)
    started_all = time.perf_counter()
    try:
        import django

        django.setup()
        if again:
            if "keys" not in state:
                rekey_sample()
            # Kept with the registry: a later --measure finds nothing left to migrate.
            state["migrations"] = apply_migrations() or state.get("migrations", [])
            STATE.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
            from ruhui.campaigns.models import Campaign

            state["refresh"] = {
                "province": timed_refresh(Campaign.objects.get(slug="bench-hn-2019")),
                "city": timed_refresh(Campaign.objects.get(slug="bench-2019")),
            }
        else:
            state |= generate(workdir)
            state["seconds"] = time.perf_counter() - started_all
            STATE.parent.mkdir(parents=True, exist_ok=True)
            STATE.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
        pages, plans, child = measure_pages()
    finally:
        from django.db import connections

        connections.close_all()
        if not keep:
            dash.scratch_database(create=False)
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        shutil.rmtree(workdir, ignore_errors=True)
    write(state, pages, plans, child)


def _migrations_lines(applied: list[dict]) -> list[str]:
    if not applied:
        return []
    lines = [
        "### 在这份数据上执行的迁移",
        "",
        "记录生成之后新写的迁移，在重新计时页面之前逐个执行（`bench_scale.py --measure`）：",
        "",
        "| 迁移 | 用时（秒） | 开始时负载 |",
        "|---|---:|---|",
    ]
    lines += [f"| `{m['name']}` | {m['seconds']:.1f} | {_load(m['load'])} |" for m in applied]
    return [*lines, ""]


def _load(triple) -> str:
    return " / ".join(f"{x:.2f}" for x in triple)


def verdict(ok: bool) -> str:
    return "达到。" if ok else "**未达到**。"


def write(state, pages, plans, child) -> None:
    counts, grow, ents = state["counts"], state["grow"], state["ents"]
    chunks, last, refresh, total = (
        state["chunks"],
        state["last"],
        state["refresh"],
        state["seconds"],
    )
    reference = chunks[1] if len(chunks) > 1 else chunks[0]
    ratio = last["seconds"] / reference["seconds"]
    lines = [
        START,
        "## 全省规模：1000 万会员（issue 20）",
        "",
        "命令：`make bench-scale`（`.venv/bin/python bench/bench_scale.py`；"
        "`BENCH_SCALE_MEMBERS`、`BENCH_SCALE_CHUNK`、`BENCH_SCALE_ENTERPRISES`、`BENCH_SCALE_UNIONS`、"
        "`BENCH_SCALE_REQUESTS` 可调）",
        "",
        f"机器：{dash.machine()}；数据库：本机 PostgreSQL（Debian 默认设置：shared_buffers 128 MB），"
        "与 Redis、压测进程同在这台机器上。",
        "",
        f"日期：{time.strftime('%Y-%m-%d %H:%M %Z')}；整个基准用时 {total / 60:.0f} 分钟。",
        "",
        f"数据：河南省总工会下 18 个市（含济源）、{counts['counties']:,} 个新建县级工会和平顶山原有的 18 个单位，"
        f"共 {counts['unions']:,} 个工会组织（批量写入 {grow:.1f} 秒）；{counts['enterprises']:,} 家企业"
        f"（{ents:.0f} 秒）；{counts['members']:,} 名会员、{counts['events']:,} 条会籍变动，全部经会员导入器"
        f"（每块 {CHUNK:,} 行，省总管理员导入）写入；数据库共 {counts['bytes'] / 2**30:.1f} GiB。",
        "",
        "### 导入",
        "",
        "| 块 | 行数 | 导入前名册 | 用时（秒） | 行/秒 | 开始时负载 |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for n, chunk in enumerate([*chunks, last]):
        lines.append(
            f"| {n + 1}{'（计量）' if chunk is last else ''} | {chunk['rows']:,} | {chunk['into']:,} | "
            f"{chunk['seconds']:.1f} | {chunk['rows'] / chunk['seconds']:,.0f} | {_load(chunk['load'])} |"
        )
    lines += [
        "",
        f"目标：{CHUNK:,} 行导入 {last['into']:,} 人的名册，用时不超过导入 {reference['into']:,} 人名册"
        f"（第 2 块）的 {IMPORT_RATIO:.0f} 倍。实测 {last['seconds']:.1f} 秒 ÷ {reference['seconds']:.1f} 秒 = "
        f"{ratio:.2f} 倍：" + verdict(ratio <= IMPORT_RATIO),
        "",
        *_migrations_lines(state.get("migrations") or []),
        "### 重新统计",
        "",
        "| 行动 | 用时（秒） | 单位数字 | 开始时负载 |",
        "|---|---:|---:|---|",
    ]
    for label, key in (("全省行动（18 个市）", "province"), ("平顶山市行动（18 个单位）", "city")):
        r = refresh[key]
        lines.append(f"| {label} | {r['seconds']:.1f} | {r['figures']:,} | {_load(r['load'])} |")
    worst_refresh = max(r["seconds"] for r in refresh.values())
    lines += [
        "",
        f"目标：重新统计 ≤ {REFRESH_S} 秒。实测最长 {worst_refresh:.1f} 秒："
        + verdict(worst_refresh <= REFRESH_S),
        "",
        "### 页面",
        "",
        f"每页预热 5 次，再交替计时 {REQUESTS} 轮（每轮每页一次；Django 测试客户端在同一进程内：中间件、会话、"
        "全部查询和模板，不含网络）。“记录刚有变化”的工作台在每次请求前让记录版本加一：统计慢的数字先显示"
        "上一次的结果、排入后台重新统计（见下一节），快的当场重新统计；这三行在第二轮里单独与基准页交替。"
        "最慢查询的执行计划（`EXPLAIN (ANALYZE, BUFFERS)`）见 "
        "[benchmarks-scale-explain.md](benchmarks-scale-explain.md)。",
        "",
        "| 页面 | p50（毫秒） | p95（毫秒） | 最长（毫秒） | p95 ÷ 基准页 p95 | 查询数 | 最慢查询（毫秒） | 负载（前 → 后） |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, figures in pages.items():
        base = pages[BASELINE + "（第二轮）" if COLD in label or "第二轮" in label else BASELINE][
            "p95"
        ]
        before, after = figures["load"]
        slowest = figures["slowest"]
        anchor = (
            f"[{float(slowest['time']) * 1000:.0f}](benchmarks-scale-explain.md#{_anchor(label)})"
            if slowest
            else "—"
        )
        lines.append(
            f"| {label} | {figures['p50']:.0f} | {figures['p95']:.0f} | {figures['max']:.0f} | "
            f"{figures['p95'] / base:.1f} | {figures['queries']} | {anchor} | "
            f"{_load(before)} → {_load(after)} |"
        )
    measured = {label: f for label, f in pages.items() if not label.startswith(BASELINE)}
    missed = {label: f["p95"] for label, f in measured.items() if f["p95"] > PAGE_P95_MS}
    lines += [
        "",
        f"目标：每页 p95 ≤ {PAGE_P95_MS} 毫秒。"
        + (
            "全部达到。"
            if not missed
            else "**未达到**："
            + "；".join(f"{label} {p95:.0f} 毫秒" for label, p95 in missed.items())
            + "。原因和下一步见下文。"
        ),
        "",
        "### 工作台数字的后台重新统计",
        "",
        "记录有变化之后，统计较慢（上次用时 ≥ `RUHUI_FIGURE_SLOW_S`，默认 0.2 秒）的工作台数字先显示上一次的结果并注明"
        "「数字统计于 …，正在按最新记录重新统计」，由后台任务（figures 队列）重新统计；上表“记录刚有变化”的工作台量的"
        "就是这条路（页面只排入任务）。后台任务本身的用时（在本进程内直接调用，三次取中位数）：",
        "",
        "| 辖区 | 会员数字（秒） | 企业预警（秒） | 开始时负载 |",
        "|---|---:|---:|---|",
        *[
            f"| {label} | {r['members']:.2f} | {r['alerts']:.2f} | {_load(r['load'])} |"
            for label, r in child.get("recounts", {}).items()
        ],
        "",
        "### 通报",
        "",
        f"全省行动的一期通报（截至 {child.get('cut_off', '')}，{child['units']} 个单位），在单独进程中计时："
        f"汇总数字 {child['seconds']['figures']:.2f} 秒（{child['queries']} 条查询），图表 "
        f"{child['seconds']['chart']:.2f} 秒，.docx {child['seconds']['docx']:.2f} 秒，.pdf "
        f"{child['seconds']['pdf']:.2f} 秒，.xlsx {child['seconds']['xlsx']:.2f} 秒；后台任务完整生成一次 "
        f"{child['seconds']['build']:.2f} 秒，进程内存峰值 {child['peaks']['build']:.0f} MB；"
        f"负载 {_load(child['load'][0])} → {_load(child['load'][1])}。",
        END,
    ]
    dash.write_block(DOC, START, END, lines)
    out = [
        "# 全省规模基准：各页最慢查询的执行计划",
        "",
        f"由 `make bench-scale` 写出（{time.strftime('%Y-%m-%d %H:%M %Z')}，{counts['members']:,} 名会员）。"
        "每页在计时之后再请求一次，记录其中用时最长的一条 SELECT，随即在同一数据库上运行 "
        "`EXPLAIN (ANALYZE, BUFFERS)`。数字见 [benchmarks.md](benchmarks.md) 的“全省规模”一节。",
    ]
    for label, (query, plan) in plans.items():
        out += [
            "",
            f'<a id="{_anchor(label)}"></a>',
            f"## {label}",
            "",
            f"页面请求中用时 {float(query['time']) * 1000:.1f} 毫秒：",
            "",
            "```sql",
            query["sql"],
            "```",
            "",
            "```",
            plan,
            "```",
        ]
    EXPLAIN_DOC.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"written {DOC} and {EXPLAIN_DOC}")


def _anchor(label: str) -> str:
    """A stable ASCII anchor for a page's label."""
    return "q-" + hashlib.sha256(label.encode()).hexdigest()[:10]


if __name__ == "__main__":
    main()
