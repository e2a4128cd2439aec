"""The two campaigns of the seed plans for `make demo`: the 2015 drive with its task table read
from the plan's own text (the 16 units, their declared baselines and targets, and the 合计 row),
and the 2019 drive with its goal, phases, deadlines, the eight groups' responsibility map and a
decomposition to every county and industry union. Their figures are computed from the demo
registry. Idempotent.

Why the demo's targets are the plans' figures ÷ 100 (SCALE). The plans ask for tens of
thousands of new members (2015: 45,000 in the table, 47,236 by the plan's own 15%; 2019:
28,000); the demo registry holds about 3,000 invented people, and every figure a dashboard shows
is counted from those records, so nothing can be typed in to make a drive look busy. Kept at
the plans' size, every unit would sit at 0–3% of its target: a cadre would see a broken system,
not a drive. So the demo registry is a 1:100 model of the city: each target is the plan's figure
÷ 100 (each 2015 baseline too, so every growth rate and every check on the table stays what it
is in the plan: 14.29% against 15%, 工交工会 with a baseline of 0, ten units below 15%), and the
registry holds, per unit, the 农民工 who joined in each window (`DRIVES`: some ahead of target,
some behind, one at 0 with its reason in its task line). Nothing hides the scaling: the goal
statement says it on the dashboard, every task line's 备注 gives the plan's own figures, the
decomposition's source names it, and the plan's table itself stays in `data/` (uploading it on
the 任务分解 page shows its own checks, the 合计 row's three extra people among them).
"""

import csv
import datetime
import tempfile
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from ruhui.accounts.models import User
from ruhui.campaigns import services
from ruhui.campaigns.checks import needed_for
from ruhui.campaigns.models import Campaign
from ruhui.campaigns.progress import progress_refresh
from ruhui.campaigns.services import MilestoneData, PhaseData, TargetLine
from ruhui.orgs.models import Organization, WorkerGroup

D = datetime.date
DATA = Path(__file__).resolve().parent / "data"
PLAN_2015 = DATA / "pingdingshan-2015-plan.txt"
TABLE_2015 = "平顶山市“农民工入会集中行动”任务分解表（2015 年实施方案附表）.txt"
#: Every target of the demo drives is the plan's figure ÷ SCALE (see the module docstring).
SCALE = 100
#: The demo table's file name (its decomposition's 来源): a file name cannot hold "1/100".
DEMO_TABLE_2015 = (
    "平顶山市“农民工入会集中行动”任务分解表（演示数据：2015 年实施方案附表原数的百分之一）.csv"
)
SOURCE_2019 = (
    "演示数据：2019 年实施方案未附任务分解表，按各县（市、区）规模和八大群体分工拟定，"
    "取拟定数的 1/100"
)

SECTORS_2015 = """产业集聚区（开发区、工业园区）
村（社区）
建筑项目（大中型在建项目；街道工会联合会覆盖小型项目）
物流（快递）业
物业公司
农业专业合作组织"""

#: The 2019 plan: which union assists the drive for each group city-wide.
ASSISTING_2019 = {
    "03": "KJWWT",  # 护工护理员 → 市科教文卫体工会
    "07": "JS",  # 房产中介员 → 市建设工会
    "01": "GJ",  # 货车司机 → 市工交工会
    "02": "GJ",  # 快递员
    "06": "GJ",  # 网约送餐员
    "04": "CM",  # 家政服务员 → 市财贸工会
    "05": "CM",  # 商场信息员
    "08": "SZ",  # 保安员 → 市直工会
}

#: The 2019 plan has no task table: the demo's split of its 28,000 to the eleven counties and
#: the seven city-level units, at the plan's scale (the counties in proportion to their 2015
#: tasks; 工交、财贸、建设、科教文卫体 and 市直 for the groups the plan makes them responsible for).
SPLIT_2019 = {
    "WG": 2000,
    "BF": 3600,
    "YX": 2800,
    "LS": 800,
    "JX": 3200,
    "WD": 1200,
    "ZH": 2400,
    "XH": 2600,
    "SL": 700,
    "XC": 500,
    "GX": 300,
    "PMSM": 1500,
    "GJ": 3000,
    "JS": 600,
    "CM": 1200,
    "QF": 200,
    "KJWWT": 800,
    "SZ": 600,
}
GOAL_2019 = 28000

#: The unit at 0 in each drive, and why: written in its task line's 备注.
PAUSED_2015 = ("XC", "新城区工会本年度组织调整，基层工会2016年起陆续组建，入会工作顺延至下年度。")
PAUSED_2019 = ("SL", "该区本年度工会组织调整，入会工作顺延。")


@dataclass(frozen=True)
class Drive:
    """What the demo registry holds for one drive: per unit directly under the city, the
    农民工 whose first join falls in the window (the dashboard's 新发展会员), at the default
    demo size (`DESIGN_MEMBERS`; a smaller registry holds proportionally fewer), and how the
    joins spread over the window's months (slow while the drive is announced, most while it
    is carried out)."""

    slug: str
    starts_on: datetime.date
    ends_on: datetime.date
    months: dict[int, float]
    joined: dict[str, int]
    favour_groups: bool  # the 2019 drive: joins lean to the unions of the eight groups


