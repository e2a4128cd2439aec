"""distance_km against reference distances between places of 平顶山 (±0.1 km).

The expected values are the WGS84 geodesic distances (GeographicLib's Geodesic.WGS84.Inverse,
Karney's algorithm) between the same points, derived outside this code; over these distances
the sphere of radius 6371.0088 km and the ellipsoid differ by less than 0.1 km, which is the
accuracy the near-me page needs. A second check derives the great-circle distance from the
chord between the two points' unit vectors, another route than the haversine's."""

import math

import pytest

from ruhui.positions.geo import EARTH_RADIUS_KM, distance_km

#: (from, to, geodesic km on WGS84)
PAIRS = [
    ((33.737, 113.293), (33.735, 113.335), 3.898),  # 新华区矿工路 — 卫东区东环路
    ((33.302, 113.524), (33.265, 113.610), 9.001),  # 舞钢市区 — 尚店镇
    ((33.737, 113.293), (33.302, 113.524), 52.805),  # 平顶山市区 — 舞钢市区
    ((33.737, 113.293), (34.167, 112.844), 63.226),  # 平顶山市区 — 汝州市区
    ((33.868, 113.055), (33.971, 113.213), 18.547),  # 宝丰县城 — 郏县县城
    ((33.739, 112.908), (33.627, 113.357), 43.448),  # 鲁山县城 — 叶县县城
]


@pytest.mark.parametrize(("start", "end", "expected"), PAIRS)
def test_distance_matches_the_geodesic_within_100_metres(start, end, expected):
    assert distance_km(*start, *end) == pytest.approx(expected, abs=0.1)
    assert distance_km(*end, *start) == pytest.approx(expected, abs=0.1)


def _chord_km(start, end):
    def unit(lat, lng):
        phi, lam = math.radians(lat), math.radians(lng)
        return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))

    chord = math.dist(unit(*start), unit(*end))
    return 2 * EARTH_RADIUS_KM * math.asin(chord / 2)


@pytest.mark.parametrize(("start", "end", "_geodesic"), PAIRS)
def test_distance_equals_the_chord_construction(start, end, _geodesic):
    assert distance_km(*start, *end) == pytest.approx(_chord_km(start, end), abs=1e-6)


def test_same_point_is_zero_and_one_degree_of_latitude_is_111_km():
    assert distance_km(33.3, 113.5, 33.3, 113.5) == 0
    # 2πR/360 on the mean sphere: 111.195 km
    assert distance_km(33.0, 113.5, 34.0, 113.5) == pytest.approx(111.195, abs=0.001)
