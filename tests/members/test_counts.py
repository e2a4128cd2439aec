"""The count selectors every report uses, against a hand-computed history.

A  joins 舞钢快递 2019-03-01 (农民工, 快递员); transfer issued 2019-09-01, accepted by
   宝丰快递 2019-09-10
B  joins 舞钢快递 2019-06-15
C  joins 宝丰快递 2018-12-31
D  joins 舞钢顺达 2019-04-01, withdraws 2019-08-01, rejoins 舞钢快递 2019-10-01
E  joins 宝丰快递 2020-01-05
"""

import datetime

import pytest

from ruhui.members import selectors, services
from tests.members.factories import join, make_id_number

D = datetime.date


@pytest.fixture
def history(world):
    a = join(
        world.county_admin,
        world.county_trade,
        on=D(2019, 3, 1),
        name="甲一",
        is_migrant_worker="是",
        group="快递员",
    )
    join(world.county_admin, world.county_trade, on=D(2019, 6, 15), name="乙二")
    join(world.sibling_admin, world.sibling_trade, on=D(2018, 12, 31), name="丙三")
    d_number = make_id_number()
    d = join(
        world.county_admin,
        world.county_enterprise,
        on=D(2019, 4, 1),
        name="丁四",
        id_number=d_number,
    )
    services.member_withdraw(actor=world.county_admin, member=d, on=D(2019, 8, 1))
    join(world.county_admin, world.county_trade, on=D(2019, 10, 1), name="丁四", id_number=d_number)
    join(world.sibling_admin, world.sibling_trade, on=D(2020, 1, 5), name="戊五")
    transfer = services.transfer_issue(
        actor=world.county_admin, member=a, to_union=world.sibling_trade, on=D(2019, 9, 1)
    )
    services.transfer_accept(
        actor=world.sibling_admin, code=transfer.code, union=world.sibling_trade, on=D(2019, 9, 10)
    )
    return world


@pytest.mark.parametrize(
    ("who", "expected"),
    [("city_admin", 3), ("county_admin", 3), ("sibling_admin", 0), ("industry_admin", 0)],
)
def test_new_members_in_2019_are_join_events_only(history, who, expected):
    user = getattr(history, who)
    assert selectors.new_member_count(user=user, start=D(2019, 1, 1), end=D(2019, 12, 31)) == (
        expected
    )


def test_new_members_filters(history):
    city = history.city_admin
    year = {"start": D(2019, 1, 1), "end": D(2019, 12, 31)}
    assert selectors.new_member_count(user=city, migrant=True, **year) == 1
    assert selectors.new_member_count(user=city, group="02", **year) == 1
    assert selectors.new_member_count(user=city, start=D(2019, 9, 1), end=D(2019, 9, 30)) == 0
    assert selectors.new_member_count(user=city, start=D(2019, 10, 1), end=D(2020, 1, 5)) == 2
    assert selectors.new_member_count(user=city, root=history.county_enterprise, **year) == 1


@pytest.mark.parametrize(
    ("on", "county", "sibling", "city"),
    [
        (D(2018, 12, 30), 0, 0, 0),
        (D(2018, 12, 31), 0, 1, 1),
        (D(2019, 8, 15), 2, 1, 3),  # D withdrew on 08-01
        (D(2019, 9, 5), 2, 1, 3),  # A pending: still counted at 舞钢, not yet at 宝丰
        (D(2019, 9, 15), 1, 2, 3),  # A accepted at 宝丰
        (D(2019, 12, 31), 2, 2, 4),  # D rejoined 10-01
        (D(2020, 1, 5), 2, 3, 5),
    ],
)
def test_members_at_a_date(history, on, county, sibling, city):
    assert selectors.member_count_at(user=history.county_admin, on=on) == county
    assert selectors.member_count_at(user=history.sibling_admin, on=on) == sibling
    assert selectors.member_count_at(user=history.city_admin, on=on) == city


def test_members_at_by_group_and_migrant(history):
    on = D(2019, 12, 31)
    assert selectors.member_count_at(user=history.city_admin, on=on, migrant=True) == 1
    assert selectors.member_count_at(user=history.sibling_admin, on=on, group="02") == 1
    assert selectors.member_count_at(user=history.county_admin, on=on, group="02") == 0


def test_a_root_outside_the_jurisdiction_counts_nothing(history):
    assert (
        selectors.member_count_at(
            user=history.county_admin, on=D(2020, 1, 5), root=history.sibling_trade
        )
        == 0
    )
    assert (
        selectors.new_member_count(
            user=history.county_admin,
            start=D(2018, 1, 1),
            end=D(2020, 12, 31),
            root=history.sibling_trade,
        )
        == 0
    )
