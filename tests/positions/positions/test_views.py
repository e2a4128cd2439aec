"""The cadre pages: the allowed / read-only / sibling-county triangle on every page, the list's
filters, refusals next to the field, photos and awards from the detail page, the export."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ruhui.positions.export import COLUMNS
from ruhui.positions.models import ServicePosition
from tests.cases.factories import png_upload
from tests.positions.positions.conftest import make_position

pytestmark = pytest.mark.django_db


def _form(union, **overrides):
    data = {
        "kind": "station",
        "name": "舞钢院岭街道爱心驿站",
        "running_union": str(union.pk),
        "status": "running",
        "division_code": "410481",
        "township": "院岭街道",
        "address": "舞钢市院岭街道建设路 3 号",
        "latitude": "33.308100",
        "longitude": "113.540300",
        "hours": "8:00-20:00",
        "groups": ["02"],
        "facilities": ["water", "charging"],
        "has_sign": "on",
    }
    data.update(overrides)
    return data


def test_list_triangle_and_filters(world, as_user, station, sibling_station):
    client = as_user(world.county_admin)
    page = client.get(reverse("positions:list"))
    assert page.status_code == 200
    body = page.content.decode()
    assert station.name in body and sibling_station.name not in body
    assert (
        station.name not in client.get(reverse("positions:list"), {"kind": "home"}).content.decode()
    )
    assert station.name in client.get(reverse("positions:list"), {"q": "垭口"}).content.decode()
    assert (
        station.name in client.get(reverse("positions:list"), {"township": "垭口"}).content.decode()
    )
    assert (
        station.name
        in client.get(
            reverse("positions:list"), {"division": "410481", "status": "running"}
        ).content.decode()
    )
    assert as_user(world.county_viewer).get(reverse("positions:list")).status_code == 200
    sibling = as_user(world.sibling_admin).get(reverse("positions:list")).content.decode()
    assert station.name not in sibling and sibling_station.name in sibling


def test_detail_triangle(world, as_user, station):
    url = reverse("positions:detail", args=[station.pk])
    page = as_user(world.county_admin).get(url)
    assert page.status_code == 200
    body = page.content.decode()
    for text in (
        "饮水",
        "热饭/微波炉",
        "有统一标识",
        "有地图可查",
        "uri.amap.com/marker?position=113.526340,33.297120",
    ):
        assert text in body
    viewer = as_user(world.county_viewer)
    assert viewer.get(url).status_code == 200
    assert viewer.post(url, {"action": "award", "name": "x", "year": "2019"}).status_code == 403
    assert as_user(world.sibling_admin).get(url).status_code == 404


def test_create_triangle_and_refusals(world, as_user):
    url = reverse("positions:create")
    client = as_user(world.county_admin)
    assert client.get(url).status_code == 200
    swapped = client.post(
        url, _form(world.county_trade, latitude="113.540300", longitude="33.308100")
    )
    assert swapped.status_code == 400
    assert "看起来填反了" in swapped.content.decode()
    bad = client.post(url, _form(world.county_trade, division_code="410499"))
    assert "所在行政区划「410499」不存在" in bad.content.decode()
    outside = client.post(url, _form(world.sibling_trade))
    assert "不在您的管辖范围内" in outside.content.decode()
    assert not ServicePosition.objects.exists()
    done = client.post(url, _form(world.county_trade))
    made = ServicePosition.objects.get()
    assert done.status_code == 302 and done.url == reverse("positions:detail", args=[made.pk])
    assert as_user(world.county_viewer).get(url).status_code == 403


def test_edit_triangle(world, as_user, station):
    url = reverse("positions:edit", args=[station.pk])
    client = as_user(world.county_admin)
    assert client.get(url).status_code == 200
    done = client.post(url, _form(world.county_trade, name="舞钢垭口驿站（改名）"))
    assert done.status_code == 302
    station.refresh_from_db()
    assert station.name == "舞钢垭口驿站（改名）"
    assert as_user(world.county_viewer).get(url).status_code == 403
    assert as_user(world.sibling_admin).get(url).status_code == 404
    assert as_user(world.sibling_admin).post(url, _form(world.sibling_trade)).status_code == 404


def test_photos_and_awards_from_the_detail_page(world, as_user, station):
    url = reverse("positions:detail", args=[station.pk])
    client = as_user(world.county_admin)
    done = client.post(url, {"action": "photos", "photos": [png_upload("门头.png")]})
    assert done.status_code == 302
    photo = station.photos.get()
    download = client.get(reverse("positions:photo", args=[photo.pk]))
    assert download.status_code == 200
    assert (
        as_user(world.county_viewer).get(reverse("positions:photo", args=[photo.pk])).status_code
        == 200
    )
    assert (
        as_user(world.sibling_admin).get(reverse("positions:photo", args=[photo.pk])).status_code
        == 404
    )
    client = as_user(world.county_admin)
    refused = client.post(url, {"action": "award", "name": "", "year": "2019"})
    assert refused.status_code == 400 and "请填写荣誉名称" in refused.content.decode()
    client.post(
        url, {"action": "award", "name": "最美驿站", "awarded_by": "舞钢市总工会", "year": "2019"}
    )
    award = station.awards.get()
    other = make_position(
        world.sibling_admin, world.sibling_trade, name="宝丰驿站", division_code="410421"
    )
    # an award of a position the sibling runs, posted to a position of ours, is not found
    assert (
        as_user(world.sibling_admin)
        .post(url, {"action": "remove_award", "award": award.pk})
        .status_code
        == 404
    )
    assert other.pk
    client = as_user(world.county_admin)
    assert client.post(url, {"action": "remove_award", "award": award.pk}).status_code == 302
    assert client.post(url, {"action": "remove_photo", "photo": photo.pk}).status_code == 302
    assert not station.awards.exists() and not station.photos.exists()


def test_export_has_the_importers_columns_and_neutralises_formulas(world, as_user, station):
    make_position(world.county_admin, name='=HYPERLINK("x")驿站', township="院岭街道")
    response = as_user(world.county_admin).get(reverse("positions:export"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert list(rows[0]) == [header for _field, header in COLUMNS]
    names = [row[2] for row in rows[1:]]
    assert '\'=HYPERLINK("x")驿站' in names and station.name in names
    sibling = as_user(world.sibling_admin).get(reverse("positions:export"))
    sibling_book = load_workbook(io.BytesIO(b"".join(sibling.streaming_content)), read_only=True)
    assert len(list(sibling_book.active.iter_rows(values_only=True))) == 1
    assert as_user(world.county_viewer).get(reverse("positions:export")).status_code == 200


def test_import_page_triangle(world, as_user):
    url = reverse("positions:import")
    assert as_user(world.county_admin).get(url).status_code == 200
    assert as_user(world.county_viewer).get(url).status_code == 403
    refused = as_user(world.county_admin).post(url, {"file": png_upload("不是表格.png")})
    assert refused.status_code == 422


def test_navigation_has_the_positions_entry(world, as_user):
    page = as_user(world.county_admin).get(reverse("positions:list"))
    assert "服务阵地与服务" in page.content.decode()
