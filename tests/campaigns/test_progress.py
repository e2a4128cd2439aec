"""Progress figures computed from the records: hand-computed values on a constructed history,
and the stored (precomputed) figures equal to the registry's own count selectors."""

import datetime

import pytest

from ruhui.campaigns.models import UnitFigure, UnitTally
from ruhui.campaigns.progress import month_keys, progress_refresh
from ruhui.campaigns.selectors import new_member_events
from ruhui.members.selectors import member_count_at, new_member_count

D = datetime.date


def figures(campaign):
    return {f.unit_id: f for f in UnitFigure.objects.filter(campaign=campaign)}


def tallies(campaign, unit, dimension):
    return dict(
        UnitTally.objects.filter(campaign=campaign, unit=unit, dimension=dimension).values_list(
            "key", "new_members"
        )
    )


def test_new_members_by_hand(world, campaign, history):
    progress_refresh(campaign)
    got = figures(campaign)
    # A, C (once), G, H in the city; D is not 农民工, E transferred, B and F outside the window.
    assert got[world.city.pk].new_members == 4
    assert got[world.county.pk].new_members == 3  # A, C (August), G
    assert got[world.county_trade.pk].new_members == 2  # A, C
    assert got[world.sibling.pk].new_members == 1  # C's first join (June)
    assert got[world.industry.pk].new_members == 1  # H, on the first day
    city_months = tallies(campaign, world.city, "month")
    assert city_months == {"2019-04": 1, "2019-05": 1, "2019-06": 1, "2019-12": 1}
    # The county counts C in August, where C joined it; the city in June, C's first join.
    assert tallies(campaign, world.county, "month") == {"2019-05": 1, "2019-08": 1, "2019-12": 1}
    assert tallies(campaign, world.city, "group") == {"02": 2, "06": 1, "01": 1}
    assert tallies(campaign, world.county, "group") == {"02": 2, "01": 1}


def test_baseline_by_hand(world, campaign, history):
    progress_refresh(campaign)
    got = figures(campaign)
    # On 2018-12-31: B at the county enterprise, E at the sibling trade union.
    assert got[world.city.pk].baseline == 2
    assert got[world.county.pk].baseline == 1
    assert got[world.sibling.pk].baseline == 1
    # The industry union's registry starts in 2019: no baseline, not zero.
    industry = got.get(world.industry.pk)
    assert industry is not None and industry.baseline is None


@pytest.mark.parametrize("unit_name", ["city", "county", "sibling", "county_trade", "industry"])
def test_stored_figures_equal_the_registry_selectors(world, campaign, history, unit_name):
    """The precomputed figures against the registry's own definitions, unit by unit."""
    progress_refresh(campaign)
    unit = getattr(world, unit_name)
    stored = figures(campaign).get(unit.pk)
    user = world.city_admin
    direct = new_member_count(
        user=user, start=campaign.starts_on, end=campaign.ends_on, root=unit, migrant=True
    )
    assert (stored.new_members if stored else 0) == direct
    rows = new_member_events(user=user, campaign=campaign, unit=unit)
    assert rows.count() == direct
    months = tallies(campaign, unit, "month")
    for key in month_keys(campaign):
        behind = new_member_events(user=user, campaign=campaign, unit=unit, month=key).count()
        assert months.get(key, 0) == behind, key
    groups = tallies(campaign, unit, "group")
    for code in ["01", "02", "06", "08", "99"]:
        behind = new_member_events(user=user, campaign=campaign, unit=unit, group=code).count()
        assert groups.get(code, 0) == behind, code
    if stored and stored.baseline is not None:
        assert stored.baseline == member_count_at(
            user=user, on=campaign.baseline_on, root=unit, migrant=True
        )


def test_a_second_computation_replaces_the_first(world, campaign, history):
    progress_refresh(campaign)
    before = UnitTally.objects.filter(campaign=campaign).count()
    progress_refresh(campaign)
    assert UnitTally.objects.filter(campaign=campaign).count() == before
    campaign.refresh_from_db()
    assert campaign.progress_at is not None
