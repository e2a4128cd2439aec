"""项目清单+责任制 of the demo's 2019 drive (`pds-2019`) for `make demo`: one unit's action plan
at every stage of the chain, each with its leader, contact, work list and believable projects —

- 舞钢市总工会: a draft, ready for wg_admin to submit;
- 宝丰县总工会: submitted, waiting for the city (pds_admin);
- 郏县总工会: returned by the city with its opinion;
- 平顶山市工交工会: consolidated; one subsidy approved by the province and partly paid, another
  sent up in the same batch and waiting for the province (hn_admin or hn_reviewer);
- 新华区总工会: consolidated and reported to the province; one project 合格·已销账, one in
  限期整改 whose deadline (January 2020) is long past: 逾期整改.

Everything is written through `ruhui.projects.services`, as the cadres would, so the events,
audit rows and guards are real. Each step is taken on its day in 2019 (`_on`): the services
stamp a step with the time and check dates against today (a rectification deadline must lie
after the day of the decision), so the demo sets the clock to that day while it takes the step.
The close-out figures are computed from the demo registry up to the day of the review.

Planned members are at the demo registry's scale (its figures are the plans' ÷ 100,
`ruhui.demo.campaigns.SCALE`), so planned and recorded can be compared. Idempotent: nothing
happens when the drive already has plans.
"""

import datetime
from contextlib import contextmanager
from unittest import mock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from ruhui.accounts.models import User
from ruhui.campaigns.models import Campaign
from ruhui.members.selectors import new_member_count
from ruhui.orgs.models import Organization
from ruhui.projects import services
from ruhui.projects.choices import BuildType, ProjectKind, ServiceCategory
from ruhui.projects.models import ActionPlan
from ruhui.projects.selectors import union_candidates

D = datetime.date
SLUG = "pds-2019"


@contextmanager
def _on(day: datetime.date, hour: int = 10):
    """Take the steps inside on `day` (see the module docstring): the services' clock and
    today are that day's, at `hour` o'clock local time."""
    moment = datetime.datetime(
        day.year, day.month, day.day, hour, tzinfo=ZoneInfo(settings.TIME_ZONE)
    )
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


def _build(build_type: str, name: str, **fields) -> dict:
    return {"kind": ProjectKind.BUILD, "build_type": build_type, "name": name, **fields}


def _service(category: str, name: str, **fields) -> dict:
    return {"kind": ProjectKind.SERVICE, "category": category, "name": name, **fields}


