"""`make bench` (reports part): 月报 and 通报 on the dashboard bench's registry (issue 17: with
1,000,000 members over the 18 units, the 18-unit bulletin's .docx takes ≤ 3 s and its .pdf
≤ 5 s at ≤ 300 MB peak memory; the monthly-report matrix (18 units × 9 months) answers within
300 ms at p95; the bulletin's assembly reads a fixed number of queries whatever the registry's
size).

Steps, on a scratch PostgreSQL database of its own (BENCH_PG_REPORTS): the registry exactly as
bench/bench_dashboard.py builds it (its functions, imported: the demo tree grown to
BENCH_DASH_UNIONS unions, BENCH_DASH_ENTERPRISES enterprises, BENCH_DASH_MEMBERS members
through the importer, the 2019 campaign of the 18 units), the projects as bench/bench_projects.py
makes them (its `make_projects`, imported), one computation of the campaign's figures
(`progress_refresh`), then the 18 units' monthly reports of the campaign's nine months
(2019-04 … 2019-12) written in bulk — most read by the city, some late, some returned, some
still drafts, some missing, the last month's partly waiting — with the figures a submission
freezes (`reports.figures.report_figures`, computed for each submitted report). The services
of the flow are measured by their own tests; here the matrix page and the bulletin are.

Measured: the matrix page through Django's test client (the city, a county), interleaved with a
baseline page as bench_dashboard measures them; a draft bulletin (`bulletin_create`) as of the
campaign's last default cut-off, whose assembly (`bulletins.bulletin_figures`, then
`bulletin_content`), chart, .docx, .pdf and .xlsx are timed one by one in a separate process
(its peak RSS from VmHWM), then the render task's whole work (`bulletin_build`). The assembly's
number of queries at this registry is set beside its number on the demo database the bench
starts from (the same 18 units, no registry), the way tests/reports/test_bulletins.py
(`test_assembly_reads_a_fixed_number_of_queries`) checks it on a growing registry. Results go
to docs/benchmarks.md between the reports-bench markers.
"""

import datetime
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench import bench_dashboard as dash  # noqa: E402 (after the path is set)
from bench import bench_projects as projects  # noqa: E402

PG_URL = os.environ.get(
    "BENCH_PG_REPORTS", "postgres://postgres@127.0.0.1:5432/ruhui_bench_reports"
)
#: A Redis database of its own (bench_dashboard uses 13, bench_projects 12), emptied after.
REDIS_URL = os.environ.get("BENCH_REPORTS_REDIS", "redis://127.0.0.1:6379/11")
DOC = Path(os.environ.get("BENCH_REPORTS_OUT", str(ROOT / "docs" / "benchmarks.md")))
START, END = "<!-- reports-bench:start -->", "<!-- reports-bench:end -->"
SLUG = projects.SLUG  # the campaign dash.make_campaign() creates
DEMO_SLUG, DEMO_CUT_OFF = "pds-2019", datetime.date(2019, 9, 30)
#: The issue's targets.
MATRIX_P95_MS, DOCX_S, PDF_S, RSS_MB = 300, 3, 5, 300

dash.PG_URL = PG_URL  # its scratch_database() drops and creates this one
dash.REDIS_URL = REDIS_URL


