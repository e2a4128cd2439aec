"""Worklist export: a job of the shared job mechanism (started by a POST from the worklist
page, its file on the job page) with the worklist selector's rows and filters, formula injection
neutralised, audited; and the command line (import_enterprises / import_surveys /
export_worklist)."""

import datetime
import json
import re
from urllib.parse import unquote

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from python_calamine import CalamineWorkbook

from ruhui.audit.models import AuditEvent
from ruhui.enterprises.models import Enterprise, Survey
from ruhui.enterprises.services import union_build
from ruhui.jobs.models import Job, JobStatus
from tests.enterprises.factories import make_enterprise, survey
from tests.enterprises.test_import_enterprises import write_csv

EXPORT = "enterprise_import:worklist_export"


def read(path, sheet="建会工作清单"):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


@pytest.fixture
def worklist_world(world):
    ca = world.county_admin
    big = make_enterprise(ca, world.county, name="舞钢大企业有限公司", township="寺坡街道")
    survey(
        ca,
        big,
        datetime.date(2026, 3, 1),
        employees_total=80,
        migrant_workers=30,
        next_action="约谈企业法人",
        next_action_due="2026-04-01",
        next_action_owner_name="李干事",
    )
    evil = make_enterprise(ca, world.county, name='=HYPERLINK("http://x","点我")有限公司')
    survey(ca, evil, datetime.date(2026, 3, 2), employees_total=5, migrant_workers=1)
    built = make_enterprise(ca, world.county, name="舞钢已建会企业有限公司")
    union_build(actor=ca, enterprise=built, union=world.county_enterprise)
    make_enterprise(ca, world.county_trade, name="舞钢行业工会负责企业有限公司")
    make_enterprise(world.sibling_admin, world.sibling, name="宝丰企业有限公司")
    return world


@pytest.fixture
def export(run_jobs):
    """Start a worklist export as the page's button does; the job runs once the request
    commits (as a worker would). Returns the job."""

    def start(client, **filters) -> Job:
        with run_jobs():
            response = client.post(reverse(EXPORT), filters)
        assert response.status_code == 302
        match = re.fullmatch(r"/jobs/(\d+)/", response["Location"])
        assert match, response["Location"]
        return Job.objects.get(pk=int(match.group(1)))

    return start


def download(client, job, tmp_path):
    response = client.get(reverse("jobs:result", args=[job.pk]))
    assert response.status_code == 200
    assert "建会工作清单.xlsx" in unquote(response["Content-Disposition"])
    path = tmp_path / f"w-{job.pk}.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    return path


def on_page(client, **filters) -> list[str]:
    response = client.get(reverse("enterprises:worklist"), filters)
    return [e.name for e in response.context["page_obj"]]


def test_worklist_export_job_rows_filters_and_injection(worklist_world, as_user, export, tmp_path):
    world = worklist_world
    client = as_user(world.county_viewer)  # read-only may export the worklist
    job = export(client)
    assert (job.kind, job.status, job.dry_run) == ("worklist_export", JobStatus.SUCCEEDED, False)
    assert job.organization == world.county and job.created_by == world.county_viewer
    assert job.options == {"unit": None, "overdue_first": False}
    assert job.rows == 3 and job.summary["exported"] == 3
    body = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "建会工作清单导出" in body and "已完成：3 行" in body
    assert "下载清单（xlsx）" in body and reverse("enterprises:worklist") in body
    rows = read(download(client, job, tmp_path))
    assert rows[0][:3] == ["序号", "企业名称", "统一社会信用代码"]
    names = [r[1] for r in rows[1:]]
    assert names[0] == "舞钢大企业有限公司"  # the most workers first
    assert "舞钢已建会企业有限公司" not in names and "宝丰企业有限公司" not in names
    assert '\'=HYPERLINK("http://x","点我")有限公司' in names  # shown as text, never run
    # The same rows, in the same order, as the page.
    assert [name.lstrip("'") for name in names] == on_page(client)
    first = rows[1]
    assert first[8] == 80 and first[11] == "约谈企业法人" and first[14] == "李干事"
    assert first[15] == "是"  # due date passed
    event = AuditEvent.objects.get(action="export")
    assert event.actor == world.county_viewer and event.org_path == world.county.path
    assert event.changes["导出行数"] == [None, 3]
    assert event.object_repr == "建会工作清单（舞钢市总工会）"

    job = export(client, unit=world.county_trade.pk)
    assert job.organization == world.county_trade
    assert job.options == {"unit": world.county_trade.pk, "overdue_first": False}
    rows = read(download(client, job, tmp_path))
    assert [r[1] for r in rows[1:]] == ["舞钢行业工会负责企业有限公司"]
    assert [r[1] for r in rows[1:]] == on_page(client, unit=world.county_trade.pk)
    event = AuditEvent.objects.filter(action="export").latest("pk")
    assert event.changes["筛选"] == [None, {"unit": "舞钢快递行业工会"}]
    assert AuditEvent.objects.filter(action="export").count() == 2  # downloads add none