#: Per unit: the plan's header, its work list and its projects ("responsible" is the code of the
#: responsible unit, "existing" of the existing union).
PLANS = {
    "WG": {
        "header": {
            "leader_name": "张卫东",
            "leader_title": "舞钢市总工会党组书记、常务副主席",
            "contact_name": "刘晓燕",
            "contact_phone": "13837512086",
            "scheme_submitted_on": D(2019, 5, 8),
        },
        "tasks": [
            ("召开建会入会集中行动动员部署会", "市总工会组织部", D(2019, 4, 19), D(2019, 4, 18)),
            ("出台舞钢市集中行动实施方案", "市总工会办公室", D(2019, 5, 10), D(2019, 5, 8)),
            ("快递、货运企业拉网式排查，五清一推进", "各街道（乡镇）工会", D(2019, 5, 31), None),
            ("报送“项目清单+责任制”行动计划", "市总工会组织部", D(2019, 6, 20), None),
            ("项目推进情况每两月通报一次", "市总工会组织部", D(2019, 11, 30), None),
        ],
        "projects": [
            _build(
                BuildType.EXISTING,
                "舞钢快递行业工会",
                existing="WG-KD",
                division_code="410481",
                address="舞钢市垭口街道朱兰大道快递物流集散中心",
                planned_members=12,
                responsible="WG-KD",
                responsible_person="李红梅",
                responsible_phone="13703758216",
                due_on=D(2019, 9, 30),
                groups=["02"],
            ),
            _build(
                BuildType.ENTERPRISE,
                "舞钢市安顺货运有限公司工会",
                division_code="410481",
                address="舞钢市垭口街道钢城路 18 号",
                planned_members=8,
                responsible="WG-T1",
                responsible_person="王建国",
                responsible_phone="13937580412",
                due_on=D(2019, 8, 31),
                groups=["01"],
            ),
            _service(
                ServiceCategory.FOUR_SEASONS,
                "夏送清凉进快递网点和货运站",
                starts_on=D(2019, 7, 1),
                ends_on=D(2019, 8, 31),
                planned_coverage=600,
                responsible="WG",
                responsible_person="刘晓燕",
                responsible_phone="13837512086",
                groups=["01", "02"],
            ),
        ],
    },
    "BF": {
        "header": {
            "leader_name": "孙明亮",
            "leader_title": "宝丰县总工会副主席",
            "contact_name": "赵静",
            "contact_phone": "13623756618",
            "scheme_submitted_on": D(2019, 5, 9),
        },
        "tasks": [
            ("出台宝丰县集中行动实施方案", "县总工会办公室", D(2019, 5, 10), D(2019, 5, 9)),
            ("商贸物流园区企业排查", "城关镇工会", D(2019, 5, 31), D(2019, 5, 29)),
            ("报送“项目清单+责任制”行动计划", "县总工会基层工作部", D(2019, 6, 20), D(2019, 6, 20)),
            ("组建网约送餐员联合工会", "县总工会基层工作部", D(2019, 9, 30), None),
        ],
        "projects": [
            _build(
                BuildType.JOINT,
                "宝丰网约送餐员联合工会",
                division_code="410421",
                address="宝丰县城关镇商贸物流园区",
                planned_members=10,
                responsible="BF",
                responsible_person="赵静",
                responsible_phone="13623756618",
                due_on=D(2019, 9, 30),
                groups=["06"],
            ),
            _build(
                BuildType.TRADE_REGIONAL,
                "宝丰县周庄镇货运物流行业工会联合会",
                division_code="410421",
                address="宝丰县周庄镇 207 国道货运停车场",
                planned_members=15,
                responsible="BF-T1",
                responsible_person="王建国",
                responsible_phone="13523751190",
                due_on=D(2019, 10, 31),
                groups=["01"],
            ),
            _service(
                ServiceCategory.TRAINING,
                "新就业形态劳动者职业技能和安全培训",
                starts_on=D(2019, 8, 1),
                ends_on=D(2019, 11, 30),
                planned_coverage=300,
                responsible="BF",
                responsible_person="孙明亮",
                responsible_phone="13603751327",
                groups=["02", "06"],
            ),
        ],
    },
    "JX": {
        "header": {
            "leader_name": "马国强",
            "leader_title": "郏县总工会党组书记、常务副主席",
            "contact_name": "郭丽",
            "contact_phone": "13849580223",
            "scheme_submitted_on": D(2019, 5, 10),
        },
        "tasks": [
            ("出台郏县集中行动实施方案", "县总工会办公室", D(2019, 5, 10), D(2019, 5, 10)),
            ("家政、物业企业排查", "龙山街道工会", D(2019, 5, 31), D(2019, 5, 31)),
            ("报送“项目清单+责任制”行动计划", "县总工会组织部", D(2019, 6, 20), D(2019, 6, 13)),
        ],
        "projects": [
            _build(
                BuildType.ENTERPRISE,
                "郏县众信家政服务有限公司工会",
                division_code="410425",
                address="郏县龙山街道广阔天地大道 66 号",
                planned_members=10,
                responsible="JX-T1",
                responsible_person="陈素英",
                responsible_phone="",
                due_on=D(2019, 8, 31),
                groups=["04"],
            ),
            _service(
                ServiceCategory.BENEFITS,
                "农民工会员普惠服务卡办理",
                starts_on=D(2019, 6, 1),
                ends_on=D(2019, 12, 31),
                planned_coverage=500,
                responsible="JX",
                responsible_person="郭丽",
                responsible_phone="13849580223",
                groups=[],
            ),
        ],
    },
    "GJ": {
        "header": {
            "leader_name": "李国华",
            "leader_title": "平顶山市工交工会主席",
            "contact_name": "周敏",
            "contact_phone": "0375-2935116",
            "scheme_submitted_on": D(2019, 5, 9),
        },
        "tasks": [
            ("出台工交系统集中行动实施方案", "市工交工会办公室", D(2019, 5, 10), D(2019, 5, 9)),
            ("货运、快递、外卖平台企业排查", "各行业工会", D(2019, 5, 31), D(2019, 5, 30)),
            ("报送“项目清单+责任制”行动计划", "市工交工会组织部", D(2019, 6, 20), D(2019, 6, 14)),
            ("“司机之家”服务站建成投用", "市道路货运行业工会", D(2019, 10, 31), None),
        ],
        "projects": [
            _build(
                BuildType.JOINT,
                "平顶山市网约送餐员联合工会",
                division_code="410402",
                address="平顶山市新华区建设路美团、饿了么配送站",
                planned_members=15,
                responsible="GJ",
                responsible_person="周敏",
                responsible_phone="13598417735",
                due_on=D(2019, 9, 30),
                groups=["06"],
                subsidy=("30000", "网约送餐员联合工会组建启动和会员服务经费"),
            ),
            _build(
                BuildType.TRADE_REGIONAL,
                "平顶山市道路货运行业工会",
                division_code="410400",
                address="平顶山市卫东区 311 国道物流港",
                planned_members=12,
                responsible="GJ",
                responsible_person="李国华",
                responsible_phone="13903751580",
                due_on=D(2019, 7, 31),
                groups=["01"],
            ),
            _service(
                ServiceCategory.POSTS,
                "“司机之家”工会服务站建设",
                starts_on=D(2019, 7, 1),
                ends_on=D(2019, 10, 31),
                planned_coverage=1200,
                responsible="GJ-HY",
                responsible_person="韩志刚",
                responsible_phone="13783265019",
                groups=["01"],
                subsidy=("20000", "服务站休息区、饮水设备和法律咨询角建设"),
            ),
        ],
    },
    "XH": {
        "header": {
            "leader_name": "杜志远",
            "leader_title": "新华区总工会党组书记、常务副主席",
            "contact_name": "宋雅琴",
            "contact_phone": "13673756590",
            "scheme_submitted_on": D(2019, 5, 7),
        },
        "tasks": [
            ("出台新华区集中行动实施方案", "区总工会办公室", D(2019, 5, 10), D(2019, 5, 7)),
            ("快递网点、物流企业排查", "矿工路街道工会", D(2019, 5, 31), D(2019, 5, 28)),
            ("报送“项目清单+责任制”行动计划", "区总工会组织部", D(2019, 6, 20), D(2019, 6, 12)),
            ("报送项目实施绩效自评报告", "区总工会组织部", D(2019, 12, 10), None),
        ],
        "projects": [
            _build(
                BuildType.EXISTING,
                "新华快递行业工会",
                existing="XH-KD",
                division_code="410402",
                address="平顶山市新华区矿工路快递园区",
                planned_members=5,
                responsible="XH-KD",
                responsible_person="李红梅",
                responsible_phone="13782433517",
                due_on=D(2019, 11, 30),
                groups=["02"],
                outcome="closed",
            ),
            _build(
                BuildType.ENTERPRISE,
                "平顶山市鹰城物流园有限公司工会",
                division_code="410402",
                address="平顶山市新华区焦店镇鹰城物流园",
                planned_members=15,
                responsible="XH",
                responsible_person="宋雅琴",
                responsible_phone="13673756590",
                due_on=D(2019, 10, 31),
                groups=["01"],
                outcome="rectifying",
            ),
        ],
    },
}

