"""Property tests of the 文号 (document number) validator of the bulletins
(reports.bulletin_services._clean, the same rule as the model's RegexValidator): every number of
the form 机关代字〔年份〕序号号 is accepted, also typed with [] ［］ 【】 brackets; anything else
is refused with a Chinese message on the field, and nothing but ValidationError is raised."""

import re

from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from ruhui.reports.bulletin_services import _clean
from ruhui.reports.models import BULLETIN_NUMBER_RE

CJK = re.compile(r"[\u4e00-\u9fff]")
ONCE = settings(max_examples=300, deadline=None, database=None)
TITLE = "关于2019年农民工入会集中行动推进情况的通报"

hanzi = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
codes = st.text(hanzi, min_size=2, max_size=8)
years = st.integers(min_value=0, max_value=9999).map(lambda y: f"{y:04d}")
serials = st.integers(min_value=0, max_value=9999).map(str)
brackets = st.sampled_from([("〔", "〕"), ("[", "]"), ("［", "］"), ("【", "】")])


def _refused(number) -> str:
    try:
        _clean({"title": TITLE, "number": number})
    except ValidationError as exc:
        messages = exc.message_dict["number"]
        assert all(CJK.search(m) for m in messages) and "文号" in messages[0], messages
        return messages[0]
    raise AssertionError(f"{number!r} was accepted")


@settings(max_examples=300, deadline=None, database=None)
@given(codes, years, serials, brackets, st.sampled_from(["", " ", "  "]))
def test_every_well_formed_number_is_accepted(code, year, serial, pair, pad):
    opening, closing = pair
    typed = f"{pad}{code}{opening}{year}{closing}{serial}号{pad}"
    cleaned = _clean({"title": TITLE, "number": typed})
    assert cleaned["number"] == f"{code}〔{year}〕{serial}号"
    assert re.fullmatch(BULLETIN_NUMBER_RE, cleaned["number"])


@ONCE
@given(
    st.one_of(
        # Agency code too short or too long, or not hanzi.
        st.tuples(
            st.one_of(
                st.text(hanzi, max_size=1),
                st.text(hanzi, min_size=9, max_size=12),
                st.text("ABCxyz平12", min_size=2, max_size=6).filter(
                    lambda t: not re.fullmatch(r"[\u4e00-\u9fff]{2,8}", t)
                ),
            ),
            years,
            serials,
        ),
        # Year not four digits.
        st.tuples(
            codes, st.integers(0, 999).map(str) | st.integers(10000, 99999).map(str), serials
        ),
        # Serial missing or more than four digits.
        st.tuples(codes, years, st.just("") | st.integers(10000, 10**8).map(str)),
    )
)
def test_a_malformed_number_is_refused(parts):
    code, year, serial = parts
    _refused(f"{code}〔{year}〕{serial}号")


@ONCE
@given(codes, years, serials)
def test_missing_pieces_are_refused(code, year, serial):
    _refused(f"{code}〔{year}〕{serial}")  # no 号
    _refused(f"{code}{year}{serial}号")  # no brackets
    _refused(f"{code}（{year}）{serial}号")  # round brackets are not 〔〕
    _refused(f"〔{year}〕{serial}号")  # no agency code


@ONCE
@given(st.one_of(st.none(), st.text(max_size=40), st.integers(), st.floats()))
def test_anything_is_a_number_or_a_chinese_refusal(value):
    try:
        cleaned = _clean({"title": TITLE, "number": value})
    except ValidationError as exc:
        messages = exc.message_dict["number"]
        cleaned = None
    if cleaned is None:
        assert all(CJK.search(m) for m in messages), messages
    else:
        assert re.fullmatch(BULLETIN_NUMBER_RE, cleaned["number"])
