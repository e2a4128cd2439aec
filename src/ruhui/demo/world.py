"""The demo world: Henan → Pingdingshan → the 16 units of the 2015 task table plus 科教文卫体工会
and 市直工会, each with grassroots unions of different forms, and the demo cadres of
the city, five of its units and the province."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ruhui.accounts.models import Role, User
from ruhui.core.changes import forget_figures
from ruhui.demo import ledger as demo_ledger
from ruhui.demo import positions as demo_positions
from ruhui.demo import shells as demo_shells
from ruhui.demo.assessment import seed_demo_assessment
from ruhui.demo.bulletins import seed_demo_bulletins
from ruhui.demo.campaigns import seed_demo_campaigns
from ruhui.demo.cases import seed_demo_cases
from ruhui.demo.enterprises import seed_demo_enterprises
from ruhui.demo.jobs import seed_demo_jobs
from ruhui.demo.joining import seed_demo_applications
from ruhui.demo.members import seed_demo_members
from ruhui.demo.projects import seed_demo_projects
from ruhui.demo.reports import seed_demo_reports
from ruhui.members.models import Member
from ruhui.orgs.choices import (
    DETAIL_ITEMS,
    SIX_HAVE_CODES,
    STANDARD_GROUPS,
    WORKER_GROUPS,
    StandardGroup,
)
from ruhui.orgs.choices import OrgKind as K
from ruhui.orgs.models import Organization, StandardItem, WorkerGroup

#: Printed by `make demo` and written in the README's demo section; nowhere else.
DEMO_PASSWORD = "Ruhui-demo-2026"  # noqa: S105  (a published demo login, never a production one)
#: Synthetic members `make demo` loads (ruhui.demo.members). The test profile loads fewer, so the
#: suites that seed the demo (including the browser tests) stay fast.
DEMO_MEMBERS = 3000
TEST_DEMO_MEMBERS = 300

# code, name, kind, division, (township name, community name) — in the 2015 table's order.
COUNTIES = [
    ("WG", "舞钢市总工会", "410481", ("垭口街道", "铁山社区")),
    ("BF", "宝丰县总工会", "410421", ("城关镇", "东街社区")),
    ("YX", "叶县总工会", "410422", ("昆阳街道", "文化路社区")),
    ("LS", "鲁山县总工会", "410423", ("鲁阳街道", "西关社区")),
    ("JX", "郏县总工会", "410425", ("龙山街道", "东关社区")),
    ("WD", "卫东区总工会", "410403", ("东环路街道", "建新社区")),
    ("ZH", "湛河区总工会", "410411", ("南环路街道", "马庄社区")),
    ("XH", "新华区总工会", "410402", ("矿工路街道", "光明社区")),
    ("SL", "石龙区总工会", "410404", ("高庄街道", "龙兴社区")),
    ("XC", "新城区工会", "410472", ("滍阳镇", "盛世社区")),
    ("GX", "高新区工会", "410471", ("遵化店镇", "皇台社区")),
]
SHORT = {
    "WG": "舞钢",
    "BF": "宝丰",
    "YX": "叶县",
    "LS": "鲁山",
    "JX": "郏县",
    "WD": "卫东",
    "ZH": "湛河",
    "XH": "新华",
    "SL": "石龙",
    "XC": "新城区",
    "GX": "高新区",
}

CITY_UNITS = [
    # code, name, kind, groups, grassroots [(suffix, name, kind, groups, industry)]
    (
        "PMSM",
        "中国平煤神马集团工会",
        K.ENTERPRISE,
        [],
        [
            ("WL", "平煤神马集团物流有限公司工会", K.ENTERPRISE, ["货车司机"], "G"),
            ("JZ", "平煤神马建工集团工会", K.ENTERPRISE, [], "E"),
        ],
    ),
    (
        "GJ",
        "平顶山市工交工会",
        K.INDUSTRY_UNION,
        ["货车司机", "快递员", "网约送餐员"],
        [
            ("HY", "平顶山市道路货运行业工会", K.TRADE, ["货车司机"], "G"),
            ("KD", "平顶山市快递行业工会", K.TRADE, ["快递员"], "G"),
            ("WS", "平顶山市网约送餐员联合工会", K.JOINT, ["网约送餐员"], "H"),
        ],
    ),
    (
        "JS",
        "平顶山市建设工会",
        K.INDUSTRY_UNION,
        ["房产中介员"],
        [
            ("FC", "平顶山市房产中介行业工会", K.TRADE, ["房产中介员"], "K"),
            ("JZ", "平顶山市建筑业工会联合会", K.REGIONAL_FEDERATION, [], "E"),
        ],
    ),
    (
        "CM",
        "平顶山市财贸工会",
        K.INDUSTRY_UNION,
        ["家政服务员", "商场信息员"],
        [
            ("JZ", "平顶山市家政服务行业工会", K.TRADE, ["家政服务员"], "O"),
            ("SC", "平顶山市商场信息员联合工会", K.JOINT, ["商场信息员"], "F"),
        ],
    ),
    (
        "QF",
        "平顶山市轻纺工会",
        K.INDUSTRY_UNION,
        [],
        [
            ("FZ", "平顶山市纺织有限公司工会", K.ENTERPRISE, [], "C"),
        ],
    ),
    (
        "KJWWT",
        "平顶山市科教文卫体工会",
        K.INDUSTRY_UNION,
        ["护工护理员"],
        [
            ("HG", "平顶山市护工护理员行业工会", K.TRADE, ["护工护理员"], "Q"),
            ("KY", "平顶山市康养中心工会", K.ENTERPRISE, ["护工护理员"], "Q"),
        ],
    ),
    (
        "SZ",
        "平顶山市直工会",
        K.CITY_DIRECT,
        ["保安员"],
        [
            ("BA", "平顶山市保安服务有限公司工会", K.ENTERPRISE, ["保安员"], "L"),
        ],
    ),
]
#: Order of the 2015 table, then the two units the 2019 plan adds.
CITY_ORDER = [
    "WG",
    "BF",
    "YX",
    "LS",
    "JX",
    "WD",
    "ZH",
    "XH",
    "SL",
    "XC",
    "GX",
    "PMSM",
    "GJ",
    "JS",
    "CM",
    "QF",
    "KJWWT",
    "SZ",
]

DEMO_USERS = [
    ("pds_admin", "市总组织部管理员", "PDS", Role.ADMIN),
    ("wg_admin", "舞钢市总工会管理员", "WG", Role.ADMIN),
    ("bf_admin", "宝丰县总工会管理员", "BF", Role.ADMIN),
    ("gj_admin", "市工交工会管理员", "GJ", Role.ADMIN),
    ("wg_viewer", "舞钢市总工会查询员", "WG", Role.READONLY),
    ("jx_admin", "郏县总工会管理员", "JX", Role.ADMIN),
    ("xh_admin", "新华区总工会管理员", "XH", Role.ADMIN),
    ("hn_admin", "省总基层工作部管理员", "HN", Role.ADMIN),
    ("hn_reviewer", "省总基层工作部审核员", "HN", Role.REVIEWER),
    # 三员分立 (issue 19): with RUHUI_SEPARATION_OF_DUTIES on, only the auditor reads the audit
    # log and the security administrator unlocks accounts and revokes others' tokens.
    ("pds_auditor", "市总审计管理员", "PDS", Role.AUDITOR),
    ("pds_security", "市总安全管理员", "PDS", Role.SECURITY),
]


def _ensure(parent: Organization | None, code: str, **fields) -> Organization:
    existing = Organization.objects.filter(code=code).first()
    if existing:
        return existing
    groups = fields.pop("groups", [])
    standards = fields.pop("standards", {})
    org = Organization(code=code, **fields)
    org.full_clean(exclude=["path", "depth", "numchild"])
    org = (
        Organization.objects.add_root(instance=org)
        if parent is None
        else Organization.objects.add_child(parent, instance=org)
    )
    org.groups.set(WorkerGroup.objects.filter(name__in=groups))
    _record_standards(org, standards)
    return Organization.objects.get(pk=org.pk)


#: The internal systems (会员（代表）大会, 民主选举, 会员评家, 会务公开), in the page's order.
SYSTEMS = dict(STANDARD_GROUPS)[StandardGroup.SYSTEMS]
#: How the demo's unions say their 经费 is remitted.
DEMO_FUNDS_WAY = "税务代收"


def _items(*met: str, **checked: bool) -> dict[str, bool]:
    """A union's standard for the demo: the items met, and items checked as `name=False`."""
    return dict.fromkeys(met, True) | checked


