"""Enterprise list import: header variants, title rows, credit codes, duplicates, update mode,
reconciliation and re-runs (the member import's rules)."""

import csv

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied
from python_calamine import CalamineWorkbook

from ruhui.audit.models import AuditEvent
from ruhui.enterprises.importer import import_enterprises
from ruhui.enterprises.models import Enterprise, HeadcountSnapshot
from ruhui.tabular.files import FileRejected
from tests.enterprises.factories import make_enterprise, make_uscc


def write_csv(path, rows, encoding="utf-8"):
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_xlsx(path, rows, title=None):
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("企业名单")
    offset = 0
    if title:
        sheet.merge_range(0, 0, 0, len(rows[0]) - 1, title)
        offset = 2
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, int | float):
                sheet.write_number(r + offset, c, value)
            elif value is not None:
                sheet.write_string(r + offset, c, value)
    workbook.close()
    return path


def run(world, path, *, dry_run=False, update=False, actor=None, unit=None, report=None):
    return import_enterprises(
        path,
        actor=actor or world.county_admin,
        responsible_unit=unit or world.county,
        dry_run=dry_run,
        update=update,
        report_path=report,
    )


def reconciles(summary):
    assert summary.rows == summary.created + summary.updated + summary.rejected
    return True


def test_gbk_csv_with_header_variants(world, tmp_path):
    code = make_uscc()
    path = write_csv(
        tmp_path / "list.csv",
        [
            ["单位名称", "信用代码", "所在县区", "乡镇（街道）", "行业", "职工人数", "快递员人数"],
            [
                "舞钢顺丰速运有限公司",
                code,
                "舞钢市",
                "寺坡街道",
                "交通运输、仓储和邮政业",
                "40",
                "30",
            ],
            ["舞钢安居物业服务有限公司", "", "410481", "垭口街道", "K", "", ""],
        ],
        encoding="gbk",
    )
    summary = run(world, path)
    assert (summary.rows, summary.created, summary.rejected) == (2, 2, 0)
    first = Enterprise.objects.get(uscc=code)
    assert first.division_code == "410481"
    assert first.industry == "G"
    assert first.employees_total == 40
    assert [g.code for g in first.groups.all()] == ["02"]
    assert HeadcountSnapshot.objects.get(enterprise=first).source == "import"
    assert first.responsible_unit == world.county
    second = Enterprise.objects.get(name="舞钢安居物业服务有限公司")
    assert second.industry == "K" and second.township == "垭口街道"


def test_xlsx_title_rows_blank_and_notes_rows(world, tmp_path):
    path = write_xlsx(
        tmp_path / "list.xlsx",
        [
            ["序号", "企业名称", "统一社会信用代码", "所在县(市、区)"],
            [1, "舞钢甲企业有限公司", make_uscc(), "410481"],
            [2, None, None, None],
            [3, "舞钢乙企业有限公司", None, "410481"],
            ["填表说明：信用代码见营业执照。", None, None, None],
        ],
        title="舞钢市非公企业名录（2026年）",
    )
    summary = run(world, path, dry_run=True)
    assert summary.header_row == 3
    assert (summary.rows, summary.created, summary.blank_rows, summary.notes_rows) == (2, 2, 1, 1)
    assert Enterprise.objects.count() == 0  # a dry run writes nothing


def test_credit_code_errors_name_the_column_and_the_fix(world, tmp_path):
    good = make_uscc()
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    path = write_xlsx(
        tmp_path / "codes.xlsx",
        [
            ["企业名称", "社会信用代码", "行政区划代码"],
            ["舞钢校验位企业有限公司", bad_check, "410481"],
            ["舞钢短代码企业有限公司", "91410481MA4", "410481"],
            ["舞钢数字企业有限公司", 914104817065548815.0, "410481"],
            ["舞钢工会代码有限公司", "81410481MA44C1R92X", "410481"],
            ["舞钢正常企业有限公司", good, "410481"],
        ],
    )
    summary = run(world, path)
    assert reconciles(summary)
    assert (summary.created, summary.rejected) == (1, 4)
    by_row = {e["row"]: e for e in summary.errors}
    assert by_row[2]["field"] == "社会信用代码"
    assert "校验位" in by_row[2]["message"] and "逐位核对" in by_row[2]["message"]
    assert "应为 18 位" in by_row[3]["message"]
    assert "存成了数字" in by_row[4]["message"] and "文本" in by_row[4]["message"]
    assert by_row[5]["field"] == "社会信用代码"
    assert Enterprise.objects.get().uscc == good


