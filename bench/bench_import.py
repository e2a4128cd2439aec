"""`make bench`: the member importer on SQLite and PostgreSQL, beside the databases' own bulk load.

For each database the benchmark runs in a fresh child process (so peak memory is that run's):
migrate a scratch database, build the demo union tree, pre-load EXISTING members through the
importer, then time on freshly generated rosters:
  - dry run (read + clean + validate + duplicate checks), csv and xlsx;
  - commit (the same plus encryption, member numbers, events, one transaction), csv and xlsx;
  - 10,000 rows with one bad row in ten and the full result workbook;
  - the raw bulk load of the same rows as stored (PostgreSQL binary COPY / SQLite executemany,
    through the importer's own `bulk.insert_rows`) into the member table itself and into a
    temporary copy of it with the same indexes.
Results go to docs/benchmarks.md with the command and the machine.

Sizes: BENCH_ROWS (default 100000), BENCH_EXISTING (default 100000), BENCH_DATABASES
(default "sqlite,postgres"), BENCH_PG (default postgres://postgres@127.0.0.1:5432/ruhui_bench).
BENCH_PHASES (default all) picks phases for long runs, e.g. the million-row PostgreSQL run:
  BENCH_DATABASES=postgres BENCH_ROWS=1000000 BENCH_EXISTING=1000000 \
  BENCH_PHASES=commit_csv,commit_xlsx BENCH_OUT=/tmp/million.md .venv/bin/python bench/bench_import.py
Update mode, every row of the file already a member (issue 14's 1M target): the phases
update_csv (the first BENCH_ROWS pre-loaded members again, every other one with a new phone and
八大群体, imported with update_existing=True) and update_same_csv (that file once more: nothing
left to change), run right after the pre-load:
  BENCH_DATABASES=postgres BENCH_ROWS=1000000 BENCH_EXISTING=1000000 \
  BENCH_PHASES=update_csv,update_same_csv BENCH_OUT=/tmp/update.md .venv/bin/python bench/bench_import.py
BENCH_OUT (default docs/benchmarks.md) is the file the table goes to. RUHUI_IMPORT_WORKERS is
passed on to the importer (see settings.py) and shown in the table.
"""

import contextlib
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
EXISTING = int(os.environ.get("BENCH_EXISTING", "100000"))
PG_URL = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/ruhui_bench")
ALL_PHASES = (
    "dry_run_csv",
    "dry_run_xlsx",
    "commit_csv",
    "commit_xlsx",
    "errors_10k_with_report",
    "raw",
)
#: Update mode on the registry the pre-load built; not in the default run (the 1M figure of
#: issue 14: BENCH_EXISTING=1000000 BENCH_ROWS=1000000 BENCH_PHASES=update_csv,update_same_csv).
UPDATE_PHASES = ("update_csv", "update_same_csv")
PHASES = [p for p in os.environ.get("BENCH_PHASES", ",".join(ALL_PHASES)).split(",") if p]
OUT = Path(os.environ.get("BENCH_OUT", str(ROOT / "docs" / "benchmarks.md")))
WORKERS = os.environ.get("RUHUI_IMPORT_WORKERS", "1")


