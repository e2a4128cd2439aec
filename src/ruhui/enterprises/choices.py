"""Reference lists of the enterprise survey (拉网式排查, 五清一推进).

The lists without a national code set are project-defined (codes are ours and stable); they are
``CodeSet``s like the member registry's, so forms, the importer and the API accept either the
code or the label (full-width, spaces tolerated).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ruhui.members.codes import CodeSet


class ParkKind(models.TextChoices):
    """产业集聚区 and the other zones the 2015 plan asks a directory of (按图索骥)."""

    CLUSTER = "cluster", _("产业集聚区")
    DEVELOPMENT = "development", _("经济技术开发区")
    HIGH_TECH = "hightech", _("高新技术产业开发区")
    INDUSTRIAL = "industrial", _("工业园区")
    LOGISTICS = "logistics", _("物流园区")
    COMMERCE = "commerce", _("商贸物流区/商务中心区")
    AGRICULTURE = "agriculture", _("农业园区")
    OTHER = "other", _("其他园区")


class UnionStatus(models.TextChoices):
    """未建会企业数量清: whether the enterprise has a union."""

    NONE = "none", _("未建会")
    PREPARING = "preparing", _("筹建中")
    BUILT = "built", _("已建会")


class ProjectScale(models.TextChoices):
    """在建项目规模 (2015 plan: 大中型 build their own union; 小型 are covered by 联合会)."""

    LARGE = "large", _("大中型")
    SMALL = "small", _("小型")


class HeadcountSource(models.TextChoices):
    SURVEY = "survey", _("排查")
    IMPORT = "import", _("导入")
    MANUAL = "manual", _("录入")


#: 未建会原因清 (project-defined): the reasons the 2019 plan's groups meet, as a controlled list;
#: 其他 needs the free text.
REASONS = CodeSet(
    "未建会原因",
    (
        ("01", "企业规模小、职工人数少"),
        ("02", "职工流动性大"),
        ("03", "用工形式灵活（劳务派遣、外包、挂靠）"),
        ("04", "企业法人不支持"),
        ("05", "不了解工会政策"),
        ("06", "职工入会意愿不强"),
        ("07", "生产经营困难（停产、半停产）"),
        ("08", "新设立企业，尚未启动建会"),
        ("09", "正在筹建"),
        ("99", "其他"),
    ),
    standard="项目自定",
    aliases={
        "规模小": "01",
        "人数少": "01",
        "流动性大": "02",
        "劳务派遣": "03",
        "外包": "03",
        "挂靠": "03",
        "法人不支持": "04",
        "不了解政策": "05",
        "筹建中": "09",
        "其它": "99",
    },
)
REASON_OTHER = "99"

#: 企业法人思想动态清 (project-defined scale, from supportive to opposed).
ATTITUDES = CodeSet(
    "法人态度",
    (("1", "支持"), ("2", "一般"), ("3", "观望"), ("4", "抵触")),
    standard="项目自定",
    aliases={"积极": "1", "配合": "1", "中立": "2", "犹豫": "3", "反对": "4", "抵制": "4"},
)

#: 推进措施 (project-defined): the next step towards a union.
NEXT_ACTIONS = CodeSet(
    "推进措施",
    (
        ("01", "宣传动员"),
        ("02", "约谈企业法人"),
        ("03", "指导筹建"),
        ("04", "召开会员（代表）大会"),
        ("05", "纳入联合工会、行业工会"),
        ("06", "动态跟踪"),
        ("99", "其他"),
    ),
    standard="项目自定",
    aliases={"宣传": "01", "约谈法人": "02", "约谈": "02", "筹建": "03", "其它": "99"},
)
NEXT_ACTION_OTHER = "99"

#: The boolean flags the plans name, field → label (F03).
FLAGS = (
    ("is_non_public", _("非公有制企业")),
    ("is_platform_company", _("平台企业")),
    ("is_third_party_delivery", _("第三方配送企业")),
    ("is_delivery_station", _("配送站（点）")),
    ("is_affiliated_operator", _("挂靠经营企业")),
    ("is_private_non_enterprise", _("民办单位（民办机构）")),
    ("is_construction_project", _("在建项目")),
    ("is_property_company", _("物业公司")),
    ("is_agricultural_coop", _("农业专业合作组织")),
)
FLAG_FIELDS = tuple(name for name, _label in FLAGS)

#: The five 清 of 五清一推进, key → label, in the plan's order.
FIVE_CLEAR = (
    ("status", _("未建会企业数量清")),
    ("reason", _("未建会原因清")),
    ("attitude", _("企业法人思想动态清")),
    ("headcount", _("职工人数清")),
    ("area", _("所处区域清")),
)
