"""Validation of a member's real-name fields: one function for forms, the API and the importer.

`clean_member_fields(raw)` takes plain values (strings from a form, JSON or a spreadsheet cell)
and returns (cleaned, errors): `cleaned` holds codes, dates and normalised text; `errors` maps a
field name to Chinese messages that name the field and say how to fix it. It never raises for bad
input and touches no database, so the importer can run it over hundreds of thousands of rows.
"""

import datetime
import re
import unicodedata

from stdnum.cn import uscc as stdnum_uscc

from ruhui.core import divisions, idnumber
from ruhui.members import codes

PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$")  # ASCII digits only: \d admits any script

LABELS = {
    "name": "姓名",
    "id_type": "证件类型",
    "id_number": "证件号码",
    "sex": "性别",
    "birth_date": "出生日期",
    "ethnicity": "民族",
    "political_status": "政治面貌",
    "education": "学历",
    "technical_grade": "技术等级",
    "phone": "手机号码",
    "household_type": "户籍类型",
    "household_division": "户籍所在地",
    "employment_status": "就业状况",
    "employment_form": "用工形式",
    "employer_name": "工作单位",
    "employer_uscc": "工作单位统一社会信用代码",
    "is_migrant_worker": "是否农民工",
    "group": "八大群体类别",
    "new_employment_form": "新就业形态",
    "joined_on": "入会日期",
    "collection_method": "采集方式",
    "verification_status": "实名核验状态",
    "provincial_status": "省库录入状态",
    "provincial_entered_on": "省库录入日期",
    "last_dues_paid_on": "最近缴纳会费日期",
}
CODED = {
    "id_type": codes.ID_TYPES,
    "sex": codes.SEXES,
    "ethnicity": codes.ETHNICITIES,
    "political_status": codes.POLITICAL_STATUSES,
    "education": codes.EDUCATION_LEVELS,
    "technical_grade": codes.TECHNICAL_GRADES,
    "household_type": codes.HOUSEHOLD_TYPES,
    "employment_status": codes.EMPLOYMENT_STATUSES,
    "employment_form": codes.EMPLOYMENT_FORMS,
    "group": codes.EIGHT_GROUPS,
    "collection_method": codes.COLLECTION_METHODS,
    "verification_status": codes.VERIFICATION_STATUSES,
    "provincial_status": codes.PROVINCIAL_ENTRY_STATUSES,
}
REQUIRED = ("name", "id_number")
BOOLEAN = ("is_migrant_worker", "new_employment_form")
DATES = ("birth_date", "joined_on", "provincial_entered_on", "last_dues_paid_on")
CLEARABLE_DATES = ("provincial_entered_on", "last_dues_paid_on")
TEXT_LIMITS = {"name": 40, "employer_name": 120}
DEFAULTS = {
    "id_type": "1",
    "ethnicity": "01",
    "employment_status": "1",
    "group": "99",
    "collection_method": "2",
    "verification_status": "0",
    "provincial_status": "0",
}

TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "对", "on"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "✗", "x", "不是", "off", ""}
NAME_RE = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff·•A-Za-z .\-]{2,40}$")


def _text(value) -> str:
    if value is None:
        return ""
    if value.__class__ is not str:
        value = str(value)
    if value.isascii():
        return value.strip()
    return unicodedata.normalize("NFKC", value).strip()


def parse_bool(value) -> bool | None:
    """是/否, Y/N, √/×, true/false, 1/0 → bool; anything else → None."""
    if isinstance(value, bool):
        return value
    key = _text(value).lower()
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    return None


