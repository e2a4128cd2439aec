"""National member-record code sets (会员实名制数据项代码), with lookups for forms and imports.

Each code set is an ordered tuple of (code, label) wrapped in a ``CodeSet``: ``.choices`` feeds
Django fields, ``.label(code)`` renders, and ``.code_for(value)`` maps a spreadsheet cell that
holds either the code or the label (full-width, spaces, dropped leading zeros tolerated, plus
a few documented aliases) to the code. Sources are in domain.md §c7 and §c4; where c7 only
names a standard, the list is the standard's own (GB/T 3304, GB/T 4762, GB/T 4658, GA 324.1).
Sets marked "project-defined" have no national code list; their codes are ours and stable.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping

from django.core.exceptions import ValidationError
from django.db import models

from ruhui.orgs.choices import WORKER_GROUPS

_MAX_LISTED = 12
_MEMO_LIMIT = 4096
_FLOAT_INT = re.compile(r"(\d+)\.0*")
_QUOTES = "'\"‘’“”`"


def _key(value: object) -> str:
    """Matching key: NFKC (full-width → ASCII), no whitespace or quotes, casefolded."""
    text = unicodedata.normalize("NFKC", str(value))
    text = "".join(text.split())
    return text.strip(_QUOTES).casefold()


class CodeSet:
    """An ordered national code list: ``name`` (e.g. '民族'), ``items`` of (code, label)."""

    def __init__(
        self,
        name: str,
        items: tuple[tuple[str, str], ...],
        *,
        standard: str = "",
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.items = items
        self.standard = standard
        self.labels: dict[str, str] = dict(items)
        self.codes_by_label: dict[str, str] = {label: code for code, label in items}
        if len(self.labels) != len(items) or len(self.codes_by_label) != len(items):
            raise ValueError(f"{name}: duplicate code or label")
        widths = {len(code) for code, _ in items}
        uniform = len(widths) == 1 and all(code.isdigit() for code in self.labels)
        self._pad = widths.pop() if uniform else 0
        self._lookup: dict[str, str] = {}
        self._memo: dict[str, str | None] = {}
        for code, label in items:
            self._add(code, code)
            self._add(label, code)
        for alias, code in (aliases or {}).items():
            if code not in self.labels:
                raise ValueError(f"{name}: alias {alias!r} points to unknown code {code!r}")
            self._add(alias, code)

    def _add(self, text: str, code: str) -> None:
        """Register one lookup key; a key may not point at two different codes."""
        key = _key(text)
        if self._lookup.get(key, code) != code:
            raise ValueError(f"{self.name}: {text!r} is ambiguous")
        self._lookup[key] = code

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(code, label) pairs for a Django field's ``choices``."""
        return list(self.items)

    @property
    def codes(self) -> tuple[str, ...]:
        """All codes in order."""
        return tuple(code for code, _ in self.items)

    def label(self, code: str | None) -> str:
        """The label of ``code``; '' for an empty or unknown code."""
        return self.labels.get(code or "", "")

    def code_for(self, value: object) -> str | None:
        """The code for a cell holding a code or a label (tolerant of width/spaces); else None."""
        if value.__class__ is str:
            # Rosters repeat the same few labels on every row: remember the answers.
            try:
                return self._memo[value]
            except KeyError:
                pass
            code = self._code_for(value)
            if len(self._memo) < _MEMO_LIMIT:
                self._memo[value] = code
            return code
        return self._code_for(value)

    def _code_for(self, value: object) -> str | None:
        if value is None or isinstance(value, bool):
            return None
        key = _key(value)
        if not key:
            return None
        code = self._lookup.get(key)
        if code is None and self._pad:
            match = _FLOAT_INT.fullmatch(key)
            digits = match.group(1) if match else key
            if digits.isdigit() and len(digits) < self._pad:
                code = self._lookup.get(digits.zfill(self._pad))
            elif match:
                code = self._lookup.get(digits)
        return code

    def invalid_message(self, value: object, *, field: str | None = None) -> str:
        """A Chinese rejection message naming the field and listing allowed values."""
        labels = [label for _, label in self.items]
        shown = "、".join(labels[:_MAX_LISTED]) + ("等" if len(labels) > _MAX_LISTED else "")
        return f"{field or self.name}「{value}」不在代码表中：请填写代码或名称，例如：{shown}。"

    def validate(self, value: object, *, field: str | None = None) -> str:
        """Return the code for ``value`` or raise ValidationError with ``invalid_message``."""
        code = self.code_for(value)
        if code is None:
            raise ValidationError(self.invalid_message(value, field=field), code="invalid_choice")
        return code

    def __contains__(self, code: object) -> bool:
        return code in self.labels

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        return f"<CodeSet {self.name} ({len(self.items)})>"


