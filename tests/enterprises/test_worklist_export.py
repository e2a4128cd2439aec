"""Worklist export: the worklist selector's rows and filters, formula injection neutralised,
audited; and the command line (import_enterprises / import_surveys / export_worklist)."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from python_calamine import CalamineWorkbook

from ruhui.audit.models import AuditEvent
from ruhui.enterprises.models import Enterprise, Survey
from ruhui.enterprises.services import union_build
from tests.enterprises.factories import make_enterprise, survey
from tests.enterprises.test_import_enterprises import write_csv


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


def download(client, url, tmp_path):
    response = client.get(url)
    assert response.status_code == 200
    path = tmp_path / "w.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    return path


def test_worklist_export_rows_filters_and_injection(worklist_world, as_user, tmp_path):
    world = worklist_world
    client = as_user(world.county_viewer)  # read-only may export the worklist
    rows = read(download(client, reverse("enterprise_import:worklist_export"), tmp_path))
    assert rows[0][:3] == ["序号", "企业名称", "统一社会信用代码"]
    names = [r[1] for r in rows[1:]]
    assert names[0] == "舞钢大企业有限公司"  # the most workers first
    assert "舞钢已建会企业有限公司" not in names and "宝丰企业有限公司" not in names
    assert '\'=HYPERLINK("http://x","点我")有限公司' in names  # shown as text, never run
    first = rows[1]
    assert first[8] == 80 and first[11] == "约谈企业法人" and first[14] == "李干事"
    assert first[15] == "是"  # due date passed
    event = AuditEvent.objects.get(action="export")
    assert event.changes["导出行数"] == [None, 3]

    url = reverse("enterprise_import:worklist_export") + f"?unit={world.county_trade.pk}"
    rows = read(download(client, url, tmp_path))
    assert [r[1] for r in rows[1:]] == ["舞钢行业工会负责企业有限公司"]


def test_worklist_export_is_scoped(worklist_world, as_user, tmp_path):
    client = as_user(worklist_world.sibling_admin)
    rows = read(download(client, reverse("enterprise_import:worklist_export"), tmp_path))
    assert [r[1] for r in rows[1:]] == ["宝丰企业有限公司"]
    url = reverse("enterprise_import:worklist_export") + f"?unit={worklist_world.county.pk}"
    rows = read(download(client, url, tmp_path))
    assert [r[1] for r in rows[1:]] == ["宝丰企业有限公司"]  # a foreign unit filter is ignored


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
