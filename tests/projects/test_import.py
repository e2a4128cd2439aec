"""Import of a plan's projects (xlsx/xls/csv): a check writes nothing, a commit writes the valid
rows while the bad ones are reported per row with Chinese messages naming the column; counts
reconcile; unknown unit names get `unit_names`' message; the job (check → confirm → commit)
and the command line."""

import csv
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from python_calamine import CalamineWorkbook

from ruhui.audit.models import AuditEvent
from ruhui.jobs.models import Job, JobStatus
from ruhui.projects import services
from ruhui.projects.choices import BuildType, ProjectKind, ServiceCategory
from ruhui.projects.importer import import_projects
from ruhui.projects.jobs import PROJECT_IMPORT
from ruhui.projects.models import ActionPlan, Project
from ruhui.tabular import xlsxstream
from ruhui.tabular.files import FileRejected

pytestmark = pytest.mark.django_db

HEADER = [
    "序号",
    "类型",
    "项目名称",
    "地点",
    "拟发展会员数",
    "责任单位",
    "责任人",
    "联系电话",
    "完成时间",
    "实施时间",
    "拟覆盖职工人数",
]
ROWS = [
    # valid: 建会入会 under the plan's own unit, members typed with a thousands separator
    [
        "1",
        "拟建企业工会",
        "舞钢市顺丰速运有限公司工会",
        "舞钢市垭口街道",
        "1,200",
        "舞钢市总工会",
        "李明",
        "13937512345",
        "2019/9/30",
        "",
        "",
    ],
    # valid: 维护服务 by short name of a unit below, period as 开始至结束
    [
        "2",
        "四季送关爱活动",
        "夏送清凉进快递网点",
        "",
        "",
        "舞钢快递行业工会",
        "王芳",
        "",
        "",
        "2019-06-01至2019-08-31",
        "800",
    ],
    # unknown responsible unit → unit_names' message
    [
        "3",
        "拟建基层联合工会",
        "尹集镇联合工会",
        "尹集镇",
        "60",
        "鹰城快递协会",
        "赵强",
        "",
        "2019-10-31",
        "",
        "",
    ],
    # a sibling county's union is outside the plan's subtree → not found under 舞钢
    [
        "4",
        "拟建企业工会",
        "宝丰某公司工会",
        "",
        "30",
        "宝丰快递行业工会",
        "钱勇",
        "",
        "2019-10-31",
        "",
        "",
    ],
    # a date outside the campaign window, and a type nobody knows
    [
        "5",
        "拟建企业工会",
        "舞钢某超市工会",
        "",
        "20",
        "舞钢市总工会",
        "孙丽",
        "",
        "2020-03-01",
        "",
        "",
    ],
    [
        "6",
        "扶贫帮困",
        "送温暖",
        "",
        "",
        "舞钢市总工会",
        "周敏",
        "",
        "",
        "2019-11-01至2019-12-01",
        "100",
    ],
    # planned members not a whole number
    [
        "7",
        "已有工会发展会员",
        "舞钢顺达物流有限公司工会",
        "",
        "很多",
        "舞钢市总工会",
        "吴刚",
        "",
        "2019-09-30",
        "",
        "",
    ],
]


def write_csv(path, rows=ROWS, header=HEADER):
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path, rows=ROWS, header=HEADER):
    book = xlsxstream.Workbook(path)
    sheet = book.add_sheet("项目清单")
    sheet.write_row(["舞钢市“项目清单+责任制”行动计划项目表"])  # a title row above the header
    sheet.write_row(header)
    for row in rows:
        sheet.write_row(row)
    book.close()
    return path


@pytest.fixture
def plan(people, drive):
    return services.plan_open(actor=people.county_admin, campaign=drive)


def messages(summary):
    by_row = {}
    for error in summary.errors:
        by_row.setdefault(error["row"], []).append((error["field"], error["message"]))
    return by_row


