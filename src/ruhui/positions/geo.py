"""Distances between GCJ-02 coordinates and the bounds a coordinate of a position in China must
lie in. The public near-me page sorts by the same formula in the phone
(static/positions/near.js); this one is for the server's tests and reports."""

from __future__ import annotations

import math
from decimal import Decimal

#: The mean Earth radius (IUGG R1), in km.
EARTH_RADIUS_KM = 6371.0088
#: Latitude and longitude of China (including the South China Sea islands), as the issue sets.
LAT_MIN, LAT_MAX = Decimal("3.8"), Decimal("53.6")
LNG_MIN, LNG_MAX = Decimal("73.5"), Decimal("135.1")


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The great-circle (haversine) distance in km between two points given in degrees."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    d_phi = phi2 - phi1
    d_lambda = math.radians(float(lng2) - float(lng1))
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def lat_in_china(value: Decimal) -> bool:
    return LAT_MIN <= value <= LAT_MAX


def lng_in_china(value: Decimal) -> bool:
    return LNG_MIN <= value <= LNG_MAX
