"""The demo's positions: 30 over the 16 county-level units, at real places of each county
(coordinates near the county's town), kinds mixed, four 筹建 or 停用; a phone in 舞钢 at
/join/stations/ sees 舞钢's running stations, nearest first in the phone (the order near.js
computes, checked here with the same formula)."""

import re

import pytest

from ruhui.demo import positions as demo_positions
from ruhui.orgs.models import Organization
from ruhui.positions.geo import distance_km
from ruhui.positions.models import ServicePosition
from tests.demo import seed_demo_signed_in

pytestmark = pytest.mark.django_db

#: The town centre of each county-level division (GCJ-02): every demo position lies within
#: 20 km of its own.
TOWNS = {
    "410481": (33.30, 113.52),  # 舞钢
    "410421": (33.87, 113.06),  # 宝丰
    "410422": (33.62, 113.35),  # 叶县
    "410423": (33.74, 112.91),  # 鲁山
    "410425": (33.97, 113.21),  # 郏县
    "410403": (33.73, 113.33),  # 卫东区
    "410411": (33.72, 113.30),  # 湛河区
    "410402": (33.74, 113.29),  # 新华区
    "410404": (33.90, 112.89),  # 石龙区
    "410472": (33.71, 113.21),  # 新城区
    "410471": (33.70, 113.38),  # 高新区
}


@pytest.fixture
def demo(db):
    seed_demo_signed_in(members=200)


def test_thirty_positions_over_sixteen_units_at_real_places(demo):
    positions = list(ServicePosition.objects.select_related("running_union"))
    assert len(positions) == 30
    city = Organization.objects.get(code="PDS")
    level = city.depth + 1  # the county-level units: the city's children
    units = {p.running_union.path[: level * Organization.steplen] for p in positions}
    assert len(units) == 16
    assert {p.kind for p in positions} == {"station", "driver", "home"}
    assert sorted(p.status for p in positions if p.status != "running") == [
        "closed",
        "closed",
        "planned",
        "planned",
    ]
    for p in positions:
        town = TOWNS[p.division_code]
        assert distance_km(*town, float(p.latitude), float(p.longitude)) < 20, p.name
    assert demo_positions.seed() == {"positions": 30}  # seeding twice adds nothing


def test_a_phone_in_wugang_sees_its_stations_nearest_first(demo, client):
    body = client.get("/join/stations/", {"county": "410481"}).content.decode()
    entries = re.findall(r'<li data-lat="([\d.]+)" data-lng="([\d.]+)"><b>([^<]+)</b>', body)
    assert len(entries) == 6 and "枣林镇" not in body  # the one being built is not shown
    here = (33.3180, 113.5480)  # a phone in 朱兰街道
    nearest = min(entries, key=lambda e: distance_km(*here, float(e[0]), float(e[1])))
    assert nearest[2] == "舞钢市朱兰街道邮储银行工会驿站"
    assert "https://uri.amap.com/marker?position=113.545590,33.320060&amp;name=" in body
