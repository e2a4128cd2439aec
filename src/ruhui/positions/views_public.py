"""The public near-me page (/join/stations/, no login, on a worker's phone): the running
stations of a chosen county, or of all, in township order, each with its facilities, hours and
navigation links (高德 and geo:), and its coordinates as data-* attributes. The static script
`positions/near.js` asks the phone for its location and re-sorts the list by distance in the
phone: the page makes no request with the location, and collects nothing.

It is the only page that may ask for the location (Permissions-Policy geolocation=(self); every
other page keeps geolocation=()); it is never stored (no-store), counts against a per-IP limit
and is sent compressed (no secret on it: no form token, no personal data)."""

import re
from html import escape
from urllib.parse import quote

from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from ruhui.core import ratelimit
from ruhui.core.context import client_ip
from ruhui.core.middleware import PERMISSIONS_POLICY_GEOLOCATION_SELF
from ruhui.positions import selectors
from ruhui.positions.choices import FACILITIES, PositionKind

LIMIT = "stations_ip"
MSG_TOO_MANY = "访问过于频繁，请稍后再试。"
#: Characters of a name that would end or break the query of the 高德 link.
URL_SPECIAL = re.compile(r"[\s&#%+?=\"'<>\\]")
FACILITY_LABELS = {code: str(label) for code, label in FACILITIES}
#: The kinds by the short names the posters use (the cadre pages show the full ones).
KIND_LABELS = {
    PositionKind.HOME: "职工之家",
    PositionKind.DRIVER: "司机之家",
    PositionKind.STATION: "工会驿站",
    PositionKind.OTHER: "服务站点",
}


def _name_param(name: str) -> str:
    """The name in the 高德 link: Chinese stays as it is (the browser encodes it), characters
    that would break the query are percent-encoded."""
    return URL_SPECIAL.sub(lambda m: quote(m.group(), safe=""), name)


def _entry(row: dict, counties: dict) -> dict:
    lat, lng = f"{row['latitude']:.6f}", f"{row['longitude']:.6f}"
    return {
        "name": row["name"],
        "kind": KIND_LABELS.get(row["kind"], ""),
        "county": counties.get(row["division_code"], ""),
        "township": row["township"],
        "address": row["address"],
        "partner": row["partner"],
        "hours": "24 小时开放" if row["open_24h"] else row["hours"],
        "facilities": "、".join(
            FACILITY_LABELS[c] for c in row["facilities"] or () if c in FACILITY_LABELS
        ),
        "lat": lat,
        "lng": lng,
        "amap": f"https://uri.amap.com/marker?position={lng},{lat}&name={_name_param(row['name'])}",
        "geo": f"geo:{lat},{lng}",
    }


def _item(e: dict, *, with_county: bool) -> str:
    """One station as an <li> (every value escaped): a 2,000-station county renders in a few
    milliseconds this way, where the template language took seconds."""
    place = f"{e['county']} " if with_county else ""
    partner = f"（{escape(e['partner'])}）" if e["partner"] else ""
    hours = f"开放：{escape(e['hours'])}<br>" if e["hours"] else ""
    facilities = f"设施：{escape(e['facilities'])}<br>" if e["facilities"] else ""
    return (
        f'<li data-lat="{e["lat"]}" data-lng="{e["lng"]}"><b>{escape(e["name"])}</b> '
        f'<span class="near-dist"></span><br><small>{escape(place)}{escape(e["township"])} · '
        f"{escape(e['kind'])}</small><br>{escape(e['address'])}{partner}<br>{hours}{facilities}"
        f'<a href="{escape(e["amap"])}">高德导航</a> '
        f'<a href="{escape(e["geo"])}">手机地图</a></li>\n'
    )


@require_GET
@gzip_page
def stations(request):
    """The running stations of the chosen county (?county=<division code>), or of all."""
    response = _stations(request)
    response["Cache-Control"] = "no-store"
    response["Permissions-Policy"] = PERMISSIONS_POLICY_GEOLOCATION_SELF
    return response


def _stations(request):
    if not ratelimit.hit(LIMIT, client_ip() or "unknown"):
        return render(
            request, "positions/public/too_many.html", {"message": MSG_TOO_MANY}, status=429
        )
    counties = selectors.public_counties()
    names = dict(counties)
    county = request.GET.get("county", "")
    county = county if county in names else ""
    entries = [_entry(row, names) for row in selectors.public_positions(division=county)]
    context = {
        "counties": counties,
        "county": county,
        "county_name": names.get(county, ""),
        "count": len(entries),
        "items": mark_safe("".join(_item(e, with_county=not county) for e in entries)),  # noqa: S308 (every value escaped)
    }
    return render(request, "positions/public/stations.html", context)
