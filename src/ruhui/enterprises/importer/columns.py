"""What the importer reads: the two kinds, header aliases (field → the texts rosters use),
labels for messages, and the Chinese messages of the import."""

from __future__ import annotations

from ruhui.enterprises.validation import (
    ENTERPRISE_LABELS,
    SURVEY_LABELS,
)
from ruhui.orgs.choices import WORKER_GROUPS

ENTERPRISE, SURVEY = "enterprise", "survey"
KINDS = {ENTERPRISE: "企业名单", SURVEY: "排查表"}
GROUP_PREFIX = "count_"  # count_01 = 货车司机人数 …

#: Field → header texts. The field's own label (validation's *_LABELS) is always accepted too.
_IDENTITY = {
    "name": (
        "企业名称",
        "单位名称",
        "企业全称",
        "单位全称",
        "名称",
        "用人单位名称",
        "企业（单位）名称",
    ),
    "uscc": (
        "统一社会信用代码",
        "信用代码",
        "社会信用代码",
        "企业统一社会信用代码",
        "单位统一社会信用代码",
        "统一代码",
    ),
    "division_code": (
        "所在县(市、区)",
        "所在县区",
        "县区",
        "所在县(市、区)代码",
        "行政区划代码",
        "行政区划",
        "区划代码",
        "所属县区",
        "县(市、区)",
    ),
}
_REGISTRY = {
    "legacy_registration_number": (
        "原注册号",
        "注册号",
        "工商注册号",
        "营业执照注册号",
        "组织机构代码",
    ),
    "township": ("乡镇(街道)", "乡镇", "街道", "所在乡镇", "乡镇街道", "所在乡镇(街道)"),
    "address": ("地址", "企业地址", "详细地址", "经营地址", "注册地址", "住所", "单位地址"),
    "park": ("园区", "所在园区", "园区名称", "产业集聚区", "所在产业集聚区", "开发区"),
    "industry": ("所属行业", "行业", "行业类别", "行业门类", "行业分类"),
    "is_non_public": ("非公有制企业", "是否非公有制企业", "非公企业", "是否非公企业", "非公有制"),
    "is_platform_company": ("平台企业", "是否平台企业"),
    "is_third_party_delivery": ("第三方配送企业", "是否第三方配送企业"),
    "is_delivery_station": ("配送站(点)", "是否配送站(点)", "配送站点"),
    "is_affiliated_operator": ("挂靠经营企业", "是否挂靠经营", "挂靠经营"),
    "is_private_non_enterprise": ("民办单位(民办机构)", "是否民办单位", "民办机构"),
    "is_construction_project": ("在建项目", "是否在建项目"),
    "project_scale": ("项目规模", "在建项目规模"),
    "is_property_company": ("物业公司", "是否物业公司", "物业企业"),
    "is_agricultural_coop": (
        "农业专业合作组织",
        "农民专业合作社",
        "是否农业专业合作组织",
        "合作社",
    ),
    "groups": ("用工群体", "八大群体", "涉及群体", "八大群体类别", "所属群体"),
    "headcount_on": ("人数统计日期", "统计日期", "统计时间"),
}
COUNTS = {
    "employees_total": ("职工人数", "从业人数", "职工总数", "员工人数", "从业人员数", "用工人数"),
    "migrant_workers": ("农民工人数", "其中农民工人数", "农民工", "其中农民工"),
}
_SURVEY = {
    "surveyed_on": ("排查日期", "排查时间", "调查日期"),
    "surveyor_name": ("排查人", "排查人员", "调查人", "填报人"),
    "union_status": ("建会情况", "是否建会", "建会状态", "是否建立工会", "有无工会"),
    "reason": ("未建会原因", "未建会原因类别", "原因"),
    "reason_text": ("原因说明", "未建会原因说明", "具体原因"),
    "legal_rep_attitude": ("法人态度", "企业法人态度", "法人对建会的态度"),
    "attitude_notes": ("法人思想动态", "企业法人思想动态", "思想动态"),
    "next_action": ("推进措施", "下一步措施", "推进举措"),
    "next_action_text": ("推进措施说明", "措施说明", "具体措施"),
    "next_action_due": ("完成时限", "完成时间", "计划完成时间", "时限"),
    "next_action_owner_name": ("责任人", "推进责任人"),
}
_GROUP_LABELS = {code: name for code, name in WORKER_GROUPS if code != "99"}
_GROUP_EXTRA = {
    "01": ("卡车司机人数",),
    "02": ("快递小哥人数", "快递人员人数"),
    "03": ("护工人数", "护理员人数"),
    "04": ("家政人员人数",),
    "05": ("促销员人数", "导购员人数"),
    "06": ("外卖配送员人数", "外卖骑手人数", "送餐员人数"),
    "07": ("中介员人数",),
    "08": ("保安人数",),
}
GROUP_COLUMNS = {
    f"{GROUP_PREFIX}{code}": (f"{name}人数", *_GROUP_EXTRA.get(code, ()))
    for code, name in _GROUP_LABELS.items()
}
LABELS = {
    **ENTERPRISE_LABELS,
    **SURVEY_LABELS,
    "park": "所在园区",
    "headcount_on": "人数统计日期",
    **{f: texts[0] for f, texts in GROUP_COLUMNS.items()},
}


