"""Demo service positions (issue 18): 30 职工之家、司机之家 and 户外劳动者服务站点 over the 16
county-level units of 平顶山 (the 11 counties and districts, and the city's 平煤神马、工交、建设、
财贸 and 轻纺 unions), at real places of each county in GCJ-02 (the coordinates 高德 shows):
county towns, township seats, bank branches and petrol stations along the main roads.

舞钢 has six running stations around its town (垭口、院岭、寺坡、朱兰) and in 尚店 and 八台, so a
phone in 舞钢 opening /join/stations/ sees them sorted by distance; four positions elsewhere are
筹建 or 停用 (not on the public page). Written through `positions.services`, as the pages
write them; seeding twice adds nothing."""

from __future__ import annotations

import datetime

from ruhui.accounts.models import User
from ruhui.orgs.models import Organization
from ruhui.positions import services
from ruhui.positions.models import ServicePosition

ALL = ["water", "seats", "microwave", "charging", "toilet", "first_aid", "climate", "wifi"]
BASIC = ["water", "seats", "microwave", "charging", "first_aid"]
DRIVER = ["water", "seats", "microwave", "charging", "toilet", "shower", "parking", "wifi"]
HOME = ["water", "seats", "microwave", "charging", "toilet", "climate", "reading", "wifi"]
FLAGS = ("has_sign", "has_premises", "has_facilities", "has_rules", "has_staff", "on_map")
OUTDOOR = ["02", "06", "08"]  # 快递员、网约送餐员、保安员

