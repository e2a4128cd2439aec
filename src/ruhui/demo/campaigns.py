"""The two campaigns of the seed plans for `make demo`: the 2015 drive with its task table read
from the plan's own text (the 16 units, their declared baselines and targets, and the 合计 row),
and the 2019 drive with its goal, phases, deadlines and the eight groups' responsibility map.
Their figures are computed from the demo registry. Idempotent."""

import datetime
from decimal import Decimal
from pathlib import Path

from ruhui.accounts.models import User
from ruhui.campaigns import services
from ruhui.campaigns.models import Campaign
from ruhui.campaigns.progress import progress_refresh
from ruhui.campaigns.services import MilestoneData, PhaseData
from ruhui.orgs.models import Organization, WorkerGroup

D = datetime.date
DATA = Path(__file__).resolve().parent / "data"
PLAN_2015 = DATA / "pingdingshan-2015-plan.txt"
TABLE_2015 = "平顶山市“农民工入会集中行动”任务分解表（2015 年实施方案附表）.txt"

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


def seed_demo_campaigns() -> dict:
    """Create the 2015 and 2019 campaigns of 平顶山市总工会 if missing, and compute them."""
    if Campaign.objects.filter(slug__in=["pds-2015", "pds-2019"]).exists():
        return {"campaigns": 0}
    from ruhui.campaigns.target_import import target_table_import

    city = Organization.objects.get(code="PDS")
    actor = User.objects.get(username="pds_admin")
    drive_2015 = services.campaign_create(
        actor=actor,
        owner=city,
        slug="pds-2015",
        data={
            "name": "平顶山市农民工入会集中行动（2015）",
            "year": 2015,
            "goal_statement": (
                "至2015年底，全市农民工会员数量较2014年增长15%以上，推进农民工组织化程度取得新突破。"
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
    target_table_import(
        actor=actor,
        campaign=drive_2015,
        unit=city,
        path=PLAN_2015,
        original_name=TABLE_2015,
        dry_run=False,
    )
    groups = {g.code: g for g in WorkerGroup.objects.all()}
    units = {o.code: o for o in Organization.objects.filter(code__in=set(ASSISTING_2019.values()))}
    drive_2019 = services.campaign_create(
        actor=actor,
        owner=city,
        slug="pds-2019",
        data={
            "name": "农民工及灵活就业人员建会入会集中行动（2019）",
            "year": 2019,
            "goal_statement": (
                "聚焦八大群体入会难题，带动农民工入会取得新进展，力争2019年新发展农民工会员2.8万人以上，"
                "完成省总提出的目标任务。"
            ),
            "starts_on": D(2019, 4, 1),
            "ends_on": D(2019, 12, 31),
            "goal_new_members": 28000,
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
    for campaign in (drive_2015, drive_2019):
        progress_refresh(campaign)
    return {"campaigns": 2}
