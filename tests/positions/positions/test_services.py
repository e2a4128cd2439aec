"""The positions' services: every refusal is Chinese, names the field and the fix; coordinates
inside China only, swapped ones detected (hypothesis); the division code; facilities from the
list; the running union within the jurisdiction; a running position needs coordinates; photos
lose their metadata; awards come and go; each write leaves an audit row."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from ruhui.audit.models import AuditEvent
from ruhui.positions import services
from ruhui.positions.geo import LAT_MAX, LAT_MIN, LNG_MAX, LNG_MIN
from ruhui.positions.models import ServicePosition
from tests.cases.factories import png_upload
from tests.positions.positions.conftest import make_position, position_data

pytestmark = pytest.mark.django_db

six = st.decimals(places=6, allow_nan=False, allow_infinity=False)
lat_inside = st.decimals(min_value=LAT_MIN, max_value=LAT_MAX, places=6)
lng_inside = st.decimals(min_value=LNG_MIN, max_value=LNG_MAX, places=6)


# --- the coordinate validator (no database) --------------------------------------------------


@given(lat=lat_inside, lng=lng_inside)
def test_every_point_inside_china_is_kept_to_six_places(lat, lng):
    got_lat, got_lng, errors = services.clean_coordinates(str(lat), str(lng))
    assert errors == {}
    assert (got_lat, got_lng) == (lat, lng)


@given(lat=six.filter(lambda v: not LAT_MIN <= v <= LAT_MAX), lng=lng_inside)
def test_a_latitude_outside_china_is_refused_naming_the_latitude(lat, lng):
    _lat, _lng, errors = services.clean_coordinates(str(lat), str(lng))
    assert "latitude" in errors
    assert errors["latitude"][0].startswith("纬度")


@given(lat=lat_inside, lng=six.filter(lambda v: not LNG_MIN <= v <= LNG_MAX))
def test_a_longitude_outside_china_is_refused(lat, lng):
    _lat, _lng, errors = services.clean_coordinates(str(lat), str(lng))
    assert "longitude" in errors
    assert "经度" in errors["longitude"][0]


@given(lat=st.one_of(six, st.text(max_size=8)), lng=st.one_of(six, st.text(max_size=8)))
def test_any_input_is_either_accepted_inside_china_or_refused_by_field(lat, lng):
    got_lat, got_lng, errors = services.clean_coordinates(lat, lng)
    if errors:
        assert set(errors) <= {"latitude", "longitude"}
        assert all(m and ("纬度" in m[0] or "经度" in m[0]) for m in errors.values())
        assert (got_lat, got_lng) == (None, None)
    elif got_lat is not None:
        assert LAT_MIN <= got_lat <= LAT_MAX and LNG_MIN <= got_lng <= LNG_MAX
    else:
        assert got_lng is None


@given(lat=lat_inside, lng=lng_inside)
def test_swapped_coordinates_are_named_as_swapped(lat, lng):
    _lat, _lng, errors = services.clean_coordinates(str(lng), str(lat))
    assert set(errors) == {"latitude", "longitude"}
    assert "填反" in errors["latitude"][0]


@pytest.mark.parametrize(
    ("lat", "lng", "field", "words"),
    [
        ("北纬33", "113.5", "latitude", "不是数字"),
        ("33.3", "", "longitude", "一起填写"),
        ("", "113.5", "latitude", "一起填写"),
        ("0", "0", "latitude", "不在中国境内"),
    ],
)
def test_bad_coordinates_name_the_field(lat, lng, field, words):
    _lat, _lng, errors = services.clean_coordinates(lat, lng)
    assert words in errors[field][0]


def test_more_than_six_places_are_rounded():
    lat, lng, errors = services.clean_coordinates("33.29712049", "113.5263449")
    assert (lat, lng, errors) == (Decimal("33.297120"), Decimal("113.526345"), {})


# --- the services --------------------------------------------------------------------------


def _refused(world, **overrides):
    with pytest.raises(ValidationError) as caught:
        make_position(world.county_admin, world.county_trade, **overrides)
    return caught.value.message_dict


def test_create_stores_the_position_with_groups_and_an_audit_row(world, station):
    assert station.running_union == world.county_trade
    assert station.latitude == Decimal("33.297120")
    assert station.facilities == ["water", "seats", "microwave", "charging"]
    assert sorted(g.code for g in station.groups.all()) == ["02", "06"]
    assert station.created_by == world.county_admin
    event = AuditEvent.objects.get(object_id=str(station.pk), action="create")
    assert event.org_path == world.county_trade.path


def test_swapped_coordinates_are_refused_on_save(world):
    errors = _refused(world, latitude="113.526340", longitude="33.297120")
    assert "填反" in errors["latitude"][0]
    assert not ServicePosition.objects.exists()


def test_an_invalid_division_code_is_refused(world):
    errors = _refused(world, division_code="419999")
    assert "所在行政区划「419999」不存在" in errors["division_code"][0]


def test_facilities_only_from_the_list(world):
    errors = _refused(world, facilities=["water", "游泳池"])
    assert "设施「游泳池」不在设施清单中" in errors["facilities"][0]


def test_facility_labels_are_accepted_too(world):
    made = make_position(world.county_admin, facilities=["饮水", "Wi-Fi", "热饭/微波炉"])
    assert made.facilities == ["water", "microwave", "wifi"]


def test_a_running_union_outside_the_jurisdiction_is_refused(world):
    errors = _refused(world, running_union=world.sibling_trade)
    assert "运营工会「宝丰快递行业工会」不在您的管辖范围内" in errors["running_union"][0]


def test_a_running_position_needs_coordinates(world):
    errors = _refused(world, latitude="", longitude="")
    assert "状态为「运行」的阵地要填写纬度和经度" in errors["latitude"][0]
    planned = make_position(world.county_admin, status="planned", latitude="", longitude="")
    assert planned.latitude is None


def test_required_fields_and_unknown_kind(world):
    errors = _refused(world, name="", address="", kind="驿站站")
    assert errors["name"] == ["请填写名称。"]
    assert errors["address"] == ["请填写地址。"]
    assert "类型「驿站站」不认识" in errors["kind"][0]


def test_read_only_role_may_not_create(world):
    with pytest.raises(PermissionDenied):
        services.position_create(actor=world.county_viewer, data=position_data(world.county_trade))


def test_update_keeps_old_and_new_in_the_audit_row(world, station):
    data = position_data(world.county_trade, hours="7:00-21:00", facilities=["water"])
    services.position_update(actor=world.county_admin, position=station, data=data)
    station.refresh_from_db()
    assert station.hours == "7:00-21:00"
    event = AuditEvent.objects.get(object_id=str(station.pk), action="update")
    assert event.changes["开放时间"] == ["8:00-20:00", "7:00-21:00"]


def test_update_without_change_is_refused_and_sibling_may_not_update(world, station):
    data = position_data(world.county_trade)
    with pytest.raises(ValidationError, match="没有修改任何内容"):
        services.position_update(actor=world.county_admin, position=station, data=data)
    with pytest.raises(PermissionDenied):
        services.position_update(actor=world.sibling_admin, position=station, data=data)


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (60, 40), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (33.0, 17.0, 49.0), 3: "E", 4: (113.0, 31.0, 34.0)}  # GPS
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_photos_are_stored_without_metadata(world, station):
    from django.core.files.uploadedfile import SimpleUploadedFile

    raw = _jpeg_with_gps()
    assert b"PhoneMaker" in raw
    upload = SimpleUploadedFile("驿站门口.jpg", raw, content_type="image/jpeg")
    (photo,) = services.position_add_photos(
        actor=world.county_admin, position=station, uploads=[upload]
    )
    kept = Path(photo.path).read_bytes()
    assert b"PhoneMaker" not in kept and b"Exif" not in kept
    with Image.open(photo.path) as image:
        assert not image.getexif()
    assert (photo.width, photo.height) == (60, 40)


def test_a_photo_that_is_not_an_image_is_refused(world, station):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    with pytest.raises(ValidationError) as caught:
        services.position_add_photos(actor=world.county_admin, position=station, uploads=[pdf])
    assert "不是 JPG 或 PNG 图片" in caught.value.message_dict["photos"][0]
    assert not station.photos.exists()


def test_photo_removal(world, station, settings):
    (photo,) = services.position_add_photos(
        actor=world.county_admin, position=station, uploads=[png_upload()]
    )
    services.position_remove_photo(actor=world.county_admin, photo=photo)
    assert not station.photos.exists()


def test_awards_are_added_and_removed(world, station):
    award = services.award_add(
        actor=world.county_admin,
        position=station,
        data={"name": "最美工会户外劳动者服务站点", "awarded_by": "河南省总工会", "year": "2019"},
    )
    assert str(award) == "2019 最美工会户外劳动者服务站点"
    with pytest.raises(ValidationError) as caught:
        services.award_add(actor=world.county_admin, position=station, data={"year": "19"})
    assert caught.value.message_dict["name"] == ["请填写荣誉名称。"]
    assert "年度「19」不对" in caught.value.message_dict["year"][0]
    with pytest.raises(PermissionDenied):
        services.award_remove(actor=world.sibling_admin, award=award)
    services.award_remove(actor=world.county_admin, award=award)
    assert not station.awards.exists()


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lat=lat_inside, lng=lng_inside)
def test_any_point_inside_china_saves_through_the_service(world, lat, lng):
    made = make_position(world.county_admin, latitude=str(lat), longitude=str(lng))
    assert (made.latitude, made.longitude) == (lat, lng)
    made.delete()
