"""The 服务阵地与服务 API: read-only and scoped like the pages (a sibling county sees none of a
county's records, a unit outside is 404), the ledger without the people served, coverage as
the page counts it, fixed query counts, Chinese refusals."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ruhui.api.positions import MSG_ORDER, MSG_UNIT_UNKNOWN
from ruhui.positions.models import ServiceRecipient
from tests.factories import UserFactory
from tests.positions.coverage.conftest import activity, consultation, groups, position

D = datetime.date
pytestmark = pytest.mark.django_db
BASE = "/api/v1/positions"


@pytest.fixture
def records(world):
    world.county_trade.groups.set(groups("02"))
    station = position(world.county_trade, name="舞钢小哥驿站", serves=("02", "06"))
    entry = activity(world.county_trade, on=D(2019, 7, 1), counts={"02": 3}, amount="500.00")
    ServiceRecipient.objects.create(activity=entry, masked_name="张*", is_member=False)
    consultation(world.county_trade, on=D(2019, 5, 1), covered=40)
    position(world.sibling_trade, name="宝丰驿站")
    activity(world.sibling_trade, on=D(2019, 7, 2), counts={"02": 1})
    return {"station": station, "entry": entry}


def test_positions_are_scoped(as_user, world, records):
    county = as_user(world.county_viewer).get(BASE).json()
    assert [p["name"] for p in county["items"]] == ["舞钢小哥驿站"]
    item = county["items"][0]
    assert item["running_union_code"] == "WG-KD" and item["status_label"] == "运行"
    assert item["groups"] == ["快递员", "网约送餐员"]
    assert as_user(world.city_admin).get(BASE).json()["count"] == 2
    assert as_user(world.city_admin).get(BASE, {"unit": "BF"}).json()["count"] == 1
    refused = as_user(world.sibling_admin).get(BASE, {"unit": "WG"})
    assert refused.status_code == 404
    assert refused.json()["detail"] == MSG_UNIT_UNKNOWN.format(code="WG")
    assert as_user(world.city_admin).get(BASE, {"status": "停用"}).json()["count"] == 0
    bad = as_user(world.city_admin).get(BASE, {"status": "坏的"})
    assert bad.status_code == 422 and "状态「坏的」无效" in bad.json()["detail"][0]["message"]


def test_the_ledger_has_no_recipients(as_user, world, records):
    body = as_user(world.county_admin).get(f"{BASE}/activities", {"kind": "夏送清凉"}).json()
    assert body["count"] == 1
    entry = body["items"][0]
    assert entry["group_counts"] == {"02": 3} and entry["amount"] == "500.00"
    assert not {"recipients", "masked_name", "member_id"} & set(entry)
    assert "张*" not in str(body)
    later = as_user(world.county_admin).get(f"{BASE}/activities", {"start": "2019-08-01"})
    assert later.json()["count"] == 0


def test_consultations(as_user, world, records):
    body = as_user(world.county_admin).get(f"{BASE}/consultations").json()
    assert body["items"][0]["employer_name"] == "快递行业协会"
    assert body["items"][0]["topics"] == ["工资"] and body["items"][0]["workers_covered"] == 40
    assert as_user(world.sibling_admin).get(f"{BASE}/consultations").json()["count"] == 0


def test_coverage(as_user, world, records):
    period = {"start": "2019-01-01", "end": "2019-12-31"}
    body = as_user(world.county_viewer).get(f"{BASE}/coverage", period).json()
    assert body["unit_code"] == "WG"
    assert [d["label"] for d in body["divisions"]] == ["舞钢市"]
    assert body["total"]["positions"] == 1 and body["total"]["spending"] == "500.00"
    couriers = next(g for g in body["groups"] if g["key"] == "02")
    assert couriers["served"] == 3 and couriers["spending"] is None
    city = as_user(world.city_admin).get(f"{BASE}/coverage", {**period, "unit": "BF"}).json()
    assert city["total"]["activities"] == 1
    wrong = as_user(world.city_admin).get(
        f"{BASE}/coverage", {"start": "2019-12-31", "end": "2019-01-01"}
    )
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["message"] == MSG_ORDER
    assert as_user(world.sibling_admin).get(f"{BASE}/coverage", {"unit": "WG"}).status_code == 404


def test_fixed_query_counts(as_user, world, records):
    client = as_user(world.city_admin)
    client.get(BASE)
    with CaptureQueriesContext(connection) as few:
        client.get(BASE)
    for n in range(5):
        position(world.county_trade, name=f"驿站{n}", serves=("02",))
    with CaptureQueriesContext(connection) as more:
        client.get(BASE)
    assert len(more) == len(few)


def test_no_role_no_data(as_user, world, records):
    outsider = UserFactory(username="no_org", organization=None)
    assert as_user(outsider).get(BASE).status_code == 403