def _record_standards(org: Organization, standards: dict[str, bool]) -> None:
    """The demo union's items as a county's check would leave them: met or not, dated a
    quarter after the founding (the demo cadres do not exist yet, so no checker)."""
    checked_on = min(
        (org.founded_on or datetime.date(2019, 1, 1)) + datetime.timedelta(days=90),
        datetime.date.today(),
    )
    StandardItem.objects.bulk_create(
        StandardItem(
            union=org,
            item=code,
            met=met,
            checked_on=checked_on,
            detail=DEMO_FUNDS_WAY if code in DETAIL_ITEMS and met else "",
            note="" if met else "检查时尚未建立，限期整改。",
        )
        for code, met in standards.items()
    )


def _founded(code: str, n: int) -> dict[str, datetime.date]:
    """When a county's base unions were founded (by suffix), as the two drives would have it:
    街道 unions long before; some 社区, 物流 and 物业 unions during the 2015 drive (its 重点:
    村（社区）、物流（快递）业、物业公司), the others before it; the 八大群体 unions (快递行业工会,
    网约送餐员联合工会 and its branch and group) in or just before the 2019 drive. 新城区 founded its
    base unions only after 2015 (its union was being reorganised: the demo's 2015 unit at 0,
    ruhui.demo.campaigns); 石龙区, reorganised in 2019 (the 2019 unit at 0), its 八大群体 unions
    only in 2020."""
    d = datetime.date
    if code == "XC":
        dates = {
            "T1": d(2016, 3, 18),
            "C1": d(2016, 6, 12),
            "E1": d(2016, 9, 20),
            "WY": d(2017, 4, 11),
            "KD": d(2019, 7, 16),
            "WS": d(2019, 8, 22),
        }
    else:
        dates = {
            "T1": d(2008 + n % 4, 3 + n % 7, 10 + n),
            "C1": d(2015, 5 + n % 5, 6 + n) if n % 2 == 0 else d(2012 + n % 3, 4 + n % 6, 12),
            "E1": d(2015, 6 + n % 4, 15) if n % 3 == 1 else d(2011 + n % 4, 9, 1 + n),
            "WY": d(2015, 7 + n % 3, 20) if n % 3 == 2 else d(2013 + n % 2, 5, 18),
            "KD": d(2018, 9 + n % 3, 5 + n) if n % 3 == 0 else d(2019, 5 + n % 4, 8 + n),
            "WS": d(2019, 6 + n % 4, 3 + n),
        }
    if code == "SL":
        dates |= {"KD": d(2020, 4, 21), "WS": d(2020, 6, 9)}
    dates["WS1"] = dates["WS"] + datetime.timedelta(days=25)
    dates["WS1G"] = dates["WS"] + datetime.timedelta(days=50)
    return dates


