"""Tests for the GB 11643 ID number validator (ruhui.core.idnumber)."""

import pickle
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from ruhui.core import divisions, idnumber
from ruhui.core.idnumber import IdNumberError

KNOWN_CODES = sorted(divisions.known_codes())
COUNTY_CODES = [code for code in KNOWN_CODES if not code.endswith("00")]
CHARS = "0123456789X"


def make_id(region: str, born: date, sequence: int) -> str:
    """Build a valid 18-character number from its parts."""
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + idnumber.checksum_char(first17)


def _ids() -> st.SearchStrategy[str]:
    """Valid IDs: known county codes (any era), real dates 1900..today, any sequence."""
    return st.builds(
        make_id,
        st.sampled_from(COUNTY_CODES),
        st.dates(min_value=date(1900, 1, 1), max_value=date.today()),
        st.integers(min_value=0, max_value=999),
    )


valid_ids = _ids()


@given(valid_ids)
def test_every_generated_valid_id_is_accepted(number):
    info = idnumber.parse(number)
    assert info.number == number
    assert info.county_known
    assert info.region_code == number[:6]
    assert info.birth_date == date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert idnumber.is_valid(number)


@settings(max_examples=60)
@given(valid_ids)
def test_every_single_character_substitution_is_rejected(number):
    for position in range(18):
        for char in CHARS:  # X is tried at every position; it is only ever valid last
            if char == number[position]:
                continue
            changed = number[:position] + char + number[position + 1 :]
            with pytest.raises(IdNumberError):
                idnumber.parse(changed)


@settings(max_examples=200)
@given(valid_ids)
def test_every_adjacent_transposition_is_rejected(number):
    for position in range(17):
        swapped = (
            number[:position] + number[position + 1] + number[position] + number[position + 2 :]
        )
        if swapped == number:
            continue
        with pytest.raises(IdNumberError):
            idnumber.parse(swapped)


def _error_of(text: object) -> IdNumberError | None:
    """The IdNumberError that parse raises for ``text``, or None if it is accepted."""
    try:
        idnumber.parse(text)
    except IdNumberError as error:
        return error
    return None


@given(st.text())
def test_parse_raises_only_id_number_error_on_arbitrary_text(text):
    error = _error_of(text)
    if error is not None:
        assert error.code
        assert error.message.startswith("证件号码")
        assert "：" in error.message


@given(st.text(alphabet="0123456789Xx .Ee+-'", max_size=25))
def test_parse_raises_only_id_number_error_on_near_numbers(text):
    error = _error_of(text)
    assert error is None or error.message.startswith("证件号码")


@given(valid_ids)
def test_sex_follows_parity_of_the_17th_digit(number):
    expected = "1" if int(number[16]) % 2 else "2"
    assert idnumber.parse(number).sex == expected


def test_known_vectors():
    info = idnumber.parse("11010519491231002X")
    assert info.birth_date == date(1949, 12, 31)
    assert info.sex == "2"
    assert info.region_code == "110105"
    male = idnumber.parse("370101190102039973")
    assert male.sex == "1"
    assert male.birth_date == date(1901, 2, 3)


def test_checksum_char():
    assert idnumber.checksum_char("11010519491231002") == "X"
    assert idnumber.checksum_char("37010119010203997") == "3"
    with pytest.raises(IdNumberError):
        idnumber.checksum_char("1101051949123100")


def test_weights_match_the_base_13_shortcut():
    for first17 in ("11010519491231002", "41040219900101123", "99999999999999999"):
        total = sum(int(d) * w for d, w in zip(first17, idnumber.WEIGHTS, strict=True))
        assert idnumber.checksum_char(first17) == idnumber.CHECK_CHARS[total % 11]


def test_upgrade_15_digit_number():
    # 110105 49 1231 002 → insert 19 before the year, append the MOD 11-2 check character.
    assert idnumber.upgrade_15("110105491231002") == "11010519491231002X"
    info = idnumber.parse("110105491231002")
    assert info.number == "11010519491231002X"
    assert info.birth_date == date(1949, 12, 31)
    with pytest.raises(IdNumberError):
        idnumber.upgrade_15("11010549123100")


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        " 110105 19491231 002X\t",
        "110105\u300019491231\u00a0002X",
        "'11010519491231002X",
        "‘11010519491231002X’",
        '"11010519491231002X"',
        "\ufeff11010519491231002X\u200b",
    ],
)
def test_normalisation(raw):
    assert idnumber.normalize(raw) == "11010519491231002X"
    assert idnumber.parse(raw).number == "11010519491231002X"