def make_reports(campaign) -> dict:
    """The reporting units' monthly reports of every month of the campaign, in bulk, with their
    events: read, late, returned, waiting, drafts and missing ones (see the module docstring)."""
    from django.utils import timezone

    from ruhui.accounts.models import User
    from ruhui.demo.reports import MONTHS as DEMO_MONTHS
    from ruhui.demo.reports import RETURN_OPINION, THEMES
    from ruhui.reports.choices import ReportStatus
    from ruhui.reports.figures import report_figures
    from ruhui.reports.models import MonthlyReport, ReportEvent, due_date
    from ruhui.reports.selectors import report_months, reporting_units, schedule

    rng = random.Random(17)
    plan = schedule(campaign)
    keys = report_months(campaign, campaign.ends_on, plan.first_month)
    units = reporting_units(campaign)
    city = User.objects.get(username="pds_admin")
    zone = timezone.get_current_timezone()

    def at(day: datetime.date, hour: int) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour), zone)

    rows, steps = [], []
    tally = dict.fromkeys(("missing", "draft", "on_time", "late", "read", "returned", "waiting"), 0)
    figures_seconds = 0.0
    for unit in units:
        for key in keys:
            due = due_date(key, plan.due_day)
            draw = rng.random()
            if draw < 0.04:
                tally["missing"] += 1
                continue
            theme = THEMES[DEMO_MONTHS[keys.index(key) % len(DEMO_MONTHS)]]
            report = MonthlyReport(campaign=campaign, unit=unit, month=key, **theme)
            opened = due - datetime.timedelta(days=8)
            history = [(at(opened, 9), "", ReportStatus.DRAFT, "")]
            if draw < 0.07:
                tally["draft"] += 1
                rows.append(report)
                steps.append(history)
                continue
            late = rng.randrange(1, 13) if rng.random() < 0.15 else 0
            sent_on = due + datetime.timedelta(days=late or -rng.randrange(0, 5))
            tally["late" if late else "on_time"] += 1
            started = time.perf_counter()
            report.figures = report_figures(campaign=campaign, unit=unit, month=key)
            figures_seconds += time.perf_counter() - started
            report.figures_at = campaign.progress_at
            report.submitted_at = at(sent_on, 16)
            report.submitted_by = report.created_by = city
            history.append((report.submitted_at, ReportStatus.DRAFT, ReportStatus.SUBMITTED, ""))
            read_at = at(sent_on + datetime.timedelta(days=3), 10)
            if rng.random() < 0.04:
                report.status = ReportStatus.RETURNED
                history.append(
                    (read_at, ReportStatus.SUBMITTED, ReportStatus.RETURNED, RETURN_OPINION)
                )
                tally["returned"] += 1
            elif key == keys[-1] and rng.random() < 0.5:
                report.status = ReportStatus.SUBMITTED
                tally["waiting"] += 1
            else:
                report.status = ReportStatus.READ
                history.append((read_at, ReportStatus.SUBMITTED, ReportStatus.READ, ""))
                tally["read"] += 1
            rows.append(report)
            steps.append(history)
    made = MonthlyReport.objects.bulk_create(rows)
    ReportEvent.objects.bulk_create(
        ReportEvent(
            report=report,
            actor=city,
            actor_name=city.username,
            at=when,
            from_status=before,
            to_status=after,
            opinion=opinion,
        )
        for report, history in zip(made, steps, strict=True)
        for when, before, after, opinion in history
    )
    return tally | {
        "units": len(units),
        "months": keys,
        "reports": len(made),
        "figures_seconds": figures_seconds,
    }


def _memory(field: str) -> float:
    return projects._memory(field)


def _timed(work):
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def bulletin_child(bulletin_id: int, previous_cut_off: str) -> None:
    """(In its own process.) One bulletin: assembly, chart, .docx, .pdf, .xlsx timed one by
    one, then the render task's whole work; queries of the assembly; peak RSS after each."""
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from ruhui.reports import bulletin_files as bf
    from ruhui.reports.bulletin_services import bulletin_build
    from ruhui.reports.bulletins import bulletin_content, bulletin_figures
    from ruhui.reports.models import Bulletin

    bulletin = Bulletin.objects.select_related("campaign__owner").get(pk=bulletin_id)
    campaign = bulletin.campaign
    rss = {"start": _memory("VmRSS")}
    # The previous bulletin's figures, as bulletin_build passes them (untimed: in the task they
    # are read from the published bulletin's frozen JSON).
    previous = bulletin_figures(
        campaign=campaign, cut_off=datetime.date.fromisoformat(previous_cut_off)
    )
    rss["ready"] = _memory("VmRSS")
    seconds = {}
    figures, seconds["figures"] = _timed(
        lambda: bulletin_figures(campaign=campaign, cut_off=bulletin.cut_off, previous=previous)
    )
    with CaptureQueriesContext(connection) as queries:
        bulletin_figures(campaign=campaign, cut_off=bulletin.cut_off, previous=previous)
    content, seconds["content"] = _timed(
        lambda: bulletin_content(bulletin=bulletin, figures=figures, issued_on=timezone.localdate())
    )
    peaks = {"figures": _memory("VmHWM")}
    chart, seconds["chart"] = _timed(lambda: bf.chart_png(content))
    peaks["chart"] = _memory("VmHWM")
    out = Path(tempfile.mkdtemp(prefix="ruhui-bulletin-"))
    sizes = {}
    for kind, write in (
        ("docx", lambda path: bf.write_docx(content, path, chart=chart)),
        ("pdf", lambda path: bf.write_pdf(content, path, chart=chart)),
        ("xlsx", lambda path: bf.write_xlsx(content, path)),
    ):
        path = out / f"bulletin.{kind}"
        _none, seconds[kind] = _timed(lambda path=path, write=write: write(path))
        sizes[kind] = path.stat().st_size
        peaks[kind] = _memory("VmHWM")
        path.unlink()
    out.rmdir()
    result, seconds["build"] = _timed(lambda: bulletin_build(bulletin_id))
    peaks["build"] = _memory("VmHWM")
    print(
        json.dumps(
            {
                "units": len(figures["units"]),
                "queries": len(queries),
                "seconds": seconds,
                "rss": rss,
                "peaks": peaks,
                "bytes": sizes,
                "missing": result.get("missing_characters", []),
                "changes": len((figures.get("previous") or {}).get("lines", [])),
                "praised": len(figures["praised"]),
                "urged": len(figures["urged"]),
            }
        )
    )