@pytest.mark.parametrize("writer", [write_csv, write_xlsx])
def test_check_writes_nothing_and_commit_writes_the_valid_rows(people, plan, tmp_path, writer):
    path = writer(tmp_path / ("projects" + (".csv" if writer is write_csv else ".xlsx")))
    before = AuditEvent.objects.count()
    check = import_projects(
        path, actor=people.county_admin, plan=plan, dry_run=True, report_path=tmp_path / "r.xlsx"
    )
    assert (check.rows, check.created, check.rejected) == (7, 2, 5) and check.reconciles
    assert not Project.objects.exists() and AuditEvent.objects.count() == before
    header_row = 1 if writer is write_csv else 2
    assert check.header_row == header_row
    errors = messages(check)
    first = header_row + 1
    assert set(errors) == {first + 2, first + 3, first + 4, first + 5, first + 6}
    [(field, text)] = errors[first + 2]
    assert field == "责任单位" and "「鹰城快递协会」在舞钢市总工会之下找不到对应的工会组织" in text
    assert "找不到对应的工会组织" in errors[first + 3][0][1]
    assert errors[first + 4] == [
        (
            "完成时间",
            "完成时间 2020-03-01 不在集中行动期间（2019-04-01 至 2019-12-31）内：请改为期间内的日期。",
        )
    ]
    assert errors[first + 5][0][0] == "类型" and "「扶贫帮困」不认识" in errors[first + 5][0][1]
    assert ("拟发展会员数", services.MSG_PLANNED) in errors[first + 6]

    # The per-row result workbook: every row with its outcome and message, then 汇总.
    book = CalamineWorkbook.from_path(str(tmp_path / "r.xlsx"))
    result = book.get_sheet_by_name("导入结果").to_python()
    assert result[0][0] == "原行号" and result[0][-2:] == ["导入结果", "错误说明"]
    assert [row[-2] for row in result[1:]] == ["新增", "新增", *["未导入"] * 5]
    assert "找不到对应的工会组织" in result[3][-1]

    commit = import_projects(path, actor=people.county_admin, plan=plan, dry_run=False)
    assert (commit.rows, commit.created, commit.rejected) == (7, 2, 5)
    build, service = Project.objects.order_by("kind")
    assert (build.kind, build.build_type, build.planned_members) == (
        ProjectKind.BUILD,
        BuildType.ENTERPRISE,
        1200,
    )
    assert build.due_on.isoformat() == "2019-09-30" and build.responsible_unit == people.county
    assert (service.kind, service.category, service.planned_coverage) == (
        ProjectKind.SERVICE,
        ServiceCategory.FOUR_SEASONS,
        800,
    )
    assert service.responsible_unit == people.county_trade
    assert (service.starts_on.isoformat(), service.ends_on.isoformat()) == (
        "2019-06-01",
        "2019-08-31",
    )
    # One audit row per project written, by the importing cadre.
    assert AuditEvent.objects.count() == before + 2
    # The same file again adds nothing twice: its two projects are already in the plan.
    again = import_projects(path, actor=people.county_admin, plan=plan, dry_run=False)
    assert (again.rows, again.created, again.rejected) == (7, 0, 7)
    assert "已列在本单位的行动计划中" in messages(again)[first][0][1]
    assert Project.objects.count() == 2


def test_a_row_repeated_in_the_file_is_imported_once(people, plan, tmp_path):
    path = write_csv(tmp_path / "p.csv", rows=[ROWS[0], ROWS[1], ROWS[0]])
    summary = import_projects(path, actor=people.county_admin, plan=plan, dry_run=True)
    assert (summary.rows, summary.created, summary.rejected) == (3, 2, 1)
    [(field, text)] = messages(summary)[4]
    assert field == "项目名称" and "与第 2 行重复" in text


