"""The member field validator used by forms, the API and the importer."""

import datetime
import re

from hypothesis import given
from hypothesis import strategies as st

from ruhui.members.validation import clean_member_fields, parse_bool, parse_date
from tests.members.factories import make_id_number

VALID_ID = make_id_number()


def errors_of(**fields):
    return clean_member_fields({"name": "张伟", "id_number": VALID_ID} | fields)[1]


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_every_mainland_mobile_is_accepted(phone):
    cleaned, errors = clean_member_fields({"name": "张伟", "id_number": VALID_ID, "phone": phone})
    assert "phone" not in errors and cleaned["phone"] == phone


@given(st.text(max_size=20))
def test_anything_else_as_phone_is_rejected_with_a_message_or_accepted_only_if_valid(text):
    cleaned, errors = clean_member_fields({"name": "张伟", "id_number": VALID_ID, "phone": text})
    if "phone" in errors:
        assert "手机号码" in errors["phone"][0]
    else:
        assert cleaned["phone"] == "" or re.fullmatch(r"1[3-9][0-9]{9}", cleaned["phone"])


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "name",
                "id_number",
                "phone",
                "ethnicity",
                "group",
                "joined_on",
                "is_migrant_worker",
                "education",
            ]
        ),
        st.one_of(st.text(max_size=30), st.integers(), st.none(), st.booleans()),
    )
)
def test_validator_never_raises(raw):
    cleaned, errors = clean_member_fields(raw)
    assert isinstance(cleaned, dict) and isinstance(errors, dict)
    for messages in errors.values():
        assert all(isinstance(m, str) and m for m in messages)


def test_messages_name_the_field():
    errors = errors_of(
        phone="123",
        ethnicity="火星族",
        joined_on="2019-13-45",
        is_migrant_worker="也许",
        group="宇航员",
    )
    assert errors["phone"][0].startswith("手机号码")
    assert errors["ethnicity"][0].startswith("民族")
    assert errors["joined_on"][0].startswith("入会日期")
    assert errors["is_migrant_worker"][0].startswith("是否农民工")
    assert errors["group"][0].startswith("八大群体类别")


def test_required_fields():
    _cleaned, errors = clean_member_fields({})
    assert errors["name"] == ["姓名不能为空，请填写。"]
    assert errors["id_number"] == ["证件号码不能为空，请填写。"]


def test_labels_and_codes_both_map():
    cleaned, errors = clean_member_fields(
        {
            "name": "张伟",
            "id_number": VALID_ID,
            "group": "06",
            "ethnicity": "回族",
            "is_migrant_worker": "√",
        }
    )
    assert not errors
    assert (cleaned["group"], cleaned["ethnicity"], cleaned["is_migrant_worker"]) == (
        "06",
        "03",
        True,
    )


def test_dates_and_booleans():
    assert parse_date("2019年5月1日") == datetime.date(2019, 5, 1)
    assert parse_date("2019/5/1") == parse_date("2019.5.1") == datetime.date(2019, 5, 1)
    assert parse_date("2019-02-30") is None
    assert parse_bool("是") is True and parse_bool("N") is False and parse_bool("也许") is None


def test_future_join_date_and_under_sixteen_are_refused():
    future = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    assert "不能晚于今天" in errors_of(joined_on=future)["joined_on"][0]
    young = make_id_number(born=datetime.date(2005, 5, 1))
    assert "16 周岁" in errors_of(id_number=young, joined_on="2019-05-01")["joined_on"][0]


def test_other_document_types_need_sex_and_birth_date():
    errors = errors_of(id_type="护照", id_number="E12345678")
    assert "sex" in errors and "birth_date" in errors
    assert not errors_of(id_type="护照", id_number="E12345678", sex="男", birth_date="1990-01-01")