def child(database: str, workdir: Path) -> dict:
    """Runs inside the child process: set up Django on a scratch database and measure."""
    os.environ["RUHUI_ENV"] = "test"
    os.environ["DJANGO_SETTINGS_MODULE"] = "ruhui.settings"
    os.environ["RUHUI_VAR_DIR"] = str(workdir)
    if database == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        os.environ["DATABASE_URL"] = PG_URL
    import django

    django.setup()
    from django.core.management import call_command

    from bench.rosters import rows, write_csv, write_xlsx
    from ruhui.accounts.models import User
    from ruhui.demo.world import seed_demo
    from ruhui.importing.member_import import import_members
    from ruhui.orgs.models import Organization

    call_command("migrate", verbosity=0)
    seed_demo(members=0)
    union = Organization.objects.get(code="WG")
    # A cadre imports, as on the import page: the collector and the events' actor are set.
    actor = User.objects.get(username="wg_admin")
    unions = list(
        Organization.objects.filter(
            path__startswith=union.path, kind__in=["trade", "enterprise", "joint"]
        ).values_list("code", flat=True)
    )
    result = {"database": database, "rows": ROWS, "existing": EXISTING}

    def timed(label, path, kind, *, dry_run, report=None, update=False):
        load = os.getloadavg()
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        start_db = database_cpu()
        summary = import_members(
            actor=actor,
            union=union,
            path=path,
            kind=kind,
            dry_run=dry_run,
            report_path=report,
            update_existing=update,
        )
        wall = time.perf_counter() - start_wall
        cpu = time.process_time() - start_cpu
        db_cpu = database_cpu() - start_db
        result[label] = {
            "seconds": round(wall, 2),
            "cpu_seconds": round(cpu, 2),
            "db_cpu_seconds": round(db_cpu, 2),
            "rows_per_second": round(summary.rows / wall),
            "created": summary.created,
            "updated": summary.updated,
            "rejected": summary.rejected,
            "reconciles": summary.reconciles,
            "load": [round(x, 2) for x in load],
        }
        print(
            f"  {database:8} {label:22} {summary.rows:>8} rows {wall:7.2f} s "
            f"{summary.rows / wall:>9.0f} rows/s",
            flush=True,
        )

    serial = 0
    if EXISTING:
        path = write_csv(workdir / "existing.csv", rows(EXISTING, start=serial, unions=unions))
        serial += EXISTING
        timed("preload_existing_csv", path, "csv", dry_run=False)
        path.unlink()
        settle()
    if EXISTING and set(UPDATE_PHASES) & set(PHASES):
        from bench.rosters import GROUPS

        def changed():
            for i, row in enumerate(rows(min(ROWS, EXISTING), start=0, unions=unions)):
                if i % 2 == 0:  # every other member: a new phone and 八大群体
                    row[2] = f"18{i:09d}"
                    row[10] = GROUPS[(GROUPS.index(row[10]) + 1) % len(GROUPS)]
                yield row

        path = write_csv(workdir / "update.csv", changed())
        if "update_csv" in PHASES:
            timed("update_csv", path, "csv", dry_run=False, update=True)
            settle()
        if "update_same_csv" in PHASES:
            timed("update_same_csv", path, "csv", dry_run=False, update=True)
            settle()
        path.unlink()
    csv_path = write_csv(workdir / "new.csv", rows(ROWS, start=serial, unions=unions))
    if "dry_run_csv" in PHASES:
        timed("dry_run_csv", csv_path, "csv", dry_run=True)
    if "dry_run_xlsx" in PHASES:
        xlsx_path = write_xlsx(workdir / "new.xlsx", rows(ROWS, start=serial, unions=unions))
        timed("dry_run_xlsx", xlsx_path, "xlsx", dry_run=True)
    if "commit_csv" in PHASES:
        timed("commit_csv", csv_path, "csv", dry_run=False)
        serial += ROWS
        settle()
    if "commit_xlsx" in PHASES:
        xlsx_path = write_xlsx(workdir / "new2.xlsx", rows(ROWS, start=serial, unions=unions))
        timed("commit_xlsx", xlsx_path, "xlsx", dry_run=False)
        serial += ROWS
    if "errors_10k_with_report" in PHASES:
        errors = write_xlsx(
            workdir / "errors.xlsx", rows(10_000, start=serial, unions=unions, bad_every=10)
        )
        timed(
            "errors_10k_with_report", errors, "xlsx", dry_run=True, report=workdir / "result.xlsx"
        )
    if "raw" in PHASES:
        raw_loads(database, result)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def settle() -> None:
    """Between measured imports: the registry at rest, as one that has held its members for a
    while is (PostgreSQL: VACUUM ANALYZE, which autovacuum would otherwise run during the next
    measured import after a million inserts). Not timed."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) members_member, members_membershipevent")


def database_cpu() -> float:
    """CPU seconds the PostgreSQL server process of this connection has used (it runs on the
    same machine; /proc tells), or 0 on SQLite, which runs inside this process."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def raw_loads(database: str, result: dict) -> None:
    """The database's own bulk load of ROWS member rows as stored (PostgreSQL COPY, SQLite
    executemany), timed twice, each in a transaction rolled back afterwards:
      - into the member table itself, with all its indexes, constraints, foreign keys and
        (on PostgreSQL) WAL: the issue's "raw COPY into the same indexed table";
      - into a temporary copy of it (PostgreSQL: LIKE … INCLUDING ALL, which copies indexes
        but not foreign keys, and temporary tables write no WAL; SQLite: the table's indexes
        recreated on the copy), the figure earlier runs reported."""
    from django.db import connection, transaction

    from ruhui.core import bulk
    from ruhui.members.models import Member

    table = Member._meta.db_table
    columns = [f.column for f in Member._meta.concrete_fields if f.column != "id"]
    sample = list(
        Member.objects.order_by("-id").values_list(
            *[f.attname for f in Member._meta.concrete_fields if f.column != "id"]
        )[:ROWS]
    )
    # The unique indexes need new keys: give the copied rows new member numbers and hashes.
    # Values go in the form the importer hands the driver (dates as text on SQLite).
    as_text = bulk.dates_as_text()
    data = []
    for i, row in enumerate(sample):
        values = dict(zip(columns, row, strict=True))
        values["member_number"] = f"B{i:019d}"
        values["id_number_hash"] = f"{i:064x}"
        if as_text:
            values = {k: _as_text(v) for k, v in values.items()}
        data.append(tuple(values[c] for c in columns))
    del sample
    for label, target in (("raw_same_table", table), ("raw_temp_copy", "bench_copy")):
        with transaction.atomic(), connection.cursor() as cursor:
            if target == "bench_copy":
                if database == "postgres":
                    cursor.execute(f"CREATE TEMP TABLE bench_copy (LIKE {table} INCLUDING ALL)")
                else:
                    cursor.execute(f"CREATE TEMP TABLE bench_copy AS SELECT * FROM {table} WHERE 0")
                    cursor.execute(
                        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                        "AND sql IS NOT NULL",
                        [table],
                    )
                    for (sql,) in cursor.fetchall():
                        name = sql.split(" ON ")[0].split()[-1].strip('"')
                        sql = sql.replace(name, f"bench_{name}", 1)
                        cursor.execute(sql.replace(f'"{table}"', "bench_copy", 1))
                    cursor.execute(
                        "CREATE UNIQUE INDEX bench_copy_number ON bench_copy(member_number)"
                    )
            start = time.perf_counter()
            # The importer's own bulk path: binary COPY on PostgreSQL, executemany on SQLite.
            bulk.insert_rows(target, columns, data)
            if database == "postgres":
                # The foreign keys are checked at commit; this transaction rolls back, so
                # check them now, inside the timing (an import pays for them too).
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            wall = time.perf_counter() - start
            transaction.set_rollback(True)
        result[label] = {"seconds": round(wall, 2), "rows_per_second": round(len(data) / wall)}
        print(
            f"  {database:8} {label:22} {len(data):>8} rows {wall:7.2f} s "
            f"{len(data) / wall:>9.0f} rows/s",
            flush=True,
        )


