"""The figures layer against hand-computed histories and the registry's own count selectors,
unit by unit; and one query per figure however many units the scope holds."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ruhui.figures.scope import Scope
from ruhui.figures.selectors import Held, members_held, months, new_members, unions_founded
from ruhui.members import services as member_services
from ruhui.members.selectors import member_count_at, new_member_count
from ruhui.orgs.choices import OrgKind
from ruhui.orgs.models import Organization
from tests.factories import OrganizationFactory
from tests.members.factories import join, make_id_number

D = datetime.date
START, END = D(2019, 4, 1), D(2019, 12, 31)
UNITS = [
    "city",
    "county",
    "county_trade",
    "county_enterprise",
    "sibling",
    "sibling_trade",
    "industry",
    "industry_trade",
]


@pytest.fixture
def history(world):
    """Who counts in [2019-04-01, 2019-12-31]:
    - new: A (county trade, May, group 02); C (sibling trade in June, withdrew in July, joined
      the county trade in August: a rejoiner in another county, one person, counted by each
      unit where it joined, at the city in June); G (county enterprise, on the last day);
      H (the industry's trade union, on the first day);
    - not 农民工: D (county trade, May) — new only when every member counts;
    - not new: B (2018), E (transferred from the sibling trade union into the county trade
      union in June: 转入 is not new), F (the day after the range), I (the day before)."""
    admin, sibling = world.county_admin, world.sibling_admin
    people = SimpleNamespace()
    people.A = join(
        admin, world.county_trade, on=D(2019, 5, 10), is_migrant_worker=True, group="02"
    )
    people.B = join(admin, world.county_enterprise, on=D(2018, 6, 1), is_migrant_worker=True)
    number = make_id_number()
    first = join(
        sibling,
        world.sibling_trade,
        on=D(2019, 6, 1),
        id_number=number,
        is_migrant_worker=True,
        group="06",
    )
    member_services.member_withdraw(actor=sibling, member=first, on=D(2019, 7, 1))
    people.C = join(
        admin,
        world.county_trade,
        on=D(2019, 8, 1),
        id_number=number,
        is_migrant_worker=True,
        group="01",
    )
    people.D = join(
        admin, world.county_trade, on=D(2019, 5, 20), is_migrant_worker=False, group="02"
    )
    people.E = join(
        sibling, world.sibling_trade, on=D(2018, 3, 1), is_migrant_worker=True, group="08"
    )
    transfer = member_services.transfer_issue(
        actor=sibling, member=people.E, to_union=world.county_trade, on=D(2019, 6, 10)
    )
    member_services.transfer_accept(
        actor=admin, code=transfer.code, union=world.county_trade, on=D(2019, 6, 15)
    )
    people.F = join(admin, world.county_trade, on=D(2020, 1, 1), is_migrant_worker=True)
    people.G = join(
        admin, world.county_enterprise, on=D(2019, 12, 31), is_migrant_worker=True, group="02"
    )
    people.H = join(
        world.industry_admin,
        world.industry_trade,
        on=D(2019, 4, 1),
        is_migrant_worker=True,
        group="01",
    )
    people.I = join(admin, world.county_trade, on=D(2019, 3, 31), is_migrant_worker=True)
    return people


def ids(world, **values):
    return {getattr(world, name).pk: value for name, value in values.items()}


def test_new_members_by_hand(world, history):
    got = new_members(scope=Scope.subtree(world.city), start=START, end=END, migrant_only=True)
    assert got.totals() == ids(
        world,
        city=4,  # A, C (once), G, H
        county=3,  # A, C, G
        county_trade=2,
        county_enterprise=1,
        sibling=1,
        sibling_trade=1,
        industry=1,
        industry_trade=1,
    )
    by_month = got.by_month()
    city, county = world.city.pk, world.county.pk
    # The city places C in June (C's first join there), the county in August.
    assert {m: n for (u, m), n in by_month.items() if u == city} == {
        "2019-04": 1,
        "2019-05": 1,
        "2019-06": 1,
        "2019-12": 1,
    }
    assert {m: n for (u, m), n in by_month.items() if u == county} == {
        "2019-05": 1,
        "2019-08": 1,
        "2019-12": 1,
    }
    by_group = got.by_group()
    assert {g: n for (u, g), n in by_group.items() if u == city} == {"02": 2, "06": 1, "01": 1}
    assert {g: n for (u, g), n in by_group.items() if u == county} == {"02": 2, "01": 1}


def test_every_member_counts_unless_migrant_only(world, history):
    got = new_members(scope=Scope.subtree(world.city), start=START, end=END).totals()
    assert got[world.city.pk] == 5  # and D
    assert got[world.county_trade.pk] == 3


@pytest.mark.parametrize("migrant_only", [True, False])
def test_new_members_equal_the_registry_selector(world, history, migrant_only):
    got = new_members(
        scope=Scope.subtree(world.city), start=START, end=END, migrant_only=migrant_only
    ).totals()
    for name in UNITS:
        unit = getattr(world, name)
        direct = new_member_count(
            user=world.city_admin,
            start=START,
            end=END,
            root=unit,
            migrant=True if migrant_only else None,
        )
        assert got.get(unit.pk, 0) == direct, name


def test_members_held_by_hand(world, history):
    scope = Scope.subtree(world.city)
    on_baseline = members_held(scope=scope, on=D(2018, 12, 31), migrant_only=True)
    assert on_baseline == ids(
        world,
        city=Held(2, 2),  # B, E
        county=Held(1, 1),
        county_enterprise=Held(1, 1),
        sibling=Held(1, 1),
        sibling_trade=Held(1, 1),
    )  # the industry union's registry starts later: absent, not zero
    # Mid-transfer E still counts where it came from; C's first membership is held at the
    # sibling trade union until July.
    mid = members_held(scope=scope, on=D(2019, 6, 12), migrant_only=True)
    assert mid[world.sibling_trade.pk] == Held(2, 2)  # C, E
    assert mid[world.county_trade.pk] == Held(2, 3)  # A, I; D is not 农民工
    end = members_held(scope=scope, on=END, migrant_only=True)
    assert end[world.sibling.pk] == Held(0, 1)  # C withdrew there: placed, not held
    assert end[world.county_trade.pk] == Held(4, 5)  # A, C, E, I; D placed
    assert end[world.city.pk].held == 7  # and B, G, H


@pytest.mark.parametrize("migrant_only", [True, False])
@pytest.mark.parametrize("on", [D(2018, 12, 31), D(2019, 6, 12), D(2019, 7, 1), END])
def test_members_held_equal_the_registry_selector(world, history, on, migrant_only):
    got = members_held(scope=Scope.subtree(world.city), on=on, migrant_only=migrant_only)
    for name in UNITS:
        unit = getattr(world, name)
        direct = member_count_at(
            user=world.city_admin, on=on, root=unit, migrant=True if migrant_only else None
        )
        assert (got[unit.pk].held if unit.pk in got else 0) == direct, (name, on)


def test_children_and_given_units(world, history):
    window = {"start": START, "end": END, "migrant_only": True}
    children = new_members(scope=Scope.children(world.city), **window).totals()
    assert children == ids(world, city=4, county=3, sibling=1, industry=1)
    given = Scope.units(world.city, [world.county_trade, world.sibling])
    assert new_members(scope=given, **window).totals() == ids(
        world, city=4, county_trade=2, sibling=1
    )
    held = members_held(scope=given, on=D(2018, 12, 31), migrant_only=True)
    assert held == ids(world, city=Held(2, 2), sibling=Held(1, 1))
    # A county's scope sees nothing of its sibling.
    county = new_members(scope=Scope.subtree(world.county), **window).totals()
    assert set(county) == {world.county.pk, world.county_trade.pk, world.county_enterprise.pk}
    with pytest.raises(ValueError, match="units outside"):
        Scope.units(world.county, [world.sibling])


def test_unions_founded_by_hand(world):
    founded = {
        "county_enterprise": D(2019, 5, 3),
        "county_trade": D(2019, 5, 20),
        "sibling_trade": D(2018, 1, 1),  # before the range
        "industry_trade": D(2019, 11, 2),
    }
    for name, day in founded.items():
        Organization.objects.filter(pk=getattr(world, name).pk).update(founded_on=day)
    branch = OrganizationFactory(parent=world.county_enterprise, kind=OrgKind.BRANCH)
    Organization.objects.filter(pk=branch.pk).update(founded_on=D(2019, 6, 1))  # not a base union
    got = unions_founded(scope=Scope.subtree(world.city), start=START, end=END)
    assert got == ids(
        world,
        city={"2019-05": 2, "2019-11": 1},
        county={"2019-05": 2},
        county_trade={"2019-05": 1},
        county_enterprise={"2019-05": 1},
        industry={"2019-11": 1},
        industry_trade={"2019-11": 1},
    )


def test_months():
    assert months(D(2019, 11, 15), D(2020, 2, 1)) == ["2019-11", "2019-12", "2020-01", "2020-02"]


def grow(world, n):
    """n base unions under the county, each with a member who joined in the range and one
    founded in it."""
    for i in range(n):
        unit = OrganizationFactory(parent=world.county, kind=OrgKind.ENTERPRISE)
        Organization.objects.filter(pk=unit.pk).update(founded_on=D(2019, 5, 1))
        join(world.county_admin, unit, on=D(2019, 5, 1 + i % 28), is_migrant_worker=True)


def queries(world):
    """Queries asked by each figure, for three kinds of scope."""
    scopes = [
        Scope.subtree(world.city),
        Scope.children(world.city),
        Scope.units(world.city, list(Organization.objects.filter(depth=4))),
    ]
    counts = []
    for scope in scopes:
        for figure, arguments in (
            (new_members, {"start": START, "end": END, "migrant_only": True}),
            (members_held, {"on": END}),
            (unions_founded, {"start": START, "end": END}),
        ):
            with CaptureQueriesContext(connection) as captured:
                figure(scope=scope, **arguments)
            counts.append(len(captured))
    return counts


@pytest.mark.parametrize("units", [3, 30])
def test_one_query_per_figure_however_many_units(world, units):
    grow(world, units)
    world.city.refresh_from_db()
    assert queries(world) == [1] * 9
    totals = new_members(scope=Scope.subtree(world.city), start=START, end=END).totals()
    assert totals[world.city.pk] == units
    founded = unions_founded(scope=Scope.children(world.city), start=START, end=END)
    assert founded[world.county.pk] == {"2019-05": units}
