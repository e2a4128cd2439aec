"""Import of positions (the command and the page's job): bad rows are reported in the result
workbook with the service's messages under their column, good rows are committed; a check and
a commit of the same file count alike; an exported list imports back as updates."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from ruhui.accounts.selectors import command_actor
from ruhui.jobs.models import Job, JobStatus
from ruhui.positions.export import COLUMNS
from ruhui.positions.importer import import_positions
from ruhui.positions.jobs import POSITION_IMPORT
from ruhui.positions.models import ServicePosition

pytestmark = pytest.mark.django_db
HEADERS = [header for _field, header in COLUMNS]


def _row(**values) -> list:
    base = {
        "站点编号": "",
        "类型": "户外劳动者服务站点（工会驿站）",
        "名称": "舞钢朱兰街道爱心驿站",
        "运营工会代码": "",
        "运营工会": "",
        "合作单位": "中国石化舞钢朱兰加油站",
        "所在行政区划": "410481",
        "乡镇（街道）": "朱兰街道",
        "地址": "舞钢市朱兰街道钢城路 66 号",
        "纬度": "33.320100",
        "经度": "113.545200",
        "开放时间": "",
        "24小时开放": "是",
        "服务群体": "快递员、网约送餐员",
        "状态": "运行",
        "设施": "饮水、充电、卫生间",
        "有统一标识": "是",
        "有固定场所": "是",
        "有完备设施": "否",
        "有管理制度": "是",
        "有人员管理": "否",
        "有地图可查": "是",
        "启用日期": "2019-06-01",
    }
    base.update(values)
    return [base[h] for h in HEADERS]


def write_book(path, rows):
    book = Workbook()
    sheet = book.active
    sheet.title = "服务阵地"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


ROWS = [
    _row(),  # good, the unit runs it
    _row(名称="舞钢快递小哥之家", 运营工会代码="WG-KD", 类型="职工之家", 站点编号="WG-001"),
    _row(名称="坐标填反的驿站", 纬度="113.545200", 经度="33.320100"),
    _row(名称="区划不对的驿站", 所在行政区划="419999"),
    _row(名称="设施不对的驿站", 设施="饮水、游泳池"),
    _row(名称="别人的驿站", 运营工会代码="BF-KD"),
    _row(名称="没有坐标的运行驿站", 纬度="", 经度=""),
    _row(名称="舞钢快递小哥之家", 运营工会代码="WG-KD", 类型="职工之家", 站点编号="WG-001"),
]


def test_check_and_commit_reconcile_and_report_each_bad_row(world, tmp_path):
    path = write_book(tmp_path / "阵地.xlsx", ROWS)
    actor = command_actor(world.county)
    report = tmp_path / "check.xlsx"
    check = import_positions(path, actor=actor, unit=world.county, dry_run=True, report_path=report)
    assert not ServicePosition.objects.exists()
    assert (check.rows, check.created, check.updated, check.rejected) == (8, 2, 0, 6)
    assert check.reconciles
    commit = import_positions(path, actor=actor, unit=world.county, dry_run=False)
    assert (commit.rows, commit.created, commit.updated, commit.rejected) == (
        check.rows,
        check.created,
        check.updated,
        check.rejected,
    )
    assert ServicePosition.objects.count() == commit.created == 2
    home = ServicePosition.objects.get(code="WG-001")
    assert home.running_union == world.county_trade and home.kind == "home"
    first = ServicePosition.objects.get(name="舞钢朱兰街道爱心驿站")
    assert first.running_union == world.county and first.open_24h
    assert first.facilities == ["water", "charging", "toilet"]
    assert sorted(g.code for g in first.groups.all()) == ["02", "06"]
    assert (first.has_sign, first.has_facilities) == (True, False)
    rows = list(load_workbook(report)["导入结果"].iter_rows(values_only=True))
    result_at = rows[0].index("导入结果")
    messages = {row[3]: row[result_at + 1] for row in rows[1:]}
    results = {row[3]: row[result_at] for row in rows[1:]}
    assert results["舞钢朱兰街道爱心驿站"] == "新增"
    swapped = messages["坐标填反的驿站"]
    assert "纬度「113.5452」和经度「33.3201」看起来填反了" in swapped
    assert swapped.count("看起来填反了") == 1
    assert "所在行政区划「419999」不存在" in messages["区划不对的驿站"]
    assert "设施「游泳池」不在设施清单中" in messages["设施不对的驿站"]
    assert "运营工会代码「BF-KD」不是舞钢市总工会或其下级工会的代码" in messages["别人的驿站"]
    assert "要填写纬度和经度" in messages["没有坐标的运行驿站"]
    assert "与第 3 行重复" in rows[-1][result_at + 1]


def test_an_exported_list_imports_back_as_updates(world, as_user, tmp_path):
    path = write_book(tmp_path / "a.xlsx", ROWS[:2])
    import_positions(path, actor=command_actor(world.county), unit=world.county, dry_run=False)
    response = as_user(world.county_admin).get(reverse("positions:export"))
    exported = tmp_path / "exported.xlsx"
    exported.write_bytes(b"".join(response.streaming_content))
    again = import_positions(
        exported, actor=command_actor(world.county), unit=world.county, dry_run=False
    )
    assert (again.rows, again.created, again.updated, again.rejected) == (2, 0, 2, 0)
    book = load_workbook(exported)
    book.active["L2"] = "7:00-22:00"  # 开放时间 of the first row
    book.active["M2"] = "否"
    book.save(exported)
    import_positions(exported, actor=command_actor(world.county), unit=world.county, dry_run=False)
    assert ServicePosition.objects.count() == 2
    assert ServicePosition.objects.filter(hours="7:00-22:00", open_24h=False).count() == 1


def test_command_dry_run_then_commit(world, tmp_path, capsys):
    path = write_book(tmp_path / "阵地.xlsx", ROWS)
    report = tmp_path / "r.json"
    call_command("import_positions", str(path), unit="WG", dry_run=True, report=str(report))
    assert "检查完成：共 8 行，新增 2，更新 0，未导入 6" in capsys.readouterr().out
    assert json.loads(report.read_text(encoding="utf-8"))["created"] == 2
    assert not ServicePosition.objects.exists()
    call_command("import_positions", str(path), unit="WG")
    assert "导入完成：共 8 行，新增 2，更新 0，未导入 6" in capsys.readouterr().out
    assert ServicePosition.objects.count() == 2
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="组织代码「NOPE」不存在"):
        call_command("import_positions", str(path), unit="NOPE")


def test_page_checks_as_a_job_then_confirms(
    world, as_user, tmp_path, django_capture_on_commit_callbacks
):
    client = as_user(world.county_admin)
    data = write_book(tmp_path / "阵地.xlsx", ROWS).read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("positions:import"), {"file": SimpleUploadedFile("阵地.xlsx", data)}
        )
    check = Job.objects.get(kind=POSITION_IMPORT)
    assert response.status_code == 302 and response["Location"] == reverse(
        "jobs:detail", args=[check.pk]
    )
    assert check.status == JobStatus.SUCCEEDED and check.dry_run
    assert (check.summary["created"], check.summary["rejected"]) == (2, 6)
    result = client.get(reverse("jobs:result", args=[check.pk]))
    assert result.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(result.streaming_content)), read_only=True)
    assert len(list(book["导入结果"].iter_rows(values_only=True))) == 9
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("jobs:confirm", args=[check.pk]))
    commit = Job.objects.get(kind=POSITION_IMPORT, parent=check)
    assert commit.status == JobStatus.SUCCEEDED and not commit.dry_run
    assert ServicePosition.objects.count() == 2
    assert (
        as_user(world.sibling_admin).get(reverse("jobs:detail", args=[check.pk])).status_code == 404
    )