def _as_text(value):
    """A date or datetime as the importer hands SQLite (text); anything else unchanged."""
    from ruhui.core import bulk

    if isinstance(value, datetime.datetime):
        return bulk.db_datetime(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def prepare_postgres() -> None:
    import psycopg

    name = PG_URL.rsplit("/", 1)[1]
    admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_postgres() -> None:
    import psycopg

    name = PG_URL.rsplit("/", 1)[1]
    admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    pg = ""
    with contextlib.suppress(OSError):
        pg = subprocess.run(
            ["psql", "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, {pg}"
    )


def write_markdown(results: list[dict]) -> None:
    labels = [
        ("preload_existing_csv", "预载已有会员（csv 提交）"),
        ("dry_run_csv", "检查（dry run）csv"),
        ("dry_run_xlsx", "检查（dry run）xlsx"),
        ("commit_csv", "导入提交 csv"),
        ("commit_xlsx", "导入提交 xlsx"),
        ("errors_10k_with_report", "1 万行（10% 错误）+ 逐行结果文件"),
        ("update_csv", "更新模式 csv（全部已在册，一半有变化）"),
        ("update_same_csv", "更新模式 csv（全部已在册，没有变化）"),
    ]
    raw_labels = {
        "postgres": "PostgreSQL COPY",
        "sqlite": "SQLite executemany",
    }
    lines = [
        "# 性能基准（Benchmarks）",
        "",
        f"命令：`make bench`（即 `BENCH_ROWS={ROWS} BENCH_EXISTING={EXISTING} "
        f".venv/bin/python bench/bench_import.py`）；`RUHUI_IMPORT_WORKERS={WORKERS}`",
        "",
        f"机器：{machine()}",
        "",
        f"日期：{time.strftime('%Y-%m-%d %H:%M %Z')}",
        "",
    ]
    for result in results:
        lines += [
            f"## {result['database']}（已有会员 {result['existing']:,}，新文件 "
            f"{result['rows']:,} 行）",
            "",
            "| 项目 | 行数 | 用时（秒） | 行/秒 | 导入进程 CPU（秒） | 数据库 CPU（秒） "
            "| 新增 | 更新 | 未导入 | 核对 | 负载 |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        for key, label in labels:
            if key not in result:
                continue
            item = result[key]
            count = (
                item.get("created", 0) + item.get("updated", 0) + item.get("rejected", 0)
                or result["rows"]
            )
            load = " / ".join(f"{x:.2f}" for x in item["load"]) if "load" in item else "—"
            db_cpu = item.get("db_cpu_seconds") if result["database"] == "postgres" else None
            lines.append(
                f"| {label} | {count:,} | {item['seconds']} | {item['rows_per_second']:,} | "
                f"{item.get('cpu_seconds', '—')} | {'—' if db_cpu is None else db_cpu} | "
                f"{item.get('created', '—')} | {item.get('updated', '—')} | "
                f"{item.get('rejected', '—')} | "
                f"{'rows = 新增 + 更新 + 未导入' if item.get('reconciles') else '—'} | {load} |"
            )
        raw_name = raw_labels.get(result["database"], "原始批量写入")
        for key, label in (
            ("raw_same_table", f"{raw_name} 原始速度：同一张会员表（全部索引、约束、外键）"),
            ("raw_temp_copy", f"{raw_name} 原始速度：临时表副本（只有索引）"),
        ):
            if key in result:
                item = result[key]
                lines.append(
                    f"| {label} | {ROWS:,} | {item['seconds']} | {item['rows_per_second']:,} "
                    "| — | — | — | — | — | — | — |"
                )
        lines += ["", f"峰值内存（整个进程）：{result['peak_rss_mb']} MB", ""]
        if {"commit_csv", "dry_run_csv"} <= result.keys():
            # The database phase: what a commit costs beyond the dry run of the same file.
            extra = result["commit_csv"]["seconds"] - result["dry_run_csv"]["seconds"]
            speed = ROWS / extra if extra > 0 else float("inf")
            line = f"写库阶段（csv 提交减检查）：{extra:.2f} 秒，约 {speed:,.0f} 行/秒"
            if "raw_same_table" in result:
                ratio = speed / result["raw_same_table"]["rows_per_second"]
                line += f"，为同表原始写入速度的 {ratio:.2f} 倍"
            lines += [line, ""]
    target = OUT
    existing = target.read_text(encoding="utf-8") if target.exists() else ""
    marker = "<!-- other benchmarks below -->"
    tail = existing.split(marker, 1)[1] if marker in existing else ""
    target.write_text("\n".join(lines) + "\n" + marker + tail, encoding="utf-8")
    print(f"written {target}")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        database = sys.argv[2]
        with tempfile.TemporaryDirectory(prefix="ruhui-bench-") as workdir:
            print(json.dumps(child(database, Path(workdir))), flush=True)
        return
    databases = os.environ.get("BENCH_DATABASES", "sqlite,postgres").split(",")
    results = []
    for database in databases:
        if database == "postgres":
            prepare_postgres()
        try:
            proc = subprocess.run(
                [sys.executable, __file__, "--child", database],
                capture_output=True,
                text=True,
                check=False,
            )
        finally:
            if database == "postgres":
                drop_postgres()
        sys.stdout.write(
            "\n".join(line for line in proc.stdout.splitlines() if not line.startswith("{")) + "\n"
        )
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            raise SystemExit(f"benchmark on {database} failed")
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    write_markdown(results)


if __name__ == "__main__":
    main()