def measure_bulletin(bulletin_id: int, previous_cut_off: datetime.date) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--bulletin", str(bulletin_id), previous_cut_off.isoformat()],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ.copy(),
    )
    if done.returncode:
        raise SystemExit(f"the bulletin process failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def assembly_queries(slug: str, cut_off: datetime.date) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ruhui.campaigns.models import Campaign
    from ruhui.reports.bulletins import bulletin_figures

    campaign = Campaign.objects.select_related("owner").get(slug=slug)
    bulletin_figures(campaign=campaign, cut_off=cut_off)  # warm (content types, settings)
    with CaptureQueriesContext(connection) as queries:
        bulletin_figures(campaign=campaign, cut_off=cut_off)
    return len(queries)


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="ruhui-reports-"))
    os.environ.update(
        RUHUI_ENV="test",
        DJANGO_SETTINGS_MODULE="ruhui.settings",
        RUHUI_VAR_DIR=str(workdir),
        DATABASE_URL=PG_URL,
        REDIS_URL=REDIS_URL,
    )
    dash.scratch_database(create=True)
    try:
        import django

        django.setup()
        from django.core.cache import caches
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        from ruhui.accounts.models import User
        from ruhui.campaigns.progress import progress_refresh
        from ruhui.demo.world import seed_demo
        from ruhui.enterprises.models import Enterprise
        from ruhui.members.models import Member
        from ruhui.orgs.models import Organization
        from ruhui.reports.bulletin_services import bulletin_create
        from ruhui.reports.bulletins import default_cut_offs
        from ruhui.reports.models import MonthlyReport

        call_command("migrate", verbosity=0)
        seed_demo(members=0)
        # The assembly's queries on the demo as seeded (its 2019 drive, the same 18 units, its
        # reports and projects, no registry) — set beside the count at the full registry below.
        demo = {
            "queries": assembly_queries(DEMO_SLUG, DEMO_CUT_OFF),
            "members": Member.objects.count(),
            "unions": Organization.objects.count(),
            "reports": MonthlyReport.objects.count(),
        }
        dash.drop_demo_drives()
        started = time.perf_counter()
        unions = dash.grow_unions(dash.UNIONS)
        grow = time.perf_counter() - started
        dash.make_enterprises(dash.ENTERPRISES - Enterprise.objects.count())
        load = dash.import_members(dash.MEMBERS, unions, workdir)
        campaign = dash.make_campaign()
        made = projects.make_projects(campaign, projects.PROJECTS)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        started = time.perf_counter()
        progress_refresh(campaign)
        refresh = time.perf_counter() - started
        campaign.refresh_from_db()
        started = time.perf_counter()
        reports = make_reports(campaign)
        reports["seconds"] = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        counts = {
            "unions": Organization.objects.count(),
            "members": Member.objects.count(),
            "load": load,
            "grow": grow,
            "refresh": refresh,
            "projects": made["projects"],
        }
        User.objects.filter(username__in=["pds_admin", "wg_admin"]).update(
            must_change_password=False
        )
        caches["default"].clear()
        caches["progress"].clear()

        base = f"/reports/{campaign.slug}/matrix/"
        size = f"{reports['units']} 个单位 × {len(reports['months'])} 个月"
        wanted = {}
        for label, username, path in (
            (f"月报矩阵（市总：{size}）", "pds_admin", base),
            ("月报矩阵（舞钢：本单位 × 9 个月）", "wg_admin", base),
            (dash.BASELINE, "wg_admin", "/accounts/password/"),
        ):
            client = Client()
            client.force_login(User.objects.get(username=username))
            wanted[label] = (client, path, lambda: None)
        pages = dash.measure_all(wanted)
        for label, figures in pages.items():
            print(f"  {label}: {figures}", flush=True)

        cut_offs = default_cut_offs(campaign)
        cut_off, previous = cut_offs[-1], cut_offs[-2]
        bulletin = bulletin_create(
            actor=User.objects.get(username="pds_admin"),
            campaign=campaign,
            cut_off=cut_off,
            data={
                "title": "关于建会入会集中行动推进情况的通报（基准）",
                "number": "平工组〔2019〕30号",
            },
        )
        before = os.getloadavg()
        connections_close()
        child = measure_bulletin(bulletin.pk, previous)
        bulletin_load = (before, os.getloadavg())
        child |= {"load": bulletin_load, "cut_off": cut_off, "previous": previous}
        print(f"  bulletin: {child}", flush=True)
    finally:
        from django.db import connections

        connections.close_all()
        dash.scratch_database(create=False)
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        shutil.rmtree(workdir, ignore_errors=True)
    write(counts, reports, pages, child, demo)


