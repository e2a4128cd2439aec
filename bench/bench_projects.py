"""`make bench` (projects part): 项目清单+责任制 on the dashboard bench's registry (issue 16: with
1,000,000 members and 5,000 unions plus 5,000 projects over the 18 units, the consolidated list
and the review queue answer within 300 ms at p95 with a fixed number of queries; the close-out
figures of every project take ≤ 10 s; all 18 plans as .docx take ≤ 3 s at ≤ 200 MB RSS).

Steps, on a scratch PostgreSQL database of its own (BENCH_PG_PROJECTS): the registry exactly as
bench/bench_dashboard.py builds it (its functions, imported: the demo tree grown to
BENCH_DASH_UNIONS unions, BENCH_DASH_ENTERPRISES enterprises, BENCH_DASH_MEMBERS members
through the importer, the 2019 campaign of the 18 units); then one action plan per unit and
BENCH_PROJECTS projects spread over them (written in bulk: the chain's services are measured
by their own tests; here the pages and the figures are), the plans at every stage (汇总, 报送,
退回, 草稿), the projects of the consolidated plans at every step (立项, 实施中, 自评, 整改 —
some overdue —, 销账) with their self-assessments, subsidy applications waiting for 初审, and
inspections with open and closed rectifications. Measured: the pages through Django's test
client, interleaved with a baseline page as bench_dashboard measures them; one computation of
every project's close-out figures (`projects.figures.closeout_refresh`); the 18 plans as .docx
in a separate process (its peak RSS from getrusage). Results go to docs/benchmarks.md between
the projects-bench markers.
"""

import datetime
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench import bench_dashboard as dash  # noqa: E402 (after the path is set)

PROJECTS = int(os.environ.get("BENCH_PROJECTS", "5000"))
PG_URL = os.environ.get(
    "BENCH_PG_PROJECTS", "postgres://postgres@127.0.0.1:5432/ruhui_bench_projects"
)
#: A Redis database of its own (bench_dashboard uses 13), emptied before and after.
REDIS_URL = os.environ.get("BENCH_PROJECTS_REDIS", "redis://127.0.0.1:6379/12")
DOC = Path(os.environ.get("BENCH_PROJECTS_OUT", str(ROOT / "docs" / "benchmarks.md")))
START, END = "<!-- projects-bench:start -->", "<!-- projects-bench:end -->"
SLUG = "bench-2019"
#: The issue's targets.
PAGE_P95_MS, CLOSEOUT_S, DOCX_S, DOCX_RSS_MB = 300, 10, 3, 200

dash.PG_URL = PG_URL  # its scratch_database() drops and creates this one
dash.REDIS_URL = REDIS_URL


def _units():
    from ruhui.demo.world import CITY_ORDER
    from ruhui.orgs.models import Organization

    found = {o.code: o for o in Organization.objects.filter(code__in=CITY_ORDER)}
    return [found[code] for code in CITY_ORDER]


