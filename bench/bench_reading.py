"""Benchmark the roster file layer: check_upload → read_table → clean_row, xlsx and csv.

Run: PYTHONPATH=src .venv/bin/python bench/bench_reading.py [--rows N] [--validate] [--regen]

Writes a realistic 15-column roster (merged title row, header on row 3, unique names, valid
unique ID numbers as text, date cells, a few notes rows at the end) as .xlsx (shared strings,
as Excel and WPS write them) and as a GB18030 .csv (what 「CSV（逗号分隔）」 gives on Chinese
Windows) to /tmp, reusing them on later runs unless --regen. Each file is then measured in a
fresh child process so that peak RSS belongs to that file alone. Prints, per phase, CPU seconds
(process time: fair on a busy machine) and wall seconds, rows per second, and peak RSS.
--validate also times `clean_member_fields` on the cleaned rows (the importer's next step).
Needs no Django settings.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADERS = [
    "序号",
    "姓名",
    "身份证号码",
    "性别",
    "民族",
    "政治面貌",
    "学历",
    "手机号码",
    "户口性质",
    "工作单位",
    "是否农民工",
    "八大群体",
    "入会时间",
    "用工形式",
    "所属工会",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强红梅海燕文斌玉兰金凤春梅晓东小红丹丹浩然子涵欣怡梓轩雨泽"


def _rows(count: int, seed: int = 11643):
    """Yield ``count`` roster rows (lists of 15 values; the date as a date object)."""
    from ruhui.core import divisions, idnumber

    rng = random.Random(seed)
    regions = sorted(code for code in divisions.known_codes() if code.startswith("41"))
    regions = [code for code in regions if not code.endswith("00")]
    employers = [
        f"平顶山市{rng.choice(GIVEN)}{rng.choice(GIVEN)}物流有限公司{i}" for i in range(2000)
    ]
    unions = [f"舞钢市第{i}基层工会联合会" for i in range(200)]
    first_day = datetime.date(1960, 1, 1).toordinal()
    last_day = datetime.date(2004, 12, 31).toordinal()
    joined_first = datetime.date(2015, 1, 1).toordinal()
    seen: set[str] = set()
    for index in range(count):
        while True:
            born = datetime.date.fromordinal(rng.randint(first_day, last_day))
            first17 = f"{rng.choice(regions)}{born:%Y%m%d}{rng.randrange(1000):03d}"
            number = first17 + idnumber.checksum_char(first17)
            if number not in seen:
                seen.add(number)
                break
        given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        yield [
            index + 1,
            rng.choice(SURNAMES) + given,
            number,
            "男" if int(number[16]) % 2 else "女",
            rng.choice(("汉族",) * 18 + ("回族", "满族")),
            rng.choice(("群众", "群众", "群众", "中共党员", "共青团员")),
            rng.choice(("初中", "高中", "中专", "大专", "本科")),
            f"1{rng.choice('3456789')}{index:09d}",
            rng.choice(("农业户口", "非农业户口")),
            rng.choice(employers),
            rng.choice(("是", "是", "否")),
            rng.choice(("货车司机", "快递员", "网约送餐员", "保安员", "非八大群体")),
            datetime.date.fromordinal(joined_first + rng.randrange(3000)),
            rng.choice(("劳动合同", "劳务派遣", "灵活就业")),
            rng.choice(unions),
        ]


NOTES = ["合计", "注：身份证号码请按文本格式填写。", "填表人：王五    审核人：赵六"]


def write_xlsx(path: Path, count: int) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    sheet = workbook.add_worksheet("会员花名册")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.merge_range(0, 0, 0, len(HEADERS) - 1, "XX区总工会会员花名册")
    sheet.write_row(2, 0, HEADERS)
    row = 3
    for values in _rows(count):
        sheet.write_number(row, 0, values[0])
        sheet.write_row(row, 1, values[1:12])
        sheet.write_datetime(
            row, 12, datetime.datetime.combine(values[12], datetime.time()), date_format
        )
        sheet.write_row(row, 13, values[13:])
        row += 1
    for note in NOTES:
        row += 1
        sheet.write_string(row, 0, note)
    workbook.close()


def write_csv(path: Path, count: int) -> None:
    with path.open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["XX区总工会会员花名册"])
        writer.writerow([])
        writer.writerow(HEADERS)
        for values in _rows(count):
            day = values[12]
            values[12] = f"{day.year}/{day.month}/{day.day}"
            writer.writerow(values)
        for note in NOTES:
            writer.writerow([note])


def _rss_mb() -> float:
    """Peak resident memory of this process in MB (VmHWM: reset by exec, unlike ru_maxrss,
    which a child inherits from the parent that forked it)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Clock:
    def __init__(self) -> None:
        self.cpu, self.wall = time.process_time(), time.perf_counter()

    def lap(self) -> tuple[float, float]:
        cpu, wall = time.process_time(), time.perf_counter()
        result = (cpu - self.cpu, wall - self.wall)
        self.cpu, self.wall = cpu, wall
        return result