def parse_date(value) -> datetime.date | None:
    """A date from a date object or the common spellings (2019-05-01, 2019/5/1, 2019.5.1,
    2019年5月1日); None when it cannot be read."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    match = _DATE_RE.fullmatch(text)
    if not match:
        return None
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _sixteenth_birthday(born: datetime.date) -> datetime.date:
    """The day a person turns 16 (the labour-law minimum age); 29 February → 1 March."""
    try:
        return born.replace(year=born.year + 16)
    except ValueError:
        return datetime.date(born.year + 16, 3, 1)


_ALL_FIELDS = frozenset(LABELS)
_CODED_ITEMS = tuple(CODED.items())
_HAN = re.compile(r"[\u3400-\u9fff]")
_SPACES = re.compile(r"\s+")
_PHONE_NOISE = re.compile(r"[\s-]")
_OTHER_ID_RE = re.compile(r"[A-Z0-9()（）-]{5,24}")
_DATE_RE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


def clean_member_fields(
    raw: dict, *, today: datetime.date | None = None, partial: bool = False
) -> tuple[dict, dict[str, list[str]]]:
    """Validate and normalise a member's fields; `partial` skips absent fields (for edits)."""
    # Runs once per row of imports of up to a million rows: each value's text form is
    # computed once (absent fields read as ''), the patterns are compiled once.
    today = today or datetime.date.today()
    cleaned: dict = {}
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    texts = {field: _text(value) for field, value in raw.items()}
    text = texts.get
    value_of = raw.get
    present = set(raw) if partial else _ALL_FIELDS
    for field in REQUIRED:
        if field in present and not text(field):
            error(field, f"{LABELS[field]}不能为空，请填写。")

    name = text("name", "")
    if name and "name" in present:
        name = _SPACES.sub("", name) if _HAN.search(name) else name
        if not NAME_RE.match(name):
            error("name", "姓名应为 2–40 个汉字或字母（少数民族姓名可用间隔号“·”），请核对。")
        cleaned["name"] = name

    for field, codeset in _CODED_ITEMS:
        if field not in present:
            continue
        shown = text(field, "")
        if shown == "":
            if field in DEFAULTS and not partial:
                cleaned[field] = DEFAULTS[field]
            elif partial:
                cleaned[field] = DEFAULTS.get(field, "")
            continue
        code = codeset.code_for(value_of(field))
        if code is None:
            error(field, codeset.invalid_message(shown, field=LABELS[field]))
        else:
            cleaned[field] = code

    for field in DATES:
        if field not in present:
            continue
        shown = text(field, "")
        if shown == "":
            if partial and field in CLEARABLE_DATES:
                cleaned[field] = None  # an edit may clear an optional date
            continue
        parsed = parse_date(value_of(field))
        if parsed is None:
            error(field, f"{LABELS[field]}「{shown}」无法识别：请按 2019-05-01 的格式填写。")
        elif parsed > today:
            error(field, f"{LABELS[field]}不能晚于今天（{today:%Y-%m-%d}），请核对。")
        else:
            cleaned[field] = parsed

    for field in BOOLEAN:
        if field not in present:
            continue
        parsed = parse_bool(value_of(field))
        if parsed is None:
            error(field, f"{LABELS[field]}「{text(field, '')}」无法识别：请填写“是”或“否”。")
        else:
            cleaned[field] = parsed

    if "id_number" in present and text("id_number"):
        id_type = cleaned.get("id_type", "1")
        if id_type == "1":
            try:
                info = idnumber.parse(value_of("id_number"), today=today)
            except idnumber.IdNumberError as exc:
                error("id_number", exc.message_for(LABELS["id_number"]))
            else:
                cleaned["id_number"] = info.number
                cleaned["id_county_unknown"] = not info.county_known
                for field, derived, label in (
                    ("sex", info.sex, "性别"),
                    ("birth_date", info.birth_date, "出生日期"),
                ):
                    given = cleaned.get(field)
                    if given not in (None, "") and given != derived and text(field):
                        error(
                            field,
                            f"{label}与身份证号不符：身份证号显示为"
                            f"{codes.SEXES.label(derived) if field == 'sex' else derived}，"
                            f"请核对。",
                        )
                    cleaned[field] = derived
        else:
            number = _SPACES.sub("", text("id_number")).upper()
            if not _OTHER_ID_RE.fullmatch(number):
                error("id_number", "证件号码格式不正确：应为 5–24 位字母或数字，请核对证件。")
            cleaned["id_number"] = number
            cleaned["id_county_unknown"] = False
            for field in ("sex", "birth_date"):
                if not partial and not cleaned.get(field):
                    error(field, f"使用{codes.ID_TYPES.label(id_type)}时须填写{LABELS[field]}。")

    if "phone" in present:
        phone = text("phone", "")
        if not phone.isdigit():
            phone = _PHONE_NOISE.sub("", phone)
            if phone.startswith("+86"):
                phone = phone[3:]
        if phone and not PHONE_RE.match(phone):
            error("phone", "手机号码应为 11 位、以 13–19 开头的数字，如 13812345678，请核对。")
        elif phone or not partial:
            cleaned["phone"] = phone

    for field in ("household_division", "employer_uscc"):
        if partial and field in present and not text(field):
            cleaned[field] = ""  # an edit may clear an optional code
    code = text("household_division")
    if code and "household_division" in present:
        if divisions.get(code) is None:
            error(
                "household_division",
                f"户籍所在地「{code}」不是有效的行政区划代码：请填写 6 位 "
                "GB/T 2260 代码，如 410481（舞钢市）。",
            )
        else:
            cleaned["household_division"] = code

    value = text("employer_uscc")
    if value and "employer_uscc" in present:
        value = value.upper()
        if not stdnum_uscc.is_valid(value):
            error(
                "employer_uscc",
                f"工作单位统一社会信用代码「{value}」无效：应为 18 位且校验位正确，"
                "请核对营业执照。",
            )
        else:
            cleaned["employer_uscc"] = value

    for field, limit in TEXT_LIMITS.items():
        if field in present and field != "name":
            value = text(field, "")
            if len(value) > limit:
                error(field, f"{LABELS[field]}不能超过 {limit} 个字。")
            cleaned[field] = value

    joined, born = cleaned.get("joined_on"), cleaned.get("birth_date")
    if joined and born and joined < _sixteenth_birthday(born):
        error("joined_on", "入会日期早于本人年满 16 周岁，请核对入会日期或证件号码。")
    return cleaned, errors


