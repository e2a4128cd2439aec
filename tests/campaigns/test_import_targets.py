"""`ruhui import_targets` on the 2015 plan's own table (src/ruhui/demo/data): the 16 units
matched by their short names, the 合计 row kept, the checks the table fails (worked out by hand
below), idempotence, dry runs, unmatched names and the exit status."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import connections

from ruhui.campaigns import services
from ruhui.campaigns.models import Decomposition, Target
from ruhui.orgs.choices import OrgKind
from ruhui.orgs.models import Organization
from tests.factories import OrganizationFactory

SEED = Path(__file__).resolve().parents[2] / "src/ruhui/demo/data/pingdingshan-2015-plan.txt"

# The table as printed in the plan: name → (2014 baseline, 2015 target).
TABLE = {
    "舞钢": (31463, 3500),
    "宝丰": (54062, 8000),
    "叶县": (41777, 5500),
    "鲁山": (6479, 1000),
    "郏县": (57562, 7500),
    "卫东区": (10193, 1500),
    "湛河区": (31971, 4500),
    "新华区": (36726, 5000),
    "石龙区": (16536, 2000),
    "新城区": (2497, 400),
    "高新区": (65, 100),
    "平煤神马": (17442, 3000),
    "工交工会": (0, 2000),
    "建设工会": (1920, 300),
    "财贸工会": (3362, 400),
    "轻纺工会": (2848, 300),
}
# The organizations the names stand for (舞钢, 宝丰 and 工交 are in the shared world).
NEW_UNITS = [
    ("叶县总工会", "YX", OrgKind.COUNTY_FEDERATION, "叶县"),
    ("鲁山县总工会", "LS", OrgKind.COUNTY_FEDERATION, "鲁山"),
    ("郏县总工会", "JX", OrgKind.COUNTY_FEDERATION, "郏县"),
    ("卫东区总工会", "WD", OrgKind.COUNTY_FEDERATION, "卫东区"),
    ("湛河区总工会", "ZH", OrgKind.COUNTY_FEDERATION, "湛河区"),
    ("新华区总工会", "XH", OrgKind.COUNTY_FEDERATION, "新华区"),
    ("石龙区总工会", "SL", OrgKind.COUNTY_FEDERATION, "石龙区"),
    ("新城区工会", "XC", OrgKind.COUNTY_FEDERATION, "新城区"),
    ("高新区工会", "GX", OrgKind.COUNTY_FEDERATION, "高新区"),
    ("中国平煤神马集团工会", "PMSM", OrgKind.ENTERPRISE, "平煤神马"),
    ("平顶山市建设工会", "JS", OrgKind.INDUSTRY_UNION, "建设工会"),
    ("平顶山市财贸工会", "CM", OrgKind.INDUSTRY_UNION, "财贸工会"),
    ("平顶山市轻纺工会", "QF", OrgKind.INDUSTRY_UNION, "轻纺工会"),
]
# Worked out by hand: target ÷ baseline, rounded half up to 0.01 (the checks' rule).
BELOW_15 = {
    "舞钢": "11.12",  # 3500 / 31463 = 11.124 %
    "宝丰": "14.80",  # 8000 / 54062 = 14.798 %
    "叶县": "13.17",  # 5500 / 41777 = 13.165 %
    "郏县": "13.03",  # 7500 / 57562 = 13.030 %
    "卫东区": "14.72",  # 1500 / 10193 = 14.716 %
    "湛河区": "14.08",  # 4500 / 31971 = 14.075 %
    "新华区": "13.61",  # 5000 / 36726 = 13.614 %
    "石龙区": "12.09",  # 2000 / 16536 = 12.095 %
    "财贸工会": "11.90",  # 400 / 3362 = 11.897 %
    "轻纺工会": "10.53",  # 300 / 2848 = 10.534 %
}
# Not below: 鲁山 15.43, 新城区 16.02, 高新区 153.85, 平煤神马 17.20, 建设 15.63; 工交 has no rate.


def test_the_hand_arithmetic():
    """The sums the 合计 row declares, checked by hand: the targets add up to 45,000, the
    baselines to 314,903 (the row says 314,906: three more)."""
    assert sum(target for _b, target in TABLE.values()) == 45000
    assert sum(baseline for baseline, _t in TABLE.values()) == 314903
    for name, (baseline, target) in TABLE.items():
        if not baseline:
            continue
        rate = (Decimal(target) * 100 / baseline).quantize(Decimal("0.01"), "ROUND_HALF_UP")
        assert (rate < 15) == (name in BELOW_15)
        if name in BELOW_15:
            assert str(rate) == BELOW_15[name]


@pytest.fixture
def units(world):
    """name in the table → organization, all under the city."""
    found = {"舞钢": world.county, "宝丰": world.sibling, "工交工会": world.industry}
    for full, code, kind, short in NEW_UNITS:
        found[short] = OrganizationFactory(parent=world.city, name=full, code=code, kind=kind)
    return found


@pytest.fixture
def drive(world):
    """The 2015 drive: +15% on the end of 2014, no number of its own."""
    return services.campaign_create(
        actor=None,
        owner=world.city,
        slug="pds-2015",
        data={
            "name": "平顶山市农民工入会集中行动（2015）",
            "year": 2015,
            "starts_on": datetime.date(2015, 4, 1),
            "ends_on": datetime.date(2015, 12, 31),
            "baseline_on": datetime.date(2014, 12, 31),
            "goal_growth_pct": Decimal("15"),
        },
    )


def import_seed(tmp_path, *extra, name="report.json"):
    report = tmp_path / name
    call_command(
        "import_targets", str(SEED), "--campaign", "pds-2015", "--report", str(report), *extra
    )
    return json.loads(report.read_text(encoding="utf-8"))


def targets(drive):
    return {
        t.unit_id: (t.pk, t.baseline_declared, t.new_members, t.note, t.source)
        for t in Target.objects.filter(campaign=drive)
    }


def test_the_2015_table(world, units, drive, tmp_path, capsys):
    report = import_seed(tmp_path)
    assert report["units"] == 16
    assert report["unmatched"] == [] and report["errors"] == []
    assert {m["name"]: m["unit_id"] for m in report["matched"]} == {
        name: unit.pk for name, unit in units.items()
    }
    assert report["declared"] == {"baseline": 314906, "target": 45000}
    stored = {
        t.unit_id: (t.baseline_declared, t.new_members)
        for t in Target.objects.filter(campaign=drive)
    }
    assert stored == {units[name].pk: figures for name, figures in TABLE.items()}
    table = Decomposition.objects.get(campaign=drive, unit=world.city)
    assert (table.declared_baseline_total, table.declared_target_total) == (314906, 45000)
    assert table.source == "pingdingshan-2015-plan.txt"

    checks = report["checks"]
    by_code = {}
    for check in checks:
        by_code.setdefault(check["code"], []).append(check)
    # The plan's own arithmetic: 45,000 is 14.29% of the baseline, below its +15%.
    (growth,) = by_code["growth_below_policy"]
    assert growth["figures"]["growth_pct"] == "14.29"
    assert growth["figures"]["target"] == 45000
    assert growth["figures"]["needed"] == 47236
    assert growth["level"] == "error"
    # 工交工会: no rate from a zero baseline.
    (zero,) = by_code["zero_baseline"]
    assert zero["unit_id"] == world.industry.pk
    # The ten units whose own targets fall below 15%.
    below = {c["unit_id"]: c["figures"]["growth_pct"] for c in by_code["unit_growth_below_policy"]}
    assert below == {units[name].pk: rate for name, rate in BELOW_15.items()}
    # The targets add up to the declared 45,000; the baselines do not add up to 314,906.
    assert "declared_target_total_mismatch" not in by_code
    (baseline_total,) = by_code["declared_baseline_total_mismatch"]
    assert baseline_total["figures"] == {"declared": 314906, "computed": 314903}
    assert set(by_code) == {
        "growth_below_policy",
        "zero_baseline",
        "unit_growth_below_policy",
        "declared_baseline_total_mismatch",
    }
    out = capsys.readouterr().out
    assert "导入完成：表中 16 个单位，对应上 16 个，未对应 0 个" in out
    assert "基数 314,906 人，任务 45,000 人" in out
    assert f"有 {len(checks)} 项检查未通过" in out
    for check in checks:
        assert check["message"] in out


def test_a_second_import_changes_nothing(world, units, drive, tmp_path):
    first = import_seed(tmp_path, name="first.json")
    before = (
        targets(drive),
        list(
            Decomposition.objects.values(
                "pk", "declared_baseline_total", "declared_target_total", "source"
            )
        ),
    )
    second = import_seed(tmp_path, name="second.json")
    after = (
        targets(drive),
        list(
            Decomposition.objects.values(
                "pk", "declared_baseline_total", "declared_target_total", "source"
            )
        ),
    )
    assert after == before
    assert second == first


def test_a_dry_run_writes_nothing(world, units, drive, tmp_path, capsys):
    dry = import_seed(tmp_path, "--dry-run", name="dry.json")
    assert not Target.objects.exists()
    assert not Decomposition.objects.exists()
    assert "检查（未写入）完成" in capsys.readouterr().out
    real = import_seed(tmp_path, name="real.json")
    assert dry == real


def test_unmatched_names_are_reported_and_the_rest_written(world, units, drive, tmp_path, capsys):
    Organization.objects.filter(pk=units["叶县"].pk).update(name="昆阳镇总工会")
    Organization.objects.filter(pk=units["平煤神马"].pk).update(name="平顶山煤业集团工会")
    report = import_seed(tmp_path)
    assert [(u["name"], u["reason"]) for u in report["unmatched"]] == [
        ("叶县", "unmatched"),
        ("平煤神马", "unmatched"),
    ]
    assert len(report["matched"]) == 14
    assert Target.objects.filter(campaign=drive).count() == 14
    out = capsys.readouterr().out
    assert "未对应 2 个" in out
    assert "第 59 行「叶县」在平顶山市总工会之下找不到对应的工会组织" in out
    # Filling in 简称 makes it match.
    Organization.objects.filter(pk=units["平煤神马"].pk).update(short_name="平煤神马")
    assert len(import_seed(tmp_path)["matched"]) == 15


def test_a_county_unit(world, drive, tmp_path):
    path = tmp_path / "舞钢.csv"
    path.write_text("单位,任务数\n快递行业工会,30\n顺达物流,20\n", encoding="utf-8")
    call_command("import_targets", str(path), "--campaign", "pds-2015", "--unit", "wg")
    assert set(Target.objects.filter(campaign=drive).values_list("unit__code", "new_members")) == {
        ("WG-KD", 30),
        ("WG-E1", 20),
    }
    assert Decomposition.objects.get(campaign=drive).unit == world.county


@pytest.fixture
def exit_status(monkeypatch):
    """What the shell sees: `ruhui import_targets …` exits 1 on a CommandError, else 0. (The
    command line closes the database connections at the end, which would end the test's
    transaction: kept open here.)"""
    monkeypatch.setattr(connections, "close_all", lambda: None)
    return _exit_status


def _exit_status(*argv) -> int:
    try:
        execute_from_command_line(["ruhui", "import_targets", *argv])
    except SystemExit as exit:
        return exit.code
    return 0


def test_exit_status(world, units, drive, tmp_path, capsys, exit_status):
    garbage = tmp_path / "表.xlsx"
    garbage.write_bytes(b"PK\x03\x04" + b"\0" * 200)
    no_header = tmp_path / "表.csv"
    no_header.write_text("单位,联系人\n舞钢,张三\n", encoding="utf-8")
    strangers = tmp_path / "外地.csv"
    strangers.write_text("单位名称,任务数\n郑州,100\n洛阳,200\n", encoding="utf-8")
    seed = str(SEED)
    assert exit_status(seed, "--campaign", "pds-2099") == 1
    assert "没有编号为「pds-2099」的集中行动" in capsys.readouterr().err
    assert exit_status(seed, "--campaign", "pds-2015", "--unit", "NOPE") == 1
    assert "组织代码「NOPE」不存在" in capsys.readouterr().err
    assert exit_status(seed, "--campaign", "pds-2015", "--unit", "HN") == 1  # above the campaign
    assert "不在这次行动的组织单位" in capsys.readouterr().err
    assert exit_status(str(tmp_path / "none.xlsx"), "--campaign", "pds-2015") == 1
    assert exit_status(str(garbage), "--campaign", "pds-2015") == 1
    assert exit_status(str(no_header), "--campaign", "pds-2015") == 1
    assert "找不到表头" in capsys.readouterr().err
    assert exit_status(str(strangers), "--campaign", "pds-2015") == 1
    assert "都找不到对应的工会组织" in capsys.readouterr().err
    assert not Target.objects.exists() and not Decomposition.objects.exists()
    # Ran, with unmatched names and failed checks: 0.
    mixed = tmp_path / "混合.csv"
    mixed.write_text("单位名称,基数,任务数\n舞钢,1000,10\n郑州,1,1\n", encoding="utf-8")
    assert exit_status(str(mixed), "--campaign", "pds-2015") == 0
    assert exit_status(seed, "--campaign", "pds-2015", "--dry-run") == 0
    assert exit_status(seed, "--campaign", "pds-2015") == 0
    assert Target.objects.filter(campaign=drive).count() == 16


def test_command_error_messages_are_the_services(world, drive, tmp_path):
    path = tmp_path / "外地.csv"
    path.write_text("单位名称,任务数\n郑州,100\n", encoding="utf-8")
    with pytest.raises(CommandError, match="「郑州」"):
        call_command("import_targets", str(path), "--campaign", "pds-2015")
