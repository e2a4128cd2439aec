"""`make bench`: update mode (`ruhui import_members --update`) on PostgreSQL, interleaved in one
run with the importer's own insert of the same file and django-import-export's upsert of it.

The file: BENCH_UPDATE_ROWS (default 100,000) generated roster rows (bench/rosters.py, csv); the
first half are already members when the update and the upsert run (half of those with a new
phone and 八大群体, half unchanged), the second half are new. Each measured run gets its own
copy of a prepared scratch database (CREATE DATABASE … TEMPLATE: migrated, the demo union
tree, VACUUM ANALYZE'd), in a child process of its own, and the copies are dropped afterwards:
  - update:  the importer with update_existing=True into the half-existing registry;
  - insert:  the importer into the same registry without those members (the same file, all new);
  - peer:    django-import-export upserting the same file into the half-existing registry,
             tuned as its docs say (bulk, batch_size 1000, skip_diff, CachedInstanceLoader).
Rounds (BENCH_UPDATE_ROUNDS, default 2) run the three in turn, so that a change in the
machine's load touches all three; the load average is read before every run.
Results go to docs/benchmarks.md, in the section between this benchmark's markers.
"""

import base64
import io
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ROWS = int(os.environ.get("BENCH_UPDATE_ROWS", "100000"))
ROUNDS = int(os.environ.get("BENCH_UPDATE_ROUNDS", "2"))
PG_URL = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/ruhui_bench")
OUT = Path(os.environ.get("BENCH_OUT", str(ROOT / "docs" / "benchmarks.md")))
BASE = PG_URL.rsplit("/", 1)[1] + "_update"
EMPTY, HALF, RUN = f"{BASE}_empty", f"{BASE}_half", f"{BASE}_run"
CASES = ("update", "insert", "peer")
#: The peer's upsert speed issue 14 states (its own resource): 2,153 rows/s ÷ 1.9.
ISSUE_PEER_RATE = 1130
BEGIN, END = "<!-- update-bench:start -->", "<!-- update-bench:end -->"


def url(database: str) -> str:
    return PG_URL.rsplit("/", 1)[0] + "/" + database


