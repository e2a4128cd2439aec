"""A campaign of the city in the test world, and a history of members to count."""

import datetime
from decimal import Decimal

import pytest

from ruhui.campaigns import services
from ruhui.members import services as member_services
from tests.members.factories import join, make_id_number

D = datetime.date


@pytest.fixture
def campaign(world):
    """The city's 2019 drive: 农民工 only, baseline at the end of 2018, growth goal 15%."""
    return services.campaign_create(
        actor=world.city_admin,
        owner=world.city,
        slug="pds-2019",
        data={
            "name": "农民工入会集中行动（2019）",
            "year": 2019,
            "starts_on": D(2019, 4, 1),
            "ends_on": D(2019, 12, 31),
            "baseline_on": D(2018, 12, 31),
            "goal_new_members": 100,
            "goal_growth_pct": Decimal("15"),
        },
    )


@pytest.fixture
def history(world):
    """Members whose counting the definitions decide (research/domain.md c13):
    - new in the window: A (county trade, May, 快递员); C (sibling trade in June, withdrew, then
      joined the county trade in August: one person, counted by each unit where it joined);
      G (county enterprise, on the last day); H (the industry's trade union, on the first day);
    - not new: B (joined before the window), D (not 农民工), E (transferred into the county in
      the window: 转入 is not new), F (joined after the window)."""
    admin, sibling = world.county_admin, world.sibling_admin
    people = {}
    people["A"] = join(
        admin, world.county_trade, on=D(2019, 5, 10), is_migrant_worker=True, group="02"
    )
    people["B"] = join(admin, world.county_enterprise, on=D(2018, 6, 1), is_migrant_worker=True)
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
    people["C"] = join(
        admin,
        world.county_trade,
        on=D(2019, 8, 1),
        id_number=number,
        is_migrant_worker=True,
        group="01",
    )
    people["D"] = join(admin, world.county_trade, on=D(2019, 5, 20), is_migrant_worker=False)
    moving = join(
        sibling, world.sibling_trade, on=D(2018, 3, 1), is_migrant_worker=True, group="08"
    )
    transfer = member_services.transfer_issue(
        actor=sibling, member=moving, to_union=world.county_trade, on=D(2019, 6, 10)
    )
    member_services.transfer_accept(
        actor=admin, code=transfer.code, union=world.county_trade, on=D(2019, 6, 15)
    )
    people["E"] = moving
    people["F"] = join(admin, world.county_trade, on=D(2020, 1, 5), is_migrant_worker=True)
    people["G"] = join(
        admin, world.county_enterprise, on=D(2019, 12, 31), is_migrant_worker=True, group="02"
    )
    people["H"] = join(
        world.industry_admin,
        world.industry_trade,
        on=D(2019, 4, 1),
        is_migrant_worker=True,
        group="01",
    )
    return people
