"""Find my union (issue 5 item 3): group + place → unions that admit that group, with links."""

import pytest
from django.urls import reverse

from ruhui.joining import services
from ruhui.orgs.choices import OrgKind
from ruhui.orgs.models import WorkerGroup
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

FIND = reverse("join:find")


@pytest.fixture
def places(world):
    world.county_trade.groups.set([WorkerGroup.objects.get(code="02")])
    township = OrganizationFactory(
        parent=world.county,
        name="舞钢市垭口街道工会",
        kind=OrgKind.TOWNSHIP,
        division_code="410481",
    )
    other = OrganizationFactory(
        parent=world.county,
        name="舞钢市寺坡街道工会",
        kind=OrgKind.TOWNSHIP,
        division_code="410481",
    )
    return township, other


def test_empty_form_lists_counties_with_unions(client, places):
    response = client.get(FIND)
    body = response.content.decode()
    assert response.status_code == 200
    assert '<option value="410481">平顶山市舞钢市</option>' in body
    assert "list-title" not in body


def test_couriers_in_wugang(client, world, places):
    township, other = places
    body = client.get(FIND, {"group": "02", "division": "410481"}).content.decode()
    direct = services.join_link_for(world.county_trade).token
    assert "舞钢快递行业工会" in body and "直接吸纳该群体入会" in body
    assert reverse("join:form", args=[direct]) in body
    assert reverse("join:transfer", args=[direct]) in body
    assert township.name in body and other.name in body
    assert "宝丰快递行业工会" not in body
    assert "乡镇（街道）" in body  # the township select appears once the county is known


def test_narrow_to_one_township(client, places):
    township, other = places
    query = {"group": "01", "division": "410481", "township": township.pk}
    body = client.get(FIND, query).content.decode()
    assert f"<h3>{township.name}</h3>" in body and f"<h3>{other.name}</h3>" not in body
    assert "舞钢快递行业工会</h3>" not in body  # it does not list truck drivers


def test_a_township_of_another_county_is_ignored(client, world, places):
    township, _other = places
    world.sibling_trade.groups.set([WorkerGroup.objects.get(code="02")])
    query = {"group": "02", "division": "410421", "township": township.pk}
    body = client.get(FIND, query).content.decode()
    assert "宝丰快递行业工会" in body  # the county's direct union, not a stale township filter
    assert f"<h3>{township.name}</h3>" not in body


def test_a_zone_named_after_its_city_is_listed_once(client, world):
    """Issue 15: 「平顶山市平顶山市城乡一体化示范区」 in the county list."""
    OrganizationFactory(
        parent=world.city,
        name="平顶山市城乡一体化示范区快递行业工会",
        kind=OrgKind.TRADE,
        division_code="410472",
    )
    body = client.get(FIND).content.decode()
    assert '<option value="410472">平顶山市城乡一体化示范区</option>' in body
    assert "平顶山市平顶山市" not in body