def make_projects(campaign, count: int) -> dict:
    """One plan per unit at a stage of the chain; `count` projects over them, with their
    assessments, subsidies and inspections (see the module docstring)."""
    from ruhui.orgs.choices import OrgKind
    from ruhui.orgs.models import Organization, WorkerGroup
    from ruhui.projects.choices import (
        BuildType,
        InspectionKind,
        PlanStatus,
        ProjectKind,
        ProjectStatus,
        ServiceCategory,
        SubsidyStatus,
    )
    from ruhui.projects.models import (
        ActionPlan,
        Inspection,
        Project,
        SelfAssessment,
        SubsidyApplication,
    )

    rng = random.Random(16)
    today = datetime.date.today()
    units = _units()
    city = campaign.owner
    stages = (
        [PlanStatus.CONSOLIDATED] * 6
        + [PlanStatus.SUBMITTED] * 5
        + [PlanStatus.RETURNED] * 2
        + [PlanStatus.DRAFT] * 5
    )
    plans = ActionPlan.objects.bulk_create(
        ActionPlan(
            campaign=campaign,
            unit=unit,
            status=stage,
            leader_name="张建国",
            leader_title="党组书记、主席",
            contact_name="李红",
            contact_phone="13937512345",
            scheme_submitted_on=datetime.date(2019, 5, 20),
            submitted_at=None if stage == PlanStatus.DRAFT else dash_now(),
        )
        for unit, stage in zip(units, stages, strict=True)
    )
    unions = {unit.pk: [] for unit in units}
    for org in Organization.objects.filter(kind=OrgKind.ENTERPRISE, code__startswith="B").only(
        "pk", "path"
    ):
        for unit in units:
            if org.path.startswith(unit.path):
                unions[unit.pk].append(org)
                break
    later = [
        ProjectStatus.APPROVED,
        ProjectStatus.IN_PROGRESS,
        ProjectStatus.IN_PROGRESS,
        ProjectStatus.ASSESSED,
        ProjectStatus.RECTIFYING,
        ProjectStatus.CLOSED,
    ]
    build_types = list(BuildType.values)
    categories = list(ServiceCategory.values)
    rows = []
    for n in range(count):
        plan = plans[n % len(plans)]
        unit = plan.unit
        position = n // len(plans) + 1
        status = (
            later[rng.randrange(len(later))]
            if plan.status == PlanStatus.CONSOLIDATED
            else ProjectStatus.LISTED
        )
        common = {
            "plan": plan,
            "status": status,
            "position": position,
            "responsible_unit": unit,
            "responsible_person": "王强",
            "responsible_phone": "13937512345",
            "division_code": unit.division_code,
            "rectify_by": (
                today + datetime.timedelta(days=rng.choice((-20, -5, 15, 40)))
                if status == ProjectStatus.RECTIFYING
                else None
            ),
        }
        if n % 5 < 3:
            build_type = build_types[n % len(build_types)]
            own = unions[unit.pk]
            union = own[rng.randrange(len(own))] if own else None
            rows.append(
                Project(
                    kind=ProjectKind.BUILD,
                    build_type=build_type,
                    name=f"{unit.name[:6]}基准建会项目{n:05d}",
                    address=f"{unit.name[:4]}某街道{n % 90 + 1}号",
                    planned_members=rng.randrange(20, 600),
                    existing_union=union if build_type == BuildType.EXISTING else None,
                    founded_union=union if build_type != BuildType.EXISTING and n % 2 else None,
                    due_on=datetime.date(2019, 6, 1) + datetime.timedelta(days=n % 200),
                    **common,
                )
            )
        else:
            rows.append(
                Project(
                    kind=ProjectKind.SERVICE,
                    category=categories[n % len(categories)],
                    name=f"{unit.name[:6]}基准服务项目{n:05d}",
                    starts_on=datetime.date(2019, 5, 1) + datetime.timedelta(days=n % 60),
                    ends_on=datetime.date(2019, 10, 1) + datetime.timedelta(days=n % 60),
                    planned_coverage=rng.randrange(100, 3000),
                    **common,
                )
            )
    projects = Project.objects.bulk_create(rows, batch_size=2000)
    groups = list(WorkerGroup.objects.all())
    Project.groups.through.objects.bulk_create(
        [
            Project.groups.through(project_id=p.pk, workergroup_id=groups[i % len(groups)].pk)
            for i, p in enumerate(projects)
        ],
        batch_size=5000,
    )
    assessed = (ProjectStatus.ASSESSED, ProjectStatus.RECTIFYING, ProjectStatus.CLOSED)
    SelfAssessment.objects.bulk_create(
        [
            SelfAssessment(
                project=p,
                text="已按计划完成建会入会任务，会员信息已录入。",
                claimed_members=p.planned_members,
                claimed_coverage=p.planned_coverage,
            )
            for p in projects
            if p.status in assessed
        ],
        batch_size=2000,
    )
    started = [p for p in projects if p.status != ProjectStatus.LISTED]
    SubsidyApplication.objects.bulk_create(
        [
            SubsidyApplication(
                project=p,
                status=SubsidyStatus.SUBMITTED,
                amount_requested=20_000 + 500 * (i % 40),
                purpose="工会阵地建设和会员服务",
                applicant_unit=p.plan.unit,
            )
            for i, p in enumerate(started[:120])
        ]
    )
    inspections = Inspection.objects.bulk_create(
        [
            Inspection(
                campaign=campaign,
                kind=InspectionKind.values[i % len(InspectionKind.values)],
                inspecting_unit=city,
                inspected_unit=units[i % len(units)],
                on=datetime.date(2019, 9, 1) + datetime.timedelta(days=i % 60),
                findings="会员实名信息未及时录入省库" if i % 3 else "",
                rectification="一个月内补录" if i % 3 else "",
                rectify_by=datetime.date(2019, 11, 30) if i % 3 else None,
                closed_on=datetime.date(2019, 11, 20) if i % 3 == 1 else None,
            )
            for i in range(300)
        ]
    )
    by_unit = {}
    for p in started:
        by_unit.setdefault(p.plan.unit_id, []).append(p)
    links = []
    for inspection in inspections:
        own = by_unit.get(inspection.inspected_unit_id) or []
        for p in rng.sample(own, min(len(own), 1 + inspection.pk % 3)):
            links.append(Inspection.projects.through(inspection_id=inspection.pk, project_id=p.pk))
    Inspection.projects.through.objects.bulk_create(links)
    return {
        "plans": len(plans),
        "projects": len(projects),
        "build": sum(1 for p in projects if p.kind == ProjectKind.BUILD),
        "assessed": sum(1 for p in projects if p.status == ProjectStatus.ASSESSED),
        "overdue": sum(
            1 for p in projects if p.status == ProjectStatus.RECTIFYING and p.rectify_by < today
        ),
        "subsidies": min(len(started), 120),
        "inspections": len(inspections),
    }