def test_future_birth_date_rejected():
    today = date(2024, 6, 30)
    number = make_id("410402", date(2024, 7, 1), 123)
    with pytest.raises(IdNumberError) as excinfo:
        idnumber.parse(number, today=today)
    assert excinfo.value.code == "future_birth"
    assert "晚于今天" in excinfo.value.message
    assert idnumber.parse(number, today=date(2024, 7, 1)).birth_date == date(2024, 7, 1)
    tomorrow = make_id("410402", date.today() + timedelta(days=1), 1)
    with pytest.raises(IdNumberError) as excinfo:
        idnumber.parse(tomorrow)
    assert excinfo.value.code == "future_birth"


def test_explicit_today_applies_even_after_a_date_was_seen():
    number = make_id("410402", date(2020, 1, 1), 5)
    idnumber.parse(number)
    with pytest.raises(IdNumberError):
        idnumber.parse(number, today=date(2019, 12, 31))


@pytest.mark.parametrize(
    ("birth", "code"),
    [
        ("19900230", "birth_date"),
        ("19901301", "birth_date"),
        ("19000229", "birth_date"),
        ("18991231", "birth_date"),
        ("20000229", None),
        ("19000101", None),
    ],
)
def test_birth_date_must_be_real_and_from_1900(birth, code):
    first17 = f"410402{birth}123"
    number = first17 + idnumber.checksum_char(first17)
    if code is None:
        assert idnumber.parse(number).birth_date.strftime("%Y%m%d") == birth
    else:
        with pytest.raises(IdNumberError) as excinfo:
            idnumber.parse(number)
        assert excinfo.value.code == code


def test_before_1900_has_its_own_message():
    with pytest.raises(IdNumberError) as excinfo:
        idnumber.parse("440524188001010014")
    assert excinfo.value.code == "birth_date"
    assert "1900" in excinfo.value.message


@pytest.mark.parametrize(
    "raw",
    [
        "4.10402E+17",
        "4.104021990010E+17",
        "4.10402199001011e17",
        "410402199001011000",
        "410402199001011000.0",
        410402199001011000,
        4.10402199001011e17,
    ],
)
def test_excel_scientific_notation_detected(raw):
    with pytest.raises(IdNumberError) as excinfo:
        idnumber.parse(raw)
    assert excinfo.value.code == "scientific"
    assert "Excel" in excinfo.value.message
    assert "文本" in excinfo.value.message


def test_unknown_county_is_flagged_not_rejected():
    number = make_id("410499", date(1990, 1, 1), 123)
    info = idnumber.parse(number)
    assert info.county_known is False
    assert info.region_code == "410499"
    assert idnumber.parse(make_id("410412", date(1985, 5, 5), 7)).county_known  # former code


def test_residence_permit_regions():
    assert idnumber.parse(make_id("830000", date(1990, 1, 1), 8)).county_known
    assert idnumber.parse(make_id("810000", date(1990, 1, 1), 8)).county_known


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "required"),
        ("   ", "required"),
        (None, "required"),
        ("4104021990010112", "length"),
        ("41040219900101123X1", "length"),
        ("41040219900101123A", "charset"),
        ("4104021990X101123X", "charset"),
        ("41040219900101123٣", "charset"),
        ("00040219900101123X", "province"),
        (["410402199001011234"], "type"),
        (True, "type"),
    ],
)
def test_rejection_codes(raw, code):
    with pytest.raises(IdNumberError) as excinfo:
        idnumber.parse(raw)
    assert excinfo.value.code == code
    assert excinfo.value.message.startswith("证件号码")


def test_messages_do_not_echo_the_number():
    number = make_id("410402", date(1990, 1, 1), 123)
    broken = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(IdNumberError) as excinfo:
        idnumber.parse(broken)
    assert number[:17] not in excinfo.value.message


def test_validate_id_number_for_forms():
    assert idnumber.validate_id_number(" 11010519491231002x ") == "11010519491231002X"
    with pytest.raises(ValidationError) as excinfo:
        idnumber.validate_id_number("11010519491231002Y", field="身份证号")
    assert excinfo.value.code == "charset"
    assert excinfo.value.messages[0].startswith("身份证号含有不允许的字符")


def test_is_valid():
    assert idnumber.is_valid("11010519491231002X")
    assert not idnumber.is_valid("110105194912310021")


def test_mask():
    assert idnumber.mask("41040219900101123X") == "410402********123X"
    assert idnumber.mask("110105491231002") == "110**********02"
    assert idnumber.mask("12345") == "*****"
    assert idnumber.mask("") == ""


def test_id_info_is_frozen():
    info = idnumber.parse("11010519491231002X")
    with pytest.raises(AttributeError):
        info.number = "x"  # type: ignore[misc]
    assert info == idnumber.IdInfo("11010519491231002X", date(1949, 12, 31), "2", "110105", True)


def test_error_survives_pickling():
    with pytest.raises(IdNumberError) as excinfo:
        idnumber.parse("440524188001010014")
    copy = pickle.loads(pickle.dumps(excinfo.value))  # noqa: S301 (our own object)
    assert (copy.code, copy.message) == (excinfo.value.code, excinfo.value.message)