RETURN_OPINION = (
    "项目清单中没有货车司机群体的建会入会项目，请结合排查情况补充；"
    "众信家政服务有限公司工会项目未填写责任人电话，请补齐后重新报送。"
)
#: The days of the drive's steps (立项审核 May–June, 推进实施, 考核评比 December).
DAYS = {
    "WG": D(2019, 5, 20),
    "BF": D(2019, 6, 20),
    "JX": D(2019, 6, 13),
    "JX_RETURNED": D(2019, 6, 19),
    "XH": D(2019, 6, 12),
    "XH_CONSOLIDATED": D(2019, 6, 18),
    "REPORTED": D(2019, 6, 25),
    "GJ": D(2019, 6, 14),
    "GJ_CONSOLIDATED": D(2019, 6, 28),
    "STARTED": D(2019, 7, 1),
    "SUBSIDY_APPLIED": D(2019, 7, 2),
    "SUBSIDY_RECOMMENDED": D(2019, 7, 5),
    "SUBSIDY_SENT": D(2019, 7, 8),
    "SUBSIDY_APPROVED": D(2019, 7, 15),
    "PAID": D(2019, 7, 30),
    "UPDATE": D(2019, 9, 16),
    "UNIONS_RECORDED": D(2019, 9, 20),
    "ASSESSED": D(2019, 12, 6),
    "DECIDED": D(2019, 12, 20),
}
RECTIFY_BY = D(2020, 1, 31)
NOTICE = ("豫工基〔2019〕21号", D(2019, 7, 15))