def _aliases(*tables: dict[str, tuple[str, ...]]) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for table in tables:
        for name, texts in table.items():
            for text in (LABELS.get(name, ""), *texts):
                if text:
                    aliases[text] = name
    return aliases


ENTERPRISE_ALIASES = _aliases(_IDENTITY, _REGISTRY, COUNTS, GROUP_COLUMNS)
SURVEY_ALIASES = _aliases(_IDENTITY, COUNTS, _SURVEY, GROUP_COLUMNS)

MSG_MISSING_COLUMNS = "文件缺少必需的列：{columns}。请使用导入模板，或在表头中加入这些列。"
MSG_NO_HEADER = (
    "没有找到表头：前 30 行中没有一行能识别出至少两个列名。请在数据上方留一行列名，"
    "例如：{expected}（可下载导入模板对照）。"
)
MSG_DUP_IN_FILE = "与第 {row} 行是同一企业（{key}）：同一企业在文件中只能出现一次，本行未导入。"
MSG_UPDATE_HINT = "如需用文件内容更新已登记的企业，请勾选“更新已登记的企业”后重新导入。"
MSG_NOT_MANAGED = "该企业由「{unit}」负责排查，不在您的管辖范围内，不能更新："
MSG_USCC_NUMBER = (
    "统一社会信用代码被 Excel 存成了数字（{shown}），后几位已经丢失，无法恢复：请把该列设为"
    "“文本”格式，按营业执照重新填写 18 位代码。"
)
MSG_PARK_UNKNOWN = (
    "园区「{park}」不在园区名录中（或不在您的管辖范围内）：请先在园区名录中添加，或核对名称。"
)
MSG_PARK_AMBIGUOUS = "园区「{park}」在多个县(市、区)都有，请同时填写企业所在县(市、区)。"
MSG_HEADCOUNT_DATE_FUTURE = "人数统计日期不能晚于今天（{today}），请核对。"
MSG_NOT_FOUND = (
    "在您管辖的企业中没有找到「{name}」（{key}）：请先导入企业名单或在系统中登记该企业，"
    "或核对名称、信用代码和所在县(市、区)。"
)
MSG_CODE_MISMATCH = (
    "名称与已登记的「{name}」相同，但统一社会信用代码不同（登记为 {uscc}）：请核对代码。"
)
MSG_SURVEY_DUP_FILE = "与第 {row} 行是同一企业同一天（{day}）的排查：本行未导入。"
MSG_SURVEY_DONE = (
    "「{name}」{day} 的这条排查记录已经导入过（内容相同），未重复记录；如需更正，请修改后再导入，"
    "更正会作为新的记录保存。"
)
