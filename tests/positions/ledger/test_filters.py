"""The lists' filters: the ledger by kind, union subtree, overlapping dates, group and position;
consultations by level, topic and year; social workers by state. Each list stays in scope."""

import datetime

from django.urls import reverse

from ruhui.positions import ledger_registers, ledger_services
from ruhui.positions import ledger_selectors as selectors
from tests.positions.ledger.conftest import activity_data


def titles(queryset) -> list[str]:
    return sorted(a.title for a in queryset)


def test_ledger_filters(cast):
    world, user = cast.world, cast.world.county_admin
    ledger_services.activity_create(
        actor=user,
        data=activity_data(
            world, kind="winter", title="冬送温暖", union=world.county, starts_on="2019-12-20",
            ends_on="2020-01-10", group_counts={"01": 9},
        ),
    )  # fmt: skip
    assert titles(selectors.activity_list(user=user)) == ["冬送温暖", "夏送清凉进快递网点"]
    assert titles(selectors.activity_list(user=user, kind="winter")) == ["冬送温暖"]
    assert titles(selectors.activity_list(user=user, group="02")) == ["夏送清凉进快递网点"]
    trade = selectors.activity_list(user=user, union_id=world.county_trade.pk)
    assert titles(trade) == ["夏送清凉进快递网点"]
    # An entry running into January 2020 is in January's range.
    january = selectors.activity_list(
        user=user, since=datetime.date(2020, 1, 1), until=datetime.date(2020, 1, 31)
    )
    assert titles(january) == ["冬送温暖"]
    assert not selectors.activity_list(user=user, union_id=world.sibling.pk).exists()
    totals = selectors.activity_totals(selectors.activity_list(user=user))
    assert (totals["entries"], totals["workers"]) == (2, 69)
    assert str(totals["spent"]) == "4700.50"


def test_ledger_page_filters_and_totals(cast, as_user):
    client = as_user(cast.world.county_admin)
    page = client.get(reverse("positions:activities") + "?kind=summer&group=02").content.decode()
    assert "夏送清凉进快递网点" in page and "3500.50" in page
    page = client.get(reverse("positions:activities") + "?kind=winter").content.decode()
    assert "没有符合条件的服务活动" in page


def test_consultation_and_worker_filters(cast):
    world, user = cast.world, cast.world.county_admin
    for level, topics, held in (
        ("industry", ["wage", "women"], "2019-05-10"),
        ("regional", ["safety"], "2020-03-01"),
    ):
        ledger_registers.consultation_create(
            actor=user,
            data={
                "level": level,
                "union": world.county_trade,
                "employer_association": "舞钢市快递行业协会",
                "topics": topics,
                "held_on": held,
            },
        )
    assert selectors.consultation_list(user=user, topic="women").get().level == "industry"
    assert selectors.consultation_list(user=user, topic="safety").get().level == "regional"
    assert selectors.consultation_list(user=user, year=2020).get().level == "regional"
    assert selectors.consultation_list(user=user, level="enterprise").count() == 0
    assert selectors.consultation_list(user=world.sibling_admin).count() == 0
    ledger_registers.social_worker_create(
        actor=user,
        data={
            "name": "甲",
            "union": world.county,
            "starts_on": "2019-01-01",
            "ends_on": "2019-06-30",
        },
    )
    ledger_registers.social_worker_create(
        actor=user, data={"name": "乙", "union": world.county_trade, "starts_on": "2019-01-01"}
    )
    assert [w.name for w in selectors.social_worker_list(user=user, current="yes")] == ["乙"]
    assert [w.name for w in selectors.social_worker_list(user=user, current="no")] == ["甲"]
    assert selectors.social_worker_list(user=world.sibling_admin).count() == 0
