"""The member roster importer end to end: rosters as people make them, reconciliation, re-runs,
update mode, the 所属工会 column, all-or-nothing, the command line and both task backends."""

import datetime
import json

import pytest
import xlsxwriter
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from ruhui.audit.models import AuditEvent
from ruhui.importing.member_import import import_members
from ruhui.members import services
from ruhui.members.models import Member, MembershipEvent
from ruhui.tabular.files import check_upload
from tests.members.factories import join, make_id_number, make_phone

HEADER = [
    "序号",
    "会员姓名",
    "公民身份号码",
    "手机号码",
    "民族",
    "是否农民工",
    "八大群体",
    "入会时间",
]


def roster(path, rows, *, title=True, header=HEADER):
    """An .xlsx roster as enterprise unions type it: a merged title row, then the header."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("花名册")
    text = workbook.add_format({"num_format": "@"})
    top = 0
    if title:
        sheet.merge_range(0, 0, 0, len(header) - 1, "舞钢快递行业工会会员花名册")
        top = 2  # a blank row between title and header, as people leave it
    sheet.write_row(top, 0, header)
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate([i, *row]):
            if isinstance(value, str):
                sheet.write_string(top + i, j, value, text)
            elif value is not None:
                sheet.write(top + i, j, value)
    sheet.write(top + len(rows) + 2, 0, "填表人：张三    审核人：李四")
    workbook.close()
    return path


def good_row(**overrides):
    base = {
        "name": "王伟",
        "id": make_id_number(),
        "phone": make_phone(),
        "ethnic": "汉族",
        "migrant": "是",
        "group": "快递员",
        "joined": "2019年5月1日",
    }
    base |= overrides
    return [
        base["name"],
        base["id"],
        base["phone"],
        base["ethnic"],
        base["migrant"],
        base["group"],
        base["joined"],
    ]


def run(world, path, *, dry_run=False, union=None, update=False, actor=None, report=None):
    return import_members(
        actor=actor or world.county_admin,
        union=union or world.county_trade,
        path=path,
        kind=check_upload(path, path.name),
        dry_run=dry_run,
        update_existing=update,
        report_path=report,
    )


def test_roster_with_title_rows_imports_and_reconciles(world, tmp_path):
    bad_id = "410481199005010012"  # wrong check digit
    path = roster(
        tmp_path / "r.xlsx",
        [good_row(), good_row(name="李娜"), good_row(id=bad_id), good_row(phone="123")],
    )
    summary = run(world, path)
    assert (summary.rows, summary.created, summary.updated, summary.rejected) == (4, 2, 0, 2)
    assert summary.reconciles and summary.header_row == 3 and summary.notes_rows == 1
    assert {e["row"] for e in summary.errors} == {6, 7}  # the row numbers Excel shows
    assert {e["field"] for e in summary.errors} == {"公民身份号码", "手机号码"}
    members = Member.objects.filter(union=world.county_trade)
    assert members.count() == 2
    member = members.get(name="王伟")
    assert member.is_migrant_worker and member.group == "02"
    assert member.joined_on == datetime.date(2019, 5, 1) and member.source == "导入"
    assert member.events.get().change_type == "1"
    assert AuditEvent.objects.filter(action="import").count() == 1


def test_dry_run_writes_nothing_but_reports_the_same(world, tmp_path):
    path = roster(tmp_path / "r.xlsx", [good_row(), good_row(phone="12")])
    dry = run(world, path, dry_run=True)
    assert (dry.created, dry.rejected) == (1, 1)
    assert Member.objects.count() == 0 and MembershipEvent.objects.count() == 0
    assert not AuditEvent.objects.filter(action="import").exists()
    real = run(world, path)
    assert (real.created, real.rejected) == (1, 1)


def test_rerun_creates_no_duplicates_and_update_mode_updates(world, tmp_path):
    rows = [good_row(group="快递员"), good_row(group="货车司机")]
    path = roster(tmp_path / "r.xlsx", rows)
    run(world, path)
    again = run(world, path)
    assert (again.created, again.rejected) == (0, 2)
    assert "已是本工会会员" in again.errors[0]["message"]
    assert Member.objects.count() == 2
    rows[0][5] = "网约送餐员"
    path = roster(tmp_path / "r2.xlsx", rows)
    updated = run(world, path, update=True)
    assert (updated.created, updated.updated, updated.rejected) == (0, 2, 0)
    assert Member.objects.filter(group="06").count() == 1
    assert MembershipEvent.objects.count() == 2  # an update is not a new membership


def test_person_active_elsewhere_is_reported_with_that_union_within_the_jurisdiction(
    world, tmp_path
):
    number = make_id_number()
    join(world.sibling_admin, world.sibling_trade, id_number=number)
    path = roster(tmp_path / "r.xlsx", [good_row(id=number)])
    summary = run(world, path, actor=world.city_admin)  # the city covers 宝丰
    assert summary.rejected == 1
    message = summary.errors[0]["message"]
    assert "宝丰快递行业工会" in message and "转出" in message
    # 舞钢's cadre learns the person is taken, not where (tests/members/test_membership_oracle.py).
    message = run(world, path, actor=world.county_admin).errors[0]["message"]
    assert "宝丰" not in message and "请通过会员接转办理" in message


def test_duplicates_inside_the_file(world, tmp_path):
    number = make_id_number()
    path = roster(tmp_path / "r.xlsx", [good_row(id=number), good_row(id=number.lower())])
    summary = run(world, path)
    assert (summary.created, summary.rejected) == (1, 1)
    assert "与第 4 行重复" in summary.errors[0]["message"]


def test_union_column_places_rows_in_the_subtree(world, tmp_path):
    header = [*HEADER, "所属工会"]
    path = roster(
        tmp_path / "r.xlsx",
        [
            [*good_row(), "舞钢顺达物流有限公司工会"],
            [*good_row(), "WG-KD"],
            [*good_row(), "宝丰快递行业工会"],  # a sibling county's union: refused
        ],
        header=header,
    )
    summary = run(world, path, union=world.county)
    assert (summary.created, summary.rejected) == (2, 1)
    assert summary.errors[0]["field"] == "所属工会"
    assert Member.objects.filter(union=world.county_enterprise).count() == 1
    assert Member.objects.filter(union=world.county_trade).count() == 1


def test_excel_numeric_id_is_explained(world, tmp_path):
    path = tmp_path / "r.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["姓名", "身份证号"])
    sheet.write_row(1, 0, ["王伟", 410402199001011000])  # a number cell: digits lost
    workbook.close()
    summary = run(world, path)
    assert summary.rejected == 1
    assert "科学计数法" in summary.errors[0]["message"] or "文本" in summary.errors[0]["message"]


def test_csv_in_gbk(world, tmp_path):
    path = tmp_path / "r.csv"
    lines = [
        "姓名,身份证号码,联系电话",
        f"张伟,{make_id_number()},{make_phone()}",
        f"刘洋,{make_id_number().lower()},",
    ]
    path.write_bytes("\r\n".join(lines).encode("gb18030"))
    summary = run(world, path)
    assert (summary.rows, summary.created) == (2, 2)


def test_csv_saved_from_excel_keeps_date_serials(world, tmp_path):
    # 「另存为 CSV」 writes a date cell formatted as a number as its serial: 43617 = 2019-06-01.
    path = tmp_path / "r.csv"
    lines = ["姓名,身份证号码,入会日期", f"张伟,{make_id_number()},43617"]
    path.write_bytes("\r\n".join(lines).encode("utf-8-sig"))
    summary = run(world, path)
    assert (summary.rows, summary.created, summary.rejected) == (1, 1, 0), summary.errors
    assert Member.objects.get(name="张伟").joined_on == datetime.date(2019, 6, 1)


def test_all_or_nothing_when_writing_fails(world, tmp_path, monkeypatch):
    from ruhui.importing import member_import

    monkeypatch.setattr(member_import, "CHUNK", 2)
    path = roster(tmp_path / "r.xlsx", [good_row() for _ in range(5)])
    calls = {"n": 0}
    original = member_import.bulk.run_insert

    def failing(insert):
        # The second chunk's members, after the first chunk is written (on PostgreSQL this
        # runs in the writer thread: its error must still reach the import and roll back).
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return original(insert)

    monkeypatch.setattr(member_import.bulk, "run_insert", failing)
    with pytest.raises(RuntimeError):
        run(world, path)
    assert calls["n"] == 3
    assert Member.objects.count() == 0 and MembershipEvent.objects.count() == 0


def test_result_workbook_lists_every_row(world, tmp_path):
    path = roster(tmp_path / "r.xlsx", [good_row(), good_row(phone="1")])
    report = tmp_path / "result.xlsx"
    run(world, path, dry_run=True, report=report)
    rows = CalamineWorkbook.from_path(str(report)).get_sheet_by_index(0).to_python()
    assert "导入结果" in rows[0] and "错误说明" in rows[0]
    results = [r[rows[0].index("导入结果")] for r in rows[1:]]
    assert results == ["新增", "未导入"]
    assert "手机号码" in rows[2][rows[0].index("错误说明")]


def test_command_line_report(world, tmp_path):
    path = roster(tmp_path / "r.xlsx", [good_row(), good_row(joined="2019.13.01")])
    report = tmp_path / "report.json"
    call_command("import_members", str(path), "--union", "WG-KD", "--report", str(report))
    data = json.loads(report.read_text(encoding="utf-8"))
    assert (data["rows"], data["created"], data["updated"], data["rejected"]) == (2, 1, 0, 1)
    assert data["errors"] == [
        {"row": 5, "field": "入会时间", "message": data["errors"][0]["message"]}
    ]
    assert "入会时间" in data["errors"][0]["message"] or "日期" in data["errors"][0]["message"]


def test_command_line_refuses_unknown_union_and_unreadable_file(world, tmp_path):
    path = roster(tmp_path / "r.xlsx", [good_row()])
    with pytest.raises(CommandError):
        call_command("import_members", str(path), "--union", "NOPE")
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"<html>not a workbook</html>")
    with pytest.raises(CommandError):
        call_command("import_members", str(junk), "--union", "WG-KD")
    assert Member.objects.count() == 0


def test_command_line_export(world, tmp_path):
    join(world.county_admin, world.county_trade, name="导出甲")
    out = tmp_path / "out.csv"
    call_command("export_members", "--union", "WG", "--out", str(out))
    text = out.read_text(encoding="utf-8-sig")
    assert "导出甲" in text and "证件号码" in text.splitlines()[0]


def test_union_code_column_works_without_the_name_column(world, tmp_path):
    path = roster(tmp_path / "r.xlsx", [[*good_row(), "WG-E1"]], header=[*HEADER, "所属工会代码"])
    summary = run(world, path, union=world.county)
    assert summary.created == 1
    assert Member.objects.get().union == world.county_enterprise
    event = AuditEvent.objects.get(action="import")
    assert event.changes["新增"] == [None, 1] and event.changes["数据行"] == [None, 1]


@pytest.mark.parametrize("workers", [1, 2])
def test_large_files_use_worker_processes_with_the_same_result(
    world, tmp_path, monkeypatch, settings, workers
):
    from ruhui.importing import member_import

    settings.RUHUI_IMPORT_WORKERS = workers
    monkeypatch.setattr(member_import, "CHUNK", 3)  # 8 rows: the first chunk here, then a pool
    monkeypatch.setattr(member_import, "POOL_AFTER_CHUNKS", 1)
    number = make_id_number()
    rows = [
        good_row(id=number),
        *[good_row() for _ in range(5)],
        good_row(phone="1"),
        good_row(id=number),
    ]
    path = roster(tmp_path / "r.xlsx", rows)
    summary = run(world, path)
    assert (summary.rows, summary.created, summary.rejected) == (8, 6, 2)
    assert [e["row"] for e in summary.errors] == [10, 11]  # bad phone; duplicate of row 4
    assert "与第 4 行重复" in summary.errors[1]["message"]
    member = Member.objects.get(id_number_hash=services.id_hash(number))
    assert member.name_initials == "ww" and member.phone_masked.startswith("1")
    assert Member.objects.count() == 6