# 证件类型: 1–3 as the national system (lgjt CERTIFICATE_KEY); 4–9 project extensions for the
# documents that migrant and Hong Kong/Macao/Taiwan workers actually hold.
# --- named codes ------------------------------------------------------------------------------
# The codes the services set themselves, by name: each TextChoices below is the one home of its
# codes and labels, and the CodeSet of the same list (aliases, parsing) is built from it.


class IdType(models.TextChoices):
    RESIDENT_ID = "1", "身份证"
    PASSPORT = "2", "护照"
    OFFICER_ID = "3", "军官证"
    HK_MACAO_RESIDENCE = "4", "港澳居民居住证"
    TAIWAN_RESIDENCE = "5", "台湾居民居住证"
    HK_MACAO_PERMIT = "6", "港澳居民来往内地通行证"
    TAIWAN_PERMIT = "7", "台湾居民来往大陆通行证"
    FOREIGN_PERMANENT = "8", "外国人永久居留身份证"
    OTHER = "9", "其他"


class ChangeReason(models.TextChoices):
    """会籍变化原因 (全总会员实名制)."""

    JOB_CHANGED = "1", "劳动（工作）关系发生变化"
    LAID_OFF = "2", "在本单位下岗后待岗"
    UNEMPLOYED = "3", "失业"
    BANKRUPTCY = "4", "所在企业破产"
    OWN_REQUEST = "5", "个人要求退会"
    CRIME = "6", "因犯罪被开除会籍"


class CollectionMethod(models.TextChoices):
    SELF = "1", "本人填写"
    ON_BEHALF = "2", "他人代填"


class Verification(models.TextChoices):
    """实名核验状态 (project-defined): PENDING_CHECK when an automatic check (an ID number whose
    county code is not in GB/T 2260) needs a person to look at the record."""

    UNCHECKED = "0", "未核验"
    VERIFIED = "1", "已核验"
    FAILED = "2", "核验未通过"
    PENDING_CHECK = "3", "待人工核查"


#: Statuses nobody has set by checking the record: an automatic check may still overrule them.
UNCHECKED_VERIFICATIONS = ("", Verification.UNCHECKED.value)


def verification_for(*, county_unknown: bool, current: str) -> str:
    """The one rule for 待人工核查: a record whose ID number has a county code not in GB/T 2260
    goes to a person to look at, unless somebody already set its status."""
    if county_unknown and current in UNCHECKED_VERIFICATIONS:
        return Verification.PENDING_CHECK.value
    return current


class MemberSource(models.TextChoices):
    """How a membership entered the registry (来源)."""

    ENTERED = "录入", "录入"
    IMPORTED = "导入", "导入"
    ONLINE = "网上入会", "网上入会"
    API = "API", "API"
    DEMO = "演示数据", "演示数据"


ID_TYPES = CodeSet(
    "证件类型",
    tuple(IdType.choices),
    standard="全总会员实名制 1–3；4–9 本系统扩展",
    aliases={"居民身份证": "1", "二代身份证": "1", "第二代居民身份证": "1", "其它": "9"},
)