def django_on(database: str, workdir: Path) -> None:
    os.environ["RUHUI_ENV"] = "test"
    os.environ["DJANGO_SETTINGS_MODULE"] = "ruhui.settings"
    os.environ["RUHUI_VAR_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = url(database)
    import django

    django.setup()


def the_file(workdir: Path, unions: list[str]) -> tuple[Path, Path]:
    """(the roster, the first half of it as the members already hold it)."""
    from bench.rosters import GROUPS, rows, write_csv

    existing = write_csv(workdir / "existing.csv", rows(ROWS // 2, unions=unions))
    data = list(rows(ROWS, unions=unions))
    for i in range(0, ROWS // 2, 2):  # half the existing members: a new phone and group
        row = data[i]
        row[2] = f"18{i:09d}"
        row[10] = GROUPS[(GROUPS.index(row[10]) + 1) % len(GROUPS)]
    return write_csv(workdir / "roster.csv", data), existing


def setup_empty(workdir: Path) -> None:
    """EMPTY: migrated, the demo union tree, no members."""
    django_on(EMPTY, workdir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", members=0, stdout=io.StringIO())  # the union tree, no members
    vacuum()


def setup_half(workdir: Path) -> None:
    """HALF (a copy of EMPTY): the first half of the roster imported, as members."""
    django_on(HALF, workdir)
    _roster, existing = the_file(workdir, unions())
    summary = run_importer(existing, update=False)
    assert summary.created == ROWS // 2, summary.as_dict()
    vacuum()


def vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()


def unions() -> list[str]:
    from ruhui.orgs.models import Organization

    union = Organization.objects.get(code="WG")
    return list(
        Organization.objects.filter(
            path__startswith=union.path, kind__in=["trade", "enterprise", "joint"]
        ).values_list("code", flat=True)
    )


def run_importer(path: Path, *, update: bool):
    from ruhui.accounts.models import User
    from ruhui.importing.member_import import import_members
    from ruhui.orgs.models import Organization

    return import_members(
        actor=User.objects.get(username="wg_admin"),
        union=Organization.objects.get(code="WG"),
        path=path,
        kind="csv",
        dry_run=False,
        update_existing=update,
    )


def measure_child(case: str, workdir: Path) -> dict:
    django_on(RUN, workdir)
    from ruhui.members.models import Member

    roster, _existing = the_file(workdir, unions())
    before = Member.objects.count()
    load = os.getloadavg()
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    if case == "peer":
        from bench.peer_import_export import upsert

        result = upsert(roster)
        counts = {"created": result.totals["new"], "updated": result.totals["update"]}
        counts["rejected"] = result.totals["error"] + result.totals["invalid"]
    else:
        summary = run_importer(roster, update=case == "update")
        assert summary.reconciles
        counts = {"created": summary.created, "updated": summary.updated}
        counts["rejected"] = summary.rejected
    wall = time.perf_counter() - start_wall
    cpu = time.process_time() - start_cpu
    after = Member.objects.count()
    return {
        "case": case,
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "rows_per_second": round(ROWS / wall),
        "load": [round(x, 2) for x in load],
        "members_before": before,
        "members_after": after,
        **counts,
    }


def key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def drop_all() -> None:
    for name in (RUN, HALF, EMPTY):
        admin(f'DROP DATABASE IF EXISTS "{name}"')


def child(args: list[str], workdir: str) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, *args, workdir], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"bench_update {' '.join(args)} failed")
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "{}"
    return json.loads(last)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] in ("--setup-empty", "--setup-half"):
        (setup_empty if sys.argv[1] == "--setup-empty" else setup_half)(Path(sys.argv[2]))
        print("{}")
        return
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        print(json.dumps(measure_child(sys.argv[2], Path(sys.argv[3]))), flush=True)
        return
    # One set of keys for every child: the test profile makes new ones per process, and the
    # blind index of the members set up must match the one the measured runs compute.
    os.environ.setdefault("RUHUI_FIELD_KEYS", json.dumps({"1": key()}))
    os.environ.setdefault("RUHUI_BLIND_INDEX_KEY", key())
    results: list[dict] = []
    drop_all()
    admin(f'CREATE DATABASE "{EMPTY}"')
    try:
        with tempfile.TemporaryDirectory(prefix="ruhui-bench-update-") as workdir:
            child(["--setup-empty"], workdir)
            admin(f'CREATE DATABASE "{HALF}" TEMPLATE "{EMPTY}"')
            child(["--setup-half"], workdir)
            for round_ in range(1, ROUNDS + 1):
                for case in CASES:
                    template = EMPTY if case == "insert" else HALF
                    admin(f'CREATE DATABASE "{RUN}" TEMPLATE "{template}"')
                    try:
                        result = child(["--measure", case], workdir)
                    finally:
                        admin(f'DROP DATABASE IF EXISTS "{RUN}"')
                    result["round"] = round_
                    results.append(result)
                    print(
                        f"  round {round_} {case:7} {result['seconds']:7.2f} s "
                        f"{result['rows_per_second']:>8,} rows/s  load {result['load'][0]:.2f}",
                        flush=True,
                    )
    finally:
        drop_all()
    write_markdown(results)


def write_markdown(results: list[dict]) -> None:
    from bench.bench_import import machine

    by_round: dict[int, dict[str, dict]] = {}
    for result in results:
        by_round.setdefault(result["round"], {})[result["case"]] = result
    labels = {
        "update": "导入器 更新模式（--update）",
        "insert": "导入器 新增（同一文件，全部为新会员）",
        "peer": "django-import-export 4.4.3 upsert（bulk、batch 1000、skip_diff、CachedInstanceLoader）",
    }
    lines = [
        BEGIN,
        f"## 更新模式：{ROWS:,} 行、一半已在册（PostgreSQL）",
        "",
        f"命令：`make bench`（即 `BENCH_UPDATE_ROWS={ROWS} BENCH_UPDATE_ROUNDS={ROUNDS} "
        ".venv/bin/python bench/bench_update.py`）",
        "",
        f"机器：{machine()}",
        "",
        f"日期：{time.strftime('%Y-%m-%d %H:%M %Z')}",
        "",
        f"同一个 csv 文件：前 {ROWS // 2:,} 行已是会员（其中一半换了手机号和八大群体），后 "
        f"{ROWS // 2:,} 行是新人。三种写法每轮依次各跑一次，每次在同一份预备好的库的新副本上、"
        "单独的进程里；负载为每次开始前的 1/5/15 分钟平均负载（`os.getloadavg()`）。",
        "",
        "| 轮 | 写法 | 用时（秒） | 行/秒 | 导入进程 CPU（秒） | 新增 | 更新 | 未导入 | 负载 |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for round_, cases in sorted(by_round.items()):
        for case in CASES:
            item = cases[case]
            load = " / ".join(f"{x:.2f}" for x in item["load"])
            lines.append(
                f"| {round_} | {labels[case]} | {item['seconds']} | {item['rows_per_second']:,} "
                f"| {item['cpu_seconds']} | {item['created']:,} | {item['updated']:,} "
                f"| {item['rejected']:,} | {load} |"
            )
    lines += [
        "",
        "| 轮 | django-import-export ÷ 更新模式 | 更新模式 ÷ 导入器新增 | 负载（1 分钟） |",
    ]
    lines.append("|---:|---:|---:|---|")
    peer_ratios, insert_ratios = [], []
    for round_, cases in sorted(by_round.items()):
        peer = cases["peer"]["seconds"] / cases["update"]["seconds"]
        insert = cases["update"]["seconds"] / cases["insert"]["seconds"]
        peer_ratios.append(peer)
        insert_ratios.append(insert)
        loads = "、".join(f"{cases[c]['load'][0]:.2f}" for c in CASES)
        lines.append(f"| {round_} | {peer:.1f}× | {insert:.2f}× | {loads} |")
    lines += [
        "",
        f"中位数：更新模式是 django-import-export upsert 的 {median(peer_ratios):.1f} 倍"
        f"（目标 ≥ 10 倍），用时是导入器新增同一文件的 {median(insert_ratios):.2f} 倍（目标 ≤ 2 倍）。",
        "",
        "说明：django-import-export 的资源（bench/peer_import_export.py）在 `before_import` 里用本项目的"
        "函数把每行整理成会员表的样子（代码表、批量加密、盲索引、掩码、证件号里的出生日期和性别），"
        "按盲索引 upsert；它不校验、不写入会事件，做的事比导入器少。它的更新走 Django 的 `bulk_update`"
        "（每批 1000 行、每列一个 1000 分支的 `CASE WHEN`，27 列），这正是导入器以前的更新路径慢的原因；"
        "它的时间几乎全在自己的进程里（见上表的 CPU 列），大半是 Django 为 `bulk_update` 构造和编译"
        "这些表达式。issue 14 用另一个资源量到的 upsert 约 1,130 行/秒（2,153 ÷ 1.9），是这里的 "
        f"{ISSUE_PEER_RATE / median(c['peer']['rows_per_second'] for c in by_round.values()):.1f} 倍；"
        f"按那个速度算（{ROWS / ISSUE_PEER_RATE:.0f} 秒），更新模式是它的 "
        f"{ROWS / ISSUE_PEER_RATE / median(c['update']['seconds'] for c in by_round.values()):.1f} 倍。"
        "更新模式的逐段说明见 docs/decisions/0009-import-pipeline.md 的补记。",
        "",
        END,
    ]
    text = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
    section = "\n".join(lines)
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    OUT.write_text(text, encoding="utf-8")
    print(f"written {OUT}")


if __name__ == "__main__":
    main()
