"""Fixed reference lists for union organizations."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    PROVINCE_FEDERATION = "province", _("省总工会")
    CITY_FEDERATION = "city", _("市总工会")
    COUNTY_FEDERATION = "county", _("县(市、区)总工会")
    INDUSTRY_UNION = "industry", _("产业工会")
    CITY_DIRECT = "city_direct", _("市直工会")
    TOWNSHIP = "township", _("乡镇(街道)工会")
    COMMUNITY = "community", _("村(社区)工会")
    ENTERPRISE = "enterprise", _("企业工会")
    TRADE = "trade", _("行业工会")
    REGIONAL_FEDERATION = "regional", _("区域性工会联合会")
    JOINT = "joint", _("联合工会")
    BRANCH = "branch", _("工会分会")
    GROUP = "group", _("工会小组")


K = OrgKind
LEADING_KINDS = {
    K.PROVINCE_FEDERATION,
    K.CITY_FEDERATION,
    K.COUNTY_FEDERATION,
    K.INDUSTRY_UNION,
    K.CITY_DIRECT,
}
#: Kinds that admit members directly (base unions and their branches); federations do not.
ADMITTING_KINDS = {
    K.TOWNSHIP,
    K.COMMUNITY,
    K.ENTERPRISE,
    K.TRADE,
    K.REGIONAL_FEDERATION,
    K.JOINT,
    K.BRANCH,
    K.GROUP,
}
_BASE_PARENTS = {
    K.CITY_FEDERATION,
    K.COUNTY_FEDERATION,
    K.INDUSTRY_UNION,
    K.CITY_DIRECT,
    K.TOWNSHIP,
    K.COMMUNITY,
    K.REGIONAL_FEDERATION,
    K.ENTERPRISE,
    K.TRADE,
}
#: Which kinds may stand directly under which (the 工会法 rule: a union is led by the one above).
ALLOWED_PARENT_KINDS: dict[str, set[str]] = {
    K.PROVINCE_FEDERATION: set(),
    K.CITY_FEDERATION: {K.PROVINCE_FEDERATION},
    K.COUNTY_FEDERATION: {K.CITY_FEDERATION},
    K.INDUSTRY_UNION: {K.CITY_FEDERATION, K.COUNTY_FEDERATION},
    K.CITY_DIRECT: {K.CITY_FEDERATION},
    K.TOWNSHIP: {K.COUNTY_FEDERATION},
    K.COMMUNITY: {K.TOWNSHIP, K.COUNTY_FEDERATION},
    K.ENTERPRISE: _BASE_PARENTS,
    K.TRADE: _BASE_PARENTS,
    K.REGIONAL_FEDERATION: _BASE_PARENTS,
    K.JOINT: _BASE_PARENTS,
    K.BRANCH: {K.ENTERPRISE, K.TRADE, K.REGIONAL_FEDERATION, K.JOINT, K.TOWNSHIP, K.COMMUNITY},
    K.GROUP: {
        K.ENTERPRISE,
        K.TRADE,
        K.REGIONAL_FEDERATION,
        K.JOINT,
        K.BRANCH,
        K.TOWNSHIP,
        K.COMMUNITY,
    },
}


class Industry(models.TextChoices):
    """GB/T 4754-2017 国民经济行业分类, 门类."""

    A = "A", _("农、林、牧、渔业")
    B = "B", _("采矿业")
    C = "C", _("制造业")
    D = "D", _("电力、热力、燃气及水生产和供应业")
    E = "E", _("建筑业")
    F = "F", _("批发和零售业")
    G = "G", _("交通运输、仓储和邮政业")
    H = "H", _("住宿和餐饮业")
    I = "I", _("信息传输、软件和信息技术服务业")  # noqa: E741
    J = "J", _("金融业")
    K = "K", _("房地产业")
    L = "L", _("租赁和商务服务业")
    M = "M", _("科学研究和技术服务业")
    N = "N", _("水利、环境和公共设施管理业")
    O = "O", _("居民服务、修理和其他服务业")  # noqa: E741
    P = "P", _("教育")
    Q = "Q", _("卫生和社会工作")
    R = "R", _("文化、体育和娱乐业")
    S = "S", _("公共管理、社会保障和社会组织")
    T = "T", _("国际组织")


class HomeRating(models.TextChoices):
    """职工之家 rating."""

    NONE = "", _("未评定")
    COUNTY = "county", _("县级模范职工之家")
    CITY = "city", _("市级模范职工之家")
    PROVINCE = "province", _("省级模范职工之家")
    NATIONAL = "national", _("全国模范职工之家")


#: The "六有" standard for a base union (防止空壳化、形式化): field name → label.
SIX_HAVES = (
    ("has_elected_chair", _("有依法选举的工会主席")),
    ("has_committees", _("有独立健全的组织机构")),
    ("has_activity_venue", _("有服务职工的活动载体")),
    ("has_rules", _("有健全完善的制度机制")),
    ("has_own_funds", _("有自主管理的工会经费")),
    ("has_performance", _("有会员满意的工作绩效")),
)


class StandardGroup(models.TextChoices):
    """The three parts of a base union's standard (规范化建设)."""

    SIX = "six", _("“六有”")
    SYSTEMS = "systems", _("内部运行制度")
    FUNDS = "funds", _("经费")


