"""`members.group_counts.clean_group_counts`, shared by the surveys and the services ledger:
whatever is typed, the result is {known code: whole count > 0} and every refusal is Chinese
under `group_counts`."""

from hypothesis import given
from hypothesis import strategies as st

from ruhui.enterprises import validation as enterprise_validation
from ruhui.members.codes import EIGHT_GROUPS
from ruhui.members.group_counts import MAX_COUNT, clean_group_counts

CODES = [code for code, _label in EIGHT_GROUPS.items]
LABELS = [label for _code, label in EIGHT_GROUPS.items]

counts = st.one_of(
    st.integers(min_value=-5, max_value=MAX_COUNT + 5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.none(),
)
keys = st.one_of(st.sampled_from(CODES + LABELS), st.text(max_size=6))


def test_enterprises_use_the_shared_reader():
    assert enterprise_validation.clean_group_counts is clean_group_counts


@given(st.dictionaries(keys, counts, max_size=8))
def test_result_is_known_codes_and_whole_counts(raw):
    errors: dict = {}
    result = clean_group_counts(raw, errors)
    assert set(errors) <= {"group_counts"}
    assert all(code in CODES for code in result)
    assert all(type(n) is int and n > 0 for n in result.values())
    assert list(result) == sorted(result)
    for message in errors.get("group_counts", []):
        assert message and not message.isascii()


@given(st.dictionaries(st.sampled_from(CODES), st.integers(min_value=0, max_value=MAX_COUNT)))
def test_valid_counts_kept(raw):
    errors: dict = {}
    assert clean_group_counts({k: str(v) for k, v in raw.items()}, errors) == {
        k: v for k, v in sorted(raw.items()) if v
    }
    assert errors == {}


@given(st.sampled_from(CODES), st.integers(min_value=1, max_value=MAX_COUNT))
def test_negative_or_fraction_refused(code, number):
    for typed in (f"-{number}", f"{number}.5"):
        errors: dict = {}
        assert clean_group_counts({code: typed}, errors) == {}
        assert (
            f"{EIGHT_GROUPS.label(code)}人数「{typed}」应为不小于 0 的整数"
            in errors["group_counts"][0]
        )
