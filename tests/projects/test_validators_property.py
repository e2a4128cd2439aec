"""Property tests of the subsidy money validator (projects.services.parse_money): every amount a
cadre may type — 30000, 30,000.50, ３００００, 30000元, a Decimal — is taken at its value in yuan
with two decimals; anything else is refused with a Chinese message naming the field, and nothing
but ValidationError is ever raised."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from ruhui.projects.services import parse_money

LABEL, FIELD = "申请金额", "amount"
CJK = re.compile(r"[\u4e00-\u9fff]")
ONCE = settings(max_examples=300, deadline=None, database=None)

# Amounts > 0, below ten billion, at most two decimals: what the validator must accept.
amounts = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2, allow_nan=False
)


def _grouped(value: Decimal) -> str:
    whole, _, cents = f"{value:.2f}".partition(".")
    return f"{int(whole):,}" + ("." + cents if cents != "00" else "")


def _fullwidth(text: str) -> str:
    return text.translate({ord(str(i)): 0xFF10 + i for i in range(10)})


def _refused(value) -> str:
    try:
        parse_money(value, label=LABEL, field=FIELD)
    except ValidationError as exc:
        messages = exc.message_dict[FIELD]
        assert messages and all(CJK.search(m) for m in messages), messages
        assert LABEL in messages[0] or "金额" in messages[0], messages
        return messages[0]
    raise AssertionError(f"{value!r} was accepted")


@ONCE
@given(amounts, st.sampled_from(["plain", "grouped", "fullwidth", "yuan", "decimal", "spaces"]))
def test_every_valid_amount_is_accepted_at_its_value(amount, spelling):
    text = f"{amount:.2f}"
    value = {
        "plain": text,
        "grouped": _grouped(amount),
        "fullwidth": _fullwidth(text),
        "yuan": text + "元",
        "decimal": amount,
        "spaces": f"  {text} ",
    }[spelling]
    got = parse_money(value, label=LABEL, field=FIELD)
    assert got == amount and got.as_tuple().exponent == -2


@ONCE
@given(st.integers(min_value=1, max_value=9_999_999_999))
def test_whole_yuan_as_int(amount):
    assert parse_money(amount, label=LABEL, field=FIELD) == Decimal(amount)


@ONCE
@given(
    st.one_of(
        st.decimals(max_value=Decimal("0"), allow_nan=False, allow_infinity=False, places=2),
        st.decimals(min_value=Decimal("10000000000"), allow_nan=False, allow_infinity=False),
        st.decimals(
            min_value=Decimal("0.001"), max_value=Decimal("99999"), places=3, allow_nan=False
        ).filter(lambda d: d.as_tuple().exponent == -3 and d % Decimal("0.01") != 0),
    )
)
def test_zero_negative_huge_and_sub_cent_amounts_are_refused(amount):
    _refused(amount)
    _refused(str(amount))


@ONCE
@given(st.sampled_from(["", None, "NaN", "Infinity", "-5", "1e5", "３万", "30000.001", "1,00"]))
def test_known_bad_spellings_are_refused(value):
    message = _refused(value)
    assert "请填写" in message or "金额" in message


@ONCE
@given(st.one_of(st.text(max_size=30), st.floats(), st.booleans(), st.integers()))
def test_anything_else_is_an_amount_or_a_chinese_refusal(value):
    try:
        got = parse_money(value, label=LABEL, field=FIELD)
    except ValidationError as exc:
        messages = exc.message_dict[FIELD]
        got = None
    if got is None:
        assert all(CJK.search(m) for m in messages), messages
    else:
        assert Decimal("0") < got < Decimal("10000000000")
        assert got.as_tuple().exponent == -2