_SLOW = object()  # a memo entry: this value needs the full path (an error or a rare form)


def member_fields_cleaner(*, today: datetime.date):
    """`clean_member_fields(raw, today=today)` for many rows (the importer's path).

    A row whose every value is valid and in its common form (text, date and bool values as
    `importing.cleaning` leaves them) takes a lean path: only the fields present are looked
    at, coded values are answered from a memo. Any other row — one with an error, an ID type
    other than the citizen ID, a value of an unusual type — goes through
    `clean_member_fields` itself, so the results are the same for every row
    (tests/importing/test_speed_paths.py checks this).
    """
    coded = [(field, codeset, DEFAULTS.get(field), {}) for field, codeset in _CODED_ITEMS]
    booleans = {"": False, True: True, False: False}
    absent_bools = dict.fromkeys(BOOLEAN, False)  # parse_bool('') is False

    def coded_value(codeset, default, memo, value):
        shown = _text(value)
        if shown == "":
            result = default
        else:
            result = codeset.code_for(value)
            if result is None:
                result = _SLOW
        if len(memo) < 4096:
            memo[value] = result
        return result

    def clean(raw: dict) -> tuple[dict, dict[str, list[str]]]:
        get = raw.get
        name = get("name")
        if name.__class__ is not str:
            return clean_member_fields(raw, today=today)
        name = _text(name)
        if _HAN.search(name):
            name = _SPACES.sub("", name)
        if not NAME_RE.match(name):
            return clean_member_fields(raw, today=today)
        cleaned = {"name": name}
        for field, codeset, default, memo in coded:
            value = get(field)
            if value is None:
                if default is not None:
                    cleaned[field] = default
                continue
            if value.__class__ is not str:
                return clean_member_fields(raw, today=today)
            result = memo.get(value)
            if result is None:
                result = coded_value(codeset, default, memo, value)
                if result is None:  # empty, no default
                    continue
            if result is _SLOW:
                return clean_member_fields(raw, today=today)
            cleaned[field] = result
        if cleaned.get("id_type", "1") != "1":
            return clean_member_fields(raw, today=today)
        for field in DATES:
            value = get(field)
            if value is None or value == "":
                continue
            if value.__class__ is not datetime.date or value > today:
                return clean_member_fields(raw, today=today)
            cleaned[field] = value
        for field in BOOLEAN:
            value = get(field)
            if value is None:
                cleaned[field] = absent_bools[field]
                continue
            flag = booleans.get(value) if value.__class__ in (str, bool) else None
            if flag is None:
                return clean_member_fields(raw, today=today)
            cleaned[field] = flag
        number = get("id_number")
        if number.__class__ is not str or not number:
            return clean_member_fields(raw, today=today)
        try:
            info = idnumber.parse(number, today=today)
        except idnumber.IdNumberError:
            return clean_member_fields(raw, today=today)
        cleaned["id_number"] = info.number
        cleaned["id_county_unknown"] = not info.county_known
        given = cleaned.get("sex")
        if given not in (None, "") and given != info.sex:
            return clean_member_fields(raw, today=today)
        cleaned["sex"] = info.sex
        given = cleaned.get("birth_date")
        if given is not None and given != info.birth_date:
            return clean_member_fields(raw, today=today)
        cleaned["birth_date"] = info.birth_date
        phone = get("phone")
        if phone is None:
            phone = ""
        elif phone.__class__ is not str:
            return clean_member_fields(raw, today=today)
        elif phone:
            phone = _text(phone)
            if not phone.isdigit():
                return clean_member_fields(raw, today=today)
            if not PHONE_RE.match(phone):
                return clean_member_fields(raw, today=today)
        cleaned["phone"] = phone
        for field in ("household_division", "employer_uscc"):
            value = get(field)
            if value is not None and value != "":
                return clean_member_fields(raw, today=today)  # rare in rosters: full path
        value = get("employer_name")
        if value is None:
            value = ""
        elif value.__class__ is not str:
            return clean_member_fields(raw, today=today)
        else:
            value = _text(value)
            if len(value) > TEXT_LIMITS["employer_name"]:
                return clean_member_fields(raw, today=today)
        cleaned["employer_name"] = value
        joined = cleaned.get("joined_on")
        if joined and joined < _sixteenth_birthday(cleaned["birth_date"]):
            return clean_member_fields(raw, today=today)
        return cleaned, {}

    return clean