SEXES = CodeSet(
    "性别",
    (("0", "未知的性别"), ("1", "男"), ("2", "女"), ("9", "未说明的性别")),
    standard="GB/T 2261.1-2003",
    aliases={"男性": "1", "女性": "2", "未知": "0", "未说明": "9"},
)

# GB/T 3304-1991 codes 01–56, in the standard's order.
_ETHNIC = (
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
)

# 民族: GB/T 3304-1991 order (01 汉族 … 56 基诺族), 97 其他, 98 外国血统中国籍人士. The short
# forms without 族 (汉, 回 …) and the pre-1986 names 毛难族 and 崩龙族 are accepted on import.
ETHNICITIES = CodeSet(
    "民族",
    (
        *((f"{index:02d}", label) for index, label in enumerate(_ETHNIC, start=1)),
        ("97", "其他"),
        ("98", "外国血统中国籍人士"),
    ),
    standard="GB/T 3304-1991",
    aliases={
        **{label.removesuffix("族"): f"{index:02d}" for index, label in enumerate(_ETHNIC, 1)},
        "毛难族": "36",
        "崩龙族": "46",
        "其它": "97",
    },
)

POLITICAL_STATUSES = CodeSet(
    "政治面貌",
    (
        ("01", "中国共产党党员"),
        ("02", "中国共产党预备党员"),
        ("03", "中国共产主义青年团团员"),
        ("04", "中国国民党革命委员会会员"),
        ("05", "中国民主同盟盟员"),
        ("06", "中国民主建国会会员"),
        ("07", "中国民主促进会会员"),
        ("08", "中国农工民主党党员"),
        ("09", "中国致公党党员"),
        ("10", "九三学社社员"),
        ("11", "台湾民主自治同盟盟员"),
        ("12", "无党派民主人士"),
        ("13", "群众"),
    ),
    standard="GB/T 4762-1984",
    aliases={
        "中共党员": "01",
        "党员": "01",
        "中共预备党员": "02",
        "预备党员": "02",
        "共青团员": "03",
        "团员": "03",
        "民革会员": "04",
        "民盟盟员": "05",
        "民建会员": "06",
        "民进会员": "07",
        "农工党党员": "08",
        "致公党党员": "09",
        "台盟盟员": "11",
        "无党派人士": "12",
    },
)

# 学历: GB/T 4658-2006 (first level 10…90 and its second-level codes). Bare words from
# spreadsheets (本科, 大专 …) map to the first-level code, which says nothing about completion.
EDUCATION_LEVELS = CodeSet(
    "学历",
    (
        ("10", "研究生教育"),
        ("11", "博士研究生毕业"),
        ("12", "博士研究生结业"),
        ("13", "博士研究生肄业"),
        ("14", "硕士研究生毕业"),
        ("15", "硕士研究生结业"),
        ("16", "硕士研究生肄业"),
        ("17", "研究生班毕业"),
        ("18", "研究生班结业"),
        ("19", "研究生班肄业"),
        ("20", "大学本科教育"),
        ("21", "大学本科毕业"),
        ("22", "大学本科结业"),
        ("23", "大学本科肄业"),
        ("28", "大学普通班毕业"),
        ("30", "大学专科教育"),
        ("31", "大学专科毕业"),
        ("32", "大学专科结业"),
        ("33", "大学专科肄业"),
        ("40", "中等职业教育"),
        ("41", "中等专科毕业"),
        ("42", "中等专科结业"),
        ("43", "中等专科肄业"),
        ("44", "职业高中毕业"),
        ("45", "职业高中结业"),
        ("46", "职业高中肄业"),
        ("47", "技工学校毕业"),
        ("48", "技工学校结业"),
        ("49", "技工学校肄业"),
        ("60", "普通高级中学教育"),
        ("61", "普通高中毕业"),
        ("62", "普通高中结业"),
        ("63", "普通高中肄业"),
        ("70", "初级中学教育"),
        ("71", "初中毕业"),
        ("73", "初中肄业"),
        ("80", "小学教育"),
        ("81", "小学毕业"),
        ("83", "小学肄业"),
        ("90", "其他"),
    ),
    standard="GB/T 4658-2006",
    aliases={
        "研究生": "10",
        "博士": "10",
        "硕士": "10",
        "研究生毕业": "10",
        "大学本科": "20",
        "本科": "20",
        "大学": "20",
        "大学毕业": "20",
        "大学专科": "30",
        "专科": "30",
        "大专": "30",
        "专科毕业": "30",
        "中专": "40",
        "中技": "40",
        "技校": "40",
        "职高": "40",
        "高中": "60",
        "初中": "70",
        "小学": "80",
        "其它": "90",
    },
)