def measure(path: Path, name: str, validate: bool) -> dict:
    """Run the file layer over one file (in this process) and return the figures.

    Two passes, so the timing calls stay out of the per-row loop: pass 1 only iterates the
    rows, pass 2 iterates and cleans (row_cleaner); clean = pass 2 − pass 1. --validate adds a
    50,000-row sample timed with cells_by_field + clean_row and with clean_member_fields.
    """
    from itertools import islice

    from ruhui.importing.cleaning import clean_row, row_cleaner
    from ruhui.importing.headers import MEMBER_HEADER_ALIASES
    from ruhui.members.validation import clean_member_fields
    from ruhui.tabular.files import check_upload
    from ruhui.tabular.readers import read_table

    baseline = _rss_mb()
    clock = _Clock()
    kind = check_upload(path, name)
    phases = {"check_upload": clock.lap()}
    table = read_table(path, kind, header_aliases=MEMBER_HEADER_ALIASES)
    phases["read_table (open, parse, header)"] = clock.lap()
    rows = sum(1 for _row in table.rows)
    phases["iterate rows"] = iterate = clock.lap()
    peak = _rss_mb()  # one pass: check_upload, read_table and every row
    table = read_table(path, kind, header_aliases=MEMBER_HEADER_ALIASES)
    clock.lap()
    clean = row_cleaner(table.columns)
    for row in table.rows:
        clean(row.cells)
    both = clock.lap()
    phases["row_cleaner (clean every cell)"] = (both[0] - iterate[0], both[1] - iterate[1])
    result = {
        "file": name,
        "bytes": path.stat().st_size,
        "rows": rows,
        "notes_rows": len(table.notes_rows),
        "skipped_blank": table.skipped_blank,
        "phases": phases,
        "baseline_rss_mb": baseline,
        "peak_rss_mb": peak,
    }
    if validate:
        table = read_table(path, kind, header_aliases=MEMBER_HEADER_ALIASES)
        sample = list(islice(table.rows, 50_000))
        clock.lap()
        cleaned = [clean_row(table.cells_by_field(row))[0] for row in sample]
        cpu, wall = clock.lap()
        result["clean_row_per_row_us"] = (cpu / len(sample) * 1e6, wall / len(sample) * 1e6)
        for values in cleaned:
            values.pop("union", None)
        today = datetime.date.today()
        clock.lap()
        for values in cleaned:
            clean_member_fields(values, today=today)
        cpu, wall = clock.lap()
        result["validate_per_row_us"] = (cpu / len(sample) * 1e6, wall / len(sample) * 1e6)
    return result


def report(result: dict) -> None:
    rows = result["rows"]
    print(
        f"\n{result['file']}: {result['bytes'] / 1e6:.1f} MB, {rows:,} data rows "
        f"(+{result['notes_rows']} notes rows, {result['skipped_blank']} blank)"
    )
    total_cpu = total_wall = 0.0
    for phase, (cpu, wall) in result["phases"].items():
        total_cpu += cpu
        total_wall += wall
        print(
            f"  {phase:34s} cpu {cpu:7.2f} s  wall {wall:7.2f} s  "
            f"{rows / max(cpu, 1e-9):>12,.0f} rows/s (cpu)  {cpu / rows * 1e6:6.2f} µs/row"
        )
    print(
        f"  {'TOTAL file layer':34s} cpu {total_cpu:7.2f} s  wall {total_wall:7.2f} s  "
        f"{rows / total_cpu:>12,.0f} rows/s (cpu)  {total_cpu / rows * 1e6:6.2f} µs/row"
        f"  → {total_cpu / rows * 1e6:.1f} s per million rows"
    )
    print(
        f"  peak RSS {result['peak_rss_mb']:.0f} MB "
        f"(interpreter and imports {result['baseline_rss_mb']:.0f} MB)"
    )
    if "validate_per_row_us" in result:
        cpu, _wall = result["clean_row_per_row_us"]
        print(f"  cells_by_field + clean_row instead of row_cleaner: {cpu:.1f} µs/row cpu")
        cpu, _wall = result["validate_per_row_us"]
        print(f"  clean_member_fields (next step, not this layer): {cpu:.1f} µs/row cpu")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--regen", action="store_true", help="rewrite the files even if present")
    parser.add_argument("--validate", action="store_true", help="also time clean_member_fields")
    parser.add_argument("--kinds", default="xlsx,csv", help="which files: xlsx,csv")
    parser.add_argument("--measure", nargs=2, metavar=("PATH", "NAME"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure[0]), args.measure[1], args.validate)))
        return
    files = []
    for suffix, writer in ((".xlsx", write_xlsx), (".csv", write_csv)):
        if suffix[1:] not in args.kinds.split(","):
            continue
        path = args.dir / f"ruhui_bench_roster_{args.rows}{suffix}"
        if args.regen or not path.exists():
            started = time.perf_counter()
            writer(path, args.rows)
            print(f"wrote {path} in {time.perf_counter() - started:.1f} s")
        files.append(path)
    for path in files:
        command = [sys.executable, __file__, "--measure", str(path), "花名册" + path.suffix]
        if args.validate:
            command.append("--validate")
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        report(json.loads(output.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