def test_field_errors_never_stop_the_pass(world, tmp_path):
    path = write_csv(
        tmp_path / "bad.csv",
        [
            ["企业名称", "所在县区", "行业", "是否在建项目", "职工人数", "农民工人数"],
            ["", "410481", "", "", "", ""],
            ["舞钢一号有限公司", "410400", "", "", "", ""],
            ["舞钢二号有限公司", "410481", "造船", "是", "", ""],
            ["舞钢三号有限公司", "410481", "", "", "10", "20"],
            ["舞钢四号有限公司", "410481", "", "", "十", ""],
            ["舞钢五号有限公司", "410481", "", "", "", ""],
        ],
    )
    summary = run(world, path)
    assert (summary.rows, summary.created, summary.rejected) == (6, 1, 5)
    fields = {(e["row"], e["field"]) for e in summary.errors}
    assert {(2, "企业名称"), (3, "所在县区"), (4, "行业"), (4, "项目规模")} <= fields
    assert (5, "农民工人数") in fields and (6, "职工人数") in fields
    assert all(e["message"] for e in summary.errors)


def test_duplicates_in_file_first_row_wins(world, tmp_path):
    code = make_uscc()
    path = write_csv(
        tmp_path / "dups.csv",
        [
            ["企业名称", "统一社会信用代码", "所在县区"],
            ["舞钢甲有限公司", code, "410481"],
            ["舞钢甲有限公司（分号）", code, "410481"],
            ["舞钢乙有限公司", "", "410481"],
            ["舞钢 乙有限公司", "", "410481"],
            ["舞钢乙有限公司", "", "410421"],
        ],
    )
    summary = run(world, path)
    assert (summary.created, summary.rejected) == (3, 2)
    messages = {e["row"]: e["message"] for e in summary.errors}
    assert "与第 2 行是同一企业" in messages[3]
    assert "与第 4 行是同一企业" in messages[5]


def test_duplicates_in_database_and_update_mode(world, tmp_path):
    code = make_uscc()
    existing = make_enterprise(
        world.county_admin, world.county, name="舞钢老企业有限公司", uscc=code
    )
    other = make_enterprise(world.sibling_admin, world.sibling, name="宝丰某企业有限公司")
    rows = [
        ["企业名称", "统一社会信用代码", "所在县区", "乡镇(街道)", "职工人数"],
        ["舞钢老企业有限公司", code, "410481", "矿建街道", "30"],
        ["宝丰某企业有限公司", "", "410421", "城关镇", ""],
    ]
    path = write_csv(tmp_path / "db.csv", rows)
    summary = run(world, path)
    assert (summary.created, summary.updated, summary.rejected) == (0, 0, 2)
    messages = {e["row"]: e["message"] for e in summary.errors}
    assert "舞钢老企业有限公司" in messages[2] and "更新已登记的企业" in messages[2]
    assert "宝丰县总工会" in messages[3]

    summary = run(world, path, update=True)
    assert (summary.created, summary.updated, summary.rejected) == (0, 1, 1)
    assert "不在您的管辖范围内" in summary.errors[0]["message"]
    existing.refresh_from_db()
    assert existing.township == "矿建街道" and existing.employees_total == 30
    other.refresh_from_db()
    assert other.township == ""
    # The same file again: nothing new, no second headcount for the same figures.
    summary = run(world, path, update=True)
    assert summary.updated == 1
    assert HeadcountSnapshot.objects.filter(enterprise=existing).count() == 1


def test_update_never_erases_with_empty_cells(world, tmp_path):
    existing = make_enterprise(
        world.county_admin,
        world.county,
        name="舞钢保留企业有限公司",
        township="寺坡街道",
        industry="C",
    )
    path = write_csv(
        tmp_path / "u.csv",
        [["企业名称", "所在县区", "乡镇", "行业"], ["舞钢保留企业有限公司", "410481", "", "F"]],
    )
    summary = run(world, path, update=True)
    assert summary.updated == 1
    existing.refresh_from_db()
    assert (existing.township, existing.industry) == ("寺坡街道", "F")


