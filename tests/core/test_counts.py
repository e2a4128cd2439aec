"""Counts typed as people type them (ruhui.core.counts): every rule of the module's docstring,
as examples and as properties — any count written with ASCII or full-width digits, with or
without a comma (ASCII or full-width) or a space every 3 digits, with spaces around, parses back
to itself; letters, decimals, signs and commas in the wrong place are refused with a Chinese
message that names the field and says how to write it."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ruhui.core.counts import EXAMPLE, MAX_COUNT, CountError, parse_count

LABEL = "新增任务数"
FULL_WIDTH = {ord(str(d)): chr(0xFF10 + d) for d in range(10)}
SPACES = [" ", "\u3000", "\u00a0", "\t", "\u202f", "\u2009"]
COMMAS = [",", "，"]


def refused(value, **kwargs) -> CountError:
    with pytest.raises(CountError) as caught:
        parse_count(value, label=LABEL, **kwargs)
    return caught.value


# --- examples ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("3500", 3500),
        ("3,500", 3500),
        ("3，500", 3500),
        ("３５００", 3500),
        ("３，５００", 3500),
        ("3 500", 3500),
        ("3\u3000500", 3500),
        ("3\u00a0500", 3500),
        ("3 , 500", 3500),
        ("3， 500", 3500),
        ("  3,500\u3000", 3500),
        ("3500人", 3500),
        ("3,500 人", 3500),
        ("1,234,567", 1_234_567),
        ("1,234，567", 1_234_567),
        ("1 234 567", 1_234_567),
        ("0", 0),
        ("０", 0),
        ("0500", 500),
        ("2,147,483,647", MAX_COUNT),
    ],
)
def test_typed_counts_are_read(text, number):
    assert parse_count(text, label=LABEL) == number


@pytest.mark.parametrize("text", [None, "", " ", "\u3000", " \u00a0\t"])
def test_blank_is_none(text):
    assert parse_count(text, label=LABEL) is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("35,00", "grouping"),
        ("3,50,0", "grouping"),
        ("3,50,000", "grouping"),  # lakh grouping
        ("3500,000", "grouping"),
        ("0,500", "grouping"),
        ("3 50", "grouping"),
        ("3500,", "grouping"),
        (",500", "grouping"),
        ("3,,500", "grouping"),
        ("1,234 567", "grouping"),  # commas and bare spaces mixed
        ("3.5", "decimal"),
        ("3.0", "decimal"),
        ("3,500.00", "decimal"),
        ("3．5", "decimal"),
        ("-5", "negative"),
        ("－5", "negative"),
        ("−5", "negative"),
        ("- 3,500", "negative"),
        ("+5", "invalid"),
        ("abc", "invalid"),
        ("约3500", "invalid"),
        ("3500余", "invalid"),
        ("3k", "invalid"),
        ("三千五百", "invalid"),
        ("①", "invalid"),
        ("3、500", "invalid"),
        ("3500个", "invalid"),  # not the field's unit
        ("人", "invalid"),
        ("2,147,483,648", "too_large"),
        ("9" * 16, "too_large"),
        ("9" * 5000, "too_large"),  # not handed to int(): Python refuses over 4300 digits
    ],
)
def test_refused_with_a_message_naming_the_field_and_the_fix(text, code):
    error = refused(text)
    assert error.code == code
    assert error.message.startswith(f"{LABEL}「")
    if code == "too_large":
        assert "2,147,483,647" in error.message
    else:
        assert EXAMPLE in error.message  # 如 3500 或 3,500


def test_long_text_is_refused_before_it_is_read():
    assert refused("1" * 1_000_000 + "x").code == "invalid"
    assert refused("1," * 500_000 + "1").code == "too_large"
    assert refused(" " * 10 + "1" * 65).code == "too_large"


def test_the_message_repeats_what_was_typed_shortened():
    assert "「3.5」" in refused("3.5").message
    assert "「12345678901234567890…」" in refused("12345678901234567890abc").message


def test_the_unit_is_the_fields_own():
    assert parse_count("12个", label="新建基层工会目标", unit="个") == 12
    with pytest.raises(CountError):
        parse_count("12人", label="新建基层工会目标", unit="个")
    with pytest.raises(CountError):
        parse_count("12人", label="数量", unit=None)


def test_the_maximum_is_the_callers():
    assert parse_count("1,000,000", label="职工人数", maximum=1_000_000) == 1_000_000
    error = refused("1,000,001", maximum=1_000_000)
    assert error.code == "too_large" and "1,000,000" in error.message


def test_ints_are_taken_within_range_and_others_refused():
    assert parse_count(3500, label=LABEL) == 3500
    assert refused(-1).code == "negative"
    assert refused(MAX_COUNT + 1).code == "too_large"
    assert refused(True).code == "invalid"
    assert refused(3.5).code == "invalid"


def test_a_missing_label_still_names_something():
    with pytest.raises(CountError) as caught:
        parse_count("x", label="")
    assert caught.value.message.startswith("数量「x」")


# --- properties ----------------------------------------------------------------------------


@st.composite
def written(draw, number: int) -> str:
    """`number` as a person may type it: each digit ASCII or full-width, grouped by thousands
    with commas (ASCII or full-width, spaces around or not) or spaces, or not at all; spaces
    around it; 人 after it or not."""
    text = str(number)
    style = draw(st.sampled_from(["plain", "comma", "space"]))
    if style != "plain" and len(text) > 3:
        head = len(text) % 3 or 3
        groups = [text[:head]] + [text[i : i + 3] for i in range(head, len(text), 3)]
        parts = [groups[0]]
        for group in groups[1:]:
            if style == "comma":
                before = draw(st.sampled_from(["", " ", "\u3000"]))
                after = draw(st.sampled_from(["", " ", "\u3000"]))
                parts.append(before + draw(st.sampled_from(COMMAS)) + after)
            else:
                parts.append(draw(st.sampled_from(SPACES)))
            parts.append(group)
        text = "".join(parts)
    text = "".join(
        draw(st.sampled_from([c, c.translate(FULL_WIDTH)])) if c.isdigit() else c for c in text
    )
    lead = draw(st.text(alphabet=SPACES, max_size=3))
    trail = draw(st.text(alphabet=SPACES, max_size=3))
    unit = draw(st.sampled_from(["", "人", " 人"]))
    return f"{lead}{text}{unit}{trail}"


@st.composite
def typed_counts(draw) -> tuple[int, str]:
    number = draw(st.integers(min_value=0, max_value=MAX_COUNT))
    return number, draw(written(number))


@settings(max_examples=500, deadline=None)
@given(typed_counts())
def test_any_count_as_typed_parses_back_to_itself(case):
    number, text = case
    assert parse_count(text, label=LABEL) == number


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=MAX_COUNT))
def test_the_apps_own_display_format_is_read(number):
    """What the pages show (1,234,567) can be typed back."""
    assert parse_count(f"{number:,}", label=LABEL) == number
    assert parse_count(f"{number:,}".replace(",", "，"), label=LABEL) == number


@settings(max_examples=300, deadline=None)
@given(
    typed_counts(),
    st.characters(categories=["Lu", "Ll", "Lo"], exclude_characters="人"),
    st.data(),
)
def test_a_letter_anywhere_is_refused(case, letter, data):
    _number, text = case
    at = data.draw(st.integers(min_value=0, max_value=len(text)))
    error = refused(text[:at] + letter + text[at:])
    assert error.message.startswith(f"{LABEL}「") and EXAMPLE in error.message


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=0, max_value=10**6),
    st.integers(min_value=0, max_value=99),
    st.sampled_from([".", "．"]),
)
def test_decimals_are_refused(whole, fraction, point):
    error = refused(f"{whole:,}{point}{fraction}")
    assert error.code == "decimal" and EXAMPLE in error.message


@settings(max_examples=300, deadline=None)
@given(typed_counts(), st.sampled_from(["-", "－", "−"]))
def test_negative_signs_are_refused(case, sign):
    number, text = case
    assume(number > 0)
    error = refused(sign + text.strip())
    assert error.code == "negative" and "不能为负数" in error.message


@st.composite
def misgrouped(draw) -> str:
    """Digits cut by commas where at least one cut is not every 3 digits from the right."""
    first = draw(st.text(alphabet="0123456789", min_size=1, max_size=5))
    rest = draw(
        st.lists(st.text(alphabet="0123456789", min_size=1, max_size=5), min_size=1, max_size=4)
    )
    assume(len(first) > 3 or first.startswith("0") or any(len(g) != 3 for g in rest))
    separator = draw(st.sampled_from([",", "，", " , ", " "]))
    return separator.join([first, *rest])


@settings(max_examples=500, deadline=None)
@given(misgrouped())
def test_commas_in_the_wrong_place_are_refused(text):
    error = refused(text)
    assert error.code == "grouping"
    assert "位置不对" in error.message and EXAMPLE in error.message


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=30))
def test_any_text_is_a_count_none_or_a_message(text):
    message, code, result = None, None, None
    try:
        result = parse_count(text, label=LABEL)
    except CountError as error:
        message, code = error.message, error.code
    if message is None:
        assert result is None or (type(result) is int and 0 <= result <= MAX_COUNT)
    else:
        assert message.startswith(f"{LABEL}「")
        assert code in ("invalid", "negative", "decimal", "grouping", "too_large")
