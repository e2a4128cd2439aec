"""Benchmark the member export writers and the import result report (no database).

Run: PYTHONPATH=src .venv/bin/python bench/bench_export.py [--rows 200000] [--report-rows N]
     [--cases gen,xlsx,csv,report]

Rows shaped like `member_export_rows` output (28 columns: text, code labels, dates, 是/否) are
generated lazily and fed straight to `write_member_xlsx` / `write_member_csv`, and rows shaped
like the importer's results to `build_error_report`. Each case runs in a fresh child process so
its peak RSS (ru_maxrss) is its own; "gen" is the cost of generating the rows alone, included in
the other figures. Prints rows/s (wall clock and CPU time: the CPU figure is steadier on a
shared machine), file size, and peak / baseline RSS (baseline: after Django has loaded).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def _setup() -> None:
    os.environ.setdefault("RUHUI_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ruhui.settings")
    import django

    django.setup()


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def member_rows(count: int, seed: int = 2024):
    """Lazily yield export rows in MEMBER_COLUMNS order."""
    from ruhui.core import idnumber
    from ruhui.importing.columns import BOOL, CODE, DATE, MEMBER_COLUMNS, NO, YES

    rng = random.Random(seed)
    labels = {
        c.field: [label for _code, label in c.codeset.items]
        for c in MEMBER_COLUMNS
        if c.kind == CODE
    }
    unions = [(f"PDS-{n:04d}", f"平顶山市第{n}快递物流有限公司工会") for n in range(300)]
    first_day = date(1960, 1, 1).toordinal()
    for n in range(count):
        born = date.fromordinal(first_day + rng.randrange(15000))
        first17 = f"410481{born:%Y%m%d}{rng.randrange(1000):03d}"
        number = first17 + idnumber.checksum_char(first17)
        union_code, union_name = rng.choice(unions)
        joined = date(2015, 1, 1) + timedelta(days=rng.randrange(3000))
        values = {
            "name": rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2)))),
            "id_number": number[:6] + "********" + number[14:],
            "birth_date": born,
            "phone": f"13{rng.randrange(10)}****{rng.randrange(10000):04d}",
            "household_division": "410481",
            "employer_name": f"{union_name.removesuffix('工会')}",
            "employer_uscc": "91410481MA44C1R929",
            "union": union_name,
            "union_code": union_code,
            "member_number": f"410481{joined.year}{n:06d}",
            "joined_on": joined,
            "provincial_entered_on": joined if n % 2 else None,
        }
        row = []
        for column in MEMBER_COLUMNS:
            if column.field in values:
                row.append(values[column.field])
            elif column.kind == CODE:
                row.append(rng.choice(labels[column.field]))
            elif column.kind == BOOL:
                row.append(YES if rng.random() < 0.6 else NO)
            elif column.kind == DATE:
                row.append(None)
            else:
                row.append("")
        yield row


def report_rows(count: int):
    """Lazily yield importer-like results: original cells as read (some IDs as floats)."""
    from ruhui.importing.columns import HEADERS

    for n, row in enumerate(member_rows(count)):
        rejected = n % 10 == 0
        cells = [v.isoformat() if isinstance(v, date) else v for v in row]
        if rejected:
            cells[2] = 4.10481199005e17
        yield (
            n + 2,
            cells[: len(HEADERS)],
            "未导入" if rejected else "新增",
            "证件号码：校验位不正确，请核对证件。" if rejected else "",
        )


def run_case(case: str, rows: int) -> dict:
    """One case in this process; returns its figures."""
    _setup()
    from ruhui.importing.columns import HEADERS
    from ruhui.importing.export import write_member_csv, write_member_xlsx
    from ruhui.tabular.report import build_error_report

    workdir = Path(tempfile.mkdtemp(prefix="bench-export-"))
    path = workdir / f"out.{'csv' if case == 'csv' else 'xlsx'}"
    baseline = _rss_kib()
    start, cpu_start = time.perf_counter(), time.process_time()
    if case == "gen":
        for _row in member_rows(rows):
            pass
    elif case == "xlsx":
        write_member_xlsx(path, member_rows(rows))
    elif case == "csv":
        write_member_csv(path, member_rows(rows))
    elif case == "report":
        build_error_report(path, headers=HEADERS, rows=report_rows(rows), summary={"rows": rows})
    else:
        raise SystemExit(f"unknown case {case}")
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    size = path.stat().st_size if path.exists() else 0
    if path.exists():
        path.unlink()
    workdir.rmdir()
    return {
        "case": case,
        "rows": rows,
        "seconds": round(elapsed, 2),
        "rows_per_s": round(rows / elapsed),
        "cpu_rows_per_s": round(rows / cpu),
        "file_mb": round(size / 1e6, 1),
        "baseline_rss_mb": round(baseline / 1024, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--report-rows", type=int, default=0, help="0: same as --rows")
    parser.add_argument("--cases", default="gen,xlsx,csv,report", help="comma-separated")
    parser.add_argument("--case", help="run one case in this process (used by the parent)")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.rows)))
        return
    print(
        f"{'case':8} {'rows':>9} {'seconds':>8} {'rows/s':>9} {'CPU rows/s':>11} {'file MB':>8} "
        f"{'base RSS MB':>12} {'peak RSS MB':>12}"
    )
    sizes = {"report": args.report_rows or args.rows}
    cases = [(case, sizes.get(case, args.rows)) for case in args.cases.split(",")]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(Path(__file__).resolve().parents[1] / "src"), env.get("PYTHONPATH")])
    )
    for case, rows in cases:
        out = subprocess.run(
            [sys.executable, __file__, "--case", case, "--rows", str(rows)],
            check=False,
            capture_output=True,
            text=True,
            env=env,
        )
        if out.returncode:
            print(f"{case}: failed\n{out.stderr[-3000:]}")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{r['case']:8} {r['rows']:>9} {r['seconds']:>8} {r['rows_per_s']:>9} "
            f"{r['cpu_rows_per_s']:>11} {r['file_mb']:>8} {r['baseline_rss_mb']:>12} {r['peak_rss_mb']:>12}"
        )


if __name__ == "__main__":
    main()