def test_a_submitted_plan_takes_no_import(people, plan, tmp_path):
    from tests.projects.factories import build_project

    build_project(people.county_admin, plan)
    services.plan_submit(actor=people.county_admin, plan=plan)
    path = write_csv(tmp_path / "p.csv")
    with pytest.raises(ValidationError) as refused:
        import_projects(path, actor=people.county_admin, plan=plan, dry_run=True)
    assert services.MSG_PLAN_LOCKED in str(refused.value)
    # Nor does another unit import into 舞钢's plan (even the reviewing city).
    with pytest.raises(PermissionDenied) as other:
        import_projects(path, actor=people.city_admin, plan=plan, dry_run=True)
    assert "只有舞钢市总工会的工作人员" in str(other.value)


def job_page(job):
    return reverse("jobs:detail", args=[job.pk])


def test_upload_is_checked_then_confirmed_on_the_job_page(
    people, drive, plan, as_user, tmp_path, django_capture_on_commit_callbacks
):
    client = as_user(people.county_admin)
    url = reverse("projects:plan_import", args=[drive.slug, people.county.pk])
    assert client.get(url).status_code == 200
    data = write_csv(tmp_path / "项目.csv").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": SimpleUploadedFile("项目.csv", data)})
    check = Job.objects.get(kind=PROJECT_IMPORT)
    assert response.status_code == 302 and response["Location"] == job_page(check)
    assert check.status == JobStatus.SUCCEEDED and check.dry_run
    assert check.options == {"campaign": drive.pk, "plan": plan.pk}
    summary = check.summary
    assert (summary["rows"], summary["created"], summary["rejected"]) == (7, 2, 5)
    assert not Project.objects.exists()
    page = client.get(job_page(check)).content.decode()
    assert "检查结果（尚未写入）" in page and "找不到对应的工会组织" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("jobs:confirm", args=[check.pk]))
    commit = Job.objects.get(kind=PROJECT_IMPORT, parent=check)
    assert commit.status == JobStatus.SUCCEEDED and not commit.dry_run
    assert Project.objects.filter(plan=plan).count() == 2
    # A sibling county cannot reach 舞钢's import page; the city may not import for 舞钢.
    assert as_user(people.sibling_admin).get(url).status_code == 404
    assert as_user(people.city_admin).get(url).status_code == 403


def test_command_checks_and_imports(people, drive, tmp_path, capsys):
    path = write_xlsx(tmp_path / "p.xlsx")
    report = tmp_path / "r.json"
    call_command(
        "import_projects",
        str(path),
        campaign=drive.slug,
        unit="WG",
        dry_run=True,
        report=str(report),
    )
    data = json.loads(report.read_text(encoding="utf-8"))
    assert (data["rows"], data["created"], data["rejected"], data["dry_run"]) == (7, 2, 5, True)
    assert data["rows"] == data["created"] + data["updated"] + data["rejected"]
    # A check writes nothing, not even the draft plan it would go into.
    assert not ActionPlan.objects.exists() and not Project.objects.exists()
    call_command("import_projects", str(path), campaign=drive.slug, unit="WG")
    assert "导入完成：共 7 行，新增 2，未导入 5" in capsys.readouterr().out
    plan = ActionPlan.objects.get(campaign=drive, unit=people.county)
    assert plan.projects.count() == 2
    assert AuditEvent.objects.filter(actor_username="命令行导入").count() >= 2
    with pytest.raises(CommandError, match="组织代码「NOPE」不存在"):
        call_command("import_projects", str(path), campaign=drive.slug, unit="NOPE")
    with pytest.raises(CommandError, match="集中行动「nope」不存在"):
        call_command("import_projects", str(path), campaign="nope", unit="WG")


# --- a workbook of several sheets (the exported list: 建会入会, 维护服务, 汇总) ----------------