def connections_close() -> None:
    """Nothing left open in a transaction while the other process reads."""
    from django.db import connections

    connections.close_all()


def loads(pair) -> str:
    return projects.loads(pair)


def verdict(ok: bool) -> str:
    return projects.verdict(ok)


def write(counts, reports, pages, bulletin, demo) -> None:
    months = reports["months"]
    lines = [
        START,
        "## 月报和通报（issue 17）",
        "",
        "命令：`make bench`（这一部分：`.venv/bin/python bench/bench_reports.py`；"
        "bench_dashboard 的 `BENCH_DASH_*` 和 bench_projects 的 `BENCH_PROJECTS` 可调）",
        "",
        f"机器：{dash.machine()}；数据库：本机 PostgreSQL（Debian 默认设置）。",
        "",
        f"日期：{time.strftime('%Y-%m-%d %H:%M %Z')}",
        "",
        f"数据：与集中行动看板同样生成的名册（{counts['unions']:,} 个工会组织，"
        f"{counts['members']:,} 名会员，经导入器导入用时 {counts['load']:.1f} 秒），"
        f"与项目清单基准同样生成的 {counts['projects']:,} 个项目；统计一次行动的数字"
        f"（`progress_refresh`）{counts['refresh']:.1f} 秒。"
        f"{reports['units']} 个报送单位 {months[0]} 至 {months[-1]} 共 {len(months)} 个月的月报成批写入"
        f"（{reports['reports']} 份：按时报送 {reports['on_time']} 份、迟报 {reports['late']} 份"
        f"（迟 1–12 天），其中已阅 {reports['read']} 份、退回修改 {reports['returned']} 份、"
        f"最后一个月待阅 {reports['waiting']} 份；草稿 {reports['draft']} 份；另有 "
        f"{reports['missing']} 个单位月份没有月报），每份报送的月报带报送时冻结的数字"
        f"（`reports.figures.report_figures`，{reports['on_time'] + reports['late']} 份共 "
        f"{reports['figures_seconds']:.1f} 秒）。流程各步的服务由各自的测试覆盖，这里量矩阵页面和通报。",
        "",
        f"每个页面先请求 10 次预热，再计时 {dash.REQUESTS} 次，与基准页交替请求"
        "（Django 测试客户端在同一进程内发请求：含中间件、会话、全部查询和模板渲染，不含网络）：",
        "",
        "| 页面 | p50（毫秒） | p95（毫秒） | 最长（毫秒） | p95 ÷ 基准页 p95 | 查询数 | 页面大小 | 负载（前 → 后） |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    base = pages[dash.BASELINE]["p95"]
    for label, f in pages.items():
        lines.append(
            f"| {label} | {f['p50']:.0f} | {f['p95']:.0f} | {f['max']:.0f} | "
            f"{f['p95'] / base:.1f} | {f['queries']} | {f['bytes'] / 1024:.0f} KB | "
            f"{loads(f['load'])} |"
        )
    matrix = [f for label, f in pages.items() if label != dash.BASELINE]
    worst = max(f["p95"] for f in matrix)
    load = pages[dash.BASELINE]["load"]
    s, peaks = bulletin["seconds"], bulletin["peaks"]
    assembly = s["figures"] + s["content"] + s["chart"]
    docx_total, pdf_total = assembly + s["docx"], assembly + s["pdf"]
    peak = max(peaks.values())
    lines += [
        "",
        f"负载是整轮开始前和结束后的 1/5/15 分钟平均负载（前 {load[0][0]:.2f}，后 {load[1][0]:.2f}）。",
        "矩阵每格是一个单位一个月的状态（按时、迟报 N 天、未报、退回、草稿），每格链接到月报；"
        "查询数与单位数、月份数无关（tests/reports/test_matrix.py）。",
        "",
        f"目标：月报矩阵（{reports['units']} × {len(months)}）p95 ≤ {MATRIX_P95_MS} 毫秒。"
        f"实测最大 p95 {worst:.0f} 毫秒：" + verdict(worst <= MATRIX_P95_MS),
        "",
        f"通报：截至 {bulletin['cut_off']:%Y-%m-%d} 的 {bulletin['units']} 个单位通报草稿"
        f"（`bulletin_create`），上期为截至 {bulletin['previous']:%Y-%m-%d} 的数字"
        f"（与上期相比 {bulletin['changes']} 条，表扬 {bulletin['praised']} 个、督促 "
        f"{bulletin['urged']} 个单位）。在单独的进程里依次计时，负载 {loads(bulletin['load'])}：",
        "",
        "| 步骤 | 秒 | 之后的内存峰值（VmHWM） |",
        "|---|---:|---:|",
        f"| 汇总数字（`bulletins.bulletin_figures`，{bulletin['queries']} 条查询） | "
        f"{s['figures']:.2f} | {peaks['figures']:.0f} MB |",
        f"| 成文（`bulletin_content`） | {s['content']:.3f} | {peaks['figures']:.0f} MB |",
        f"| 柱状图 PNG（`bulletin_files.chart_png`） | {s['chart']:.2f} | {peaks['chart']:.0f} MB |",
        f"| .docx（`write_docx`，{bulletin['bytes']['docx'] / 1024:.0f} KB） | {s['docx']:.2f} | "
        f"{peaks['docx']:.0f} MB |",
        f"| .pdf（`write_pdf`，{bulletin['bytes']['pdf'] / 1024:.0f} KB） | {s['pdf']:.2f} | "
        f"{peaks['pdf']:.0f} MB |",
        f"| .xlsx（`write_xlsx`，{bulletin['bytes']['xlsx'] / 1024:.0f} KB） | {s['xlsx']:.3f} | "
        f"{peaks['xlsx']:.0f} MB |",
        f"| 生成任务的全部工作（`bulletin_build`：数字、成文、图、三个文件、校验值） | "
        f"{s['build']:.2f} | {peaks['build']:.0f} MB |",
        "",
        f"进程启动 Django 后 {bulletin['rss']['start']:.0f} MB，算完上期数字后 "
        f"{bulletin['rss']['ready']:.0f} MB；内存峰值是进程自启动以来的最大常驻内存"
        "（/proc/self/status 的 VmHWM），每行是做完该步之后的值。"
        + (
            f"字体缺字：{'、'.join(bulletin['missing'])}。"
            if bulletin["missing"]
            else "字体没有缺字。"
        ),
        "",
        f"目标：18 个单位的通报 .docx ≤ {DOCX_S} 秒。从数据库到文件（汇总数字 + 成文 + 图 + .docx）"
        f"{docx_total:.2f} 秒：" + verdict(docx_total <= DOCX_S),
        f"目标：.pdf ≤ {PDF_S} 秒。从数据库到文件（汇总数字 + 成文 + 图 + .pdf）{pdf_total:.2f} 秒："
        + verdict(pdf_total <= PDF_S),
        f"目标：内存峰值 ≤ {RSS_MB} MB。实测 {peak:.0f} MB：" + verdict(peak <= RSS_MB),
        f"目标：汇总数字的查询数与名册大小无关。{counts['members']:,} 名会员、"
        f"{counts['unions']:,} 个工会组织、{reports['reports']} 份月报时 {bulletin['queries']} 条；"
        f"同一数据库导入名册之前、演示数据的 2019 年行动（同样 18 个单位，{demo['members']:,} 名会员、"
        f"{demo['unions']:,} 个工会组织、{demo['reports']} 份月报，截至 {DEMO_CUT_OFF:%Y-%m-%d}）"
        f"{demo['queries']} 条：" + verdict(bulletin["queries"] == demo["queries"]),
        "测试 tests/reports/test_bulletins.py 的 `test_assembly_reads_a_fixed_number_of_queries` "
        "在增加单位、工会和会员之后核对同一查询数。",
        END,
    ]
    dash.write_block(DOC, START, END, lines)
    print(f"written {DOC}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--bulletin"]:
        bulletin_child(int(sys.argv[2]), sys.argv[3])
    else:
        main()
