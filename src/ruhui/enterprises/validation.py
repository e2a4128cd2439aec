"""Validation of enterprise and survey fields: one function each for forms, the API and the
importer (the pattern of ruhui.members.validation).

`clean_enterprise_fields(raw)` and `clean_survey_fields(raw)` take plain values (strings from a
form, JSON or a spreadsheet cell) and return (cleaned, errors): `cleaned` holds codes, dates,
numbers and normalised text; `errors` maps a field name to Chinese messages that name the field
and say how to fix it. They never raise for bad input and touch no database.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from ruhui.core import divisions
from ruhui.enterprises import codes as ids
from ruhui.enterprises.choices import (
    ATTITUDES,
    FLAG_FIELDS,
    NEXT_ACTION_OTHER,
    NEXT_ACTIONS,
    REASON_OTHER,
    REASONS,
    ProjectScale,
    UnionStatus,
)
from ruhui.members.codes import EIGHT_GROUPS, CodeSet

# The head-count readers are shared with the services ledger (members.group_counts); the
# enterprise forms and importers keep reading them from here.
from ruhui.members.group_counts import MAX_COUNT, clean_group_counts, parse_count  # noqa: F401
from ruhui.members.validation import parse_bool, parse_date
from ruhui.orgs.choices import Industry

ENTERPRISE_LABELS = {
    "name": "企业名称",
    "uscc": "统一社会信用代码",
    "legacy_registration_number": "原注册号",
    "division_code": "所在县(市、区)",
    "township": "乡镇(街道)",
    "address": "地址",
    "industry": "所属行业",
    "is_non_public": "非公有制企业",
    "is_platform_company": "平台企业",
    "is_third_party_delivery": "第三方配送企业",
    "is_delivery_station": "配送站（点）",
    "is_affiliated_operator": "挂靠经营企业",
    "is_private_non_enterprise": "民办单位（民办机构）",
    "is_construction_project": "在建项目",
    "project_scale": "项目规模",
    "is_property_company": "物业公司",
    "is_agricultural_coop": "农业专业合作组织",
    "groups": "用工群体",
}
SURVEY_LABELS = {
    "surveyed_on": "排查日期",
    "surveyor_name": "排查人",
    "union_status": "建会情况",
    "reason": "未建会原因",
    "reason_text": "原因说明",
    "legal_rep_attitude": "法人态度",
    "attitude_notes": "法人思想动态",
    "employees_total": "职工人数",
    "migrant_workers": "农民工人数",
    "group_counts": "各群体人数",
    "next_action": "推进措施",
    "next_action_text": "推进措施说明",
    "next_action_due": "完成时限",
    "next_action_owner_name": "责任人",
}
ENTERPRISE_TEXT_LIMITS = {"name": 120, "township": 40, "address": 200}
SURVEY_TEXT_LIMITS = {
    "surveyor_name": 40,
    "reason_text": 200,
    "attitude_notes": 200,
    "next_action_text": 200,
    "next_action_owner_name": 40,
}
INDUSTRIES = CodeSet("所属行业", tuple((c, str(label)) for c, label in Industry.choices))
SCALES = CodeSet(
    "项目规模",
    tuple((c, str(label)) for c, label in ProjectScale.choices),
    aliases={"大型": "large", "中型": "large", "大": "large", "小": "small"},
)
UNION_STATUSES = CodeSet(
    "建会情况",
    tuple((c, str(label)) for c, label in UnionStatus.choices),
    aliases={
        "是": "built",
        "有": "built",
        "已建": "built",
        "否": "none",
        "无": "none",
        "未建": "none",
        "筹建": "preparing",
    },
)
_GROUP_SPLIT = re.compile(r"[、,，;；/\s]+")


def _text(value) -> str:
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_groups(value) -> list[str] | str:
    """Worker groups from codes or names (a list, or text separated by 、 , ；); the text of the
    first unknown one when any is unknown."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, list | tuple | set) else _GROUP_SPLIT.split(_text(value))
    result = []
    for item in items:
        if hasattr(item, "code"):  # a WorkerGroup instance
            item = item.code
        if item in ("", None):
            continue
        code = EIGHT_GROUPS.code_for(item)
        if code is None:
            return _text(item)
        if code not in result:
            result.append(code)
    return result


