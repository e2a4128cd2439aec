"""Head counts by worker group (`{group code: count}`), as a survey (五清一推进) and a services
ledger entry (服务台账) record them: one reader for both, so the same cell or form value is read
the same way and refused with the same Chinese message wherever it is typed.

`parse_count(value)` reads one head count; `clean_group_counts(value, errors)` reads a whole
{group code or name: count} mapping into {code: int} and puts its refusals under
``errors["group_counts"]``. Neither raises for bad input nor touches the database."""

from __future__ import annotations

import re
import unicodedata

from ruhui.members.codes import EIGHT_GROUPS

FIELD = "group_counts"
_COUNT_RE = re.compile(r"(\d+)(?:\.0*)?人?")
MAX_COUNT = 1_000_000
MSG_NOT_MAPPING = "各群体人数格式不正确：应为“群体: 人数”的对应表。"
MSG_NOT_WHOLE = "{group}人数「{value}」应为不小于 0 的整数。"


def _text(value) -> str:
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_count(value) -> int | str | None:
    """A head count: None for empty, an int ≥ 0, or the text shown when unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return _text(value)
    if isinstance(value, int):
        return value if 0 <= value <= MAX_COUNT else str(value)
    if isinstance(value, float):
        return int(value) if value.is_integer() and 0 <= value <= MAX_COUNT else str(value)
    text = _text(value).replace(",", "")
    if text == "":
        return None
    match = _COUNT_RE.fullmatch(text)
    if not match or int(match.group(1)) > MAX_COUNT:
        return text
    return int(match.group(1))


def clean_group_counts(value, errors: dict) -> dict[str, int]:
    """{group code or name: count} → {code: int} (zeros left out, codes in order); every
    refusal (an unknown group, a count that is negative or not whole) under `group_counts`."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        errors.setdefault(FIELD, []).append(MSG_NOT_MAPPING)
        return {}
    result: dict[str, int] = {}
    for key, count in value.items():
        code = EIGHT_GROUPS.code_for(key)
        if code is None:
            message = EIGHT_GROUPS.invalid_message(_text(key), field="群体")
            errors.setdefault(FIELD, []).append(message)
            continue
        number = parse_count(count)
        if number is None:
            continue
        if isinstance(number, str):
            message = MSG_NOT_WHOLE.format(group=EIGHT_GROUPS.label(code), value=number)
            errors.setdefault(FIELD, []).append(message)
            continue
        if number:
            result[code] = result.get(code, 0) + number
    return dict(sorted(result.items()))
