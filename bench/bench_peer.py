"""`make bench`: the importer's insert against django-import-export's on the same file, xlsx and
csv, PostgreSQL, interleaved in one run so that the machine's load touches both alike.

The file: BENCH_PEER_ROWS (default 100,000) generated roster rows (bench/rosters.py), all new
members, written once as .xlsx and once as .csv. Each measured run gets its own copy of a
prepared scratch database (CREATE DATABASE … TEMPLATE: migrated, the demo union tree, no
members, VACUUM ANALYZE'd), in a child process of its own; the copies are dropped afterwards.
Each round (BENCH_PEER_ROUNDS, default 2) runs, in this order: importer xlsx, peer xlsx,
importer csv, peer csv. The peer is bench/peer_import_export.py's resource for a pure insert,
tuned as django-import-export's docs say (use_bulk, batch_size 1000, skip_diff,
force_init_instance, use_transactions). The load average (`os.getloadavg()`) is read before
every run, and each comparison is a ratio of two neighbouring runs of the same round.
Results go to docs/benchmarks.md, in the section between this benchmark's markers.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.bench_update import admin, django_on, key, unions, vacuum  # noqa: E402

ROWS = int(os.environ.get("BENCH_PEER_ROWS", "100000"))
ROUNDS = int(os.environ.get("BENCH_PEER_ROUNDS", "2"))
PG_URL = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/ruhui_bench")
OUT = Path(os.environ.get("BENCH_OUT", str(ROOT / "docs" / "benchmarks.md")))
BASE = PG_URL.rsplit("/", 1)[1] + "_peer"
EMPTY, RUN = f"{BASE}_empty", f"{BASE}_run"
ORDER = (("xlsx", "importer"), ("xlsx", "peer"), ("csv", "importer"), ("csv", "peer"))
TARGETS = {"xlsx": 5.0, "csv": 3.0}
BEGIN, END = "<!-- peer-bench:start -->", "<!-- peer-bench:end -->"


def setup(workdir: Path) -> None:
    """EMPTY: migrated, the demo union tree, no members; and the two files."""
    django_on(EMPTY, workdir)
    from django.core.management import call_command

    from bench.rosters import rows, write_csv, write_xlsx

    call_command("migrate", verbosity=0)
    from ruhui.demo.world import seed_demo

    seed_demo(members=0)
    codes = unions()
    write_csv(workdir / "roster.csv", rows(ROWS, unions=codes))
    write_xlsx(workdir / "roster.xlsx", rows(ROWS, unions=codes))
    vacuum()


def measure_child(kind: str, who: str, workdir: Path) -> dict:
    django_on(RUN, workdir)
    from ruhui.members.models import Member

    path = workdir / f"roster.{kind}"
    load = os.getloadavg()
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    if who == "peer":
        from bench.peer_import_export import insert

        result = insert(path, kind)
        created = result.totals["new"]
        rejected = result.totals["error"] + result.totals["invalid"]
    else:
        from ruhui.accounts.models import User
        from ruhui.importing.member_import import import_members
        from ruhui.orgs.models import Organization

        summary = import_members(
            actor=User.objects.get(username="wg_admin"),
            union=Organization.objects.get(code="WG"),
            path=path,
            kind=kind,
            dry_run=False,
        )
        assert summary.reconciles
        created, rejected = summary.created, summary.rejected
    wall = time.perf_counter() - start_wall
    cpu = time.process_time() - start_cpu
    stored = Member.objects.count()
    assert stored == created == ROWS, (stored, created, rejected)
    return {
        "kind": kind,
        "who": who,
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "rows_per_second": round(ROWS / wall),
        "load": [round(x, 2) for x in load],
        "created": created,
        "rejected": rejected,
    }


def child(args: list[str], workdir: str) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, *args, workdir], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"bench_peer {' '.join(args)} failed")
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "{}"
    return json.loads(last)


def drop_all() -> None:
    for name in (RUN, EMPTY):
        admin(f'DROP DATABASE IF EXISTS "{name}"')


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--setup":
        setup(Path(sys.argv[2]))
        print("{}")
        return
    if len(sys.argv) == 5 and sys.argv[1] == "--measure":
        print(json.dumps(measure_child(sys.argv[2], sys.argv[3], Path(sys.argv[4]))), flush=True)
        return
    os.environ.setdefault("RUHUI_FIELD_KEYS", json.dumps({"1": key()}))
    os.environ.setdefault("RUHUI_BLIND_INDEX_KEY", key())
    results: list[dict] = []
    drop_all()
    admin(f'CREATE DATABASE "{EMPTY}"')
    try:
        with tempfile.TemporaryDirectory(prefix="ruhui-bench-peer-") as workdir:
            child(["--setup"], workdir)
            for round_ in range(1, ROUNDS + 1):
                for kind, who in ORDER:
                    admin(f'CREATE DATABASE "{RUN}" TEMPLATE "{EMPTY}"')
                    try:
                        result = child(["--measure", kind, who], workdir)
                    finally:
                        admin(f'DROP DATABASE IF EXISTS "{RUN}"')
                    result["round"] = round_
                    results.append(result)
                    print(
                        f"  round {round_} {kind:4} {who:8} {result['seconds']:7.2f} s "
                        f"{result['rows_per_second']:>8,} rows/s  load {result['load'][0]:.2f}",
                        flush=True,
                    )
    finally:
        drop_all()
    write_markdown(results)


def write_markdown(results: list[dict]) -> None:
    from bench.bench_import import machine

    runs = {(r["round"], r["kind"], r["who"]): r for r in results}
    labels = {
        "importer": "导入器（import_members）",
        "peer": "django-import-export 4.4.3（bulk、batch 1000、skip_diff、force_init_instance、事务）",
    }
    lines = [
        BEGIN,
        f"## 新增导入：与 django-import-export 对照（{ROWS:,} 行，PostgreSQL）",
        "",
        f"命令：`make bench`（即 `BENCH_PEER_ROWS={ROWS} BENCH_PEER_ROUNDS={ROUNDS} "
        ".venv/bin/python bench/bench_peer.py`）",
        "",
        f"机器：{machine()}",
        "",
        f"日期：{time.strftime('%Y-%m-%d %H:%M %Z')}",
        "",
        f"同一份生成的 {ROWS:,} 行花名册（全部是新会员），各写成 xlsx 和 csv 一份。每轮依次："
        "导入器 xlsx、django-import-export xlsx、导入器 csv、django-import-export csv；每次在同一份"
        "预备好的空名册（已迁移、演示工会树、没有会员）的新副本上、单独的进程里，用时含读文件。"
        "负载为每次开始前的 1/5/15 分钟平均负载（`os.getloadavg()`）。",
        "",
        "| 轮 | 格式 | 写法 | 用时（秒） | 行/秒 | 导入进程 CPU（秒） | 新增 | 负载 |",
        "|---:|---|---|---:|---:|---:|---:|---|",
    ]
    for round_ in range(1, ROUNDS + 1):
        for kind, who in ORDER:
            item = runs[(round_, kind, who)]
            load = " / ".join(f"{x:.2f}" for x in item["load"])
            lines.append(
                f"| {round_} | {kind} | {labels[who]} | {item['seconds']} "
                f"| {item['rows_per_second']:,} | {item['cpu_seconds']} | {item['created']:,} "
                f"| {load} |"
            )
    lines += [
        "",
        "| 轮 | 格式 | django-import-export ÷ 导入器（用时） | 负载（1 分钟：导入器、django-import-export） |",
        "|---:|---|---:|---|",
    ]
    ratios: dict[str, list[float]] = {"xlsx": [], "csv": []}
    for round_ in range(1, ROUNDS + 1):
        for kind in ("xlsx", "csv"):
            mine, peer = runs[(round_, kind, "importer")], runs[(round_, kind, "peer")]
            ratio = peer["seconds"] / mine["seconds"]
            ratios[kind].append(ratio)
            lines.append(
                f"| {round_} | {kind} | {ratio:.2f}× | {mine['load'][0]:.2f}、{peer['load'][0]:.2f} |"
            )
    verdicts = []
    for kind in ("xlsx", "csv"):
        value = median(ratios[kind])
        met = "达到" if value >= TARGETS[kind] else "未达到"
        verdicts.append(f"{kind} {value:.2f} 倍（目标 ≥ {TARGETS[kind]:.0f} 倍，{met}）")
    peer_rates = {
        kind: median(runs[(r, kind, "peer")]["rows_per_second"] for r in range(1, ROUNDS + 1))
        for kind in ("xlsx", "csv")
    }
    lines += [
        "",
        "中位数：导入器比 django-import-export 快 " + "；".join(verdicts) + "。",
        "",
        f"django-import-export 的新增速度（中位数）：xlsx 约 {peer_rates['xlsx']:,.0f} 行/秒，"
        f"csv 约 {peer_rates['csv']:,.0f} 行/秒。",
        "",
        "说明：django-import-export 的资源（bench/peer_import_export.py 的 `MemberInsertResource`）"
        "在 `before_import` 里用本项目的函数把每行整理成会员表的样子（代码表、批量加密、盲索引、掩码、"
        "证件号里的出生日期和性别），然后按它文档的建议批量 `bulk_create`（每批 1000 行）、不做差异比较、"
        "`force_init_instance`（文件全是新会员，不查已有记录）、整个导入一个事务；外键按 id 直接写，"
        "不逐行查询。它不校验、不查重、不写入会事件，做的事比导入器少，所以这个倍数对它有利。",
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
