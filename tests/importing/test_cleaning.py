"""Cell cleaners (ruhui.importing.cleaning): what calamine and csv give → what validation takes."""

import datetime
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ruhui.core import idnumber
from ruhui.importing.cleaning import clean_row, row_cleaner
from ruhui.members.validation import clean_member_fields
from ruhui.tabular.cleaning import (
    CellError,
    clean_bool_cell,
    clean_date_cell,
    clean_id_cell,
    clean_text,
)

EXCEL_EPOCH = datetime.date(1899, 12, 30)
FULL_WIDTH = {str(d): chr(0xFF10 + d) for d in range(10)} | {"X": "Ｘ", "x": "ｘ"}


def excel_serial(day: datetime.date) -> int:
    """What Excel stores for ``day`` (1900 date system, including the phantom 1900-02-29)."""
    serial = (day - EXCEL_EPOCH).days
    return serial if day >= datetime.date(1900, 3, 1) else serial - 1


# --- clean_text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  张三 ", "张三"),
        ("\u3000张三\u3000", "张三"),
        ("\xa0张三\xa0", "张三"),
        ("\u200b张三\ufeff", "张三"),
        ("ＡＢＣ１２３", "ABC123"),
        ("平顶山市（舞钢）", "平顶山市(舞钢)"),
        ("'410481", "410481"),
        ("''410481", "410481"),
        ('"张三"', "张三"),
        ("“张三”", "张三"),
        ('张三"', "张三"),
        ("“互联网+”行动", "“互联网+”行动"),
        ("O'Brien", "O'Brien"),
        (1.0, "1"),
        (1, "1"),
        (13812345678.0, "13812345678"),
        (0.1 + 0.2, "0.3"),
        (1.5, "1.5"),
        (True, "TRUE"),
        (datetime.datetime(2019, 5, 1), "2019-05-01"),
        (datetime.datetime(2019, 5, 1, 8, 30), "2019-05-01 08:30:00"),
        (datetime.date(2019, 5, 1), "2019-05-01"),
        (datetime.time(8, 30), "08:30:00"),
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


@given(st.integers(min_value=-(10**14), max_value=10**14))
def test_whole_floats_print_without_point_zero(number):
    assert clean_text(float(number)) == str(number)


@given(st.text())
def test_clean_text_is_idempotent_and_stripped(text):
    once = clean_text(text)
    assert clean_text(once) == once
    assert once == once.strip()


# --- clean_id_cell ------------------------------------------------------------------------

valid_ids = st.builds(
    lambda born, seq: (lambda f17: f17 + idnumber.checksum_char(f17))(
        f"410402{born:%Y%m%d}{seq:03d}"
    ),
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2020, 12, 31)),
    st.integers(min_value=0, max_value=999),
)


@given(valid_ids, st.data())
def test_messy_id_text_cleans_to_the_ascii_form(number, data):
    """Full-width digits, lower-case x, spaces (incl. U+3000, NBSP) and quotes all clean away."""
    chars = []
    for char in number:
        if data.draw(st.booleans()):
            char = FULL_WIDTH.get(char, char)
        if char == "X" and data.draw(st.booleans()):
            char = data.draw(st.sampled_from(["x", "ｘ"]))
        chars.append(char)
        if data.draw(st.integers(0, 5)) == 0:
            chars.append(data.draw(st.sampled_from([" ", "\u3000", "\xa0", "\t"])))
    raw = data.draw(st.sampled_from(["", "'", " "])) + "".join(chars)
    assert clean_id_cell(raw) == number


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=1e15, max_value=1e19))
def test_any_big_float_id_is_scientific(value):
    with pytest.raises(CellError) as caught:
        clean_id_cell(value)
    assert caught.value.code == "scientific"


@given(st.integers(min_value=10**15, max_value=10**18 - 1))
def test_any_int_of_16_or_more_digits_is_scientific(value):
    with pytest.raises(CellError) as caught:
        clean_id_cell(value)
    assert caught.value.code == "scientific"


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=0.0, max_value=1e15))
def test_fractional_floats_are_scientific_and_whole_ones_are_digits(value):
    if value.is_integer() and value < 1e15:
        assert clean_id_cell(value) == str(int(value))
    else:
        with pytest.raises(CellError):
            clean_id_cell(value)


@pytest.mark.parametrize(
    "raw",
    [
        "4.10402E+17",
        "4.10402e+17",
        "4.10402199001011E+17",
        "4.1E17",
        "410402199001011000.0",
        "４.１０４０２Ｅ+１７",
    ],
)
def test_scientific_text_is_refused(raw):
    with pytest.raises(CellError) as caught:
        clean_id_cell(raw)
    error = caught.value
    assert error.code == "scientific"
    message = error.message_for("身份证号")
    assert message.startswith("身份证号被 Excel 转成了数字")
    assert "文本" in message and "18 位" in message


