"""Organization pages: the allowed / read-only / sibling-county triangle, and what they show."""

import pytest
from django.urls import reverse

from ruhui.orgs.models import Organization, WorkerGroup

READ_PAGES = ["orgs:detail"]
MANAGE_PAGES = ["orgs:edit", "orgs:deactivate", "orgs:move"]


@pytest.mark.parametrize("name", READ_PAGES + MANAGE_PAGES)
def test_admin_of_the_county_may_open(world, as_user, name):
    response = as_user(world.county_admin).get(reverse(name, args=[world.county_trade.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("name", [*MANAGE_PAGES, "orgs:reactivate"])
def test_read_only_role_is_refused_403(world, as_user, name):
    client = as_user(world.county_viewer)
    response = client.post(reverse(name, args=[world.county_trade.pk]), {"reason": "x"})
    assert response.status_code == 403
    assert "没有此项操作的权限" in response.content.decode()
    assert Organization.objects.get(pk=world.county_trade.pk).is_active


def test_read_only_role_may_read(world, as_user):
    client = as_user(world.county_viewer)
    assert client.get(reverse("orgs:detail", args=[world.county_trade.pk])).status_code == 200
    assert client.get(reverse("orgs:create")).status_code == 403


@pytest.mark.parametrize("name", READ_PAGES + MANAGE_PAGES)
def test_sibling_county_gets_404_on_get(world, as_user, name):
    client = as_user(world.sibling_admin)
    assert client.get(reverse(name, args=[world.county_trade.pk])).status_code == 404


@pytest.mark.parametrize("name", [*MANAGE_PAGES, "orgs:reactivate"])
def test_sibling_county_gets_404_on_post(world, as_user, name):
    client = as_user(world.sibling_admin)
    assert client.post(reverse(name, args=[world.county_trade.pk])).status_code == 404


def test_list_and_tree_show_the_subtree_only(world, as_user):
    client = as_user(world.county_admin)
    for name in ("orgs:list", "orgs:tree"):
        body = client.get(reverse(name)).content.decode()
        assert "舞钢快递行业工会" in body
        assert "宝丰快递行业工会" not in body
        assert "平顶山市总工会" not in body


def test_city_tree_reaches_every_unit(world, as_user):
    # The tree opens at the city's own level; each county's units are one branch away
    # (tests/orgs/test_tree.py covers collapsing, opening and searching).
    client = as_user(world.city_admin)
    for parent, name in (
        (world.county, "舞钢快递行业工会"),
        (world.sibling, "宝丰快递行业工会"),
        (world.industry, "平顶山市道路货运行业工会"),
    ):
        body = client.get(reverse("orgs:tree"), {"open": parent.pk}).content.decode()
        assert name in body


def test_list_filters(world, as_user):
    client = as_user(world.city_admin)
    body = client.get(reverse("orgs:list"), {"kind": "trade", "q": "快递"}).content.decode()
    assert "舞钢快递行业工会" in body and "宝丰快递行业工会" in body
    assert "平顶山市道路货运行业工会" not in body
    body = client.get(reverse("orgs:list"), {"division": "410421"}).content.decode()
    assert "宝丰快递行业工会" in body and "舞钢快递行业工会" not in body


def test_create_page_offers_only_parents_in_jurisdiction(world, as_user):
    body = as_user(world.county_admin).get(reverse("orgs:create")).content.decode()
    assert "舞钢快递行业工会" in body and "宝丰县总工会" not in body


def test_create_through_the_page(world, as_user):
    client = as_user(world.county_admin)
    response = client.post(
        reverse("orgs:create"),
        {
            "parent": world.county.pk,
            "name": "舞钢家政服务行业工会",
            "code": "WG-JZ",
            "kind": "trade",
            "division_code": "410481",
            "groups": [WorkerGroup.objects.get(code="04").pk],
        },
    )
    org = Organization.objects.get(code="WG-JZ")
    assert response.status_code == 302 and response["Location"] == reverse(
        "orgs:detail", args=[org.pk]
    )
    assert Organization.objects.get_parent(org) == world.county
    assert list(org.groups.values_list("name", flat=True)) == ["家政服务员"]


def test_create_with_a_forged_parent_outside_is_refused(world, as_user):
    client = as_user(world.county_admin)
    response = client.post(
        reverse("orgs:create"),
        {
            "parent": world.sibling.pk,
            "name": "越权工会",
            "code": "WG-X",
            "kind": "trade",
            "division_code": "410481",
        },
    )
    assert response.status_code == 200
    assert "不是可选的组织" in response.content.decode()
    assert not Organization.objects.filter(code="WG-X").exists()


def test_create_shows_field_errors_in_chinese_and_writes_nothing(world, as_user):
    client = as_user(world.county_admin)
    response = client.post(
        reverse("orgs:create"),
        {
            "parent": world.county.pk,
            "name": "舞钢快递行业工会",
            "code": "WG-KD2",
            "kind": "township",
            "division_code": "410481",
            "contact_phone": "123",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "联系电话格式不正确" in body
    assert not Organization.objects.filter(code="WG-KD2").exists()


def test_create_service_rule_errors_land_on_the_field(world, as_user):
    client = as_user(world.county_admin)
    response = client.post(
        reverse("orgs:create"),
        {
            "parent": world.county_trade.pk,
            "name": "舞钢某街道工会",
            "code": "WG-JD",
            "kind": "township",
            "division_code": "410481",
        },
    )
    assert "不能设在「舞钢快递行业工会」" in response.content.decode()
    assert not Organization.objects.filter(code="WG-JD").exists()


def test_edit_through_the_page(world, as_user):
    client = as_user(world.county_admin)
    org = world.county_trade
    response = client.post(
        reverse("orgs:edit", args=[org.pk]),
        {
            "name": org.name,
            "code": org.code,
            "kind": org.kind,
            "division_code": "410481",
            "chair_name": "孙七",
            "has_elected_chair": "on",  # no longer a field of the form: ignored
            "groups": [WorkerGroup.objects.get(code="02").pk],
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.chair_name == "孙七" and org.six_haves_met == 0
    assert list(org.groups.values_list("name", flat=True)) == ["快递员"]


def test_deactivate_and_reactivate_through_the_pages(world, as_user):
    client = as_user(world.county_admin)
    org = world.county_enterprise
    assert (
        client.post(reverse("orgs:deactivate", args=[org.pk]), {"reason": "企业注销"}).status_code
        == 302
    )
    org.refresh_from_db()
    assert not org.is_active
    assert client.post(reverse("orgs:reactivate", args=[org.pk])).status_code == 302
    org.refresh_from_db()
    assert org.is_active


def test_move_page_offers_no_target_outside_or_below(world, as_user):
    client = as_user(world.city_admin)
    body = client.get(reverse("orgs:move", args=[world.county.pk])).content.decode()
    assert "宝丰县总工会" in body
    assert "舞钢快递行业工会" not in body.split("<select")[1]


def test_move_through_the_page(world, as_user):
    client = as_user(world.city_admin)
    response = client.post(
        reverse("orgs:move", args=[world.county_trade.pk]), {"new_parent": world.sibling.pk}
    )
    assert response.status_code == 302
    moved = Organization.objects.get(pk=world.county_trade.pk)
    assert moved.path.startswith(world.sibling.path)


def test_home_figures_come_from_records(world, as_user):
    from tests.test_home import figures

    # 舞钢市总工会 + two grassroots unions; the sibling county and the city are not counted.
    shown = figures(as_user(world.county_admin))
    assert shown["有效工会组织"] == "3"
    assert shown["其中基层工会及分会、小组"] == "2"
    assert shown["已撤销组织"] == "0"
    assert figures(as_user(world.city_admin))["有效工会组织"] == "8"
