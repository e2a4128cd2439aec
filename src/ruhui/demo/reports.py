"""月报 of the demo's 2019 drive (`pds-2019`) for `make demo`: the 18 reporting units' monthly
reports for June–October 2019, as the cadres would have written them —

- most submitted by the 5th of the next month and read (已阅) by the city a few days later;
- some late (a few days after the 5th), so the matrix shows 迟报 N 天;
- 郏县总工会's September report returned by the city with its opinion (退回);
- October: the last four submitted are waiting for the city (已报送), and two units
  (`MISSING_OCTOBER`) never submitted theirs: pds_admin sees who has not reported.

Every step goes through `ruhui.reports.services` on its day in 2019 (`projects._on` sets the
clock), so the events, audit rows, guards and the frozen figures are real. The demo has
sign-in accounts for five units only; each other reporting unit writes through a 月报填报员
account that cannot sign in (no usable password). Idempotent: nothing happens when the drive
already has reports.
"""

import datetime

from ruhui.accounts.models import Role, User
from ruhui.campaigns.models import Campaign
from ruhui.demo.projects import SLUG, _on
from ruhui.reports import services
from ruhui.reports.models import MonthlyReport
from ruhui.reports.selectors import reporting_units

D = datetime.date
MONTHS = ["2019-06", "2019-07", "2019-08", "2019-09", "2019-10"]
#: Units (by code) whose October report never came.
MISSING_OCTOBER = ("SL", "XC")
#: (unit code, month) → days after the due date the report was submitted.
LATE = {
    ("LS", "2019-06"): 3,
    ("YX", "2019-07"): 6,
    ("SL", "2019-07"): 2,
    ("XC", "2019-08"): 9,
    ("WD", "2019-09"): 4,
    ("SL", "2019-09"): 11,
}
RETURNED = ("JX", "2019-09")
RETURN_OPINION = (
    "九月份月报的“典型经验和创新做法”过于笼统，请结合快递、外卖送餐等新就业形态劳动者入会"
    "的具体做法补充完善后重新报送。"
)
#: The city's reviewer reads a report this many days after it came.
READ_AFTER = 3
#: October reports submitted after this day wait for the city (已报送).
OCTOBER_READ_UNTIL = D(2019, 11, 6)

THEMES = {
    "2019-06": {
        "progress": (
            "召开集中行动动员部署会，印发实施方案，成立由工会主要负责同志任组长的工作专班；"
            "在快递网点、物流园区和外卖站点张贴入会二维码，开展“入会宣传进网点”活动。"
        ),
        "experience": "把入会宣传与“夏送清凉”结合，送清凉的同时现场扫码入会，职工接受度高。",
        "problems": "部分新就业形态企业总部在外地，本地网点负责人做不了主，建会协调难度大。",
        "next_steps": "7月集中开展“五清”排查，摸清辖区快递、物流、外卖企业和从业人员底数。",
    },
    "2019-07": {
        "progress": (
            "组织乡镇（街道）工会对辖区企业开展“五清”排查，逐家登记企业名称、用工人数和建会"
            "意向；对排查出的未建会企业建立台账，明确责任人和完成时限。"
        ),
        "experience": "采取“工会干部+网格员”联合排查的方式，借助网格员熟悉情况的优势，排查效率明显提高。",
        "problems": "部分小微企业用工流动性大，人员底数变化快，台账需要经常更新。",
        "next_steps": "8月对排查出的重点企业逐一上门，推动建会入会，力争网约送餐员集中入会取得突破。",
    },
    "2019-08": {
        "progress": (
            "对重点企业开展集中攻坚，推动快递行业工会、网约送餐员联合工会组建工作，"
            "指导新建工会完善“六有”要求，及时将新会员信息录入实名制系统。"
        ),
        "experience": "以行业工会为依托，“一网点一联络员”，把分散的快递员、送餐员组织到工会中来。",
        "problems": "少数企业负责人对建会认识不到位，存在顾虑，需要反复做工作。",
        "next_steps": "9月结合金秋助学开展会员服务，巩固入会成果，提高会员对工会的认同感。",
    },
    "2019-09": {
        "progress": (
            "开展“金秋助学”和“会员服务月”活动，为新入会的农民工会员送去普惠服务；"
            "组织新建工会主席参加业务培训，规范会员发展和会籍管理。"
        ),
        "experience": "为新会员办理工会会员服务卡，入会即可享受普惠服务，以服务吸引职工入会。",
        "problems": "会员实名制信息录入省库进度不平衡，部分基层工会录入不及时。",
        "next_steps": "10月集中开展会员实名制信息核查和录入，确保新会员信息准确、完整、及时入库。",
    },
    "2019-10": {
        "progress": (
            "集中开展会员实名制信息核查，逐一核对新会员身份信息和会籍状态；对新建工会开展"
            "规范化建设“回头看”，督促落实工会主席选举和经费管理制度。"
        ),
        "experience": "建立新建工会“帮带”机制，由规范化建设较好的工会结对帮带新建工会。",
        "problems": "个别新建工会活动开展较少，存在“建而不活”的苗头。",
        "next_steps": "11月开展项目实施情况自查，准备年度专题报告和项目绩效自评。",
    },
}