TECHNICAL_GRADES = CodeSet(
    "技术等级",
    (
        ("1", "职业资格一级（高级技师）"),
        ("2", "职业资格二级（技师）"),
        ("3", "职业资格三级（高级）"),
        ("4", "职业资格四级（中级）"),
        ("5", "职业资格五级（初级）"),
    ),
    standard="国家职业资格五级（全总会员实名制）",
    aliases={
        "高级技师": "1",
        "一级": "1",
        "技师": "2",
        "二级": "2",
        "高级工": "3",
        "三级": "3",
        "中级工": "4",
        "四级": "4",
        "初级工": "5",
        "五级": "5",
    },
)

# 户籍类型 (户口类别): GA 324.1-2001 codes. The national importer's message lists 赞助户口
# where the standard has 暂住户口 (the same pinyin, zànzhù): accepted as an alias of 7.
HOUSEHOLD_TYPES = CodeSet(
    "户籍类型",
    (
        ("0", "未落常住户口"),
        ("1", "非农业家庭户口"),
        ("2", "农业家庭户口"),
        ("3", "非农业集体户口"),
        ("4", "农业集体户口"),
        ("5", "自理口粮户口"),
        ("6", "寄住户口"),
        ("7", "暂住户口"),
        ("8", "其他户口"),
    ),
    standard="GA 324.1-2001",
    aliases={
        "赞助户口": "7",
        "城镇户口": "1",
        "非农业户口": "1",
        "农业户口": "2",
        "农村户口": "2",
        "其他": "8",
        "其它户口": "8",
    },
)

EMPLOYMENT_STATUSES = CodeSet(
    "就业状况",
    (
        ("1", "在岗"),
        ("2", "待（下）岗"),
        ("3", "失业"),
        ("4", "退休"),
        ("5", "离休"),
        ("6", "退职"),
        ("7", "退养（内退）"),
        ("8", "病休"),
        ("9", "其他"),
    ),
    standard="全总会员实名制",
    aliases={"下岗": "2", "待岗": "2", "内退": "7", "退养": "7", "其它": "9"},
)

# 用工形式: project-defined. 劳动合同, 劳务派遣 and 非全日制用工 are the forms of the Labour
# Contract Law; 灵活就业 and 平台接单 cover the new forms of employment in the campaign.
EMPLOYMENT_FORMS = CodeSet(
    "用工形式",
    (
        ("1", "劳动合同"),
        ("2", "劳务派遣"),
        ("3", "非全日制用工"),
        ("4", "灵活就业"),
        ("5", "平台接单"),
        ("9", "其他"),
    ),
    standard="本系统定义（依据《劳动合同法》用工形式及新就业形态）",
    aliases={
        "劳动合同用工": "1",
        "劳务派遣用工": "2",
        "派遣": "2",
        "非全日制": "3",
        "小时工": "3",
        "自由职业": "4",
        "零散就业": "4",
        "平台用工": "5",
        "网约": "5",
        "其它": "9",
    },
)

