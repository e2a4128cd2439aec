"""The public near-me page /join/stations/: no login; running stations with coordinates only,
of the chosen county or of all, in township order; facilities, hours and both navigation
links; the coordinates as data-* attributes for positions/near.js; nothing personal; no-store;
rate-limited; the only page with Permissions-Policy geolocation=(self) — every other page keeps
geolocation=(); the HTML of 2,000 stations stays within 300 KB as sent."""

import gzip
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from ruhui.positions.models import ServicePosition
from tests.positions.positions.conftest import make_position
from tests.walk import iter_routes

pytestmark = pytest.mark.django_db
URL = "/join/stations/"


@pytest.fixture
def wugang(world):
    """Three running stations of 舞钢 in two townships, one planned, one closed; one of 宝丰."""
    admin = world.county_admin
    made = {
        "b": make_position(
            admin,
            name="院岭驿站",
            township="院岭街道",
            latitude="33.308100",
            longitude="113.540300",
        ),
        "a": make_position(admin, name="垭口驿站", township="垭口街道"),
        "c": make_position(
            admin,
            name="八台镇司机之家",
            kind="driver",
            township="八台镇",
            latitude="33.360200",
            longitude="113.571500",
            open_24h=True,
            hours="",
        ),
        "planned": make_position(
            admin, name="筹建中的驿站", status="planned", latitude="", longitude=""
        ),
        "closed": make_position(admin, name="停用的驿站", status="closed"),
    }
    make_position(
        world.sibling_admin,
        world.sibling_trade,
        name="宝丰城关驿站",
        division_code="410421",
        township="城关镇",
        latitude="33.868100",
        longitude="113.055200",
    )
    return made


def _names(body: str) -> list[str]:
    return re.findall(r"<li data-lat[^>]*><b>([^<]+)</b>", body)


def test_lists_running_stations_in_township_order_without_login(client, wugang):
    response = client.get(URL, {"county": "410481"})
    assert response.status_code == 200
    body = response.content.decode()
    # 八台镇 < 垭口街道 < 院岭街道 in code-point order of the township names
    assert _names(body) == sorted(
        ["院岭驿站", "垭口驿站", "八台镇司机之家"],
        key=lambda n: {"院岭驿站": "院岭街道", "垭口驿站": "垭口街道", "八台镇司机之家": "八台镇"}[
            n
        ],
    )
    assert "筹建中的驿站" not in body and "停用的驿站" not in body and "宝丰城关驿站" not in body
    assert 'data-lat="33.297120" data-lng="113.526340"' in body
    assert (
        'href="https://uri.amap.com/marker?position=113.526340,33.297120&amp;name=垭口驿站"' in body
    )
    assert 'href="geo:33.297120,113.526340"' in body
    assert "饮水、休息座椅、热饭/微波炉、充电" in body and "开放：8:00-20:00" in body
    assert "开放：24 小时开放" in body
    assert '<script src="/static/positions/near.js" defer></script>' in body


def test_all_counties_when_none_is_chosen_and_unknown_county_ignored(client, wugang):
    body = client.get(URL).content.decode()
    assert "宝丰城关驿站" in body and "垭口驿站" in body
    assert "宝丰县" in body  # the county select and the entry's county
    assert len(_names(client.get(URL, {"county": "999999"}).content.decode())) == 4


def test_no_personal_data_and_no_cadre_data(client, world, wugang):
    body = client.get(URL).content.decode()
    for secret in (
        world.county_admin.username,
        "county_admin",
        world.county_trade.name,
        "csrfmiddlewaretoken",
    ):
        assert secret not in body
    assert not re.search(r"1[3-9]\d{9}", body)  # no mobile number
    assert "<script>" not in body and " on" + "click" not in body


def test_headers_no_store_and_geolocation_self(client, wugang):
    response = client.get(URL)
    assert response["Cache-Control"] == "no-store"
    assert response["Permissions-Policy"] == "camera=(), microphone=(), geolocation=(self)"
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_rate_limited(client, settings, wugang):
    settings.RUHUI_RATELIMITS = {**settings.RUHUI_RATELIMITS, "stations_ip": [3, 600]}
    assert [client.get(URL).status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = client.get(URL)
    assert "访问过于频繁" in refused.content.decode()
    assert refused["Cache-Control"] == "no-store"


def test_join_home_links_to_the_page(client, db):
    assert 'href="/join/stations/"' in client.get(reverse("join:home")).content.decode()


def _sample_url(route) -> str:
    return route.url(dict.fromkeys(route.params, "1"))


def test_every_other_page_keeps_geolocation_off(client, world, station):
    """Every route (parameters filled with 1: most answer 404, which carries the headers too),
    anonymous and signed in: only the near-me page may ask for the location."""
    checked = 0
    for signed_in in (False, True):
        if signed_in:
            client.force_login(world.county_admin)
        for route in iter_routes():
            url = _sample_url(route)
            response = client.get(url)
            policy = response.get("Permissions-Policy", "")
            if route.name == "stations:list":
                assert "geolocation=(self)" in policy
            else:
                assert "geolocation=()" in policy, (url, policy)
            checked += 1
    assert checked > 100


def test_two_thousand_stations_fit_in_300_kb(client, world):
    """2,000 running stations in one county: the page as sent (gzip, as a phone asks for it)
    stays within 300 KB; the uncompressed size is reported for the record."""
    union = world.county_trade
    townships = [
        "垭口街道",
        "院岭街道",
        "寺坡街道",
        "朱兰街道",
        "尚店镇",
        "八台镇",
        "枣林镇",
        "杨庄乡",
    ]
    ServicePosition.objects.bulk_create(
        ServicePosition(
            kind="station",
            name=f"舞钢{townships[i % 8]}户外劳动者服务站点{i:04d}",
            running_union=union,
            partner="中国工商银行舞钢支行营业部" if i % 3 == 0 else "",
            division_code="410481",
            township=townships[i % 8],
            address=f"舞钢市{townships[i % 8]}建设路 {i} 号",
            latitude=Decimal("33.200000") + Decimal(i) / 10000,
            longitude=Decimal("113.450000") + Decimal(i) / 10000,
            hours="8:00-20:00",
            facilities=["water", "seats", "microwave", "charging", "toilet", "first_aid"],
            status="running",
        )
        for i in range(2000)
    )
    response = client.get(URL, {"county": "410481"}, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    sent = len(response.content)
    plain = len(gzip.decompress(response.content))
    print(f"2,000 stations: {plain / 1024:.0f} KB of HTML, {sent / 1024:.0f} KB sent (gzip)")
    assert sent <= 300 * 1024
    assert len(_names(gzip.decompress(response.content).decode())) == 2000
