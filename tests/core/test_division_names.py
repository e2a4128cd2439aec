"""A division's full name never repeats its parent (issue 15): 410472 is named
平顶山市城乡一体化示范区 in the statistical codes, so 平顶山市 is not put before it again."""

import pytest

from ruhui.core import divisions


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("410472", "河南省平顶山市城乡一体化示范区"),  # not 河南省平顶山市平顶山市城乡一体化示范区
        ("410481", "河南省平顶山市舞钢市"),  # an ordinary county: province + prefecture + name
        ("410471", "河南省平顶山市平顶山高新技术产业开发区"),  # shares only 平顶山: kept
        ("320882", "江苏省淮安市淮安市"),  # a former county named exactly as its prefecture
    ],
)
def test_a_child_that_starts_with_its_parents_name_is_not_prefixed_again(code, expected):
    assert divisions.full_name(code) == expected


def test_no_henan_choice_repeats_its_prefecture():
    for code, name in divisions.choices():
        prefecture = divisions.get(code[:4] + "00")
        if code.endswith("00") or prefecture.is_placeholder:
            continue
        assert prefecture.name * 2 not in name, code