def test_an_exported_plan_comes_back_with_both_kinds(people, plan, tmp_path):
    from ruhui.projects import documents
    from tests.enterprises.factories import make_enterprise
    from tests.projects.factories import build_project, service_project

    linked = make_enterprise(people.county_admin, people.county, name="舞钢市顺丰速运有限公司")
    build_project(people.county_admin, plan, enterprises=[linked])
    service_project(people.county_admin, plan)
    path = tmp_path / "plan.xlsx"
    documents.plan_xlsx(plan, path)
    # Unchanged, the file adds nothing twice; each error names its sheet.
    again = import_projects(path, actor=people.county_admin, plan=plan, dry_run=True)
    assert (again.rows, again.created, again.rejected) == (2, 0, 2)
    assert {(e["sheet"], e["row"]) for e in again.errors} == {
        (documents.BUILD_SHEET, 2),
        (documents.SERVICE_SHEET, 2),
    }
    for project in list(plan.projects.all()):
        services.project_delete(actor=people.county_admin, project=project)

    report = tmp_path / "r.xlsx"
    summary = import_projects(
        path, actor=people.county_admin, plan=plan, dry_run=False, report_path=report
    )
    # Both kinds come back; the 汇总 sheet (单位 … 拟发展会员数 … 拟覆盖职工人数) adds no row.
    assert (summary.rows, summary.created, summary.rejected, summary.errors) == (2, 2, 0, [])
    assert summary.header_row == 1 and "报送单位" in summary.unknown_headers
    build, service = plan.projects.order_by("kind")
    assert (build.kind, build.build_type, build.name) == (
        ProjectKind.BUILD,
        BuildType.ENTERPRISE,
        "舞钢市顺丰速运有限公司工会",
    )
    assert (build.planned_members, build.due_on.isoformat()) == (50, "2019-09-30")
    assert list(build.enterprises.all()) == [linked]  # 涉及企业 goes out and comes back
    assert (service.kind, service.category, service.planned_coverage) == (
        ProjectKind.SERVICE,
        ServiceCategory.FOUR_SEASONS,
        800,
    )
    assert (service.starts_on.isoformat(), service.ends_on.isoformat()) == (
        "2019-06-01",
        "2019-08-31",
    )
    result = CalamineWorkbook.from_path(str(report)).get_sheet_by_name("导入结果").to_python()
    assert result[0][:2] == ["原行号", "工作表"]
    assert [(row[1], row[-2]) for row in result[1:]] == [
        (documents.BUILD_SHEET, "新增"),
        (documents.SERVICE_SHEET, "新增"),
    ]


def write_sheets(path, sheets):
    book = xlsxstream.Workbook(path)
    for name, header, rows in sheets:
        sheet = book.add_sheet(name)
        sheet.write_row(header)
        for row in rows:
            sheet.write_row(row)
    book.close()
    return path


SERVICE_HEADER = ["类别", "项目名称", "实施责任单位", "实施时间", "拟覆盖职工人数", "备注"]