def test_id_message_never_repeats_the_number():
    with pytest.raises(CellError) as caught:
        clean_id_cell(4.10402199001011e17)
    assert "41040" not in caught.value.message


def test_fifteen_digit_legacy_id_in_a_numeric_cell_is_exact():
    assert clean_id_cell(410402900101123.0) == "410402900101123"
    assert clean_id_cell(410402900101123) == "410402900101123"
    assert clean_id_cell("410402900101123.0") == "410402900101123"


@pytest.mark.parametrize("raw", [True, datetime.date(2019, 1, 1), datetime.time(1, 2)])
def test_id_cell_of_the_wrong_type(raw):
    with pytest.raises(CellError) as caught:
        clean_id_cell(raw)
    assert caught.value.code == "type"


def test_other_document_numbers_pass_through():
    assert clean_id_cell(None) == ""
    assert clean_id_cell("E12345678") == "E12345678"
    assert clean_id_cell(" H1234567(8) ") == "H1234567(8)"


# --- clean_date_cell ----------------------------------------------------------------------


@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2119, 1, 1)))
def test_any_date_round_trips_through_its_excel_serial(day):
    serial = excel_serial(day)
    assert clean_date_cell(float(serial) + 0.75) == day  # a date with a time of day
    if 1900 <= serial <= 2100:  # 1905-03-14 … 1905-09-30: a whole number there reads as a year
        with pytest.raises(CellError):
            clean_date_cell(serial)
    else:
        assert clean_date_cell(serial) == day
        assert clean_date_cell(float(serial)) == day


@given(st.dates(min_value=datetime.date(1927, 5, 18), max_value=datetime.date(2099, 12, 31)))
def test_five_digit_text_reads_as_the_serial_a_csv_keeps(day):
    serial = excel_serial(day)
    assert 10_000 <= serial <= 73_050
    assert clean_date_cell(str(serial)) == day
    assert clean_date_cell(f" {serial}\u3000") == day


@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31)))
def test_any_date_round_trips_through_its_spellings(day):
    y, m, d = day.year, day.month, day.day
    for text in (
        day.isoformat(),
        f"{y}/{m}/{d}",
        f"{y}.{m}.{d}",
        f"{y}年{m}月{d}日",
        f"{y}{m:02d}{d:02d}",
        f"{day.isoformat()} 00:00:00",
        f" {y}-{m:02d}-{d:02d}\u3000",
    ):
        assert clean_date_cell(text) == day, text
    assert clean_date_cell(datetime.datetime(y, m, d, 13, 5)) == day
    assert clean_date_cell(int(f"{y}{m:02d}{d:02d}")) == day


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2019年5月", datetime.date(2019, 5, 1)),
        ("2019-05", datetime.date(2019, 5, 1)),
        ("201905", datetime.date(2019, 5, 1)),
        (201905, datetime.date(2019, 5, 1)),
        ("２０１９年５月１日", datetime.date(2019, 5, 1)),
        (43586, datetime.date(2019, 5, 1)),
        ("43586", datetime.date(2019, 5, 1)),  # a CSV saved from Excel keeps the serial
        ("43617", datetime.date(2019, 6, 1)),
        (1, datetime.date(1900, 1, 1)),
        (59, datetime.date(1900, 2, 28)),
        (61, datetime.date(1900, 3, 1)),
        ("", None),
        (None, None),
        ("  ", None),
    ],
)
def test_clean_date_cell(raw, expected):
    assert clean_date_cell(raw) == expected


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("2019-02-30", "不是真实的日期"),
        (60, "1900-02-29"),
        ("abc", "2019-05-01 的格式"),
        ("5/1/2019", "2019-05-01 的格式"),
        ("09999", "2019-05-01 的格式"),  # five digits, but before 1927: not a serial
        ("73051", "2019-05-01 的格式"),  # after 2099
        ("4358", "只有年份"),
        (2019, "只有年份"),
        ("2019", "只有年份"),
        (100000, "2019-05-01 的格式"),
        (True, "「TRUE」无法识别"),
        ("1850-01-01", "不是真实的日期"),
    ],
)
def test_unreadable_dates_name_the_value_and_the_format(raw, shown):
    with pytest.raises(CellError) as caught:
        clean_date_cell(raw)
    message = caught.value.message_for("入会日期")
    assert message.startswith("入会日期")
    assert shown in message


def test_date_errors_repeat_from_the_memo():
    for _ in range(3):
        with pytest.raises(CellError):
            clean_date_cell("2019-13-01")


# --- clean_bool_cell ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "是",
        "是的",
        "Y",
        "y",
        "yes",
        "YES",
        "True",
        "TRUE",
        "1",
        "√",
        "✓",
        "对",
        1,
        1.0,
        True,
        " 是 ",
    ],
)
def test_true_words(raw):
    assert clean_bool_cell(raw) is True


@pytest.mark.parametrize(
    "raw", ["否", "不是", "N", "n", "no", "False", "0", "×", "✗", "x", "无", 0, 0.0, False]
)
def test_false_words(raw):
    assert clean_bool_cell(raw) is False