def _due(month: str) -> datetime.date:
    year, number = int(month[:4]), int(month[5:7])
    return D(year + number // 12, number % 12 + 1, 5)


def _writer(unit) -> User:
    """The unit's demo account that writes its reports: its admin where the demo has one, else
    a 月报填报员 that cannot sign in."""
    own = (
        User.objects.filter(organization=unit, is_active=True, role__in=[Role.ADMIN, Role.CLERK])
        .order_by("pk")
        .first()
    )
    if own is not None:
        return own
    user = User(
        username=f"demo_reporter_{unit.code.lower()}",
        full_name=f"{unit.short_name or unit.name}月报填报员",
        organization=unit,
        role=Role.CLERK,
    )
    user.set_unusable_password()
    user.save()
    return user


#: Practices the units report beside the month's theme, so that no two units of a month write
#: the same 典型经验 (a unit's and a month's position pick one).
PRACTICES = (
    "在物流园区设立“司机之家”入会服务点，货车司机停车休息时即可扫码入会、领取会员服务卡。",
    "与美团、饿了么配送站点负责人建立联系制度，每个站点确定一名联络员，新骑手入职即宣传入会。",
    "依托家政服务中心开展“入会+技能培训”，培训结业时集中办理入会手续。",
    "组织律师进网点开展“法律服务面对面”，现场解答劳动合同、工伤保险问题，带动职工入会。",
    "在商场、超市设立“职工书屋”和休息角，商场信息员、促销员就近入会、就近服务。",
    "物业公司集中的社区建立区域性联合工会，保安员、保洁员“一次入会、就近管理”。",
    "房产中介门店分散，采取“行业协会牵头、门店店长负责”的办法，以门店为单位整体入会。",
    "医院、养老机构的护工由劳务公司派遣，联合劳务公司和用工单位共同组建工会小组。",
    "利用“户外劳动者服务站”开展“夏送清凉”“冬送温暖”，服务站成为宣传入会的固定阵地。",
    "乡镇（街道）工会与人社所联合，在招聘会和职业介绍窗口同步宣传入会政策。",
    "对新入会会员做到“三个一”：发一封入会信、建一个微信群、办一件实事。",
    "把入会与职工互助保险结合，新会员当年参加互助保险由工会给予补贴。",
)


def _text(unit, month: str) -> dict:
    theme = THEMES[month]
    name = unit.short_name or unit.name
    from ruhui.demo.world import CITY_ORDER  # (world calls this module: imported on use)

    order = CITY_ORDER.index(unit.code) if unit.code in CITY_ORDER else len(unit.code)
    pick = (order + int(month[5:7])) % len(PRACTICES)
    return {
        "progress": f"{name}：{theme['progress']}",
        "experience": f"{PRACTICES[pick]}{theme['experience']}",
        "problems": theme["problems"],
        "next_steps": theme["next_steps"],
    }


def seed_demo_reports() -> dict:
    """The monthly reports of `pds-2019` (see the module docstring), once."""
    campaign = Campaign.objects.select_related("owner").filter(slug=SLUG).first()
    if campaign is None or MonthlyReport.objects.filter(campaign=campaign).exists():
        return {"reports": 0}
    city = User.objects.get(username="pds_admin")
    with _on(D(2019, 6, 1)):
        services.schedule_set(actor=city, campaign=campaign, due_day=5, first_month=MONTHS[0])
    units = reporting_units(campaign)
    writers = {unit.pk: _writer(unit) for unit in units}
    count = 0
    for month in MONTHS:
        due = _due(month)
        for position, unit in enumerate(units):
            if month == "2019-10" and unit.code in MISSING_OCTOBER:
                continue
            writer = writers[unit.pk]
            # On time: spread over the 1st–5th of the next month; late: some days after.
            day = due + datetime.timedelta(days=LATE.get((unit.code, month), -(position % 5)))
            with _on(day, hour=9):
                report = services.report_open(
                    actor=writer, campaign=campaign, unit=unit, month=month
                )
                services.report_save(actor=writer, report=report, data=_text(unit, month))
            with _on(day, hour=16):
                services.report_submit(actor=writer, report=report)
            count += 1
            read_on = day + datetime.timedelta(days=READ_AFTER)
            if (unit.code, month) == RETURNED:
                with _on(read_on):
                    services.report_return(actor=city, report=report, opinion=RETURN_OPINION)
            elif month != "2019-10" or read_on <= OCTOBER_READ_UNTIL:
                with _on(read_on):
                    services.report_read(actor=city, report=report)
    return {"reports": count}