def test_a_bad_row_on_the_second_sheet_names_its_sheet(people, plan, tmp_path):
    path = write_sheets(
        tmp_path / "two.xlsx",
        [
            ("建会入会", HEADER, [ROWS[0]]),
            (
                "维护服务",
                SERVICE_HEADER,
                [
                    [
                        "四季送关爱活动",
                        "夏送清凉进快递网点",
                        "舞钢快递行业工会",
                        "2019-06-01至2019-08-31",
                        "800",
                        "x",
                    ],
                    ["扶贫帮困", "送温暖", "舞钢市总工会", "2019-11-01至2019-12-01", "100", ""],
                    # the first sheet's project again: named with its sheet and row
                    ["拟建企业工会", "舞钢市顺丰速运有限公司工会", "舞钢市总工会", "", "", ""],
                ],
            ),
        ],
    )
    preview: list = []
    report = tmp_path / "r.xlsx"
    summary = import_projects(
        path,
        actor=people.county_admin,
        plan=plan,
        dry_run=False,
        report_path=report,
        preview=preview,
    )
    assert (summary.rows, summary.created, summary.rejected) == (4, 2, 2) and summary.reconciles
    assert summary.header_row == 1 and summary.unknown_headers == ["备注"]
    assert {(e["sheet"], e["row"]) for e in summary.errors} == {("维护服务", 3), ("维护服务", 4)}
    bad, repeated, *_service_messages = summary.errors
    assert (bad["sheet"], bad["row"], bad["field"]) == ("维护服务", 3, "类别")
    assert "「扶贫帮困」不认识" in bad["message"]
    assert (repeated["sheet"], repeated["row"], repeated["field"]) == ("维护服务", 4, "项目名称")
    assert "与工作表「建会入会」第 2 行重复" in repeated["message"]
    # The valid rows of both sheets are written.
    assert sorted(plan.projects.values_list("name", flat=True)) == [
        "夏送清凉进快递网点",
        "舞钢市顺丰速运有限公司工会",
    ]
    # The result workbook: 工作表 first, then the union of the headers, each cell under its own.
    result = CalamineWorkbook.from_path(str(report)).get_sheet_by_name("导入结果").to_python()
    union = [*HEADER, "类别", "实施责任单位", "备注"]
    assert result[0] == ["原行号", "工作表", *union, "导入结果", "错误说明"]
    first, service = (dict(zip(result[0], row, strict=True)) for row in result[1:3])
    assert (first["原行号"], first["工作表"], first["项目名称"], first["类别"]) == (
        2,
        "建会入会",
        "舞钢市顺丰速运有限公司工会",
        "",
    )
    assert (service["原行号"], service["工作表"], service["类型"]) == (2, "维护服务", "")
    assert (service["类别"], service["项目名称"], service["实施责任单位"], service["备注"]) == (
        "四季送关爱活动",
        "夏送清凉进快递网点",
        "舞钢快递行业工会",
        "x",
    )
    assert [row[-2] for row in result[1:]] == ["新增", "新增", "未导入", "未导入"]
    # The job page's preview shows the sheet too (and the job's headers start with it).
    assert summary.columns[0] == "工作表"
    assert [(number, cells[0], outcome) for number, cells, outcome, _m in preview] == [
        (2, "建会入会", "新增"),
        (2, "维护服务", "新增"),
        (3, "维护服务", "未导入"),
        (4, "维护服务", "未导入"),
    ]


def test_a_file_without_a_name_column_is_refused(people, plan, tmp_path):
    path = write_sheets(
        tmp_path / "sum.xlsx",
        [
            (
                "汇总",
                ["单位", "计划状态", "拟发展会员数", "拟覆盖职工人数"],
                [["舞钢", "草稿", 1, 2]],
            )
        ],
    )
    with pytest.raises(FileRejected) as refused:
        import_projects(path, actor=people.county_admin, plan=plan, dry_run=True)
    assert refused.value.code == "no_name_column" and "工作表「汇总」" in refused.value.message


def test_the_enterprises_column_reaches_the_service(people, plan, tmp_path, monkeypatch):
    """涉及企业 (or 企业) is read and passed on as text; the service resolves it."""
    given = []
    clean = services.clean_project

    def spy(plan, data):
        given.append(data.get("enterprises"))
        return clean(plan, data)

    monkeypatch.setattr(services, "clean_project", spy)
    for header in ("涉及企业", "企业"):
        path = write_csv(tmp_path / "e.csv", rows=[[*ROWS[0], ""]], header=[*HEADER, header])
        summary = import_projects(path, actor=people.county_admin, plan=plan, dry_run=True)
        assert (summary.rows, summary.created) == (1, 1) and not summary.unknown_headers
    assert given == ["", ""]


def test_the_job_page_names_the_sheet_of_each_refused_row(
    people, drive, plan, as_user, tmp_path, django_capture_on_commit_callbacks
):
    path = write_sheets(
        tmp_path / "two.xlsx",
        [
            ("建会入会", HEADER, [ROWS[0]]),
            ("维护服务", SERVICE_HEADER, [["扶贫帮困", "送温暖", "舞钢市总工会", "", "", ""]]),
        ],
    )
    client = as_user(people.county_admin)
    url = reverse("projects:plan_import", args=[drive.slug, people.county.pk])
    upload = SimpleUploadedFile("两张表.xlsx", path.read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"file": upload})
    check = Job.objects.get(kind=PROJECT_IMPORT)
    page = client.get(job_page(check)).content.decode()
    assert '<span class="muted">维护服务</span> 2</td>' in page
