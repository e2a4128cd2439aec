"""典型经验 of the demo's 2019 drive (`pds-2019`) for `make demo`: three cases published by the
city at the public /cases/ (舞钢's 快递 industry union and its 「小哥驿站」, 郏县's 家政服务员, the
工交工会's 货车司机之家), and one submitted by 宝丰 still waiting for the city to select it.

Written through `ruhui.cases.services`, as the cadres would, on their days in 2019 (the
services' clock is set to the day, `ruhui.demo.projects._on`). The texts hold no ID or phone
number (publishing would refuse them). The photos are plain illustrative banners drawn with
Pillow (coloured bands and simple shapes), not pictures of people. Idempotent: nothing happens
when the drive already has cases.
"""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from ruhui.accounts.models import User
from ruhui.campaigns.models import Campaign
from ruhui.cases import services
from ruhui.cases.models import Case
from ruhui.demo.projects import SLUG, _on
from ruhui.orgs.models import Organization

D = datetime.date

CASES = [
    {
        "unit": "WG",
        "submitter": "wg_admin",
        "title": "舞钢市快递行业工会建起「小哥驿站」：把工会建到快递网点旁",
        "groups": ["02"],
        "submitted": D(2019, 7, 8),
        "published": D(2019, 7, 22),
        "color": (26, 92, 171),
        "text": (
            "舞钢市城区有快递网点四十余个，快递员流动性大、工作时间长，过去很少有人知道自己也能入会。"
            "2019年集中行动开始后，舞钢市总工会指导成立了舞钢市快递行业工会，把全市快递企业纳入一个"
            "行业工会，解决了网点小、人数少、难以单独建会的问题。\n\n"
            "行业工会在快递网点最集中的垭口街道建起第一个「小哥驿站」，配备饮水机、微波炉、充电插座"
            "和休息座椅，夏天送清凉、冬天送温暖。驿站墙上张贴入会二维码，快递小哥歇脚时扫一扫就能"
            "在线申请入会，行业工会两个工作日内审核。\n\n"
            "工会干部每周两次到驿站值守，讲解会员可以享受的职工互助保险、法律援助和普惠服务。到9月底，"
            "全市快递员入会率明显提高，多名快递小哥主动担任驿站的义务联络员。"
        ),
    },
    {
        "unit": "JX",
        "submitter": "jx_admin",
        "title": "郏县总工会依托家政服务中心组织家政服务员入会",
        "groups": ["04"],
        "submitted": D(2019, 8, 12),
        "published": D(2019, 8, 26),
        "color": (196, 64, 48),
        "text": (
            "家政服务员分散在千家万户，没有固定的工作场所，是入会工作的难点。郏县总工会把县家政服务"
            "中心作为突破口，与中心共同组建家政服务行业工会小组，由中心负责人兼任联络员。\n\n"
            "县总工会结合职业技能培训组织入会：家政服务员参加母婴护理、养老护理培训时，由工会干部现场"
            "讲解入会的意义，自愿入会的当场办理。培训合格的会员优先推荐上岗，并纳入困难职工帮扶范围。\n\n"
            "县总工会还为家政服务会员开展「四季送」活动，在春节前走访慰问，在盛夏送去防暑用品，让她们"
            "真切感受到工会就是职工之家。"
        ),
    },
    {
        "unit": "GJ",
        "submitter": "gj_admin",
        "title": "市工交工会建设「货车司机之家」，让司机在路上也有家",
        "groups": ["01"],
        "submitted": D(2019, 9, 4),
        "published": D(2019, 9, 18),
        "color": (36, 128, 72),
        "text": (
            "货车司机常年跑在路上，难以参加单位的工会活动。平顶山市工交工会按照市总工会的部署，"
            "协助各县（市、区）开展货车司机入会工作，在物流园区和高速出入口附近的停车场建设"
            "「货车司机之家」。\n\n"
            "司机之家提供热水、淋浴、休息室和车辆简易检修工具，并设置入会服务台。司机在这里可以扫码"
            "申请入会，也可以办理转会，会员关系随人走，换了车队不用重新入会。\n\n"
            "工交工会联合道路货运行业工会，为入会司机开展安全驾驶培训和法律咨询，帮助司机解决运费"
            "拖欠等问题，司机入会的积极性明显提高。"
        ),
    },
]
WAITING = {
    "unit": "BF",
    "submitter": "bf_admin",
    "title": "宝丰县总工会在商场开展商场信息员集中入会活动",
    "groups": ["05"],
    "submitted": D(2019, 10, 9),
    "text": (
        "宝丰县总工会选择县城三家大型商场，利用周末客流少的上午时段开展集中入会活动。\n\n"
        "商场工会协助摸清促销员、导购员所属的厂家和品牌，由县总工会逐一对接，采取「商场工会+厂家」"
        "的方式办理入会，避免重复入会和漏登。"
    ),
}


def banner(color: tuple[int, int, int], width: int = 960, height: int = 360) -> SimpleUploadedFile:
    """A plain illustrative banner (bands and circles in one colour), as a PNG upload."""
    image = Image.new("RGB", (width, height), (246, 247, 249))
    draw = ImageDraw.Draw(image)
    light = tuple(min(255, c + 120) for c in color)
    draw.rectangle([0, height - 90, width, height], fill=color)
    draw.rectangle([0, height - 120, width, height - 90], fill=light)
    for i in range(5):
        x = 120 + i * 180
        draw.ellipse([x - 40, 80, x + 40, 160], fill=light, outline=color, width=6)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("示意图.png", buffer.getvalue(), content_type="image/png")


def _submit(campaign, spec: dict, photos=()) -> Case:
    unit = Organization.objects.get(code=spec["unit"])
    actor = (
        User.objects.filter(username=spec["submitter"]).first()
        or User.objects.filter(organization=unit).first()
    )
    with _on(spec["submitted"]):
        return services.case_submit(
            actor=actor,
            unit=unit,
            campaign=campaign,
            data={"title": spec["title"], "text": spec["text"], "groups": spec["groups"]},
            photos=photos,
        )


def seed_demo_cases() -> dict:
    """Three published cases and one waiting for selection in pds-2019 (see the docstring)."""
    campaign = Campaign.objects.filter(slug=SLUG).select_related("owner").first()
    if campaign is None or Case.objects.filter(campaign=campaign).exists():
        return {"cases": Case.objects.count()}
    city_admin = User.objects.get(username="pds_admin")
    for spec in CASES:
        case = _submit(campaign, spec, photos=[banner(spec["color"])])
        with _on(spec["published"]):
            case = services.case_select(actor=city_admin, case=case)
            services.case_publish(actor=city_admin, case=case)
    _submit(campaign, WAITING)
    return {"cases": Case.objects.count()}