#: The city-level units' base unions: the old enterprise unions long before the drives; 市快递
#: 行业工会 and 建筑业工会联合会 in the 2015 drive (物流（快递）业, 建筑项目); the 八大群体 trade and
#: joint unions in the 2019 drive (道路货运, 网约送餐, 房产中介, 家政, 护工护理员).
CITY_FOUNDED = {
    "PMSM-WL": datetime.date(2006, 5, 1),
    "PMSM-JZ": datetime.date(2003, 7, 1),
    "GJ-HY": datetime.date(2019, 6, 18),
    "GJ-KD": datetime.date(2015, 7, 20),
    "GJ-WS": datetime.date(2019, 9, 10),
    "JS-FC": datetime.date(2019, 8, 6),
    "JS-JZ": datetime.date(2015, 6, 12),
    "CM-JZ": datetime.date(2019, 5, 28),
    "CM-SC": datetime.date(2014, 10, 15),
    "QF-FZ": datetime.date(1998, 4, 1),
    "KJWWT-HG": datetime.date(2019, 7, 16),
    "KJWWT-KY": datetime.date(2016, 11, 1),
    "SZ-BA": datetime.date(2011, 9, 1),
}


def _grassroots(
    county: Organization, code: str, short: str, township: str, community: str, n: int
) -> None:
    founded = _founded(code, n)
    div = county.division_code
    base = {"division_code": div}
    street = _ensure(
        county,
        f"{code}-T1",
        name=f"{short}{township}工会",
        kind=K.TOWNSHIP,
        founded_on=founded["T1"],
        **base,
        chair_name="王建国",
        standards=_items("has_elected_chair", "has_rules", member_congress=False),
    )
    _ensure(
        street,
        f"{code}-C1",
        name=f"{short}{township}{community}工会",
        kind=K.COMMUNITY,
        founded_on=founded["C1"],
        **base,
        groups=["货车司机", "护工护理员"],
        standards=_items("has_elected_chair"),
    )
    _ensure(
        county,
        f"{code}-KD",
        name=f"{short}快递行业工会",
        kind=K.TRADE,
        industry="G",
        founded_on=founded["KD"],
        **base,
        groups=["快递员"],
        chair_name="李红梅",
        standards=_items(
            "has_elected_chair",
            "has_committees",
            "has_rules",
            "has_own_funds",
            "member_congress",
            "democratic_election",
            "dues_collection",
            has_activity_venue=False,
        ),
    )
    joint = _ensure(
        county,
        f"{code}-WS",
        name=f"{short}网约送餐员联合工会",
        kind=K.JOINT,
        industry="H",
        founded_on=founded["WS"],
        **base,
        groups=["网约送餐员"],
        standards=_items("has_elected_chair", "democratic_election"),
    )
    station = _ensure(
        joint,
        f"{code}-WS1",
        name=f"{short}美团外卖配送站工会分会",
        kind=K.BRANCH,
        industry="H",
        founded_on=founded["WS1"],
        **base,
        groups=["网约送餐员"],
    )
    _ensure(
        station,
        f"{code}-WS1G",
        name=f"{short}美团外卖配送站第一工会小组",
        kind=K.GROUP,
        industry="H",
        founded_on=founded["WS1G"],
        **base,
        groups=["网约送餐员"],
    )
    _ensure(
        county,
        f"{code}-E1",
        name=f"{short}顺达物流有限公司工会",
        kind=K.ENTERPRISE,
        industry="G",
        founded_on=founded["E1"],
        **base,
        groups=["货车司机"],
        standards=_items(*SIX_HAVE_CODES, *SYSTEMS, "funds_allocation", "dues_collection"),
        home_rating="county",
    )
    _ensure(
        county,
        f"{code}-WY",
        name=f"{short}安居物业服务有限公司工会",
        kind=K.ENTERPRISE,
        industry="K",
        founded_on=founded["WY"],
        **base,
        groups=["保安员"],
    )


