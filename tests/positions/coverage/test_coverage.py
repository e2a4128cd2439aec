"""Coverage (issue 18, item 6): the figures equal hand counts on a built example, in five
queries, within the user's scope."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from ruhui.core.changes import forget_figures
from ruhui.positions.coverage import coverage
from tests.members.factories import join
from tests.positions.coverage.conftest import activity, consultation, groups, meet, position

D = datetime.date
YEAR = {"start": D(2019, 1, 1), "end": D(2019, 12, 31)}


@pytest.fixture
def example(world):
    w = world
    w.county_trade.groups.set(groups("02"))
    w.industry_trade.groups.set(groups("01"))
    w.sibling_trade.groups.set(groups("02"))
    meet(w.county_trade)
    meet(w.county_enterprise, "has_elected_chair", "has_committees", "has_rules")
    meet(w.sibling_trade)
    for _ in range(3):
        join(w.city_admin, w.county_trade, group="02")
    join(w.city_admin, w.county_trade, group="99")
    for _ in range(2):
        join(w.city_admin, w.county_enterprise, group="01")
    join(w.city_admin, w.industry_trade, group="01")
    for _ in range(5):
        join(w.city_admin, w.sibling_trade, group="02")
    position(w.county_trade, serves=("02", "06"))
    position(w.county_trade, name="垭口驿站", division="410481001")
    position(w.county_trade, name="筹建驿站", status="planned")
    position(w.industry_trade, name="司机之家", serves=("01",))
    position(w.sibling_trade, name="宝丰驿站")
    activity(w.county_trade, on=D(2019, 7, 1), counts={"02": 3, "99": 1}, amount="500.00")
    activity(w.county_enterprise, on=D(2019, 8, 1), counts={"01": 2}, amount="200.50")
    activity(w.county_trade, on=D(2018, 12, 31), counts={"02": 9}, amount="999.00")
    activity(w.industry_trade, on=D(2019, 7, 15), counts={"01": 4}, amount="100.00")
    consultation(w.county_trade, on=D(2019, 5, 1), covered=40)
    consultation(w.industry_trade, on=D(2019, 6, 1), covered=100, covers=("01", "02"))
    consultation(w.sibling_trade, on=D(2019, 6, 2), covered=30)
    consultation(w.county_trade, on=D(2020, 1, 2), covered=77)
    return w


def _figures(line):
    return {
        "positions": line.positions,
        "members": line.members,
        "outdoor": line.outdoor_members,
        "per_1000": line.positions_per_1000,
        "activities": line.activities,
        "served": line.served,
        "spending": line.spending,
        "base": line.base_unions,
        "six": line.six_met,
        "consultations": line.consultations,
        "covered": line.covered,
    }


def test_city_figures_equal_hand_counts(example):
    figures = coverage(user=example.city_admin, **YEAR)
    rows = {line.key: line for line in figures.divisions}
    assert list(rows) == ["410400", "410421", "410481"]
    assert rows["410400"].label == "平顶山市（市直）"
    assert rows["410481"].label == "舞钢市"
    assert _figures(rows["410481"]) == {
        "positions": 2,
        "members": 6,
        "outdoor": 5,
        "per_1000": Decimal("400.00"),
        "activities": 2,
        "served": 6,
        "spending": Decimal("700.50"),
        "base": 2,
        "six": 1,
        "consultations": 1,
        "covered": 40,
    }
    assert rows["410481"].six_share == Decimal("50.00")
    assert rows["410481"].served_per_member == Decimal("1.00")
    assert _figures(rows["410400"]) == {
        "positions": 1,
        "members": 1,
        "outdoor": 1,
        "per_1000": Decimal("1000.00"),
        "activities": 1,
        "served": 4,
        "spending": Decimal("100.00"),
        "base": 1,
        "six": 0,
        "consultations": 1,
        "covered": 100,
    }
    assert _figures(figures.total) == {
        "positions": 4,
        "members": 12,
        "outdoor": 11,
        "per_1000": Decimal("363.64"),
        "activities": 3,
        "served": 10,
        "spending": Decimal("800.50"),
        "base": 4,
        "six": 2,
        "consultations": 3,
        "covered": 170,
    }
    by_group = {line.key: line for line in figures.groups}
    assert [line.key for line in figures.groups] == [
        "01", "02", "03", "04", "05", "06", "07", "08", "99"
    ]  # fmt: skip
    g01, g02 = by_group["01"], by_group["02"]
    assert (g01.positions, g01.members, g01.activities, g01.served) == (1, 3, 2, 6)
    assert g01.positions_per_1000 == Decimal("333.33")
    assert g01.served_per_member == Decimal("2.00")
    assert (g01.base_unions, g01.six_met, g01.consultations, g01.covered) == (1, 0, 1, 100)
    assert (g02.positions, g02.members, g02.activities, g02.served) == (3, 8, 1, 3)
    assert (g02.base_unions, g02.six_met, g02.consultations, g02.covered) == (2, 2, 3, 170)
    assert by_group["06"].positions == 1 and by_group["06"].positions_per_1000 is None
    assert by_group["99"].positions_per_1000 is None  # not an outdoor group
    assert (by_group["99"].members, by_group["99"].served) == (1, 1)


def test_county_sees_its_own_division_only(example):
    figures = coverage(user=example.county_admin, **YEAR)
    assert [line.key for line in figures.divisions] == ["410481"]
    assert figures.total.positions == 2
    assert figures.total.members == 6
    assert figures.total.consultations == 1


def test_a_unit_narrows_and_an_outside_unit_is_404(example):
    figures = coverage(user=example.city_admin, unit=example.industry, **YEAR)
    assert [line.key for line in figures.divisions] == ["410400"]
    with pytest.raises(Http404):
        coverage(user=example.sibling_admin, unit=example.county, **YEAR)


def test_five_queries_whatever_the_size(example):
    user = example.city_admin
    user.organization  # noqa: B018 (the request's user has it loaded)
    with CaptureQueriesContext(connection) as queries:
        coverage(user=user, **YEAR)
    assert len(queries) == 5
    with CaptureQueriesContext(connection) as queries:
        again = coverage(user=user, **YEAR)
    assert len(queries) == 4  # the members' count remembered: the registry has not changed
    assert again.total.members == 12
    for n in range(3):
        position(example.sibling_trade, name=f"更多驿站{n}", serves=("02", "08"))
        activity(example.sibling_trade, on=D(2019, 9, n + 1), counts={"08": 2})
    join(example.city_admin, example.sibling_trade, group="08")
    forget_figures()  # what the join's commit does (the test's transaction never commits)
    with CaptureQueriesContext(connection) as queries:
        grown = coverage(user=user, **YEAR)
    assert len(queries) == 5  # a new member: counted again
    assert grown.total.members == 13
    assert grown.total.positions == 7
