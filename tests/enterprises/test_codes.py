"""Credit codes (GB 32100), legacy numbers and names: exact messages, and agreement with
python-stdnum on every valid code and every single-character mutation."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from ruhui.enterprises.codes import (
    ALPHABET,
    check_digit,
    enterprise_uscc_problem,
    legacy_problem,
    normalize_name,
    normalize_uscc,
    uscc_problem,
)
from ruhui.enterprises.validation import clean_enterprise_fields

# Codes stdnum also accepts: authority 1–9, category 1–9, six digits, nine alphabet characters.
codes_17 = st.builds(
    lambda a, b, region, body: a + b + region + body,
    st.sampled_from("123456789"),
    st.sampled_from("123456789"),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=ALPHABET, min_size=9, max_size=9),
)


def test_published_vectors():
    for code in ("91350100M000100Y43", "91110000600037341L"):
        assert uscc_problem(code) is None
        assert stdnum_uscc.is_valid(code)


@settings(max_examples=300)
@given(codes_17)
def test_computed_codes_are_valid_and_agree_with_stdnum(first17):
    code = first17 + check_digit(first17)
    assert check_digit(first17) == stdnum_uscc.calc_check_digit(first17)
    assert uscc_problem(code) is None
    assert stdnum_uscc.is_valid(code)


@settings(max_examples=120)
@given(codes_17, st.data())
def test_every_single_character_mutation_is_rejected(first17, data):
    code = first17 + check_digit(first17)
    position = data.draw(st.integers(0, 17))
    replacement = data.draw(st.sampled_from(ALPHABET + "IOSVZ"))
    mutated = code[:position] + replacement + code[position + 1 :]
    if mutated == code:
        return
    # A single substitution always breaks the check (31 is prime, no weight is 0 mod 31):
    # both validators must say no, and stdnum's own check character must disagree.
    assert uscc_problem(mutated) is not None
    assert not stdnum_uscc.is_valid(mutated)
    if all(c in ALPHABET for c in mutated):
        assert stdnum_uscc.calc_check_digit(mutated[:17]) != mutated[17]


def test_messages_say_exactly_what_is_wrong():
    assert "有 17 位，应为 18 位" in uscc_problem("91350100M000100Y4")
    assert "第 9 位「O」" in uscc_problem("91350100O000100Y43")
    assert "不使用字母 I、O、S、V、Z" in uscc_problem("91350100O000100Y43")
    assert "校验位（第 18 位）应为「3」而不是「4」" in uscc_problem("91350100M000100Y44")
    assert "第 1 位（登记管理部门代码）" in uscc_problem("B1350100M000100Y4" + "3")


def test_a_union_code_is_not_an_enterprise_code():
    body = "81410481MA0000001"
    union_code = body + check_digit(body)
    assert uscc_problem(union_code) is None
    assert "是工会法人的代码" in enterprise_uscc_problem(union_code)


def test_input_is_normalised():
    assert normalize_uscc(" ９１３５０１００ｍ０００１００ｙ４３ ") == "91350100M000100Y43"
    cleaned, errors = clean_enterprise_fields(
        {"name": "某公司", "division_code": "410481", "uscc": "91350100-m000100y43"}
    )
    assert errors == {} and cleaned["uscc"] == "91350100M000100Y43"


def test_legacy_numbers_are_lightly_checked():
    assert legacy_problem("410481000012345") is None
    assert legacy_problem("12345678-9") is None
    assert "请填到“统一社会信用代码”一栏" in legacy_problem("91350100M000100Y43")
    assert "格式不正确" in legacy_problem("注册号")


@pytest.mark.parametrize(
    "variant",
    [
        "平顶山顺达物流（舞钢）有限公司",
        "平顶山顺达物流(舞钢)有限公司",
        "平顶山 顺达物流 (舞钢) 有限公司",
        "平顶山顺达物流【舞钢】有限公司",
        "ＡＢＣ平顶山顺达物流（舞钢）有限公司".replace("ＡＢＣ", ""),
    ],
)
def test_name_variants_share_one_key(variant):
    assert normalize_name(variant) == normalize_name("平顶山顺达物流(舞钢)有限公司")


def test_full_width_latin_letters_fold():
    assert normalize_name("ＡＢＣ物流") == normalize_name("abc物流")