def demo_member_count() -> int:
    """How many demo members `seed_demo` creates by default: 3,000, or 300 under RUHUI_ENV=test."""
    return TEST_DEMO_MEMBERS if settings.TESTING else DEMO_MEMBERS


MSG_PRODUCTION = (
    "生产环境（RUHUI_ENV=production）不能载入演示数据：演示账号的密码是公开的，演示会员是虚构的。"
    "请用「ruhui createsuperuser」建立第一个管理员，再在「系统管理 → 用户」中为各单位开设账号。"
)


class DemoRefused(Exception):
    """The demo world may not be loaded here (the production profile)."""


def refuse_in_production() -> None:
    """Demo data and its published logins never enter a production database."""
    if settings.PRODUCTION:
        raise DemoRefused(MSG_PRODUCTION)


def seed_demo(*, members: int | None = None) -> dict:
    """Create the demo organizations and users if missing; reset demo passwords (each must be
    changed at first login); then, when the registry is empty, `members` synthetic members with
    histories (default `demo_member_count()`). Idempotent. Refused in production, before any
    database access."""
    refuse_in_production()
    return _seed_demo(members=members)


@transaction.atomic
def _seed_demo(*, members: int | None) -> dict:
    # The eight groups are reference data from a migration; a test database flushed between
    # browser tests has lost them.
    for code, name in WORKER_GROUPS:
        WorkerGroup.objects.get_or_create(code=code, defaults={"name": name})
    province = _ensure(
        None, "HN", name="河南省总工会", kind=K.PROVINCE_FEDERATION, division_code="410000"
    )
    city = _ensure(
        province,
        "PDS",
        name="平顶山市总工会",
        kind=K.CITY_FEDERATION,
        division_code="410400",
        chair_name="张立新",
        contact_phone="0375-2222222",
    )
    counties = {c[0]: c for c in COUNTIES}
    units = {u[0]: u for u in CITY_UNITS}
    for n, code in enumerate(CITY_ORDER):
        if code in counties:
            _code, name, division, (township, community) = counties[code]
            unit = _ensure(city, code, name=name, kind=K.COUNTY_FEDERATION, division_code=division)
            _grassroots(unit, code, SHORT[code], township, community, n)
        else:
            _code, name, kind, groups, children = units[code]
            unit = _ensure(city, code, name=name, kind=kind, division_code="410400", groups=groups)
            for suffix, child_name, child_kind, child_groups, industry in children:
                _ensure(
                    unit,
                    f"{code}-{suffix}",
                    name=child_name,
                    kind=child_kind,
                    division_code="410400",
                    groups=child_groups,
                    industry=industry,
                    founded_on=CITY_FOUNDED[f"{code}-{suffix}"],
                    standards=_items("has_elected_chair"),
                )
    for username, full_name, org_code, role in DEMO_USERS:
        user, _created = User.objects.get_or_create(username=username)
        user.full_name = full_name
        user.organization = Organization.objects.get(code=org_code)
        user.role = role
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.password_changed_at = timezone.now()
        # The password is published in the README: whoever signs in first chooses their own.
        user.must_change_password = True
        user.save()
    registry = seed_demo_members(count=demo_member_count() if members is None else members)
    online = seed_demo_applications()
    jobs = seed_demo_jobs()
    survey = seed_demo_enterprises()
    drives = seed_demo_campaigns()  # their figures count everything above
    plans = seed_demo_projects()  # the 2019 drive's 项目清单+责任制
    reports = seed_demo_reports()  # its 月报, June–October 2019
    cases = seed_demo_cases()  # 典型经验: three published at /cases/, one waiting
    assessment = seed_demo_assessment()  # 考核评比: a draft with computed scores
    bulletins = seed_demo_bulletins()  # 通报 as of 07-31 and 09-30, published
    demo_positions.seed()  # 30 服务阵地 at real places of the 16 units (issue 18)
    demo_ledger.seed()  # 服务台账 of 2019, 4 consultations, social workers (issue 18)
    demo_shells.seed()  # last: 2 空壳 candidates and the 倾斜 list, after every union and entry
    # Figures remembered from an earlier demo database must not outlive it.
    transaction.on_commit(forget_figures)
    return {
        "organizations": Organization.objects.count(),
        "users": len(DEMO_USERS),
        # Counted last: approved online applications add members too.
        "members": Member.objects.count(),
        "members_created": registry["created"],
        "applications": online["applications"],
        "enterprises": survey["enterprises"],
        "enterprises_unionised": survey["unionised"],
        "campaigns": drives["campaigns"],
        "action_plans": plans["plans"],
        "monthly_reports": reports["reports"],
        "cases": cases["cases"],
        "assessments": assessment["assessments"],
        "bulletins": bulletins["bulletins"],
        "jobs": jobs["jobs"],
    }