def test_worklist_export_overdue_first_as_on_the_page(worklist_world, as_user, export, tmp_path):
    world = worklist_world
    ca = world.county_admin
    late = make_enterprise(ca, world.county, name="舞钢逾期小企业有限公司")
    survey(
        ca,
        late,
        datetime.date(2026, 3, 3),
        employees_total=2,
        next_action="约谈企业法人",
        next_action_due="2026-03-10",
    )
    client = as_user(ca)
    job = export(client, overdue_first="on")
    assert job.options == {"unit": None, "overdue_first": True}
    names = [r[1].lstrip("'") for r in read(download(client, job, tmp_path))[1:]]
    assert names == on_page(client, overdue_first="on")
    assert names[1] == "舞钢逾期小企业有限公司"  # overdue before the larger ones
    assert names != [r[1].lstrip("'") for r in read(download(client, export(client), tmp_path))[1:]]


def test_worklist_export_is_scoped(worklist_world, as_user, export, tmp_path):
    world = worklist_world
    client = as_user(world.sibling_admin)
    job = export(client)
    assert [r[1] for r in read(download(client, job, tmp_path))[1:]] == ["宝丰企业有限公司"]
    job = export(client, unit=world.county.pk)  # a foreign unit filter is ignored
    assert job.organization == world.sibling and job.options["unit"] is None
    assert [r[1] for r in read(download(client, job, tmp_path))[1:]] == ["宝丰企业有限公司"]
    # The county's export: another cadre of the county may open and download it (no personal
    # data in it); the sibling county may not see it at all.
    county_job = export(as_user(world.county_viewer))
    client = as_user(world.sibling_admin)  # one test client: log the sibling in again
    for name in ("detail", "result"):
        assert client.get(reverse(f"jobs:{name}", args=[county_job.pk])).status_code == 404
    admin = as_user(world.county_admin)
    assert len(read(download(admin, county_job, tmp_path))) == 4
    city = as_user(world.city_admin)
    assert city.get(reverse("jobs:detail", args=[county_job.pk])).status_code == 200


def test_a_refused_worklist_job_fails_with_its_message(worklist_world, job_files):
    from ruhui.enterprises.jobs import MSG_UNIT_GONE
    from ruhui.jobs.services import MSG_NO_ACTOR, job_run

    world = worklist_world
    orphan = Job.objects.create(kind="worklist_export", organization=world.county)
    world.county_viewer.is_active = False
    world.county_viewer.save()
    stopped = Job.objects.create(
        kind="worklist_export", organization=world.county, created_by=world.county_viewer
    )
    gone = Job.objects.create(
        kind="worklist_export",
        organization=world.county,
        created_by=world.county_admin,
        options={"unit": 999_999, "overdue_first": False},
    )
    for job, message in ((orphan, MSG_NO_ACTOR), (stopped, MSG_NO_ACTOR), (gone, MSG_UNIT_GONE)):
        job_run(job.pk)
        job.refresh_from_db()
        assert (job.status, job.error, job.result_path) == (JobStatus.FAILED, message, "")
    assert not AuditEvent.objects.filter(action="export").exists()
    assert not [p for p in job_files.rglob("*") if p.is_file()]  # no half-written file kept


