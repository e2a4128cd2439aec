"""Survey sheet import: matching by credit code or name + county within jurisdiction, history
kept, re-runs, corrections and the rules of survey_record."""

import datetime

from ruhui.enterprises.importer import import_surveys
from ruhui.enterprises.models import Survey
from ruhui.enterprises.services import union_build
from tests.enterprises.factories import make_enterprise, make_uscc
from tests.enterprises.test_import_enterprises import write_csv, write_xlsx

HEADER = ["单位名称", "信用代码", "所在县区", "排查日期", "是否建会", "未建会原因", "法人思想动态"]


def run(world, path, *, dry_run=False, actor=None, unit=None):
    return import_surveys(path, actor=actor or world.county_admin, dry_run=dry_run, unit=unit)


def test_matches_by_code_else_name_and_keeps_history(world, tmp_path):
    code = make_uscc()
    coded = make_enterprise(
        world.county_admin, world.county, name="舞钢有码企业有限公司", uscc=code
    )
    plain = make_enterprise(world.county_admin, world.county, name="舞钢无码企业(有限)公司")
    path = write_xlsx(
        tmp_path / "s.xlsx",
        [
            ["企业名称", "统一社会信用代码", "所在县(市、区)", "排查日期", "建会情况", "未建会原因",
             "法人态度", "职工人数", "农民工人数", "快递员人数", "货车司机人数", "推进措施", "完成时限"],
            ["名称写错也能按代码找到", code, "", "2026-03-01", "未建会", "规模小", "观望", 30, 10,
             5, 2, "宣传动员", "2026-12-31"],
            ["舞钢无码企业（有限）公司", "", "舞钢市", "2026-03-02", "筹建中", "正在筹建", "支持", "",
             "", "", "", "", ""],
        ],
        title="2026年一季度排查表",
    )  # fmt: skip
    summary = run(world, path)
    assert (summary.rows, summary.created, summary.rejected) == (2, 2, 0), summary.errors
    survey = coded.surveys.get()
    assert survey.union_status == "none" and survey.reason == "01"
    assert survey.group_counts == {"01": 2, "02": 5}
    assert survey.next_action == "01" and survey.next_action_due == datetime.date(2026, 12, 31)
    coded.refresh_from_db()
    assert coded.employees_total == 30 and coded.last_surveyed_on == datetime.date(2026, 3, 1)
    assert {g.code for g in coded.groups.all()} == {"01", "02"}
    assert plain.surveys.get().union_status == "preparing"

    # A later sheet adds to the history; the enterprise follows the newest survey.
    later = write_csv(
        tmp_path / "later.csv",
        [HEADER, ["舞钢有码企业有限公司", code, "", "2026-06-01", "是", "", ""]],
    )
    assert run(world, later).created == 1
    assert coded.surveys.count() == 2
    coded.refresh_from_db()
    assert coded.union_status == "built"


def test_rerun_is_not_recorded_twice_but_a_correction_is(world, tmp_path):
    make_enterprise(world.county_admin, world.county, name="舞钢重复排查有限公司")
    row = ["舞钢重复排查有限公司", "", "410481", "2026-04-01", "否", "职工流动性大", ""]
    path = write_csv(tmp_path / "a.csv", [HEADER, row, row])
    first = run(world, path)
    assert (first.created, first.rejected) == (1, 1)
    assert "与第 2 行是同一企业同一天" in first.errors[0]["message"]
    second = run(world, path)
    assert (second.created, second.rejected) == (0, 2)
    assert "已经导入过" in second.errors[0]["message"]
    corrected = write_csv(tmp_path / "b.csv", [HEADER, [*row[:5], "法人不支持", ""]])
    assert run(world, corrected).created == 1
    assert Survey.objects.count() == 2


def test_unknown_outside_and_invalid_rows(world, tmp_path):
    make_enterprise(world.sibling_admin, world.sibling, name="宝丰外县企业有限公司")
    make_enterprise(world.county_admin, world.county, name="舞钢校验企业有限公司")
    path = write_csv(
        tmp_path / "bad.csv",
        [
            HEADER,
            ["舞钢不存在企业有限公司", "", "410481", "2026-04-01", "否", "", ""],
            ["宝丰外县企业有限公司", "", "410421", "2026-04-01", "否", "", ""],
            ["舞钢校验企业有限公司", "", "410481", "2099-01-01", "也许", "", ""],
            ["舞钢校验企业有限公司", "", "410481", "2026-04-01", "已建会", "规模小", ""],
        ],
    )
    summary = run(world, path)
    assert (summary.rows, summary.created, summary.rejected) == (4, 0, 4)
    by_row = {}
    for error in summary.errors:
        by_row.setdefault(error["row"], []).append(error)
    assert "没有找到" in by_row[2][0]["message"] and by_row[2][0]["field"] == "单位名称"
    assert "没有找到" in by_row[3][0]["message"]  # the sibling's enterprise is not visible
    assert {e["field"] for e in by_row[4]} >= {"排查日期", "是否建会"}
    assert "已建会的企业不填写未建会原因" in by_row[5][0]["message"]
    assert Survey.objects.count() == 0


def test_survey_contradicting_a_linked_union_is_refused(world, tmp_path):
    enterprise = make_enterprise(world.county_admin, world.county, name="舞钢已建会有限公司")
    union_build(actor=world.county_admin, enterprise=enterprise, union=world.county_enterprise)
    path = write_csv(
        tmp_path / "c.csv",
        [HEADER, ["舞钢已建会有限公司", "", "410481", "2026-04-01", "否", "", ""]],
    )
    dry = run(world, path, dry_run=True)
    real = run(world, path)
    assert dry.rejected == real.rejected == 1
    assert "舞钢顺达物流有限公司工会" in real.errors[0]["message"]


def test_unit_narrows_the_match(world, tmp_path):
    make_enterprise(world.city_admin, world.sibling, name="宝丰范围企业有限公司")
    path = write_csv(
        tmp_path / "u.csv",
        [HEADER, ["宝丰范围企业有限公司", "", "410421", "2026-04-01", "否", "", ""]],
    )
    assert run(world, path, actor=world.city_admin, unit=world.county).rejected == 1
    assert run(world, path, actor=world.city_admin, unit=world.sibling).created == 1
