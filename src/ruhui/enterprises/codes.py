"""Enterprise identifiers: the unified social credit code (GB 32100-2015), legacy registration
numbers, and the normalised name used for de-duplication. Pure functions, no database.

`check_uscc` says exactly what is wrong (length, which character, check character). It accepts
what GB 32100 allows and python-stdnum's ``cn.uscc`` accepts (the same alphabet, weights and
check character; ``stdnum.cn.uscc.calc_check_digit`` is the reference), with two differences:
the first character may also be A, N or Y (中央军委改革和编制办公室, 农业农村, 其他 registration
authorities, which stdnum rejects), and a union's own code (registration authority 8, 工会) is
not an enterprise's code — ``ruhui.orgs.models.validate_union_uscc`` is its mirror image.
"""

from __future__ import annotations

import re
import unicodedata

from stdnum.cn import uscc as stdnum_uscc

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
#: 登记管理部门代码 (GB 32100 table 1): 1 机构编制 … 9 市场监管, A 军队, N 农业, Y 其他.
AUTHORITIES = frozenset("123456789ANY")
UNION_AUTHORITY = "8"
_NOISE = re.compile(r"[\s\-—_]")
LEGACY_RE = re.compile(r"^[0-9A-Z][0-9A-Z\-]{5,29}$")


def normalize_uscc(value: object) -> str:
    """NFKC (full-width → ASCII), no spaces or hyphens, upper case."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return _NOISE.sub("", text).upper()


def check_digit(first17: str) -> str:
    """The GB 32100 check character of the first 17 characters (same as stdnum's)."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=False))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str, *, label: str = "统一社会信用代码") -> str | None:
    """None when `code` (already normalised) is a valid credit code of any registration
    authority; otherwise a Chinese message saying exactly what is wrong and how to fix it."""
    head = f"{label}「{code}」"
    if len(code) != 18:
        return f"{head}有 {len(code)} 位，应为 18 位：请对照营业执照或登记证书逐位核对。"
    for position, char in enumerate(code, start=1):
        if char not in ALPHABET:
            hint = (
                "统一社会信用代码不使用字母 I、O、S、V、Z（易与数字 1、0、5 等混淆）"
                if char in "IOSVZ"
                else "只能是数字或大写字母"
            )
            return f"{head}第 {position} 位「{char}」不是允许的字符：{hint}，请核对。"
    if code[0] not in AUTHORITIES:
        return f"{head}第 1 位（登记管理部门代码）「{code[0]}」无效：应为 1–9、A、N 或 Y。"
    if not code[1].isdigit() or code[1] == "0":
        return f"{head}第 2 位（机构类别代码）「{code[1]}」无效：应为 1–9 的数字。"
    if not code[2:8].isdigit():
        return f"{head}第 3–8 位（登记管理机关行政区划码）应为 6 位数字，请核对。"
    expected = check_digit(code[:17])
    if code[17] != expected:
        return (
            f"{head}校验位（第 18 位）应为「{expected}」而不是「{code[17]}」："
            "说明某一位抄写有误，请对照营业执照逐位核对。"
        )
    return None


def enterprise_uscc_problem(code: str, *, label: str = "统一社会信用代码") -> str | None:
    """Like `uscc_problem`, and a union's own code (starting with 8) is refused: an enterprise
    and the union that covers it are two legal persons with two codes."""
    problem = uscc_problem(code, label=label)
    if problem is None and code[0] == UNION_AUTHORITY:
        return (
            f"{label}「{code}」以 8 开头，是工会法人的代码，不是企业的代码："
            "请填写企业营业执照（或登记证书）上的代码。"
        )
    return problem


def is_valid_by_stdnum(code: str) -> bool:
    """python-stdnum's verdict (used by tests and by callers that need its narrower rule)."""
    return stdnum_uscc.is_valid(code)


def normalize_legacy(value: object) -> str:
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return "".join(text.split()).upper()


def legacy_problem(code: str, *, label: str = "原注册号") -> str | None:
    """Light check of a legacy number (15-digit 工商注册号, 9-character 组织机构代码 with or
    without its hyphen, other old registration numbers): 6–30 letters, digits or hyphens; an
    18-character credit code belongs in its own field."""
    if len(code) == 18 and uscc_problem(code) is None:
        return f"{label}「{code}」是统一社会信用代码，请填到“统一社会信用代码”一栏。"
    if not LEGACY_RE.match(code):
        return f"{label}「{code}」格式不正确：应为 6–30 位数字、大写字母或连字符（如 15 位工商注册号）。"
    return None


_BRACKETS = str.maketrans({"〔": "(", "〕": ")", "【": "(", "】": ")", "[": "(", "]": ")"})
_NAME_NOISE = re.compile(r"[\s·•・.,，。、\"'“”‘’]")


def normalize_name(value: object) -> str:
    """The de-duplication key of an enterprise name: NFKC (full-width → half-width, so （） → ()),
    other bracket shapes → (), no spaces or punctuation dots, casefolded.
    「平顶山 顺达物流（有限）公司」 and 「平顶山顺达物流(有限)公司」 share one key."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    text = text.translate(_BRACKETS)
    return _NAME_NOISE.sub("", text).casefold()
