"""The fixed lists of 服务阵地与服务 (issue 18): position kinds and states, facilities, the
stations' 六有 flags, service kinds, consultation levels and topics."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PositionKind(models.TextChoices):
    HOME = "home", _("职工之家")
    DRIVER = "driver", _("司机之家")
    STATION = "station", _("户外劳动者服务站点（工会驿站）")
    OTHER = "other", _("其他")


class PositionStatus(models.TextChoices):
    PLANNED = "planned", _("筹建")
    RUNNING = "running", _("运行")
    CLOSED = "closed", _("停用")


#: Facilities a position offers (code → label), in the order a list shows them.
FACILITIES = (
    ("water", _("饮水")),
    ("seats", _("休息座椅")),
    ("microwave", _("热饭/微波炉")),
    ("charging", _("充电")),
    ("toilet", _("卫生间")),
    ("first_aid", _("应急药箱")),
    ("climate", _("冷暖设备")),
    ("reading", _("阅览角")),
    ("wifi", _("Wi-Fi")),
    ("shower", _("淋浴")),
    ("parking", _("停车")),
)
FACILITY_CODES = frozenset(code for code, _label in FACILITIES)

#: The stations' standard (河南「六有」): field name on ServicePosition → label.
STATION_STANDARD = (
    ("has_sign", _("有统一标识")),
    ("has_premises", _("有固定场所")),
    ("has_facilities", _("有完备设施")),
    ("has_rules", _("有管理制度")),
    ("has_staff", _("有人员管理")),
    ("on_map", _("有地图可查")),
)


class ActivityKind(models.TextChoices):
    SPRING = "spring", _("春送岗位")
    SUMMER = "summer", _("夏送清凉")
    AUTUMN = "autumn", _("金秋助学")
    WINTER = "winter", _("冬送温暖")
    INSURANCE = "insurance", _("职工互助保险")
    HARDSHIP = "hardship", _("困难职工帮扶救助")
    LEGAL_AID = "legal_aid", _("法律援助")
    BENEFITS = "benefits", _("会员普惠性服务")
    ETHICS = "ethics", _("职业道德教育")
    SKILLS = "skills", _("职业技能培训")
    OTHER = "other", _("其他")


#: 四季送, the four seasonal kinds.
FOUR_SEASONS = (ActivityKind.SPRING, ActivityKind.SUMMER, ActivityKind.AUTUMN, ActivityKind.WINTER)
#: Kinds whose recipients only reviewers and admins may see (帮扶、法律援助).
SENSITIVE_KINDS = (ActivityKind.HARDSHIP, ActivityKind.LEGAL_AID)


class ConsultationLevel(models.TextChoices):
    INDUSTRY = "industry", _("行业性")
    REGIONAL = "regional", _("区域性")
    ENTERPRISE = "enterprise", _("企业")


#: Topics of a consultation (code → label).
TOPICS = (
    ("wage", _("工资")),
    ("safety", _("劳动安全卫生")),
    ("women", _("女职工特殊权益保护")),
    ("general", _("综合")),
)
TOPIC_CODES = frozenset(code for code, _label in TOPICS)

#: The outdoor groups whose members the positions per 1,000 members are counted against
#: (codes of orgs.choices.WORKER_GROUPS): 货车司机, 快递员, 网约送餐员, 保安员.
OUTDOOR_GROUPS = ("01", "02", "06", "08")