def _add(errors: dict, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _coded(raw, present, field, codeset, label, cleaned, errors) -> None:
    if field not in present:
        return
    shown = _text(raw.get(field))
    if shown == "":
        cleaned[field] = ""
        return
    code = codeset.code_for(raw.get(field))
    if code is None:
        _add(errors, field, codeset.invalid_message(shown, field=label))
    else:
        cleaned[field] = code


def clean_enterprise_fields(
    raw: dict, *, partial: bool = False
) -> tuple[dict, dict[str, list[str]]]:
    """Validate and normalise an enterprise's fields; `partial` skips absent fields (edits)."""
    cleaned: dict = {}
    errors: dict[str, list[str]] = {}
    labels = ENTERPRISE_LABELS
    present = set(raw) if partial else set(labels)

    if "name" in present:
        name = " ".join(_text(raw.get("name")).split())
        if not name:
            _add(errors, "name", "企业名称不能为空，请按营业执照填写全称。")
        elif len(name) < 2:
            _add(errors, "name", "企业名称过短，请按营业执照填写全称。")
        else:
            cleaned["name"] = name
            cleaned["normalised_name"] = ids.normalize_name(name)[:120]

    if "uscc" in present:
        code = ids.normalize_uscc(raw.get("uscc"))
        if code:
            problem = ids.enterprise_uscc_problem(code)
            if problem:
                _add(errors, "uscc", problem)
            else:
                cleaned["uscc"] = code
        else:
            cleaned["uscc"] = ""

    if "legacy_registration_number" in present:
        code = ids.normalize_legacy(raw.get("legacy_registration_number"))
        if code and (problem := ids.legacy_problem(code)):
            _add(errors, "legacy_registration_number", problem)
        else:
            cleaned["legacy_registration_number"] = code

    if "division_code" in present:
        code = divisions.normalize_code(raw.get("division_code"))
        label = labels["division_code"]
        if not code:
            _add(
                errors,
                "division_code",
                f"{label}不能为空：请填写 6 位县级行政区划代码，如 410481（舞钢市）。",
            )
        elif len(code) != 6 or not code.isdigit() or not divisions.is_known_county(code):
            _add(
                errors,
                "division_code",
                f"{label}「{code}」不是有效的行政区划代码：请填写 6 位 GB/T 2260 县级代码，如 410481（舞钢市）。",
            )
        elif code.endswith("00"):
            _add(
                errors,
                "division_code",
                f"{label}「{code}」是省、市级代码：请填写企业实际所在的县(市、区)代码，如 410481（舞钢市）。",
            )
        else:
            cleaned["division_code"] = code

    for field, limit in ENTERPRISE_TEXT_LIMITS.items():
        if field in present and field != "name":
            value = " ".join(_text(raw.get(field)).split())
            if len(value) > limit:
                _add(errors, field, f"{labels[field]}不能超过 {limit} 个字。")
            else:
                cleaned[field] = value

    _coded(raw, present, "industry", INDUSTRIES, labels["industry"], cleaned, errors)

    for field in FLAG_FIELDS:
        if field not in present:
            continue
        value = raw.get(field)
        if value is None or _text(value) == "":
            if not partial:
                cleaned[field] = field == "is_non_public"
            continue
        parsed = parse_bool(value)
        if parsed is None:
            _add(errors, field, f"{labels[field]}「{_text(value)}」无法识别：请填写“是”或“否”。")
        else:
            cleaned[field] = parsed

    _coded(raw, present, "project_scale", SCALES, labels["project_scale"], cleaned, errors)
    if not partial or {"is_construction_project", "project_scale"} & present:
        construction = cleaned.get("is_construction_project")
        scale = cleaned.get("project_scale", "")
        if construction and not scale and "project_scale" not in errors:
            _add(errors, "project_scale", "在建项目请选择项目规模：大中型或小型。")
        if construction is False and scale:
            _add(errors, "project_scale", "只有在建项目才填写项目规模：请清空，或勾选“在建项目”。")

    if "groups" in present:
        groups = parse_groups(raw.get("groups"))
        if isinstance(groups, str):
            _add(errors, "groups", EIGHT_GROUPS.invalid_message(groups, field=labels["groups"]))
        else:
            cleaned["groups"] = groups
    return cleaned, errors


def clean_survey_fields(
    raw: dict, *, today: datetime.date | None = None
) -> tuple[dict, dict[str, list[str]]]:
    """Validate and normalise one survey record (五清一推进)."""
    today = today or datetime.date.today()
    labels = SURVEY_LABELS
    cleaned: dict = {}
    errors: dict[str, list[str]] = {}

    shown = _text(raw.get("surveyed_on"))
    if not shown:
        _add(errors, "surveyed_on", "排查日期不能为空，请填写实地排查的日期。")
    else:
        day = parse_date(raw.get("surveyed_on"))
        if day is None:
            _add(
                errors, "surveyed_on", f"排查日期「{shown}」无法识别：请按 2026-05-01 的格式填写。"
            )
        elif day > today:
            _add(errors, "surveyed_on", f"排查日期不能晚于今天（{today:%Y-%m-%d}），请核对。")
        elif day.year < 2000:
            _add(errors, "surveyed_on", f"排查日期「{shown}」过早，请核对。")
        else:
            cleaned["surveyed_on"] = day

    shown = _text(raw.get("union_status"))
    if not shown:
        _add(errors, "union_status", "建会情况不能为空：请选择已建会、未建会或筹建中。")
    else:
        code = UNION_STATUSES.code_for(raw.get("union_status"))
        if code is None:
            _add(errors, "union_status", UNION_STATUSES.invalid_message(shown, field="建会情况"))
        else:
            cleaned["union_status"] = code

    present = set(labels)
    _coded(raw, present, "reason", REASONS, labels["reason"], cleaned, errors)
    _coded(
        raw, present, "legal_rep_attitude", ATTITUDES, labels["legal_rep_attitude"], cleaned, errors
    )
    _coded(raw, present, "next_action", NEXT_ACTIONS, labels["next_action"], cleaned, errors)
    for field, limit in SURVEY_TEXT_LIMITS.items():
        value = " ".join(_text(raw.get(field)).split())
        if len(value) > limit:
            _add(errors, field, f"{labels[field]}不能超过 {limit} 个字。")
        else:
            cleaned[field] = value

    for field in ("employees_total", "migrant_workers"):
        number = parse_count(raw.get(field))
        if isinstance(number, str):
            _add(errors, field, f"{labels[field]}「{number}」应为不小于 0 的整数。")
        else:
            cleaned[field] = number
    cleaned["group_counts"] = clean_group_counts(raw.get("group_counts"), errors)

    total = cleaned.get("employees_total")
    migrant = cleaned.get("migrant_workers")
    if total is None and (migrant is not None or cleaned["group_counts"]):
        _add(errors, "employees_total", "填写了农民工或各群体人数时，请同时填写职工人数。")
    if total is not None and migrant is not None and migrant > total:
        _add(
            errors,
            "migrant_workers",
            f"农民工人数（{migrant}）不能多于职工人数（{total}），请核对。",
        )
    group_sum = sum(cleaned["group_counts"].values())
    if total is not None and group_sum > total:
        _add(
            errors,
            "group_counts",
            f"各群体人数之和（{group_sum}）不能多于职工人数（{total}），请核对。",
        )

    status = cleaned.get("union_status")
    if status == UnionStatus.BUILT:
        for field in ("reason", "reason_text"):
            if cleaned.get(field):
                _add(errors, field, "已建会的企业不填写未建会原因：请清空，或改选建会情况。")
    if cleaned.get("reason") == REASON_OTHER and not cleaned.get("reason_text"):
        _add(errors, "reason_text", "未建会原因选“其他”时，请在原因说明中写明具体原因。")
    if cleaned.get("next_action") == NEXT_ACTION_OTHER and not cleaned.get("next_action_text"):
        _add(errors, "next_action_text", "推进措施选“其他”时，请写明具体措施。")

    shown = _text(raw.get("next_action_due"))
    cleaned["next_action_due"] = None
    if shown:
        due = parse_date(raw.get("next_action_due"))
        if due is None:
            _add(
                errors,
                "next_action_due",
                f"完成时限「{shown}」无法识别：请按 2026-06-30 的格式填写。",
            )
        elif cleaned.get("surveyed_on") and due < cleaned["surveyed_on"]:
            _add(errors, "next_action_due", "完成时限不能早于排查日期，请核对。")
        else:
            cleaned["next_action_due"] = due
    if cleaned["next_action_due"] and not cleaned.get("next_action"):
        _add(errors, "next_action", "填写了完成时限时，请选择推进措施。")
    return cleaned, errors