def test_worklist_export_is_a_post(worklist_world, as_user):
    client = as_user(worklist_world.county_admin)
    assert client.get(reverse(EXPORT)).status_code == 405
    assert not Job.objects.exists() and not AuditEvent.objects.filter(action="export").exists()


# --- command line -------------------------------------------------------------------------


def test_import_enterprises_command_and_report_json(world, tmp_path):
    path = write_csv(
        tmp_path / "e.csv",
        [
            ["企业名称", "所在县区"],
            ["舞钢命令行有限公司", "410481"],
            ["舞钢命令行有限公司", "410481"],
        ],
    )
    report = tmp_path / "report.json"
    call_command(
        "import_enterprises", str(path), "--unit", "wg", "--dry-run", "--report", str(report)
    )
    data = json.loads(report.read_text(encoding="utf-8"))
    assert (data["rows"], data["created"], data["updated"], data["rejected"]) == (2, 1, 0, 1)
    assert data["errors"] == [
        {"row": 3, "field": "企业名称", "message": data["errors"][0]["message"]}
    ]
    assert "与第 2 行是同一企业" in data["errors"][0]["message"]
    assert Enterprise.objects.count() == 0
    call_command("import_enterprises", str(path), "--unit", "WG")
    enterprise = Enterprise.objects.get()
    assert enterprise.responsible_unit == world.county
    assert AuditEvent.objects.get(action="import").actor_username == "命令行导入"


def test_commands_exit_non_zero_when_nothing_could_be_imported(world, tmp_path):
    good = write_csv(tmp_path / "g.csv", [["企业名称", "所在县区"], ["舞钢有限公司", "410481"]])
    with pytest.raises(CommandError, match="不存在"):
        call_command("import_enterprises", str(good), "--unit", "NOPE")
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import_enterprises", str(tmp_path / "missing.csv"), "--unit", "WG")
    broken = tmp_path / "b.xlsx"
    broken.write_bytes(b"not a workbook at all")
    with pytest.raises(CommandError):
        call_command("import_surveys", str(broken), "--unit", "WG")
    with pytest.raises(CommandError, match="xlsx"):
        call_command("export_worklist", "--unit", "WG", "--out", str(tmp_path / "w.csv"))
    assert Enterprise.objects.count() == 0


def test_import_surveys_and_export_worklist_commands(world, tmp_path):
    make_enterprise(world.county_admin, world.county, name="舞钢命令排查有限公司")
    path = write_csv(
        tmp_path / "s.csv",
        [
            ["企业名称", "所在县区", "排查日期", "建会情况", "职工人数"],
            ["舞钢命令排查有限公司", "410481", "2026-05-01", "未建会", "26"],
            ["舞钢没有这家有限公司", "410481", "2026-05-01", "未建会", ""],
        ],
    )
    report = tmp_path / "s.json"
    call_command("import_surveys", str(path), "--unit", "WG", "--report", str(report))
    data = json.loads(report.read_text(encoding="utf-8"))
    assert (data["rows"], data["created"], data["rejected"]) == (2, 1, 1)
    assert Survey.objects.get().surveyor_name == "命令行导入"
    out = tmp_path / "worklist.xlsx"
    call_command("export_worklist", "--unit", "WG", "--out", str(out))
    rows = read(out)
    assert [r[1] for r in rows[1:]] == ["舞钢命令排查有限公司"] and rows[1][8] == 26
