"""The campaign list shows, for the unit each campaign's dashboard opens on, the dashboard's own
target, new members and share of target (issue 15 item 8): a city whose goal is a growth rate
(the 2015 plan's 「较2014年增长15%以上」) has the target its dashboard derives from the
decomposition's baseline, never "—"."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ruhui.campaigns import services
from ruhui.campaigns.progress import progress_refresh
from ruhui.campaigns.services import TargetLine
from tests.members.factories import join

D = datetime.date


def growth_campaign(world, slug: str, year: int, *, declared: int | None):
    """A finished drive whose only goal is 15% growth, decomposed to the two counties and the
    industry union (baselines 400 + 300 + 0), its 合计 row declaring `declared`."""
    campaign = services.campaign_create(
        actor=world.city_admin,
        owner=world.city,
        slug=slug,
        data={
            "name": f"农民工入会集中行动（{year}）",
            "year": year,
            "starts_on": D(year, 4, 1),
            "ends_on": D(year, 12, 31),
            "baseline_on": D(year - 1, 12, 31),
            "goal_growth_pct": Decimal("15"),
        },
    )
    services.decomposition_save(
        actor=world.city_admin,
        campaign=campaign,
        unit=world.city,
        lines=[
            TargetLine(world.county, 400, 60),
            TargetLine(world.sibling, 300, 40),
            TargetLine(world.industry, 0, 5),
        ],
        declared_baseline_total=declared,
    )
    return campaign


@pytest.fixture
def drives(world):
    with_total = growth_campaign(world, "pds-2015", 2015, declared=710)
    without_total = growth_campaign(world, "pds-2016", 2016, declared=None)
    for on in (D(2015, 5, 1), D(2015, 6, 1), D(2016, 7, 1)):
        join(world.county_admin, world.county_trade, on=on, is_migrant_worker=True)
    join(world.industry_admin, world.industry_trade, on=D(2015, 8, 1), is_migrant_worker=True)
    for campaign in (with_total, without_total):
        progress_refresh(campaign)
    return with_total, without_total


def list_and_boards(client):
    rows = client.get(reverse("campaigns:list")).context["campaigns"]
    boards = {
        row.slug: client.get(reverse("campaigns:dashboard", args=[row.slug])).context["board"]
        for row in rows
    }
    return rows, boards


def test_a_growth_goal_gives_the_city_the_same_target_on_the_list_as_on_its_dashboard(
    world, drives, as_user
):
    rows, boards = list_and_boards(as_user(world.city_admin))
    targets = {row.slug: row.own_target for row in rows}
    # 15% of the 合计 row's 710 (rounded up); without a 合计 row, of the lines' 700.
    assert targets == {"pds-2015": 107, "pds-2016": 105}
    for row in rows:
        total = boards[row.slug].total
        assert (row.own_target, row.progress.new_members, row.progress.pct_of_target) == (
            total.target,
            total.new_members,
            total.pct_of_target,
        )
    assert boards["pds-2015"].total.new_members == 3  # two in 舞钢, one in 工交
    assert str(boards["pds-2015"].total.pct_of_target) == "2.8"


@pytest.mark.parametrize("who", ["city_admin", "county_admin", "sibling_admin", "industry_admin"])
def test_every_unit_sees_its_dashboards_figures_on_the_list(world, drives, as_user, who):
    client = as_user(getattr(world, who))
    rows, boards = list_and_boards(client)
    body = client.get(reverse("campaigns:list")).content.decode()
    for row in rows:
        total = boards[row.slug].total
        assert row.own_unit == boards[row.slug].unit
        assert row.own_target == total.target
        assert row.progress.new_members == total.new_members
        assert row.progress.pct_of_target == total.pct_of_target
        assert row.progress.met_target == total.met_target
    # 宝丰 recruited nobody in either window: 0 and 0%, as on its dashboard, not "—".
    if who == "sibling_admin":
        assert [(r.progress.new_members, str(r.progress.pct_of_target)) for r in rows] == [
            (0, "0.0"),
            (0, "0.0"),
        ]
        assert ">0%" in body  # as the dashboard prints it


def test_a_campaign_not_yet_computed_shows_no_figures(world, as_user):
    growth_campaign(world, "pds-2015", 2015, declared=710)
    row = as_user(world.city_admin).get(reverse("campaigns:list"))
    body = row.content.decode()
    assert ">107</td>" in body and "尚未统计" in body
    assert ">0</td>" not in body  # nothing counted yet: "—", not 0


def test_the_list_asks_a_fixed_number_of_queries_with_growth_goals(world, drives, as_user):
    client = as_user(world.city_admin)
    client.get(reverse("campaigns:list"))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("campaigns:list"))
        return len(captured)

    before = queries()
    for year in (2017, 2018, 2019):
        growth_campaign(world, f"pds-{year}", year, declared=None if year % 2 else 710)
    assert queries() == before
