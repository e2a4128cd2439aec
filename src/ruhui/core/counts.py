"""Counts as people type them: 3500, 3,500, 3，500, ３５００, 3 500, 3500人.

One function, `parse_count`, reads a typed count (a number of people, of unions, of
enterprises) into a non-negative int, or refuses it with a Chinese message that names the field,
repeats what was typed and says how to write it. `ruhui.web.fields.CountField` puts it on every
form where a count is typed; spreadsheet cells have their own readers (`campaigns.target_tables`,
`enterprises.validation`), which also take whole floats such as 3500.0.

The rules, in order:

1. Blank (nothing, or only spaces) is "not filled in": None. An int (not a bool) is taken as it
   is, within 0…maximum.
2. Full-width digits ０–９ count as 0–9; no other digits do (no ①, no ٣, no 三千五百).
3. Spaces around the number are ignored: the ASCII space, tab, the full-width space U+3000 and
   the no-break spaces U+00A0, U+202F, U+2009 (what a copy from a web page or Word brings).
4. The field's own unit may follow the number, with or without a space: 人 for people, 个 for
   unions (`unit`); only that one, so 3500个 on a people field is refused as a slip.
5. The digits may be grouped by thousands: with commas, the ASCII `,` or the full-width `，`
   (either, mixed), each with spaces around it or not (3,500 · 3，500 · 3 , 500), or with spaces
   alone (3 500). Commas and bare spaces are not mixed in one number (1,234 567 is refused).
   When grouped, the first group has 1 to 3 digits and no leading zero, and every later group
   exactly 3 digits: 3,500 and 1,234,567 are read; 35,00, 3,50,0, 3,50,000 (lakh grouping),
   3500,000, 0,500, 3 50, "3500," and 3,,500 are refused — a comma in the wrong place is more
   often a typo than a style. Without grouping any number of digits is read, leading zeros
   included (0500 = 500).
6. Anything else is refused: a sign (-5, －5, −5, +5), a decimal point (3.5, 3.0, 3,500.00, 3．5),
   letters and words (约3500, 3500余, 3k), the Chinese enumeration comma 、, other units.
7. More than `maximum` (by default 2,147,483,647, a PositiveIntegerField) is refused as too
   large; so is anything over 15 digits, before it is turned into an int. Text over 64
   characters is refused before it is looked at.
"""

from __future__ import annotations

import re

#: The largest count a PositiveIntegerField holds.
MAX_COUNT = 2**31 - 1
#: How a count may be written, shown in every refusal.
EXAMPLE = "如 3500 或 3,500"

_FULL_WIDTH_DIGITS = {0xFF10 + i: str(i) for i in range(10)}
_COMMAS = {ord("，"): ","}
_SPACES = {ord(c): " " for c in "\t\u00a0\u2009\u202f\u3000"}
_NORMALISE = _FULL_WIDTH_DIGITS | _COMMAS | _SPACES
_MAX_DIGITS = 15
_SHOWN = 20  # characters of the typed text repeated in a message

_PLAIN = re.compile(r"[0-9]+")
_COMMA_GROUPED = re.compile(r"[0-9]+(?: *, *[0-9]+)+")
_SPACE_GROUPED = re.compile(r"[0-9]+(?: +[0-9]+)+")
_SEPARATORS = re.compile(r"[ ,]+")
_DIGITS_AND_SEPARATORS = frozenset("0123456789 ,")
_MAX_LENGTH = 64
_NEGATIVE = re.compile(r"[-－−﹣‐–—] *[0-9]")
_DECIMAL = re.compile(r"[0-9] *[.．。·] *[0-9]")

MSG_INVALID = "{label}「{shown}」应为不小于 0 的整数，{example}。"
MSG_NEGATIVE = "{label}「{shown}」不能为负数：应为不小于 0 的整数，{example}。"
MSG_DECIMAL = "{label}「{shown}」应为整数，不带小数点，{example}。"
MSG_GROUPING = (
    "{label}「{shown}」的逗号（或空格）位置不对：应从个位起每 3 位一节，{example}；也可以不加逗号。"
)
MSG_TOO_LARGE = "{label}「{shown}」过大：应为不超过 {maximum:,} 的整数，请核对。"


class CountError(ValueError):
    """A typed count that is refused: `message` is the Chinese text to show, `code` one of
    invalid, negative, decimal, grouping, too_large."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def parse_count(
    value, *, label: str = "", unit: str | None = "人", maximum: int = MAX_COUNT
) -> int | None:
    """`value` (text as typed, or an int) as an int from 0 to `maximum`; None when blank;
    else CountError. `label` names the field in the message; `unit` is the one word that may
    follow the number (None: none). The rules are in the module's docstring."""
    label = str(label or "数量")
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return _within(value, str(value), label, maximum)
    if not isinstance(value, str):
        raise _error(MSG_INVALID, "invalid", label, str(value), maximum)
    text = value.translate(_NORMALISE).strip(" ")
    if not text:
        return None
    shown = value.strip()
    body = text
    if len(body) > _MAX_LENGTH:
        if set(body) <= _DIGITS_AND_SEPARATORS:
            raise _error(MSG_TOO_LARGE, "too_large", label, shown, maximum)
        raise _error(MSG_INVALID, "invalid", label, shown, maximum)
    if unit and body.endswith(unit):
        body = body[: -len(unit)].rstrip(" ")
    if _PLAIN.fullmatch(body):
        digits = body
    elif _COMMA_GROUPED.fullmatch(body) or _SPACE_GROUPED.fullmatch(body):
        groups = _SEPARATORS.split(body)
        first, rest = groups[0], groups[1:]
        if len(first) > 3 or first.startswith("0") or any(len(g) != 3 for g in rest):
            raise _error(MSG_GROUPING, "grouping", label, shown, maximum)
        digits = "".join(groups)
    elif set(body) <= _DIGITS_AND_SEPARATORS and any(c.isdigit() for c in body):
        # 1,234 567 · 3,,500 · 3500, · ,500
        raise _error(MSG_GROUPING, "grouping", label, shown, maximum)
    elif _NEGATIVE.match(body):
        raise _error(MSG_NEGATIVE, "negative", label, shown, maximum)
    elif _DECIMAL.search(body):
        raise _error(MSG_DECIMAL, "decimal", label, shown, maximum)
    else:
        raise _error(MSG_INVALID, "invalid", label, shown, maximum)
    digits = digits.lstrip("0") or "0"
    if len(digits) > _MAX_DIGITS:
        raise _error(MSG_TOO_LARGE, "too_large", label, shown, maximum)
    return _within(int(digits), shown, label, maximum)


def _within(number: int, shown: str, label: str, maximum: int) -> int:
    if number < 0:
        raise _error(MSG_NEGATIVE, "negative", label, shown, maximum)
    if number > maximum:
        raise _error(MSG_TOO_LARGE, "too_large", label, shown, maximum)
    return number


def _error(template: str, code: str, label: str, shown: str, maximum: int) -> CountError:
    if len(shown) > _SHOWN:
        shown = shown[:_SHOWN] + "…"
    message = template.format(label=label, shown=shown, example=EXAMPLE, maximum=maximum)
    return CountError(message, code)