def dash_now():
    from django.utils import timezone

    return timezone.now()


def _memory(field: str) -> float:
    """MB of this process from /proc/self/status: VmRSS now, VmHWM its peak RSS. (Not
    getrusage's ru_maxrss: Linux carries the parent's peak over a fork and exec into it.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def docx_child() -> None:
    """(In its own process.) Every plan of the campaign as .docx, timed; peak RSS."""
    import django

    django.setup()
    from ruhui.projects.documents import plan_docx
    from ruhui.projects.models import ActionPlan

    plans = list(ActionPlan.objects.filter(campaign__slug=SLUG).order_by("unit__path"))
    before = _memory("VmRSS")
    out = Path(tempfile.mkdtemp(prefix="ruhui-docx-"))
    started = time.perf_counter()
    size = 0
    for plan in plans:
        path = out / f"plan-{plan.pk}.docx"
        plan_docx(plan, path)
        size += path.stat().st_size
    seconds = time.perf_counter() - started
    peak = _memory("VmHWM")
    for path in out.iterdir():
        path.unlink()
    out.rmdir()
    print(
        json.dumps(
            {
                "plans": len(plans),
                "seconds": seconds,
                "rss_before": before,
                "rss_peak": peak,
                "bytes": size,
            }
        )
    )


def measure_docx() -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--docx"],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="ruhui-projects-"))
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
        from django.test.utils import CaptureQueriesContext

        from ruhui.accounts.models import User
        from ruhui.demo.world import seed_demo
        from ruhui.enterprises.models import Enterprise
        from ruhui.members.models import Member
        from ruhui.orgs.models import Organization
        from ruhui.projects.figures import closeout_refresh
        from ruhui.projects.models import ProjectFigure

        call_command("migrate", verbosity=0)
        seed_demo(members=0)
        dash.drop_demo_drives()
        started = time.perf_counter()
        unions = dash.grow_unions(dash.UNIONS)
        grow = time.perf_counter() - started
        dash.make_enterprises(dash.ENTERPRISES - Enterprise.objects.count())
        load = dash.import_members(dash.MEMBERS, unions, workdir)
        campaign = dash.make_campaign()
        started = time.perf_counter()
        made = make_projects(campaign, PROJECTS)
        build = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        counts = {
            "unions": Organization.objects.count(),
            "members": Member.objects.count(),
            "load": load,
            "grow": grow,
            "build_seconds": build,
        } | made
        User.objects.filter(username__in=["pds_admin", "wg_admin"]).update(
            must_change_password=False
        )
        caches["default"].clear()
        caches["progress"].clear()

        # The close-out figures of every project, twice (the first warms the database's caches
        # after the load; both are reported).
        closeouts = []
        closeout_load = [os.getloadavg()]
        for _ in range(2):
            started = time.perf_counter()
            result = closeout_refresh(campaign)
            closeouts.append(time.perf_counter() - started)
        figures = ProjectFigure.objects.filter(project__plan__campaign=campaign)
        closeout = {
            "seconds": closeouts,
            "figures": figures.count(),
            "with_union": figures.filter(union__isnull=False).count(),
            "recorded": sum(figures.values_list("new_members", flat=True)),
            "until": result.until,
            "load": (closeout_load[0], os.getloadavg()),
        }
        with CaptureQueriesContext(connection) as queries:
            closeout_refresh(campaign)
        closeout["queries"] = len(queries)

        wg = Organization.objects.get(code="WG")
        base = f"/projects/{campaign.slug}/"
        wanted = {}
        for label, username, path in (
            (f"汇总清单（市总：全市 {counts['projects']:,} 个项目）", "pds_admin", base),
            ("汇总清单（市总，只看自评已提交）", "pds_admin", f"{base}?status=assessed"),
            ("汇总清单（市总，筛选舞钢）", "pds_admin", f"{base}?unit={wg.pk}"),
            ("汇总清单（舞钢）", "wg_admin", base),
            ("审核队列（市总）", "pds_admin", "/projects/queue/"),
            (dash.BASELINE, "wg_admin", "/accounts/password/"),
        ):
            client = Client()
            client.force_login(User.objects.get(username=username))
            wanted[label] = (client, path, lambda: None)
        pages = dash.measure_all(wanted)
        for label, figures_ in pages.items():
            print(f"  {label}: {figures_}", flush=True)
        docx_load = os.getloadavg()
        docx = measure_docx() | {"load": (docx_load, os.getloadavg())}
        print(f"  docx: {docx}", flush=True)
    finally:
        from django.db import connections

        connections.close_all()
        dash.scratch_database(create=False)
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
    write(counts, pages, closeout, docx)


def loads(pair) -> str:
    """The 1/5/15-minute load averages before → after."""
    before, after = pair
    return f"{' / '.join(f'{x:.2f}' for x in before)} → {' / '.join(f'{x:.2f}' for x in after)}"


def verdict(ok: bool) -> str:
    return "达到。" if ok else "**未达到**。"


def write(counts, pages, closeout, docx) -> None:
    lines = [
        START,
        "## 项目清单+责任制（issue 16）",
        "",
        "命令：`make bench`（这一部分：`.venv/bin/python bench/bench_projects.py`；"
        "`BENCH_PROJECTS` 和 bench_dashboard 的 `BENCH_DASH_*` 可调）",
        "",
        f"机器：{dash.machine()}；数据库：本机 PostgreSQL（Debian 默认设置）。",
        "",
        f"日期：{time.strftime('%Y-%m-%d %H:%M %Z')}",
        "",
        f"数据：与集中行动看板同样生成的名册（{counts['unions']:,} 个工会组织，"
        f"{counts['members']:,} 名会员，经导入器导入用时 {counts['load']:.1f} 秒），"
        f"另加 2019 年行动 18 个单位的行动计划（6 份市总已汇总、5 份已报送、2 份退回修改、5 份草稿）"
        f"和 {counts['projects']:,} 个项目（建会入会 {counts['build']:,} 个，其余维护服务；"
        f"已汇总计划的项目分处立项、实施中、自评已提交（{counts['assessed']}）、限期整改"
        f"（逾期 {counts['overdue']}）、已销账各步），{counts['subsidies']} 份待市总初审的补助申请，"
        f"{counts['inspections']} 次检查（约三分之二提出整改、其中一半已整改完成）。"
        f"项目数据成批写入（{counts['build_seconds']:.1f} 秒）：各步的服务由各自的测试覆盖，这里量页面和统计。",
        "",
        f"每个页面先请求 10 次预热，再计时 {dash.REQUESTS} 次，与基准页交替请求"
        "（Django 测试客户端在同一进程内发请求：含中间件、会话、全部查询和模板渲染，不含网络）：",
        "",
        "| 页面 | p50（毫秒） | p95（毫秒） | 最长（毫秒） | p95 ÷ 基准页 p95 | 查询数 | 页面大小 | 负载（前 → 后） |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    base = pages[dash.BASELINE]["p95"]
    for label, f in pages.items():
        before, after = f["load"]
        lines.append(
            f"| {label} | {f['p50']:.0f} | {f['p95']:.0f} | {f['max']:.0f} | "
            f"{f['p95'] / base:.1f} | {f['queries']} | {f['bytes'] / 1024:.0f} KB | "
            f"{' / '.join(f'{x:.2f}' for x in before)} → {' / '.join(f'{x:.2f}' for x in after)} |"
        )
    measured = {label: f for label, f in pages.items() if label != dash.BASELINE}
    worst = max(f["p95"] for f in measured.values())
    lists = [f["queries"] for label, f in measured.items() if label.startswith("汇总清单（市总")]
    assessed = counts["assessed"]
    load = pages[dash.BASELINE]["load"]
    first, second = closeout["seconds"]
    lines += [
        "",
        f"负载是整轮开始前和结束后的 1/5/15 分钟平均负载（前 {load[0][0]:.2f}，后 {load[1][0]:.2f}）。",
        "",
        "汇总清单每页 50 行（统计卡片和各状态项目数按全部筛选结果计算），单位筛选只列编制了行动计划的单位；"
        "审核队列每类列出最早的 20 项和全部项数（同一条查询里用窗口函数计数）。",
        "",
        f"目标：汇总清单和审核队列 p95 ≤ {PAGE_P95_MS} 毫秒。实测最大 p95 {worst:.0f} 毫秒："
        + verdict(worst <= PAGE_P95_MS),
        f"目标：查询数固定。市总看全市 {counts['projects']:,} 个项目和只看 {assessed} 个自评已提交"
        f"项目时的查询数分别为 {lists[0]} 和 {lists[1]}："
        + verdict(lists[0] == lists[1])
        + f"（按单位筛选多一条查询（{lists[2]}）：核对所选单位。）",
        "",
        f"项目核验数字（`projects.figures.closeout_refresh`，后台任务里运行）：全部 "
        f"{closeout['figures']:,} 个建会入会项目（其中 {closeout['with_union']:,} 个已有对应工会，"
        f"统计到 {closeout['until']:%Y-%m-%d}，名册新发展会员合计 {closeout['recorded']:,} 人），"
        f"{first:.2f} 秒（装载后第一次）/ {second:.2f} 秒（第二次），{closeout['queries']} 条查询"
        f"（与项目数无关），负载 {loads(closeout['load'])}。"
        f"目标 ≤ {CLOSEOUT_S} 秒：" + verdict(max(first, second) <= CLOSEOUT_S),
        "",
        f"18 份行动计划导出为 .docx（`projects.documents.plan_docx`，在单独的进程里依次生成，"
        f"共 {docx['bytes'] / 1024:.0f} KB）：{docx['seconds']:.2f} 秒，进程内存峰值（VmHWM，含 Django "
        f"启动后的 {docx['rss_before']:.0f} MB）{docx['rss_peak']:.0f} MB，负载 {loads(docx['load'])}。"
        f"目标 ≤ {DOCX_S} 秒且 ≤ {DOCX_RSS_MB} MB："
        + verdict(docx["seconds"] <= DOCX_S and docx["rss_peak"] <= DOCX_RSS_MB),
        END,
    ]
    dash.write_block(DOC, START, END, lines)
    print(f"written {DOC}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--docx"]:
        docx_child()
    else:
        main()
