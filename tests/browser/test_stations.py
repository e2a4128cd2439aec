"""The public near-me page on a phone (Debian's chromium, headless, 360×740): with the location
granted the nearest station comes first and its distance shows; no request carries the
coordinates; no CSP error in the console; with the location refused the list stays in township
order."""

import pytest

from ruhui.positions.geo import distance_km
from tests.positions.positions.conftest import make_position

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
#: The phone stands in 舞钢's 朱兰街道 (a few hundred metres from the 朱兰 station).
HERE = {"latitude": 33.318765, "longitude": 113.548321}
STATIONS = [
    # name, township, lat, lng — township order: 八台镇, 垭口街道, 寺坡街道, 朱兰街道
    ("八台镇司机之家", "八台镇", "33.360200", "113.571500"),
    ("垭口街道户外劳动者服务站点", "垭口街道", "33.297120", "113.526340"),
    ("寺坡街道爱心驿站", "寺坡街道", "33.289400", "113.514800"),
    ("朱兰街道工会驿站", "朱兰街道", "33.320100", "113.545200"),
]


@pytest.fixture
def stations(world):
    for name, township, lat, lng in STATIONS:
        # groups=[]: a transactional test's flush removes the groups' reference rows
        make_position(
            world.county_admin,
            name=name,
            township=township,
            latitude=lat,
            longitude=lng,
            groups=[],
        )


def _phone(browser, live_server, *, granted: bool):
    context = browser.new_context(
        viewport=PHONE,
        base_url=live_server.url,
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
        geolocation=HERE,
        permissions=["geolocation"] if granted else [],
    )
    page = context.new_page()
    requests, console = [], []
    page.on("request", lambda request: requests.append(request))
    page.on("console", lambda message: console.append(message.text))
    page.on("pageerror", lambda error: console.append(str(error)))
    return context, page, requests, console


def _names(page) -> list[str]:
    return page.locator("#stations > li > b").all_inner_texts()


def _coordinates_in(request) -> bool:
    text = request.url + (request.post_data or "") + str(request.headers)
    lat, lng = HERE["latitude"], HERE["longitude"]
    return any(
        needle in text
        for needle in (f"{lat}", f"{lng}", f"{lat:.4f}", f"{lng:.4f}", f"{lat:.2f},", "33.3187")
    )


def test_granted_location_sorts_nearest_first_and_sends_nothing(browser, live_server, stations):
    context, page, requests, console = _phone(browser, live_server, granted=True)
    try:
        page.goto("/join/stations/?county=410481")
        page.wait_for_selector("#stations[data-sorted=distance]")
        names = _names(page)
        expected = sorted(
            STATIONS,
            key=lambda s: distance_km(
                HERE["latitude"], HERE["longitude"], float(s[2]), float(s[3])
            ),
        )
        assert names == [s[0] for s in expected]
        assert names[0] == "朱兰街道工会驿站"
        first = page.locator("#stations > li").first
        assert "米" in first.locator(".near-dist").inner_text()
        assert "已按离您的距离排列" in page.locator("#near-status").inner_text()
        link = first.locator("a", has_text="高德导航").get_attribute("href")
        assert link.startswith("https://uri.amap.com/marker?position=113.545200,33.320100&name=")
        assert (
            first.locator("a", has_text="手机地图").get_attribute("href")
            == "geo:33.320100,113.545200"
        )
        page.wait_for_timeout(300)  # anything the script might still send
        assert requests and not [r.url for r in requests if _coordinates_in(r)]
        assert all(r.url.startswith(live_server.url) for r in requests)
        assert not [m for m in console if "Content Security Policy" in m or "Refused" in m]
        assert not [m for m in console if "Error" in m]
    finally:
        context.close()


def test_refused_location_keeps_township_order(browser, live_server, stations):
    context, page, _requests, console = _phone(browser, live_server, granted=False)
    try:
        page.goto("/join/stations/?county=410481")
        page.wait_for_selector("#stations[data-sorted=township]")
        assert _names(page) == [s[0] for s in STATIONS]
        assert "未获得位置权限" in page.locator("#near-status").inner_text()
        assert page.locator(".near-dist").all_inner_texts() == [""] * 4
        assert not [m for m in console if "Content Security Policy" in m]
    finally:
        context.close()