@pytest.mark.parametrize("raw", ["", None, "\u3000"])
def test_empty_bool_is_none(raw):
    assert clean_bool_cell(raw) is None


@pytest.mark.parametrize("raw", ["也许", "2", 2, datetime.date(2019, 1, 1)])
def test_other_bool_values_are_refused(raw):
    with pytest.raises(CellError) as caught:
        clean_bool_cell(raw)
    assert "“是”或“否”" in caught.value.message_for("是否农民工")


# --- clean_row ----------------------------------------------------------------------------


def test_clean_row_feeds_clean_member_fields():
    cells = {
        "name": " 王芳 ",
        "id_number": "11010519491231002x",
        "sex": "女",
        "ethnicity": 1.0,
        "phone": 13800138000.0,
        "joined_on": datetime.datetime(2019, 5, 1),
        "is_migrant_worker": "是",
        "new_employment_form": "",
        "birth_date": "",
        "household_division": 410481.0,
        "union": " 舞钢快递行业工会 ",
    }
    values, errors = clean_row(cells)
    assert errors == {}
    assert values["id_number"] == "11010519491231002X"
    assert values["phone"] == "13800138000"
    assert values["ethnicity"] == "1"
    assert values["household_division"] == "410481"
    assert values["is_migrant_worker"] is True
    assert values["new_employment_form"] == ""
    assert values["union"] == "舞钢快递行业工会"
    values.pop("union")
    cleaned, problems = clean_member_fields(values, today=datetime.date(2024, 1, 1))
    assert problems == {}
    assert cleaned["ethnicity"] == "01"
    assert cleaned["birth_date"] == datetime.date(1949, 12, 31)
    assert cleaned["joined_on"] == datetime.date(2019, 5, 1)


def test_clean_row_reports_each_bad_cell_under_its_column_and_drops_it():
    values, errors = clean_row(
        {
            "name": "张三",
            "id_number": 4.10402199001011e17,
            "joined_on": "2019",
            "is_migrant_worker": "也许",
            "last_dues_paid_on": "2019-02-30",
        }
    )
    assert values == {"name": "张三"}
    assert errors["id_number"].startswith("证件号码被 Excel 转成了数字")
    assert errors["joined_on"].startswith("入会日期「2019」只有年份")
    assert errors["is_migrant_worker"].startswith("是否农民工「也许」")
    assert errors["last_dues_paid_on"].startswith("最近缴纳会费日期「2019-02-30」")


def test_year_month_birth_date_defers_to_a_matching_id_number():
    values, errors = clean_row({"id_number": "11010519491231002X", "birth_date": "1949年12月"})
    assert errors == {}
    assert values["birth_date"] == ""


def test_year_month_birth_date_that_disagrees_asks_for_the_full_date():
    values, errors = clean_row({"id_number": "11010519491231002X", "birth_date": "1950-01"})
    assert "birth_date" not in values
    assert "只有年月" in errors["birth_date"]


def test_full_birth_date_is_kept_for_validation_to_compare():
    values, _ = clean_row({"id_number": "11010519491231002X", "birth_date": "1949/12/31"})
    assert values["birth_date"] == datetime.date(1949, 12, 31)


def test_cell_error_pickles():
    error = CellError("date", "{field}「{value}」坏了", value="x")
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 (our own bytes)
    assert again.message_for("入会日期") == "入会日期「x」坏了"


# --- row_cleaner --------------------------------------------------------------------------

SPECIMEN_ID = "11010519491231002X"
COLUMNS = [
    (0, "序号", None),
    (1, "姓名", "name"),
    (2, "身份证号", "id_number"),
    (3, "出生日期", "birth_date"),
    (4, "入会时间", "joined_on"),
    (5, "是否农民工", "is_migrant_worker"),
    (6, "民族", "ethnicity"),
    (7, "手机号码", "phone"),
    (8, "所属工会", "union"),
]
cell_values = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["是", "否", "2019-05-01", "2019年5月", SPECIMEN_ID, "1949年12月"]),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False),
    st.booleans(),
    st.dates(min_value=datetime.date(1900, 1, 1)),
)


@given(st.lists(cell_values, min_size=len(COLUMNS), max_size=len(COLUMNS)))
def test_row_cleaner_equals_clean_row(cells):
    clean = row_cleaner(COLUMNS)
    by_field = {name: cells[i] for i, _h, name in COLUMNS if name}
    assert clean(cells) == clean_row(by_field)


def test_row_cleaner_skips_fields():
    clean = row_cleaner(COLUMNS, skip=("union",))
    cells = [1.0, "王芳", SPECIMEN_ID, "", 43586, "是", "汉族", "13800138000", "舞钢快递行业工会"]
    values, errors = clean(cells)
    assert errors == {}
    assert "union" not in values
    assert values["joined_on"] == datetime.date(2019, 5, 1)
    assert values["birth_date"] == ""