#: The registry size the drives' figures are designed for (ruhui.demo.world.DEMO_MEMBERS).
DESIGN_MEMBERS = 3000
DRIVES = (
    # Targets (÷100): WG 35 BF 80 YX 55 LS 10 JX 75 WD 15 ZH 45 XH 50 SL 20 XC 4 GX 1 PMSM 30
    # GJ 20 JS 3 CM 4 QF 3 (KJWWT and SZ are not in the table); the city's 473 (15% of 3,150).
    Drive(
        slug="pds-2015",
        starts_on=D(2015, 4, 1),
        ends_on=D(2015, 12, 31),
        months={4: 4, 5: 7, 6: 11, 7: 12, 8: 12, 9: 13, 10: 12, 11: 8, 12: 6},
        joined={
            "WG": 39,  # 111%
            "BF": 75,  # 94%
            "YX": 43,  # 78%
            "LS": 13,  # 130%
            "JX": 64,  # 85%
            "WD": 18,  # 120%
            "ZH": 32,  # 71%
            "XH": 52,  # 104%
            "SL": 13,  # 65%
            "XC": 0,  # PAUSED_2015
            "GX": 2,  # 200%
            "PMSM": 32,  # 107%
            "GJ": 11,  # 55%
            "JS": 4,  # 133%
            "CM": 3,  # 75%
            "QF": 2,  # 67%
            "SZ": 3,  # no target
        },
        favour_groups=False,
    ),
    # Targets (÷100): SPLIT_2019 / 100, the city's 280.
    Drive(
        slug="pds-2019",
        starts_on=D(2019, 4, 1),
        ends_on=D(2019, 12, 31),
        months={4: 3, 5: 5, 6: 8, 7: 11, 8: 13, 9: 14, 10: 15, 11: 14, 12: 8},
        joined={
            "WG": 24,  # 120%
            "BF": 33,  # 92%
            "YX": 23,  # 82%
            "LS": 6,  # 75%
            "JX": 36,  # 112%
            "WD": 11,  # 92%
            "ZH": 16,  # 67%
            "XH": 27,  # 104%
            "SL": 0,  # PAUSED_2019
            "XC": 7,  # 140%
            "GX": 4,  # 133%
            "PMSM": 12,  # 80%
            "GJ": 42,  # 140%
            "JS": 5,  # 83%
            "CM": 14,  # 117%
            "QF": 1,  # 50%
            "KJWWT": 8,  # 100%
            "SZ": 4,  # 67%
        },
        favour_groups=True,
    ),
)


def scaled(figure: int | None) -> int | None:
    """A plan's figure in the demo (÷ SCALE, rounded half up)."""
    if figure is None:
        return None
    return int((Decimal(figure) / SCALE).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _plan_table_2015():
    from ruhui.campaigns.target_tables import read_target_table

    return read_target_table(PLAN_2015, TABLE_2015)


def _demo_table_2015(table, folder: Path) -> Path:
    """The plan's task table at the demo's scale, as a cadre would upload it: each line's 备注
    gives the plan's own figures (and, for the unit at 0, the reason); the 合计 row adds up."""
    path = folder / "demo-2015.csv"
    paused, reason = PAUSED_2015
    from ruhui.demo.world import SHORT

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["单位名称", "2014年底农民工会员数（人）", "2015新增任务数（人）", "备注"])
        baselines = targets = 0
        for row in table.rows:
            note = f"方案附表原数：基数 {row.baseline:,} 人，任务 {row.target:,} 人。"
            if row.name == SHORT[paused]:
                note += reason
            baseline, target = scaled(row.baseline), scaled(row.target)
            baselines += baseline
            targets += target
            writer.writerow([row.name, baseline, target, note])
        writer.writerow(["合计", baselines, targets, ""])
    return path


def _goal_note_2015(table) -> str:
    from ruhui.campaigns.target_tables import BASELINE, TARGET

    declared = table.declared[BASELINE]
    lines = sum(row.baseline or 0 for row in table.rows)
    return (
        f"（演示数据：会员名册是虚构的；任务分解按实施方案附表原数的 1/{SCALE} 设定。"
        f"附表原数：合计行基数 {declared:,} 人（16 行相加 {lines:,} 人），任务合计 "
        f"{table.declared[TARGET]:,} 人，按增长 15% 应为 {needed_for(declared, Decimal(15)):,} 人；"
        "各单位原数见任务分解的备注。）"
    )