def seed_demo_projects() -> dict:
    """The action plans of `pds-2019` at every stage (see the module docstring), once."""
    campaign = Campaign.objects.select_related("owner").filter(slug=SLUG).first()
    if campaign is None or ActionPlan.objects.filter(campaign=campaign).exists():
        return {"plans": 0}
    users = {u.username: u for u in User.objects.filter(username__in=ACTORS.values())}
    plans = {
        code: _draft(campaign, code, users[ACTORS[code]]) for code in ("XH", "JX", "GJ", "BF", "WG")
    }
    city, province = users["pds_admin"], users["hn_reviewer"]

    with _on(DAYS["XH_CONSOLIDATED"]):
        services.plan_consolidate(actor=city, plan=plans["XH"], opinion="项目清单完整，同意汇总。")
    with _on(DAYS["JX_RETURNED"]):
        services.plan_return(actor=city, plan=plans["JX"], opinion=RETURN_OPINION)
    with _on(DAYS["REPORTED"]):
        services.campaign_report(actor=city, campaign=campaign)
    with _on(DAYS["GJ_CONSOLIDATED"]):
        services.plan_consolidate(
            actor=city, plan=plans["GJ"], opinion="同意汇总，补助申请另行初审。"
        )

    _carry_out(plans["GJ"], users["gj_admin"])
    _carry_out(plans["XH"], users["xh_admin"])
    with _on(DAYS["UNIONS_RECORDED"]):
        _record_founded_unions(plans["GJ"], users["gj_admin"])
    subsidies = _subsidies(campaign, plans["GJ"], users["gj_admin"], city)
    with _on(DAYS["SUBSIDY_APPROVED"]):
        services.subsidy_province_review(
            actor=province,
            subsidy=subsidies[0],
            approve=True,
            opinion="符合补助条件，核定补助 25,000 元，按立项通知下拨。",
            approved_amount="25000",
            notice_number=NOTICE[0],
            notice_on=NOTICE[1],
        )
    with _on(DAYS["PAID"]):
        services.disbursement_record(
            actor=users["hn_admin"],
            subsidy=subsidies[0],
            amount="15000",
            paid_on=DAYS["PAID"],
            voucher_number="豫工财拨〔2019〕0730-06",
        )
    _close_out(campaign, plans["XH"], users["xh_admin"], city)
    return {"plans": len(plans)}


#: The cadre who drafts each unit's plan.
ACTORS = {
    "WG": "wg_admin",
    "BF": "bf_admin",
    "JX": "jx_admin",
    "GJ": "gj_admin",
    "XH": "xh_admin",
    "PDS": "pds_admin",
    "HN": "hn_reviewer",
    "HN_ADMIN": "hn_admin",
}


def _draft(campaign: Campaign, code: str, actor) -> ActionPlan:
    """The unit's plan written on its header's day, its work list and projects added, and
    submitted on its day (舞钢's stays a draft)."""
    spec = PLANS[code]
    units = {
        o.code: o
        for o in Organization.objects.filter(
            code__in={code}
            | {p.get("responsible") for p in spec["projects"]}
            | {p.get("existing") for p in spec["projects"]}
        )
    }
    with _on(spec["header"]["scheme_submitted_on"]):
        plan = services.plan_open(actor=actor, campaign=campaign, unit=units[code])
        services.plan_update(actor=actor, plan=plan, data=spec["header"])
    with _on(DAYS[code]):
        for task, owner, due_on, done_on in spec["tasks"]:
            if done_on is not None and done_on > DAYS[code]:
                done_on = None  # not done yet on the day the list was written
            data = {"task": task, "owner": owner, "due_on": due_on, "done_on": done_on}
            services.task_save(actor=actor, plan=plan, data=data)
        for fields in spec["projects"]:
            data = {
                k: v
                for k, v in fields.items()
                if k not in ("responsible", "existing", "subsidy", "outcome")
            }
            data["responsible_unit"] = units[fields["responsible"]]
            data["existing_union"] = units.get(fields.get("existing"))
            services.project_save(actor=actor, plan=plan, data=data)
        if code != "WG":
            plan = services.plan_submit(actor=actor, plan=plan)
    return plan


