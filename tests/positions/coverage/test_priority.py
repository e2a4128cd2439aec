"""The social workers' 倾斜 list: eight-group trade unions and township/community unions
without a current social worker, ranked by the campaign's new eight-group members."""

import datetime

import pytest

from ruhui.campaigns.models import Campaign, UnitTally
from ruhui.orgs.choices import OrgKind
from ruhui.positions.models import SocialWorker
from ruhui.positions.priority import campaigns_for, priority_list
from tests.factories import OrganizationFactory
from tests.positions.coverage.conftest import groups

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def places(world):
    w = world
    w.county_trade.groups.set(groups("02"))
    w.industry_trade.groups.set(groups("01"))
    w.sibling_trade.groups.set(groups("02"))
    township = OrganizationFactory(
        parent=w.county, name="舞钢垭口街道工会", kind=OrgKind.TOWNSHIP, division_code="410481"
    )
    community = OrganizationFactory(
        parent=township, name="垭口社区工会", kind=OrgKind.COMMUNITY, division_code="410481"
    )
    other_trade = OrganizationFactory(
        parent=w.county, name="舞钢餐饮行业工会", kind=OrgKind.TRADE, division_code="410481"
    )
    other_trade.groups.set(groups("99"))
    staffed = OrganizationFactory(
        parent=w.county, name="舞钢八台镇工会", kind=OrgKind.TOWNSHIP, division_code="410481"
    )
    SocialWorker.objects.create(name="刘芳", union=staffed, starts_on=D(2019, 3, 1))
    ended = OrganizationFactory(
        parent=w.county, name="舞钢尚店镇工会", kind=OrgKind.TOWNSHIP, division_code="410481"
    )
    SocialWorker.objects.create(
        name="陈静", union=ended, starts_on=D(2018, 3, 1), ends_on=D(2019, 3, 1)
    )
    old = Campaign.objects.create(
        owner=w.city, slug="pds-2015", name="2015集中行动", year=2015,
        starts_on=D(2015, 4, 1), ends_on=D(2015, 12, 31),
    )  # fmt: skip
    campaign = Campaign.objects.create(
        owner=w.city, slug="pds-2019", name="2019集中行动", year=2019,
        starts_on=D(2019, 4, 1), ends_on=D(2019, 12, 31),
    )  # fmt: skip
    tallies = [
        (campaign, w.county_trade, "02", 30),
        (campaign, w.county_trade, "99", 500),  # 其他 does not count
        (campaign, community, "01", 12),
        (campaign, community, "06", 10),
        (campaign, township, "01", 12),
        (campaign, staffed, "02", 99),
        (old, township, "02", 400),
    ]
    for c, unit, key, n in tallies:
        UnitTally.objects.create(
            campaign=c, unit=unit, dimension=UnitTally.Dimension.GROUP, key=key, new_members=n
        )
    return {"campaign": campaign, "old": old}


def test_ranked_by_new_eight_group_members(world, places):
    rows = priority_list(user=world.county_admin, campaign=places["campaign"])
    assert [(r.rank, r.union.name, r.recruited) for r in rows] == [
        (1, "舞钢快递行业工会", 30),
        (2, "垭口社区工会", 22),
        (3, "舞钢垭口街道工会", 12),
        (4, "舞钢尚店镇工会", 0),  # the worker left in March
    ]
    assert rows[0].groups == ["快递员"]
    assert rows[0].kind_label == "行业工会"


def test_the_campaign_chosen_and_the_default(world, places):
    assert [c.slug for c in campaigns_for(world.county_admin)] == ["pds-2019", "pds-2015"]
    rows = priority_list(user=world.county_admin, campaign=places["old"])
    assert rows[0].union.name == "舞钢垭口街道工会"


def test_city_sees_the_industry_trade_union(world, places):
    names = [r.union.name for r in priority_list(user=world.city_admin, campaign=None)]
    assert "平顶山市道路货运行业工会" in names
    assert "宝丰快递行业工会" in names
    assert "舞钢餐饮行业工会" not in names
    assert "舞钢八台镇工会" not in names
    assert names == sorted(names, key=names.index)