def test_rerun_creates_no_duplicates_and_commit_is_audited(world, tmp_path):
    path = write_csv(
        tmp_path / "again.csv",
        [["企业名称", "信用代码", "所在县区"]]
        + [[f"舞钢重跑{i}号有限公司", make_uscc() if i % 2 else "", "410481"] for i in range(10)],
    )
    first = run(world, path)
    assert first.created == 10
    second = run(world, path)
    assert (second.created, second.rejected) == (0, 10)
    assert Enterprise.objects.count() == 10
    assert AuditEvent.objects.filter(action="import").count() == 2


def test_dry_run_predicts_the_commit(world, tmp_path):
    path = write_csv(
        tmp_path / "p.csv",
        [["企业名称", "所在县区"], ["舞钢预测有限公司", "410481"], ["x", "410481"]],
    )
    dry = run(world, path, dry_run=True)
    real = run(world, path)
    assert (dry.created, dry.rejected) == (real.created, real.rejected) == (1, 1)


def test_result_workbook_has_result_and_message_columns(world, tmp_path):
    path = write_csv(
        tmp_path / "r.csv",
        [
            ["企业名称", "所在县区"],
            ["舞钢结果有限公司", "410481"],
            ["舞钢结果二有限公司", "999999"],
        ],
    )
    report = tmp_path / "result.xlsx"
    run(world, path, dry_run=True, report=report)
    rows = CalamineWorkbook.from_path(str(report)).get_sheet_by_name("导入结果").to_python()
    assert rows[0] == ["原行号", "企业名称", "所在县区", "导入结果", "错误说明"]
    assert rows[1][3] == "新增" and rows[2][3] == "未导入"
    assert rows[2][4].startswith("所在县区")


def test_missing_name_column_and_unreadable_files_refused(world, tmp_path):
    path = write_csv(tmp_path / "n.csv", [["信用代码", "所在县区"], [make_uscc(), "410481"]])
    with pytest.raises(FileRejected, match="企业名称"):
        run(world, path)
    path = write_csv(tmp_path / "h.csv", [["甲", "乙"], ["1", "2"]])
    with pytest.raises(FileRejected, match="没有找到表头") as exc:
        run(world, path)
    assert "姓名" not in str(exc.value)


def test_hostile_file_refused_with_no_rows_written(world, tmp_path):
    path = tmp_path / "macro.xlsx"
    path.write_bytes(b"MZ\x90\x00 not a workbook")
    with pytest.raises(FileRejected):
        run(world, path)
    assert Enterprise.objects.count() == 0


def test_unit_outside_jurisdiction_refused(world, tmp_path):
    path = write_csv(tmp_path / "o.csv", [["企业名称", "所在县区"], ["舞钢越权有限公司", "410481"]])
    with pytest.raises(PermissionDenied):
        run(world, path, actor=world.sibling_admin, unit=world.county)
    assert Enterprise.objects.count() == 0


def test_utf8_bom_csv_and_full_width_cells(world, tmp_path):
    path = write_csv(
        tmp_path / "bom.csv",
        [
            ["*企业名称（必填）", "统一社会信用代码", "所在县(市、区)", "在建项目", "项目规模"],
            ["舞钢全角企业有限公司", "", "４１０４８１", "√", "大中型"],
        ],
        encoding="utf-8-sig",
    )
    summary = run(world, path)
    assert summary.created == 1, summary.errors
    enterprise = Enterprise.objects.get()
    assert enterprise.division_code == "410481"
    assert enterprise.is_construction_project and enterprise.project_scale == "large"


def test_a_committed_import_notes_the_change_and_a_check_does_not(
    world, tmp_path, signals, django_capture_on_commit_callbacks
):
    """New enterprises move the survey figures and the workbench's alerts."""
    path = write_csv(
        tmp_path / "new.csv",
        [["企业名称", "所在县区", "职工人数"], ["舞钢通知有限公司", "410481", "40"]],
    )
    with django_capture_on_commit_callbacks(execute=True):
        run(world, path, dry_run=True)
    assert signals == []
    with django_capture_on_commit_callbacks(execute=True):
        assert run(world, path).created == 1
    assert signals and set(signals) == {None}