#: (union code, kind, name, partner, division, township, address, lat, lng, hours (or "24h"),
#:  groups, status, facilities, flags missing, opened on)
# fmt: off
POSITIONS = [
    # 舞钢市 (410481): six running around the town and its townships, one being built.
    ("WG", "station", "舞钢市垭口街道工行户外劳动者服务站点", "中国工商银行舞钢支行营业部",
     "410481", "垭口街道", "舞钢市垭口街道寺坡路与建设路交叉口", "33.297380", "113.526410",
     "8:30-17:30", OUTDOOR, "running", ALL, (), "2019-03-15"),
    ("WG", "driver", "舞钢市院岭街道中石化加油站司机之家", "中国石化舞钢院岭加油站",
     "410481", "院岭街道", "舞钢市院岭街道钢城大道 88 号", "33.308520", "113.541830",
     "24h", ["01"], "running", DRIVER, (), "2019-05-20"),
    ("WG-KD", "home", "舞钢快递行业工会职工之家", "",
     "410481", "寺坡街道", "舞钢市寺坡街道光明路 26 号", "33.290470", "113.515020",
     "9:00-18:00", ["02", "06"], "running", HOME, (), "2019-06-01"),
    ("WG", "station", "舞钢市朱兰街道邮储银行工会驿站", "中国邮政储蓄银行舞钢市支行",
     "410481", "朱兰街道", "舞钢市朱兰街道朱兰大道 118 号", "33.320060", "113.545590",
     "8:00-18:00", OUTDOOR, "running", BASIC, ("has_staff",), "2019-07-10"),
    ("WG", "station", "舞钢市尚店镇便民服务中心工会驿站", "",
     "410481", "尚店镇", "舞钢市尚店镇政府街 8 号", "33.264120", "113.609730",
     "8:00-18:00", ["01", "02"], "running", BASIC, (), "2019-08-08"),
    ("WG", "station", "舞钢市八台镇农商银行户外劳动者服务站点", "舞钢农商银行八台支行",
     "410481", "八台镇", "舞钢市八台镇八台街 36 号", "33.359360", "113.571270",
     "8:30-17:30", ["01", "02", "08"], "running", BASIC, (), "2019-09-01"),
    ("WG", "station", "舞钢市枣林镇工会驿站", "",
     "410481", "枣林镇", "舞钢市枣林镇枣林街", "33.335050", "113.456040",
     "", ["02"], "planned", ["water", "seats"], FLAGS, ""),
    # 宝丰县 (410421)
    ("BF", "station", "宝丰县城关镇建行户外劳动者服务站点", "中国建设银行宝丰支行",
     "410421", "城关镇", "宝丰县城关镇人民路 66 号", "33.868320", "113.055140",
     "8:30-17:30", OUTDOOR, "running", ALL, (), "2019-04-12"),
    ("BF", "driver", "宝丰县周庄镇中石油加油站司机之家", "中国石油宝丰周庄加油站",
     "410421", "周庄镇", "宝丰县周庄镇 G207 国道东侧", "33.823680", "113.067190",
     "24h", ["01"], "running", DRIVER, (), "2019-06-18"),
    ("BF", "station", "宝丰县大营镇工会驿站", "",
     "410421", "大营镇", "宝丰县大营镇大营街", "33.923010", "113.125040",
     "8:00-17:00", ["02"], "closed", ["water"], ("has_staff", "on_map"), "2018-10-01"),
    # 叶县 (410422)
    ("YX", "station", "叶县昆阳街道农行户外劳动者服务站点", "中国农业银行叶县支行",
     "410422", "昆阳街道", "叶县昆阳大道与九龙路交叉口", "33.626420", "113.357610",
     "8:30-17:30", OUTDOOR, "running", BASIC, (), "2019-05-06"),
    ("YX", "driver", "叶县廉村镇中石化加油站司机之家", "中国石化叶县廉村加油站",
     "410422", "廉村镇", "叶县廉村镇 S329 省道旁", "33.584010", "113.247120",
     "24h", ["01"], "running", DRIVER, ("has_rules",), "2019-07-22"),
    # 鲁山县 (410423)
    ("LS", "station", "鲁山县鲁阳街道工行户外劳动者服务站点", "中国工商银行鲁山支行",
     "410423", "鲁阳街道", "鲁山县鲁阳街道向阳路 12 号", "33.738920", "112.907630",
     "8:30-17:30", OUTDOOR, "running", BASIC, (), "2019-05-28"),
    ("LS", "station", "鲁山县琴台街道快递小哥驿站", "",
     "410423", "琴台街道", "鲁山县琴台街道花园路 5 号", "33.746080", "112.914960",
     "9:00-21:00", ["02", "06"], "running", ["water", "seats", "microwave", "charging"],
     ("has_facilities",), "2019-08-16"),
    # 郏县 (410425)
    ("JX", "station", "郏县龙山街道中行户外劳动者服务站点", "中国银行郏县支行",
     "410425", "龙山街道", "郏县龙山大道中段 99 号", "33.970810", "113.212960",
     "8:30-17:30", OUTDOOR, "running", BASIC, (), "2019-06-10"),
    ("JX", "station", "郏县东城街道工会驿站", "",
     "410425", "东城街道", "郏县东城街道广阳路", "33.972150", "113.230080",
     "8:00-17:00", ["02"], "closed", ["water", "seats"], ("has_staff",), "2018-09-01"),
    # 卫东区 (410403)
    ("WD", "station", "卫东区东环路街道户外劳动者服务站点", "中国建设银行平顶山东环路支行",
     "410403", "东环路街道", "卫东区东环路与建设路交叉口", "33.735190", "113.334820",
     "8:30-17:30", OUTDOOR, "running", ALL, (), "2019-04-25"),
    ("CM", "home", "平顶山市财贸工会商场信息员之家", "平顶山百货大楼",
     "410403", "东安路街道", "卫东区建设路东段 48 号", "33.739050", "113.321920",
     "9:00-21:00", ["05"], "running", HOME, (), "2019-05-01"),
    # 湛河区 (410411)
    ("ZH", "station", "湛河区南环路街道工会驿站", "",
     "410411", "南环路街道", "湛河区南环路与开源路交叉口", "33.716040", "113.296180",
     "8:00-20:00", OUTDOOR, "running", BASIC, (), "2019-06-26"),
    ("ZH", "driver", "湛河区马庄街道中石化加油站司机之家", "中国石化平顶山马庄加油站",
     "410411", "马庄街道", "湛河区马庄街道南环路西段", "33.706320", "113.272210",
     "24h", ["01"], "running", DRIVER, (), "2019-07-15"),
    ("QF", "home", "平顶山市轻纺工会纺织女工之家", "平顶山市纺织有限公司",
     "410411", "轻工路街道", "湛河区轻工路 9 号", "33.720050", "113.310090",
     "8:00-17:30", [], "running", HOME, (), "2019-03-08"),
    ("GJ-HY", "driver", "平顶山市道路货运行业司机之家", "平顶山市公路港物流园",
     "410411", "北渡街道", "湛河区北渡街道公路港物流园内", "33.700110", "113.312470",
     "24h", ["01"], "running", DRIVER, (), "2019-05-18"),
    # 新华区 (410402)
    ("XH", "station", "新华区矿工路街道工行户外劳动者服务站点", "中国工商银行平顶山分行营业部",
     "410402", "矿工路街道", "新华区矿工中路 96 号", "33.737210", "113.293030",
     "8:30-17:30", OUTDOOR, "running", ALL, (), "2019-04-01"),
    ("GJ-KD", "station", "新华区中兴路街道快递小哥驿站", "",
     "410402", "中兴路街道", "新华区中兴路与建设路交叉口", "33.744080", "113.288960",
     "9:00-21:00", ["02", "06"], "running", ["water", "seats", "microwave", "charging", "wifi"],
     (), "2019-06-06"),
    ("JS", "station", "平顶山市建设工会建筑工人驿站", "平煤神马建工集团",
     "410402", "西高皇街道", "新华区西高皇街道焦店路 18 号", "33.740110", "113.250320",
     "7:00-19:00", [], "running", BASIC, ("has_rules",), "2019-07-01"),
    ("PMSM", "home", "中国平煤神马集团职工之家", "",
     "410402", "矿工路街道", "新华区矿工中路 21 号", "33.737080", "113.286180",
     "8:00-21:00", ["01"], "running", HOME, (), "2018-05-01"),
    # 石龙区 (410404)
    ("SL", "station", "石龙区高庄街道户外劳动者服务站点", "中国邮政储蓄银行石龙区支行",
     "410404", "高庄街道", "石龙区龙兴路 16 号", "33.898540", "112.890160",
     "8:30-17:30", ["01", "02"], "running", BASIC, (), "2019-08-20"),
    # 新城区 (410472)
    ("XC", "station", "新城区滍阳镇工会驿站", "",
     "410472", "滍阳镇", "新城区滍阳镇政府东侧", "33.696230", "113.204080",
     "8:00-18:00", ["02", "06"], "running", BASIC, (), "2019-09-10"),
    ("XC", "home", "新城区职工服务中心职工之家", "",
     "410472", "湖滨路街道", "新城区长安大道与湖滨路交叉口", "33.721140", "113.228050",
     "", ["02", "06"], "planned", [], FLAGS, ""),
    # 高新区 (410471)
    ("GX", "station", "高新区遵化店镇户外劳动者服务站点", "中国石化平顶山高新区加油站",
     "410471", "遵化店镇", "高新区遵化店镇神马大道 1 号", "33.698030", "113.389110",
     "24h", ["01", "02"], "running", DRIVER, (), "2019-06-30"),
]
# fmt: on
#: (position name, award, awarded by, year)
AWARDS = [
    (
        "舞钢市垭口街道工行户外劳动者服务站点",
        "平顶山市优秀工会户外劳动者服务站点",
        "平顶山市总工会",
        2019,
    ),
    ("中国平煤神马集团职工之家", "河南省模范职工之家", "河南省总工会", 2018),
    ("平顶山市道路货运行业司机之家", "平顶山市优秀司机之家", "平顶山市总工会", 2019),
]


