"""Tests for the GB/T 2260 division registry (ruhui.core.divisions)."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from ruhui.core import divisions

REPO = Path(__file__).resolve().parents[2]

PINGDINGSHAN_COUNTIES = {
    "410402": "新华区",
    "410403": "卫东区",
    "410404": "石龙区",
    "410411": "湛河区",
    "410421": "宝丰县",
    "410422": "叶县",
    "410423": "鲁山县",
    "410425": "郏县",
    "410481": "舞钢市",
    "410482": "汝州市",
}


@pytest.mark.parametrize(("code", "name"), sorted(PINGDINGSHAN_COUNTIES.items()))
def test_pingdingshan_counties_are_current_with_their_names(code, name):
    division = divisions.get(code)
    assert division is not None
    assert division.name == name
    assert division.is_current
    assert division.level == "county"
    assert division.source == "GB/T 2260"
    assert division.prefecture_code == "410400"
    assert division.province_code == "410000"


def test_levels_of_province_and_prefecture():
    assert divisions.get("410000").level == "province"
    assert divisions.get("410000").name == "河南省"
    assert divisions.get("410400").level == "prefecture"
    assert divisions.get("410400").name == "平顶山市"


def test_statistical_functional_zones_are_present():
    high_tech = divisions.get("410471")
    new_town = divisions.get("410472")
    assert high_tech.name == "平顶山高新技术产业开发区"
    assert new_town.name == "平顶山市城乡一体化示范区"
    assert high_tech.source == new_town.source == "统计用区划代码"
    assert high_tech.is_current
    assert new_town.is_current


def test_history_of_zhanhe_district():
    periods = divisions.history("410411")
    assert [(p.name, p.start_year, p.end_year) for p in periods] == [
        ("郊区", 1983, 1993),
        ("湛河区", 1994, None),
    ]
    assert divisions.get("410411").name == "湛河区"


def test_former_only_code_returns_latest_former_name():
    wugang_district = divisions.get("410412")
    assert wugang_district.name == "舞钢区"
    assert not wugang_district.is_current
    assert wugang_district.end_year == 1990
    assert divisions.get("410306").name == "吉利区"  # merged into 洛阳市 districts in 2021


def test_unknown_code():
    assert divisions.get("410499") is None
    assert divisions.history("410499") == []
    assert divisions.full_name("410499") == ""
    assert divisions.children("410499") == []


def test_province_codes():
    for code in ("11", "41", "65", "71", "81", "82"):
        assert divisions.is_valid_province(code)
    for code in ("00", "10", "19", "40", "66", "72", "83", "99", "", "4"):
        assert not divisions.is_valid_province(code)


def test_is_known_county_covers_current_and_former_codes():
    assert divisions.is_known_county("410402")
    assert divisions.is_known_county("410412")  # former 舞钢区
    assert divisions.is_known_county("410424")  # former 临汝县
    assert divisions.is_known_county("410471")
    assert not divisions.is_known_county("410499")
    assert not divisions.is_known_county("41040")
    assert "410402" in divisions.known_codes()


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("410481", "河南省平顶山市舞钢市"),
        ("410402", "河南省平顶山市新华区"),
        ("410471", "河南省平顶山市平顶山高新技术产业开发区"),
        ("410400", "河南省平顶山市"),
        ("410000", "河南省"),
        ("110101", "北京市东城区"),  # 市辖区 parent skipped
        ("419001", "河南省济源市"),  # 省直辖县级行政单位 parent skipped
        ("410412", "河南省平顶山市舞钢区"),  # former code: latest names
        ("500383", "重庆市永川市"),  # former code under 500300 「市」, a grouping, not a place
        ("500118", "重庆市永川区"),
    ],
)
def test_full_name(code, expected):
    assert divisions.full_name(code) == expected


def test_children_of_pingdingshan():
    codes = [d.code for d in divisions.children("410400")]
    assert codes == sorted(codes)
    assert set(PINGDINGSHAN_COUNTIES) | {"410471", "410472"} == set(codes)
    assert "410401" not in codes  # 市辖区 placeholder
    assert "410412" not in codes  # former code


def test_children_of_henan_are_prefectures_and_jiyuan():
    children = divisions.children("410000")
    codes = [d.code for d in children]
    assert len(codes) == 18
    assert codes[0] == "410100"
    assert "410400" in codes
    assert "419001" in codes  # 济源市 under the 省直辖 grouping
    assert "419000" not in codes
    assert divisions.children("410402") == []


def test_children_of_municipality_look_through_placeholders():
    codes = [d.code for d in divisions.children("110000")]
    assert "110101" in codes
    assert "110100" not in codes


def test_choices_default_to_henan():
    options = divisions.choices()
    codes = [code for code, _ in options]
    assert codes == sorted(codes)
    assert all(code.startswith("41") for code in codes)
    assert ("410481", "河南省平顶山市舞钢市") in options
    assert ("410472", "河南省平顶山市城乡一体化示范区") in options
    assert "410401" not in codes
    assert "410412" not in codes
    assert divisions.choices("4104")[0] == ("410400", "河南省平顶山市")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("410402", "410402"),
        (" 410402 ", "410402"),
        ("４１０４０２", "410402"),
        ("410412", "410412"),
    ],
)
def test_validate_division_code_accepts_and_normalises(raw, expected):
    assert divisions.validate_division_code(raw) == expected


def test_validate_division_code_rejects_unknown_code():
    with pytest.raises(ValidationError) as excinfo:
        divisions.validate_division_code("410499")
    assert excinfo.value.messages == [
        "行政区划代码「410499」不存在：请填写 GB/T 2260 的 6 位县级或以上代码，"
        "例如 410402（新华区）。"
    ]
    assert excinfo.value.code == "unknown"


@pytest.mark.parametrize("raw", ["41040", "4104021", "41040a", "abcdef", "４１０４"])
def test_validate_division_code_rejects_bad_format(raw):
    with pytest.raises(ValidationError) as excinfo:
        divisions.validate_division_code(raw, field="户籍所在地")
    message = excinfo.value.messages[0]
    assert message.startswith("户籍所在地「")
    assert "6 位数字" in message
    assert excinfo.value.code == "invalid"


def test_validate_division_code_rejects_blank():
    with pytest.raises(ValidationError) as excinfo:
        divisions.validate_division_code("  ")
    assert excinfo.value.messages[0].startswith("行政区划代码不能为空：")


def test_data_file_matches_generator():
    result = subprocess.run(  # noqa: S603 (fixed command: this repo's generator)
        [sys.executable, str(REPO / "scripts" / "build_divisions.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_province_row_and_period_is_consistent():
    for code in divisions.known_codes():
        assert len(code) == 6
        assert code.isdigit()
        periods = divisions.history(code)
        for period in periods:
            if period.start_year and period.end_year:
                assert period.start_year <= period.end_year
        assert sum(p.is_current for p in periods) <= 1
