"""The enterprise pages' triangle: county admin allowed, the read-only role sees the pages but
no write buttons and gets 403 on writes, the sibling county gets 404 on objects and sees none
of county A's enterprises in any list."""

import pytest
from django.urls import reverse

LIST_PAGES = [
    "enterprises:list",
    "enterprises:worklist",
    "enterprises:alerts",
    "enterprises:coverage",
    "enterprises:parks",
]
WRITE_PAGES = ["enterprises:create", "enterprises:park_create"]
OBJECT_WRITES = ["enterprises:edit", "enterprises:survey"]
COUNTY_NAMES = ("舞钢顺达快递有限公司", "舞钢安居物业服务有限公司", "舞钢产业集聚区")


def _url(name, places, obj=None):
    if name.startswith("enterprises:park_edit"):
        return reverse(name, kwargs={"park_pk": places.park.pk})
    return reverse(name, kwargs={"enterprise_pk": (obj or places.shunda).pk})


@pytest.mark.parametrize("name", [*LIST_PAGES, *WRITE_PAGES])
def test_county_admin_opens_the_pages(places, as_user, name):
    response = as_user(places.world.county_admin).get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["enterprises:detail", *OBJECT_WRITES, "enterprises:park_edit"])
def test_county_admin_opens_object_pages(places, as_user, name):
    assert as_user(places.world.county_admin).get(_url(name, places)).status_code == 200


@pytest.mark.parametrize("name", LIST_PAGES)
def test_lists_show_county_enterprises_to_the_county(places, as_user, name):
    body = as_user(places.world.county_admin).get(reverse(name)).content.decode()
    assert "宝丰圆通速递分部" not in body
    if name in ("enterprises:list", "enterprises:alerts"):
        assert "舞钢顺达快递有限公司" in body


@pytest.mark.parametrize("name", LIST_PAGES)
def test_read_only_role_reads_without_write_buttons(places, as_user, name):
    client = as_user(places.world.county_viewer)
    body = client.get(reverse(name)).content.decode()
    assert reverse("enterprises:create") not in body
    assert reverse("enterprises:park_create") not in body
    detail = client.get(_url("enterprises:detail", places))
    assert detail.status_code == 200
    text = detail.content.decode()
    for write in OBJECT_WRITES:
        assert _url(write, places) not in text
    assert reverse("enterprises:build", kwargs={"enterprise_pk": places.shunda.pk}) not in text


@pytest.mark.parametrize("name", WRITE_PAGES)
def test_read_only_role_is_refused_writes(places, as_user, name):
    client = as_user(places.world.county_viewer)
    assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse(name), {"name": "x"}).status_code == 403


@pytest.mark.parametrize("name", [*OBJECT_WRITES, "enterprises:build", "enterprises:park_edit"])
def test_read_only_role_is_refused_object_writes(places, as_user, name):
    client = as_user(places.world.county_viewer)
    assert client.post(_url(name, places), {"mode": "new"}).status_code == 403
    places.shunda.refresh_from_db()
    assert places.shunda.surveys.count() == 2 and places.shunda.union_id is None


@pytest.mark.parametrize(
    "name",
    ["enterprises:detail", *OBJECT_WRITES, "enterprises:build", "enterprises:park_edit"],
)
def test_sibling_county_gets_404(places, as_user, name):
    client = as_user(places.world.sibling_admin)
    assert client.get(_url(name, places)).status_code in (404, 405)  # build is POST only
    assert client.post(_url(name, places), {"mode": "new"}).status_code in (404, 405)
    if name != "enterprises:detail":
        assert client.post(_url(name, places), {"mode": "new"}).status_code == 404


@pytest.mark.parametrize("name", LIST_PAGES)
def test_sibling_county_sees_none_of_county_a(places, as_user, name):
    response = as_user(places.world.sibling_admin).get(reverse(name))
    assert response.status_code == 200
    body = response.content.decode()
    assert not [n for n in COUNTY_NAMES if n in body]


def test_sibling_cannot_filter_by_county_a_objects(places, as_user):
    client = as_user(places.world.sibling_admin)
    w = places.world
    url = reverse("enterprises:list")
    for query in (f"park={places.park.pk}", f"responsible_unit={w.county.pk}", "division=410481"):
        body = client.get(f"{url}?{query}").content.decode()
        assert "舞钢顺达快递有限公司" not in body


def test_anonymous_is_sent_to_login(places, client):
    response = client.get(reverse("enterprises:list"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_nav_lists_the_enterprise_pages_by_role(places, as_user):
    body = as_user(places.world.county_viewer).get(reverse("enterprises:list")).content.decode()
    assert "企业排查" in body and "建会工作清单" in body and "覆盖情况" in body
