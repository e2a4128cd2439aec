"""Cell cleaners for every importer: what calamine or the csv module hands over → text, a date
or a bool. A spreadsheet cell arrives as str, int, float, bool, date, datetime, time or None;
`clean_text`, `clean_id_cell`, `clean_date_cell` and `clean_bool_cell` turn it into what its
column means, or raise `CellError` with a Chinese message that names the column once the caller
gives its label (`CellError.message_for`). Row cleaning for a particular roster (which field
gets which cleaner) is the importer's: importing.cleaning for members.

They run once per cell of up to a million rows, so each has a fast path for the common case
(plain ASCII or already-normalised text, date cells, repeated date strings) and costs well under
a microsecond there; see bench/bench_reading.py.

Decisions:
- Numeric ID cells: Excel keeps 15 significant digits, so any numeric cell of 16 or more digits,
  or with a fraction, or a text such as '4.10402E+17', is refused as 'scientific' (the trailing
  digits are already lost; nothing can repair them). A whole number of at most 15 digits (an old
  15-digit ID in a numeric cell) is exact and passed on as its digits.
- Numbers in date columns: 1900–2100 is a year, not an Excel serial (Excel would show 2019, and
  1905-07-11 would be a silent error) → refused as year-only; 6 and 8 digits are YYYYMM and
  YYYYMMDD; 1–79999 is an Excel serial (1900 date system, with Lotus's phantom 1900-02-29 =
  serial 60 refused). Digit-only *text* is read as YYYYMM / YYYYMMDD, and five digits from
  10000 to 73050 (1927-05-18 … 2099-12-31) as a serial: a roster saved from Excel or WPS as CSV
  keeps a date cell formatted as a number as its serial (43617 for 2019-06-01), and no other
  reading of five digits is possible (a year has four, YYYYMM six).
- Year-and-month dates ('2019年5月', '201905') mean the 1st of the month. For 出生日期 that is
  accepted only when the ID number gives the same year and month (the date is then left to the
  ID number); otherwise the full date is asked for.
- Empty cells: '' for text; None from clean_date_cell / clean_bool_cell, passed on as '' so that
  `clean_member_fields` applies its own rule for a missing value.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata

from ruhui.core import idnumber

MIN_YEAR, MAX_YEAR = 1900, 2100
MAX_SERIAL = 80_000  # 2119-01-10: beyond any plausible date in a roster
#: Five-digit text read as a serial (a CSV saved from Excel): 1927-05-18 … 2099-12-31.
TEXT_SERIAL_MIN, TEXT_SERIAL_MAX = 10_000, 73_050
_MEMO_LIMIT = 50_000

MSG_DATE = "{field}「{value}」无法识别为日期：请按 2019-05-01 的格式填写（也可写 2019/5/1、2019年5月1日）。"
MSG_DATE_UNREAL = "{field}「{value}」不是真实的日期：请核对年、月、日后重新填写。"
MSG_DATE_YEAR_ONLY = "{field}「{value}」只有年份：请填写完整日期，如 {value}-05-01。"
MSG_DATE_MONTH_ONLY = "{field}「{value}」只有年月：请填写完整的年月日，如 1990-05-17。"
MSG_BOOL = "{field}「{value}」无法识别：请填写“是”或“否”。"
MSG_TYPE = "{field}不能是{kind}：请按文本填写。"

_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_QUOTES = "'\"‘’“”`"
_OPEN_TO_CLOSE = {'"': '"', "'": "'", "`": "`", "“": "”", "‘": "’"}
_COUNTERPART = {**_OPEN_TO_CLOSE, "”": "“", "’": "‘"}


class CellError(ValueError):
    """A cell that cannot mean what its column means. ``code``: 'scientific', 'type', 'date',
    'bool'; ``message``: Chinese, with a generic field name; ``message_for(label)`` names the
    column. Messages about ID numbers never repeat the number (PI-7)."""

    def __init__(self, code: str, template: str, **params: object) -> None:
        self.code = code
        self.template = template
        self.params = params
        self.message = self.message_for("该单元格")
        super().__init__(self.message)

    def message_for(self, field: str) -> str:
        """The message with ``field`` (e.g. '入会日期') as the column name."""
        return self.template.format(field=field, **self.params)

    def __reduce__(self):
        return _restore_cell_error, (self.code, self.template, dict(self.params))


def _restore_cell_error(code: str, template: str, params: dict) -> CellError:
    return CellError(code, template, **params)


def shown_value(value: object) -> str:
    """A value as a message shows it: text, at most 30 characters."""
    text = value if isinstance(value, str) else text_of(value)
    text = text.strip()
    return text if len(text) <= 30 else text[:30] + "…"


# --- text ---------------------------------------------------------------------------------


def _trim(text: str) -> str:
    """Strip whitespace of any kind and zero-width characters from both ends."""
    text = text.strip()
    while text and (text[0] in _ZERO_WIDTH or text[-1] in _ZERO_WIDTH):
        text = text.strip(_ZERO_WIDTH).strip()
    return text


def _strip_quotes(text: str) -> str:
    """Drop Excel's leading apostrophe(s), quotes around the whole value and a quote left
    dangling at one end; keep quotes that belong to the text (“互联网+”行动)."""
    text = _trim(text.lstrip("'"))
    while len(text) >= 2 and _OPEN_TO_CLOSE.get(text[0]) == text[-1]:
        text = _trim(text[1:-1])
    if text and text[0] in _COUNTERPART and _COUNTERPART[text[0]] not in text[1:]:
        text = _trim(text[1:])
    if text and text[-1] in _COUNTERPART and _COUNTERPART[text[-1]] not in text[:-1]:
        text = _trim(text[:-1])
    return text


def _float_text(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if math.isfinite(value):
        return format(value, ".15g")  # what Excel shows: 15 significant digits
    return ""


def text_of(value: object) -> str:
    """Text for a cell that is not a str (numbers as Excel shows them, dates as ISO)."""
    if value is None:
        return ""
    kind = type(value)
    if kind is float:
        return _float_text(value)
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is int:
        return str(value)
    if kind is datetime.datetime:
        if value.hour == value.minute == value.second == value.microsecond == 0:
            return value.date().isoformat()
        return value.isoformat(" ", "seconds")
    if kind is datetime.date:
        return value.isoformat()
    if kind is datetime.time:
        return value.isoformat("seconds")
    return clean_text(str(value))


def clean_text(value: object) -> str:
    """Cell → text: None → '', 1.0 → '1', full-width → half-width (NFKC), no surrounding
    whitespace (incl. U+3000, NBSP, zero-width), no Excel text apostrophe or stray quotes."""
    if type(value) is str:
        if value.isascii():
            text = value.strip()
        else:
            if not unicodedata.is_normalized("NFKC", value):
                value = unicodedata.normalize("NFKC", value)
            text = _trim(value)
        if text and (text[0] in _QUOTES or text[-1] in _QUOTES):
            return _strip_quotes(text)
        return text
    if value.__class__ is float and value.is_integer() and -1e15 < value < 1e15:
        return str(int(value))
    return text_of(value)


# --- ID numbers ---------------------------------------------------------------------------

# '4.10402E+17', '4.10402199001011E+17', '410402199001011000.0': Excel's number, not the ID.
_SCIENTIFIC = re.compile(r"[0-9]+(?:\.[0-9]*)?E\+?[0-9]+|[0-9]{16,}\.[0-9]*")


def _scientific() -> CellError:
    return CellError("scientific", idnumber.IdNumberError("scientific").message_for("{field}"))


def clean_id_cell(value: object) -> str:
    """ID-number cell → normalised text (full-width → ASCII, no spaces or quotes, x → X).

    A numeric cell with a fraction or more than 15 digits, or text in scientific notation
    ('4.10402E+17'), raises CellError('scientific'): Excel has already dropped the last digits.
    """
    if type(value) is str:
        if value.isascii() and value.isalnum():
            return value.replace("x", "X") if "x" in value else value
        text = idnumber.normalize(value)
        if not text.isascii():
            text = unicodedata.normalize("NFKC", text)
        if not text.isalnum() and _SCIENTIFIC.fullmatch(text.upper()):
            raise _scientific()
        if text.endswith(".0") and text[:-2].isdigit() and len(text) <= 17:
            return text[:-2]  # a 15-digit number written out by a program as '…0.0'
        return text
    if value is None:
        return ""
    kind = type(value)
    if kind is int:
        if abs(value) < 10**15:
            return str(value)
        raise _scientific()
    if kind is float:
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        raise _scientific()
    what = {
        bool: "逻辑值（TRUE/FALSE）",
        datetime.date: "日期",
        datetime.datetime: "日期",
        datetime.time: "时间",
    }
    raise CellError("type", MSG_TYPE, kind=what.get(kind, "这种数据"))


# --- dates --------------------------------------------------------------------------------

_EXCEL_EPOCH = datetime.date(1899, 12, 30).toordinal()
_DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
    r"(?:[ T]\s*\d{1,2}[:：]\d{1,2}(?:[:：]\d{1,2}(?:\.\d+)?)?)?"
)
_MONTH_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:份)?")
_DIGITS_8 = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DIGITS_6 = re.compile(r"(\d{4})(\d{2})")

# raw text → (date, month_only) or (CellError code, template, shown value)
_date_memo: dict[str, tuple] = {}


def _make_date(year: int, month: int, day: int, shown: str) -> datetime.date:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CellError("date", MSG_DATE_UNREAL, value=shown)
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise CellError("date", MSG_DATE_UNREAL, value=shown) from None


def _parse_date_text(raw: str) -> tuple[datetime.date | None, bool]:
    text = raw
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = _trim(_trim(text).strip(_QUOTES))
    if not text:
        return None, False
    shown = shown_value(text)
    match = _DATE_TEXT.fullmatch(text) or _DIGITS_8.fullmatch(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
        return _make_date(year, month, day, shown), False
    match = _MONTH_TEXT.fullmatch(text) or _DIGITS_6.fullmatch(text)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        return _make_date(year, month, 1, shown), True
    if text.isdigit() and len(text) == 4:
        raise CellError("date", MSG_DATE_YEAR_ONLY, value=shown)
    if text.isdigit() and len(text) == 5 and TEXT_SERIAL_MIN <= int(text) <= TEXT_SERIAL_MAX:
        return _date_from_number(int(text))
    raise CellError("date", MSG_DATE, value=shown)


def _date_from_number(value: float) -> tuple[datetime.date, bool]:
    if value != value or value in (math.inf, -math.inf):
        raise CellError("date", MSG_DATE, value=shown_value(value))
    if float(value).is_integer():
        number = int(value)
        if MIN_YEAR <= number <= MAX_YEAR:
            raise CellError("date", MSG_DATE_YEAR_ONLY, value=str(number))
        if 190001 <= number <= 210012:
            return _make_date(number // 100, number % 100, 1, str(number)), True
        if 19000101 <= number <= 21001231:
            return _make_date(
                number // 10000, number // 100 % 100, number % 100, str(number)
            ), False
    if 1 <= value < MAX_SERIAL:
        serial = int(value)
        if serial == 60:  # 1900-02-29: exists only in Excel (Lotus 1-2-3's leap-year bug)
            raise CellError("date", MSG_DATE_UNREAL, value="1900-02-29")
        offset = serial if serial > 60 else serial + 1
        return datetime.date.fromordinal(_EXCEL_EPOCH + offset), False
    raise CellError("date", MSG_DATE, value=shown_value(value))


def date_value(value: object) -> tuple[datetime.date | None, bool]:
    """(date or None for an empty cell, True when only year and month were given)."""
    kind = type(value)
    if kind is datetime.datetime:
        return value.date(), False
    if kind is datetime.date:
        return value, False
    if kind is str:
        hit = _date_memo.get(value)
        if hit is None:
            try:
                hit = _parse_date_text(value)
            except CellError as error:
                hit = (error.code, error.template, error.params)
            if len(_date_memo) >= _MEMO_LIMIT:
                _date_memo.clear()
            _date_memo[value] = hit
        if type(hit[0]) is str:
            raise CellError(hit[0], hit[1], **hit[2])
        return hit
    if value is None:
        return None, False
    if kind is float or kind is int:
        return _date_from_number(value)
    if kind is bool:
        raise CellError("date", MSG_DATE, value="TRUE" if value else "FALSE")
    if kind is datetime.time:
        raise CellError("date", MSG_DATE, value=value.isoformat("minutes"))
    raise CellError("date", MSG_DATE, value=shown_value(value))


def clean_date_cell(value: object) -> datetime.date | None:
    """Date cell → date; None for an empty cell. Accepts date/datetime objects, Excel serials,
    YYYYMM(DD) numbers and the common spellings (2019-05-01, 2019/5/1, 2019.5.1, 2019年5月1日,
    2019年5月 → 2019-05-01, 201905, 20190501, '2019-05-01 00:00:00'); else CellError('date')."""
    return date_value(value)[0]


# --- yes / no -----------------------------------------------------------------------------

_TRUE = ("是", "是的", "对", "有", "y", "yes", "true", "t", "1", "1.0", "√", "✓", "✔", "☑", "on")
_FALSE = ("否", "不是", "非", "无", "没有", "n", "no", "false", "f", "0", "0.0", "×", "✗", "✘")
_FALSE_MORE = ("x", "☐", "off")
BOOL_WORDS: dict[str, bool] = {
    **dict.fromkeys(_TRUE, True),
    **dict.fromkeys(_FALSE + _FALSE_MORE, False),
}
BOOL_WORDS.update({word.upper(): flag for word, flag in list(BOOL_WORDS.items())})
BOOL_WORDS.update({word.capitalize(): flag for word, flag in list(BOOL_WORDS.items())})


def clean_bool_cell(value: object) -> bool | None:
    """是/否 cell → bool; None for an empty cell. 是/否/是的/不是, Y/N, yes/no, true/false
    (any case), 1/0, √/×, ✓/✗, TRUE/FALSE cells; else CellError('bool')."""
    if type(value) is str:
        flag = BOOL_WORDS.get(value)
        if flag is not None:
            return flag
        text = clean_text(value)
        if not text:
            return None
        flag = BOOL_WORDS.get(text.casefold())
        if flag is None:
            raise CellError("bool", MSG_BOOL, value=shown_value(text))
        return flag
    if value is None:
        return None
    if type(value) is bool:
        return value
    if type(value) in (int, float) and value in (0, 1):
        return bool(value)
    raise CellError("bool", MSG_BOOL, value=shown_value(value))
