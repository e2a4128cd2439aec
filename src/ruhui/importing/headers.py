"""Header texts that rosters use for each member field, for `readers.read_table`.

Rosters come from the import template, from other systems' exports and from forms typed by
hand, so one field goes by many names (身份证号, 公民身份号码, 证件号码 …). The reader normalises
both these keys and the file's header cells the same way (NFKC, no spaces, no required marks
such as * or （必填）, no bracketed hints, casefolded), so the table lists each plain variant once.

Field names are those of `ruhui.members.validation.LABELS`, plus `union` (所属工会: name or code
of the union a member joins), `union_code` (所属工会代码), `member_number` (会员号, issued by the
system) and `status` (会籍状态, exported but not imported). Every field's LABELS text and the
field name itself are accepted too, so our own exports and templates read back.

Ambiguous bare words are left out on purpose: 户口 / 户籍 alone could be the 户籍类型 or the
户籍所在地 column, 单位 could be a department; an unmapped column is reported by name, which is
safer than a wrong guess.
"""

from __future__ import annotations

from ruhui.members.validation import LABELS

#: Extra fields beyond validation.LABELS, with the label used in messages.
EXTRA_LABELS = {
    "union": "所属工会",
    "union_code": "所属工会代码",
    "member_number": "会员号",
    "status": "会籍状态",
}

_VARIANTS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "会员姓名", "职工姓名", "员工姓名", "人员姓名", "名字"),
    "id_type": ("证件类型", "证件类别", "证件种类", "身份证件类型"),
    "id_number": (
        "证件号码",
        "证件号",
        "身份证号",
        "身份证号码",
        "身份证",
        "公民身份号码",
        "公民身份证号码",
        "公民身份证号",
        "居民身份证号码",
        "居民身份证号",
        "身份证件号码",
        "身份证件号",
        "证件编号",
    ),
    "sex": ("性别",),
    "birth_date": ("出生日期", "出生年月", "出生年月日", "出生时间", "生日"),
    "ethnicity": ("民族", "族别"),
    "political_status": ("政治面貌", "政治身份", "党派"),
    "education": ("学历", "文化程度", "最高学历", "文化水平", "学历层次"),
    "technical_grade": (
        "技术等级",
        "技能等级",
        "职业技能等级",
        "职业资格等级",
        "职业资格",
    ),
    "phone": (
        "手机号码",
        "手机号",
        "手机",
        "联系电话",
        "联系方式",
        "电话",
        "电话号码",
        "移动电话",
    ),
    "household_type": (
        "户籍类型",
        "户口性质",
        "户口类型",
        "户籍性质",
        "户口类别",
        "户籍类别",
        "户别",
    ),
    "household_division": (
        "户籍所在地",
        "户籍地",
        "户籍地址",
        "户口所在地",
        "户籍所在地代码",
        "户籍地行政区划",
        "户籍所在地行政区划代码",
    ),
    "employment_status": ("就业状况", "就业状态", "就业情况"),
    "employment_form": ("用工形式", "用工方式", "用工类型", "劳动用工形式", "就业形式"),
    "employer_name": (
        "工作单位",
        "单位名称",
        "所在单位",
        "工作单位名称",
        "就业单位",
        "用人单位",
        "所在企业",
        "企业名称",
    ),
    "employer_uscc": (
        "工作单位统一社会信用代码",
        "单位统一社会信用代码",
        "统一社会信用代码",
        "单位信用代码",
        "社会信用代码",
        "信用代码",
    ),
    "is_migrant_worker": ("是否农民工", "农民工", "是否农民工会员", "农民工会员"),
    "group": (
        "八大群体类别",
        "八大群体",
        "所属群体",
        "职业群体",
        "群体类别",
        "八大群体类型",
        "重点群体",
    ),
    "new_employment_form": (
        "新就业形态",
        "是否新就业形态",
        "是否新就业形态劳动者",
        "新就业形态劳动者",
        "是否灵活就业",
    ),
    "joined_on": ("入会日期", "入会时间", "入会年月", "加入工会时间", "加入工会日期"),
    "collection_method": ("采集方式", "信息采集方式", "填报方式"),
    "verification_status": ("实名核验状态", "实名认证状态", "核验状态", "实名认证"),
    "provincial_status": ("省库录入状态", "省库状态", "是否录入省库", "录入省库状态"),
    "provincial_entered_on": ("省库录入日期", "省库录入时间", "录入省库日期", "录入省库时间"),
    "last_dues_paid_on": ("最近缴纳会费日期", "会费缴纳日期", "最近缴费日期", "缴纳会费日期"),
    "union": ("所属工会", "工会名称", "所在工会", "基层工会", "基层工会名称", "入会工会"),
    "union_code": ("所属工会代码", "工会代码", "工会组织代码", "所属工会编码"),
    "member_number": ("会员号", "会员编号", "会员证号", "会员卡号", "会员证号码"),
    "status": ("会籍状态",),
}


def _build() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for field, variants in _VARIANTS.items():
        label = LABELS.get(field) or EXTRA_LABELS[field]
        for text in (label, *variants, field):
            if aliases.get(text, field) != field:
                raise ValueError(f"header {text!r} maps to two fields")
            aliases[text] = field
    return aliases


#: Header text → field name. Keys are plain texts; the reader normalises them.
MEMBER_HEADER_ALIASES: dict[str, str] = _build()

#: Field → the label used in messages (validation.LABELS plus the extra fields).
FIELD_LABELS: dict[str, str] = {**LABELS, **EXTRA_LABELS}

#: Headers that rosters often carry and the importer does not need (序号, 年龄 …): callers may
#: leave them out of an "unrecognised columns" warning. Plain texts, normalised like aliases.
IGNORABLE_HEADERS: frozenset[str] = frozenset(
    {"序号", "编号", "No", "No.", "年龄", "备注", "说明", "籍贯", "照片", "签名", "本人签字"}
)