def seed() -> dict:
    """The 30 positions and their awards, written by wg_admin (舞钢) and pds_admin (the rest)."""
    if ServicePosition.objects.exists():
        return {"positions": ServicePosition.objects.count()}
    city_admin = User.objects.get(username="pds_admin")
    wg_admin = User.objects.get(username="wg_admin")
    unions = {o.code: o for o in Organization.objects.filter(code__in={p[0] for p in POSITIONS})}
    made = {}
    for (code, kind, name, partner, division, township, address, lat, lng, hours, groups,
         status, facilities, missing, opened) in POSITIONS:  # fmt: skip
        data = {
            "kind": kind,
            "name": name,
            "running_union": unions[code],
            "partner": partner,
            "division_code": division,
            "township": township,
            "address": address,
            "latitude": lat,
            "longitude": lng,
            "hours": "" if hours == "24h" else hours,
            "open_24h": hours == "24h",
            "groups": groups,
            "status": status,
            "facilities": facilities,
            "opened_on": datetime.date.fromisoformat(opened) if opened else None,
            **{flag: flag not in missing for flag in FLAGS},
        }
        actor = wg_admin if code.startswith("WG") else city_admin
        made[name] = services.position_create(actor=actor, data=data)
    for name, award, by, year in AWARDS:
        services.award_add(
            actor=city_admin,
            position=made[name],
            data={"name": award, "awarded_by": by, "year": year},
        )
    return {"positions": len(made)}
