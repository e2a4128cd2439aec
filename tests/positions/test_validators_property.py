"""Property tests of the coordinate validator (positions.services.clean_coordinates): every
latitude/longitude pair inside China is kept to six places; a point outside China, a swapped
pair, half a pair or a non-number is refused with a Chinese message on the field concerned, and
the validator never raises."""

import re
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ruhui.positions.geo import LAT_MAX, LAT_MIN, LNG_MAX, LNG_MIN
from ruhui.positions.services import clean_coordinates

CJK = re.compile(r"[\u4e00-\u9fff]")
ONCE = settings(max_examples=300, deadline=None, database=None)

lats = st.decimals(min_value=LAT_MIN, max_value=LAT_MAX, places=6)
lngs = st.decimals(min_value=LNG_MIN, max_value=LNG_MAX, places=6)
anything = st.one_of(
    st.none(),
    st.text(max_size=20),
    st.floats(),
    st.integers(),
    st.decimals(allow_nan=True, allow_infinity=True),
)


def _chinese(errors: dict) -> None:
    assert errors
    for field, messages in errors.items():
        assert field in ("latitude", "longitude"), field
        assert messages and all(CJK.search(m) for m in messages), messages


@ONCE
@given(lats, lngs, st.sampled_from(["decimal", "text", "float", "degrees"]))
def test_every_point_in_china_is_accepted(lat, lng, spelling):
    given_lat, given_lng = {
        "decimal": (lat, lng),
        "text": (f" {lat} ", str(lng)),
        "float": (float(lat), float(lng)),
        "degrees": (f"{lat}°", f"{lng}度"),
    }[spelling]
    got_lat, got_lng, errors = clean_coordinates(given_lat, given_lng)
    assert errors == {}
    assert got_lat == lat and got_lng == lng


@ONCE
@given(lats, lngs)
def test_a_swapped_pair_is_named_as_swapped(lat, lng):
    got_lat, got_lng, errors = clean_coordinates(lng, lat)
    assert (got_lat, got_lng) == (None, None)
    _chinese(errors)
    assert "填反" in errors["latitude"][0] and "填反" in errors["longitude"][0]


@ONCE
@given(
    st.one_of(
        st.decimals(min_value=-90, max_value=LAT_MIN - Decimal("0.000001"), places=6),
        st.decimals(min_value=LAT_MAX + Decimal("0.000001"), max_value=90, places=6),
    ),
    lngs,
)
def test_a_latitude_outside_china_is_refused(lat, lng):
    # Not a swapped pair: the longitude is not a latitude in China.
    assume(not (LAT_MIN <= lng <= LAT_MAX and LNG_MIN <= lat <= LNG_MAX))
    _lat, _lng, errors = clean_coordinates(lat, lng)
    _chinese(errors)
    assert "不在中国境内" in errors["latitude"][0]
    assert "longitude" not in errors


@ONCE
@given(
    lats,
    st.one_of(
        st.decimals(min_value=-180, max_value=LNG_MIN - Decimal("0.000001"), places=6),
        st.decimals(min_value=LNG_MAX + Decimal("0.000001"), max_value=180, places=6),
    ),
)
def test_a_longitude_outside_china_is_refused(lat, lng):
    assume(not (LAT_MIN <= lng <= LAT_MAX and LNG_MIN <= lat <= LNG_MAX))
    _lat, _lng, errors = clean_coordinates(lat, lng)
    _chinese(errors)
    assert "不在中国境内" in errors["longitude"][0]
    assert "latitude" not in errors


@ONCE
@given(lats)
def test_half_a_pair_is_refused(lat):
    _chinese(clean_coordinates(lat, None)[2])
    _chinese(clean_coordinates(None, str(lat))[2])
    assert clean_coordinates(None, "") == (None, None, {})


@ONCE
@given(anything, anything)
def test_anything_is_a_point_in_china_or_a_chinese_refusal(lat, lng):
    got_lat, got_lng, errors = clean_coordinates(lat, lng)
    if errors:
        _chinese(errors)
        assert (got_lat, got_lng) == (None, None)
    elif got_lat is not None:
        assert LAT_MIN <= got_lat <= LAT_MAX and LNG_MIN <= got_lng <= LNG_MAX
    else:
        assert got_lng is None