def _carry_out(plan: ActionPlan, actor) -> None:
    """推进实施: the unit starts its projects and notes its progress."""
    projects = list(plan.projects.order_by("position"))
    with _on(DAYS["STARTED"]):
        for project in projects:
            services.project_start(actor=actor, project=project)
    with _on(DAYS["UPDATE"]):
        for project in projects:
            services.project_update_add(
                actor=actor, project=project, on=DAYS["UPDATE"], text=PROGRESS[project.kind]
            )


def _record_founded_unions(plan: ActionPlan, actor) -> None:
    """The unit names the union each 建会 project founded: the new union of the project's name
    (the demo tree founds 工交's 货运行业工会 and 网约送餐员联合工会 in 2019)."""
    for project in plan.projects.filter(kind=ProjectKind.BUILD).exclude(
        build_type=BuildType.EXISTING
    ):
        union = union_candidates(project=project).filter(name=project.name).first()
        if union is not None:
            services.project_union_link(actor=actor, project=project, union=union)


PROGRESS = {
    ProjectKind.BUILD: "已召开企业负责人和职工代表座谈会，成立建会筹备组，入会登记表已发放。",
    ProjectKind.SERVICE: "场地已落实，首批活动已开展，服务情况和照片已整理归档。",
}


def _subsidies(campaign: Campaign, plan: ActionPlan, actor, city) -> list:
    """The unit applies for the subsidies its plan names; the city recommends them (one cut
    down) and sends them up in one batch."""
    wanted = {p["name"]: p["subsidy"] for p in PLANS[plan.unit.code]["projects"] if "subsidy" in p}
    projects = [p for p in plan.projects.order_by("position") if p.name in wanted]
    with _on(DAYS["SUBSIDY_APPLIED"]):
        subsidies = [
            services.subsidy_apply(
                actor=actor, project=p, amount=wanted[p.name][0], purpose=wanted[p.name][1]
            )
            for p in projects
        ]
    with _on(DAYS["SUBSIDY_RECOMMENDED"]):
        services.subsidy_city_review(
            actor=city,
            subsidy=subsidies[0],
            decision="recommend",
            opinion="启动经费测算偏高，建议按 28,000 元补助。",
            recommended_amount="28000",
        )
        services.subsidy_city_review(
            actor=city, subsidy=subsidies[1], decision="recommend", opinion="同意申报。"
        )
    with _on(DAYS["SUBSIDY_SENT"]):
        services.subsidy_send_up(actor=city, campaign=campaign)
    return subsidies


def _close_out(campaign: Campaign, plan: ActionPlan, actor, city) -> None:
    """考核评比: the unit's self-assessments (its claim for the existing union: the members the
    registry holds); the city's decisions against the records."""
    spec = {p["name"]: p for p in PLANS[plan.unit.code]["projects"]}
    projects = list(plan.projects.select_related("existing_union").order_by("position"))
    with _on(DAYS["ASSESSED"]):
        for project in projects:
            if spec[project.name]["outcome"] == "closed":
                claimed = new_member_count(
                    user=actor,
                    start=campaign.starts_on,
                    end=DAYS["ASSESSED"],
                    root=project.existing_union,
                    migrant=True if campaign.migrant_only else None,
                )
                text = f"行业工会覆盖辖区快递网点，新发展快递员会员 {claimed} 人，已全部录入实名制名册。"
            else:
                claimed = project.planned_members
                text = f"已召开职工大会筹备建会，发展会员 {claimed} 人，会员信息正在整理。"
            services.assessment_submit(
                actor=actor, project=project, data={"text": text, "claimed_members": claimed}
            )
    with _on(DAYS["DECIDED"]):
        for project in projects:
            if spec[project.name]["outcome"] == "closed":
                services.project_decide(
                    actor=city,
                    project=project,
                    qualified=True,
                    opinion="核验入会名册，新发展会员达到拟发展会员数，合格，予以销账。",
                )
            else:
                services.project_decide(
                    actor=city,
                    project=project,
                    qualified=False,
                    opinion="入会名册中未查到该企业工会及其会员，自报人数没有实名信息支撑；"
                    "请在期限内完成建会并录入会员实名信息后重新报送自评。",
                    rectify_by=RECTIFY_BY,
                )