def seed_demo_campaigns() -> dict:
    """Create the 2015 and 2019 campaigns of 平顶山市总工会 if missing, decompose them and
    compute their figures."""
    if Campaign.objects.filter(slug__in=["pds-2015", "pds-2019"]).exists():
        return {"campaigns": 0}
    from ruhui.campaigns.target_import import target_table_import

    city = Organization.objects.get(code="PDS")
    actor = User.objects.get(username="pds_admin")
    plan_table = _plan_table_2015()
    drive_2015 = services.campaign_create(
        actor=actor,
        owner=city,
        slug="pds-2015",
        data={
            "name": "平顶山市农民工入会集中行动（2015）",
            "year": 2015,
            "goal_statement": (
                "至2015年底，全市农民工会员数量较2014年增长15%以上，推进农民工组织化程度取得新突破。\n"
                + _goal_note_2015(plan_table)
            ),
            "starts_on": D(2015, 4, 1),
            "ends_on": D(2015, 12, 31),
            "baseline_on": D(2014, 12, 31),
            "goal_growth_pct": Decimal("15"),
            "migrant_only": True,
            "focus_sectors": SECTORS_2015,
        },
        phases=[
            PhaseData("宣传发动", D(2015, 4, 1), D(2015, 5, 31), "制定具体工作方案，周密组织实施"),
            PhaseData(
                "推进实施", D(2015, 5, 1), D(2015, 10, 31), "聚焦重点区域和行业；市总适时调研督查"
            ),
            PhaseData(
                "总结交流", D(2015, 11, 1), D(2015, 12, 31), "交流观摩，年底前形成专题报告报送市总"
            ),
        ],
        milestones=[
            MilestoneData("各地制定具体工作方案", D(2015, 5, 31), "宣传发动阶段"),
            MilestoneData("向市总报送集中行动专题报告", D(2015, 12, 31), "年底前"),
        ],
    )
    with tempfile.TemporaryDirectory(prefix="ruhui-demo-") as folder:
        target_table_import(
            actor=actor,
            campaign=drive_2015,
            unit=city,
            path=_demo_table_2015(plan_table, Path(folder)),
            original_name=DEMO_TABLE_2015,
            dry_run=False,
        )
    groups = {g.code: g for g in WorkerGroup.objects.all()}
    units = {o.code: o for o in Organization.objects.filter(code__in=set(SPLIT_2019))}
    drive_2019 = services.campaign_create(
        actor=actor,
        owner=city,
        slug="pds-2019",
        data={
            "name": "农民工及灵活就业人员建会入会集中行动（2019）",
            "year": 2019,
            "goal_statement": (
                "聚焦八大群体入会难题，带动农民工入会取得新进展，力争2019年新发展农民工会员2.8万人以上，"
                "完成省总提出的目标任务。\n"
                f"（演示数据：会员名册是虚构的；目标按方案原数的 1/{SCALE} 设定为 "
                f"{scaled(GOAL_2019):,} 人（方案 {GOAL_2019:,} 人）。方案未附任务分解表，分解到各县"
                "（市、区）和产业工会的任务是演示拟定的，拟定数见任务分解的备注。）"
            ),
            "starts_on": D(2019, 4, 1),
            "ends_on": D(2019, 12, 31),
            "goal_new_members": scaled(GOAL_2019),
            "migrant_only": True,
        },
        focus_groups=[groups[code] for code in sorted(ASSISTING_2019)],
        phases=[
            PhaseData(
                "调查摸底",
                D(2019, 4, 1),
                D(2019, 5, 31),
                "拉网式排查，五清一推进；5月初出台实施方案",
            ),
            PhaseData(
                "立项审核", D(2019, 5, 1), D(2019, 6, 30), "列出项目清单，报市总汇总后上报省总"
            ),
            PhaseData(
                "推进实施", D(2019, 6, 1), D(2019, 11, 30), "落实“项目清单+责任制”；每两月通报"
            ),
            PhaseData(
                "考核评比", D(2019, 12, 1), D(2019, 12, 31), "绩效自评，审核认定，销账或限期整改"
            ),
        ],
        milestones=[
            MilestoneData("县（市、区）工会、产业工会出台实施方案", D(2019, 5, 10), "5月初"),
            MilestoneData("报送“项目清单+责任制”行动计划", D(2019, 6, 30), "立项审核阶段末"),
            MilestoneData("报送项目实施绩效自评报告", D(2019, 12, 31), "考核评比阶段"),
        ],
        assignments=[(groups[code], units[unit]) for code, unit in sorted(ASSISTING_2019.items())],
    )
    services.decomposition_save(
        actor=actor,
        campaign=drive_2019,
        unit=city,
        lines=[_line_2019(units[code], planned) for code, planned in SPLIT_2019.items()],
        declared_target_total=sum(scaled(planned) for planned in SPLIT_2019.values()),
        source=SOURCE_2019,
    )
    for campaign in (drive_2015, drive_2019):
        progress_refresh(campaign)
    return {"campaigns": 2}


def _line_2019(unit: Organization, planned: int) -> TargetLine:
    note = f"演示拟定 {planned:,} 人（方案未附分解表），按 1/{SCALE} 计。"
    if unit.code == PAUSED_2019[0]:
        note += PAUSED_2019[1]
    return TargetLine(unit, None, scaled(planned), note)
