"""Tests for the member-record code sets (ruhui.members.codes)."""

import pytest
from django.core.exceptions import ValidationError

from ruhui.members import codes
from ruhui.members.codes import CodeSet


@pytest.mark.parametrize("code_set", list(codes.ALL.values()), ids=list(codes.ALL))
def test_codes_and_labels_are_unique_and_named(code_set):
    all_codes = [code for code, _ in code_set.items]
    labels = [label for _, label in code_set.items]
    assert len(set(all_codes)) == len(all_codes)
    assert len(set(labels)) == len(labels)
    assert code_set.name
    assert code_set.standard
    assert code_set.choices == list(code_set.items)
    for code, label in code_set.items:
        assert code_set.label(code) == label
        assert code_set.code_for(code) == code
        assert code_set.code_for(label) == code
        assert code in code_set


def test_ethnicities_follow_gbt_3304():
    ethnic = codes.ETHNICITIES
    assert len(ethnic) == 58
    numbered = [code for code, _ in ethnic.items if int(code) <= 56]
    assert numbered == [f"{n:02d}" for n in range(1, 57)]
    assert ethnic.label("01") == "汉族"
    assert ethnic.label("02") == "蒙古族"
    assert ethnic.label("05") == "维吾尔族"
    assert ethnic.label("08") == "壮族"
    assert ethnic.label("36") == "毛南族"
    assert ethnic.label("46") == "德昂族"
    assert ethnic.label("56") == "基诺族"
    assert ethnic.label("97") == "其他"
    assert ethnic.label("98") == "外国血统中国籍人士"
    assert all(label.endswith("族") for code, label in ethnic.items if int(code) <= 56)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("汉族", "01"),
        ("汉", "01"),
        (" 汉 族 ", "01"),
        ("1", "01"),
        (1, "01"),
        ("1.0", "01"),
        ("０１", "01"),
        ("崩龙族", "46"),
        ("毛难族", "36"),
        ("其它", "97"),
        ("'01", "01"),
    ],
)
def test_ethnicity_lookup_is_tolerant(value, code):
    assert codes.ETHNICITIES.code_for(value) == code


@pytest.mark.parametrize("value", ["", "  ", None, "火星族", "57", "100", True])
def test_unknown_values_map_to_none(value):
    assert codes.ETHNICITIES.code_for(value) is None


def test_sexes_follow_gbt_2261_1():
    assert codes.SEXES.choices == [
        ("0", "未知的性别"),
        ("1", "男"),
        ("2", "女"),
        ("9", "未说明的性别"),
    ]
    assert codes.SEXES.code_for("男性") == "1"
    assert codes.SEXES.code_for("女") == "2"


def test_membership_change_types_and_reasons():
    assert codes.MEMBERSHIP_CHANGE_TYPES.choices == [
        ("1", "入会"),
        ("2", "转入"),
        ("3", "保留"),
        ("4", "转出"),
        ("5", "除名"),
        ("6", "退会"),
    ]
    reasons = codes.MEMBERSHIP_CHANGE_REASONS
    assert reasons.code_for("劳动(工作)关系发生变化") == "1"  # half-width brackets
    assert reasons.label("6") == "因犯罪被开除会籍"


def test_eight_groups():
    groups = codes.EIGHT_GROUPS
    assert groups.codes == ("01", "02", "03", "04", "05", "06", "07", "08", "99")
    assert [groups.label(c) for c in groups.codes[:8]] == [
        "货车司机",
        "快递员",
        "护工护理员",
        "家政服务员",
        "商场信息员",
        "网约送餐员",
        "房产中介员",
        "保安员",
    ]
    assert groups.code_for("外卖骑手") == "06"
    assert groups.code_for("其他") == "99"
    assert groups.code_for("8") == "08"


def test_other_sets_from_c7():
    assert codes.ID_TYPES.code_for("身份证") == "1"
    assert codes.ID_TYPES.code_for("居民身份证") == "1"
    assert codes.ID_TYPES.label("3") == "军官证"
    assert codes.EMPLOYMENT_STATUSES.code_for("待(下)岗") == "2"
    assert codes.EMPLOYMENT_STATUSES.code_for("退养（内退）") == "7"
    assert codes.TECHNICAL_GRADES.code_for("职业资格一级（高级技师）") == "1"
    assert codes.TECHNICAL_GRADES.code_for("技师") == "2"
    assert codes.HOUSEHOLD_TYPES.code_for("赞助户口") == "7"
    assert codes.HOUSEHOLD_TYPES.label("7") == "暂住户口"
    assert codes.POLITICAL_STATUSES.code_for("中共党员") == "01"
    assert codes.POLITICAL_STATUSES.code_for("群众") == "13"
    assert codes.EDUCATION_LEVELS.code_for("大专") == "30"
    assert codes.EDUCATION_LEVELS.code_for("大学本科毕业") == "21"
    assert codes.EMPLOYMENT_FORMS.code_for("平台接单") == "5"


def test_label_of_unknown_code_is_empty():
    assert codes.SEXES.label("7") == ""
    assert codes.SEXES.label(None) == ""


def test_invalid_message_and_validate():
    message = codes.ETHNICITIES.invalid_message("火星族")
    assert message.startswith("民族「火星族」不在代码表中：")
    assert "汉族" in message
    assert message.endswith("等。")
    with pytest.raises(ValidationError) as excinfo:
        codes.SEXES.validate("中", field="性别（第 3 行）")
    assert excinfo.value.messages[0].startswith("性别（第 3 行）「中」")
    assert "未知的性别、男、女、未说明的性别。" in excinfo.value.messages[0]
    assert codes.SEXES.validate("男") == "1"


def test_code_set_rejects_duplicates_and_bad_aliases():
    with pytest.raises(ValueError, match="duplicate"):
        CodeSet("测试", (("1", "甲"), ("2", "甲")))
    with pytest.raises(ValueError, match="unknown code"):
        CodeSet("测试", (("1", "甲"),), aliases={"乙": "2"})
    with pytest.raises(ValueError, match="ambiguous"):
        CodeSet("测试", (("1", "甲"), ("2", "乙")), aliases={"甲": "2"})