class Standard(models.TextChoices):
    """The items a base union is checked on; the 六有 codes are the old boolean fields' names
    (the data migration relies on it)."""

    HAS_ELECTED_CHAIR = "has_elected_chair", SIX_HAVES[0][1]
    HAS_COMMITTEES = "has_committees", SIX_HAVES[1][1]
    HAS_ACTIVITY_VENUE = "has_activity_venue", SIX_HAVES[2][1]
    HAS_RULES = "has_rules", SIX_HAVES[3][1]
    HAS_OWN_FUNDS = "has_own_funds", SIX_HAVES[4][1]
    HAS_PERFORMANCE = "has_performance", SIX_HAVES[5][1]
    MEMBER_CONGRESS = "member_congress", _("会员（代表）大会制度")
    DEMOCRATIC_ELECTION = "democratic_election", _("民主选举制度")
    MEMBER_REVIEW = "member_review", _("会员评家制度")
    AFFAIRS_OPEN = "affairs_open", _("会务公开制度")
    FUNDS_ALLOCATION = "funds_allocation", _("经费拨缴已理顺")
    DUES_COLLECTION = "dues_collection", _("会费收缴已理顺")


#: The items of each group, in the order the pages show them.
STANDARD_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (StandardGroup.SIX, tuple(field for field, _label in SIX_HAVES)),
    (
        StandardGroup.SYSTEMS,
        (
            Standard.MEMBER_CONGRESS,
            Standard.DEMOCRATIC_ELECTION,
            Standard.MEMBER_REVIEW,
            Standard.AFFAIRS_OPEN,
        ),
    ),
    (StandardGroup.FUNDS, (Standard.FUNDS_ALLOCATION, Standard.DUES_COLLECTION)),
)
SIX_HAVE_CODES = STANDARD_GROUPS[0][1]
#: Items whose date is when the matter was arranged (理顺), not when it was checked.
ARRANGED_ITEMS = {Standard.FUNDS_ALLOCATION, Standard.DUES_COLLECTION}
#: Items that also say how (经费拨缴: 税务代收、财政划拨、单位拨缴…).
DETAIL_ITEMS = {Standard.FUNDS_ALLOCATION}
#: How 经费 is commonly remitted, offered as suggestions on the page.
FUNDS_WAYS = ("税务代收", "财政划拨", "单位拨缴", "上级返还")


#: The eight groups of the 2019 plan (八大群体) plus 其他, with stable codes, in the plan's order.
WORKER_GROUPS = (
    ("01", "货车司机"),
    ("02", "快递员"),
    ("03", "护工护理员"),
    ("04", "家政服务员"),
    ("05", "商场信息员"),
    ("06", "网约送餐员"),
    ("07", "房产中介员"),
    ("08", "保安员"),
    ("99", "其他"),
)