MEMBERSHIP_CHANGE_TYPES = CodeSet(
    "会籍变化类型",
    (("1", "入会"), ("2", "转入"), ("3", "保留"), ("4", "转出"), ("5", "除名"), ("6", "退会")),
    standard="全总会员实名制",
    aliases={"保留会籍": "3", "开除会籍": "5", "取消会籍": "5"},
)

MEMBERSHIP_CHANGE_REASONS = CodeSet(
    "会籍变化原因",
    tuple(ChangeReason.choices),
    standard="全总会员实名制",
    aliases={"工作调动": "1", "劳动关系变化": "1", "企业破产": "4", "本人申请退会": "5"},
)

# 八大群体: the eight groups of the 2018 campaign; stable two-digit codes are project-defined.
EIGHT_GROUPS = CodeSet(
    "八大群体类别",
    # The same groups and codes as the organizations' reference table; a member outside them
    # is 非八大群体 (an organization's 99 reads 其他).
    tuple((code, "非八大群体" if code == "99" else name) for code, name in WORKER_GROUPS),
    standard="本系统定义（八大群体入会行动）",
    aliases={
        "卡车司机": "01",
        "快递": "02",
        "快递小哥": "02",
        "护工": "03",
        "护理员": "03",
        "家政": "04",
        "家政服务人员": "04",
        "促销员": "05",
        "导购员": "05",
        "商场信息员（含促销员、导购员）": "05",
        "外卖骑手": "06",
        "外卖员": "06",
        "送餐员": "06",
        "房产中介": "07",
        "中介员": "07",
        "保安": "08",
        "其他": "99",
        "其它": "99",
    },
)

#: The eight groups as form choices (without 非八大群体).
EIGHT_GROUP_CHOICES = [(code, label) for code, label in EIGHT_GROUPS.choices if code != "99"]

COLLECTION_METHODS = CodeSet(
    "采集方式",
    tuple(CollectionMethod.choices),
    standard="江西会员实名制采集流程（本人 / 代填）",
    aliases={"本人": "1", "代填": "2", "代录": "2"},
)

CONFIRMATION_METHODS = CodeSet(
    "确认方式",
    (("1", "签字"), ("2", "电话"), ("3", "短信"), ("4", "微信")),
    standard="江西会员实名制采集流程",
    aliases={"本人签字": "1", "电话确认": "2", "短信确认": "3", "微信确认": "4"},
)

# 实名核验状态: project-defined. 3 means an automatic check (e.g. an ID number whose county
# code is not in GB/T 2260) needs a person to look at the record.
VERIFICATION_STATUSES = CodeSet(
    "实名核验状态",
    tuple(Verification.choices),
    standard="本系统定义",
    aliases={"已认证": "1", "实名认证": "1", "未认证": "0", "认证失败": "2"},
)

# 省库录入状态: project-defined; tracks entry into the provincial real-name database.
PROVINCIAL_ENTRY_STATUSES = CodeSet(
    "省库录入状态",
    (("0", "未录入"), ("1", "已录入"), ("2", "录入退回")),
    standard="本系统定义",
    aliases={"已入库": "1", "未入库": "0", "退回": "2"},
)

ALL: dict[str, CodeSet] = {
    "id_type": ID_TYPES,
    "sex": SEXES,
    "ethnicity": ETHNICITIES,
    "political_status": POLITICAL_STATUSES,
    "education": EDUCATION_LEVELS,
    "technical_grade": TECHNICAL_GRADES,
    "household_type": HOUSEHOLD_TYPES,
    "employment_status": EMPLOYMENT_STATUSES,
    "employment_form": EMPLOYMENT_FORMS,
    "membership_change_type": MEMBERSHIP_CHANGE_TYPES,
    "membership_change_reason": MEMBERSHIP_CHANGE_REASONS,
    "eight_group": EIGHT_GROUPS,
    "collection_method": COLLECTION_METHODS,
    "confirmation_method": CONFIRMATION_METHODS,
    "verification_status": VERIFICATION_STATUSES,
    "provincial_entry_status": PROVINCIAL_ENTRY_STATUSES,
}
