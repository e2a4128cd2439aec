"""The join links page, the poster downloads and regenerating a link: the allowed / read-only /
sibling triangle on each, every admitting union linked when saved (no GET writes), attachments with Chinese file names, and the
retirement of the old token."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from ruhui.audit.models import AuditEvent
from ruhui.joining import services
from ruhui.joining.models import JoinLink
from ruhui.orgs.choices import OrgKind
from tests.factories import OrganizationFactory

LINKS = reverse("joining:links")


def org_url(name: str, org) -> str:
    return reverse(name, kwargs={"org_pk": org.pk})


def body(response) -> str:
    return response.content.decode()


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- the list -------------------------------------------------------------------------------


def test_the_list_shows_the_admitting_unions_of_the_jurisdiction(world, as_user):
    response = as_user(world.county_admin).get(LINKS)
    assert response.status_code == 200
    text = body(response)
    assert "舞钢快递行业工会" in text and "舞钢顺达物流有限公司工会" in text
    assert "宝丰快递行业工会" not in text
    assert org_url("joining:poster_png", world.county) not in text  # a federation has no link
    link = JoinLink.objects.get(union=world.county_trade, is_active=True)
    join_url = "http://testserver" + reverse("join:form", kwargs={"token": link.token})
    assert join_url in text
    assert 'src="data:image/svg+xml' in text  # the QR preview, allowed by the CSP
    assert org_url("joining:poster_png", world.county_trade) in text
    assert org_url("joining:poster_pdf", world.county_trade) in text
    assert org_url("joining:regenerate", world.county_trade) in text


def test_every_admitting_union_has_its_link_once_saved_and_listing_writes_none(world, as_user):
    # The four admitting unions of the world got theirs when they were saved; federations none.
    linked = set(JoinLink.objects.filter(is_active=True).values_list("union__code", flat=True))
    assert linked == {"WG-KD", "WG-E1", "BF-KD", "GJ-HY"}
    before = list(JoinLink.objects.order_by("pk").values_list("pk", "token"))
    as_user(world.city_admin).get(LINKS)
    assert list(JoinLink.objects.order_by("pk").values_list("pk", "token")) == before


def test_a_union_loaded_without_its_link_is_offered_one(world, as_user):
    # Bulk loads bypass the save signal: the page says so and offers to generate, and the poster
    # answers 404 rather than writing on a GET.
    JoinLink.objects.filter(union=world.county_trade).delete()
    client = as_user(world.county_admin)
    text = body(client.get(LINKS))
    assert "尚未生成入会二维码" in text
    assert client.get(org_url("joining:poster_png", world.county_trade)).status_code == 404
    assert not JoinLink.objects.filter(union=world.county_trade).exists()
    client.post(org_url("joining:regenerate", world.county_trade))
    assert JoinLink.objects.filter(union=world.county_trade, is_active=True).count() == 1


def test_read_only_users_see_links_and_posters_but_not_regenerate(world, as_user):
    response = as_user(world.county_viewer).get(LINKS)
    assert response.status_code == 200
    assert org_url("joining:poster_png", world.county_trade) in body(response)
    assert org_url("joining:regenerate", world.county_trade) not in body(response)


def test_the_sibling_county_sees_only_its_own(world, as_user):
    text = body(as_user(world.sibling_admin).get(LINKS))
    assert "宝丰快递行业工会" in text
    assert "舞钢" not in text


def test_search_by_name_and_pagination(world, as_user, settings):
    client = as_user(world.city_admin)
    text = body(client.get(LINKS + "?q=快递"))
    assert "舞钢快递行业工会" in text and "宝丰快递行业工会" in text
    assert "顺达" not in text and "道路货运" not in text
    settings.RUHUI_PAGE_SIZE = 2
    response = client.get(LINKS)
    assert response.context["page_obj"].paginator.count == 4
    assert "共 4 条" in body(response)


# --- posters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "ext", "mime", "magic"),
    [
        ("joining:poster_png", "png", "image/png", b"\x89PNG"),
        ("joining:poster_pdf", "pdf", "application/pdf", b"%PDF"),
    ],
)
def test_posters_download_as_attachments(world, as_user, name, ext, mime, magic):
    for user in (world.county_admin, world.county_viewer, world.city_admin):
        response = as_user(user).get(org_url(name, world.county_trade))
        assert response.status_code == 200
        assert response["Content-Type"] == mime
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment")
        assert quote(f"舞钢快递行业工会-入会海报.{ext}") in disposition
        assert content(response).startswith(magic)
    assert JoinLink.objects.filter(union=world.county_trade, is_active=True).count() == 1


def test_posters_outside_the_jurisdiction_or_of_a_federation_are_404(world, as_user):
    client = as_user(world.sibling_admin)
    assert client.get(org_url("joining:poster_png", world.county_trade)).status_code == 404
    assert client.get(org_url("joining:poster_pdf", world.county_trade)).status_code == 404
    client = as_user(world.county_admin)
    assert client.get(org_url("joining:poster_png", world.county)).status_code == 404
    assert not JoinLink.objects.filter(union=world.county).exists()


def test_the_poster_carries_the_current_link(world, as_user, monkeypatch):
    seen = {}

    def fake_png(**kwargs):
        seen.update(kwargs)
        return b"\x89PNG fake"

    monkeypatch.setattr("ruhui.joining.posters.poster_png", fake_png)
    as_user(world.county_admin).get(org_url("joining:poster_png", world.county_trade))
    link = services.join_link_for(world.county_trade)
    path = reverse("join:form", kwargs={"token": link.token})
    assert seen["union_name"] == "舞钢快递行业工会"
    assert seen["join_url"] == "http://testserver" + path
    assert seen["short_url"] == "testserver" + path


# --- regenerate -----------------------------------------------------------------------------


def test_regenerating_asks_first_then_retires_the_old_token(world, as_user):
    old = services.join_link_for(world.county_trade)
    client = as_user(world.county_admin)
    confirm = client.get(org_url("joining:regenerate", world.county_trade))
    assert confirm.status_code == 200
    assert "旧海报" in body(confirm) and "停用" in body(confirm)
    assert services.link_by_token(old.token) is not None  # asking changes nothing

    response = client.post(org_url("joining:regenerate", world.county_trade), follow=True)
    assert response.status_code == 200
    assert services.link_by_token(old.token) is None
    new = JoinLink.objects.get(union=world.county_trade, is_active=True)
    assert new.token != old.token
    assert new.token in body(response)
    assert "已重新生成" in body(response)
    assert AuditEvent.objects.filter(
        object_type="joining.joinlink", object_id=str(new.pk), actor=world.county_admin
    ).exists()


def test_regenerating_is_for_admins_of_the_jurisdiction(world, as_user):
    old = services.join_link_for(world.county_trade)
    viewer = as_user(world.county_viewer)
    assert viewer.get(org_url("joining:regenerate", world.county_trade)).status_code == 403
    assert viewer.post(org_url("joining:regenerate", world.county_trade)).status_code == 403
    sibling = as_user(world.sibling_admin)
    assert sibling.get(org_url("joining:regenerate", world.county_trade)).status_code == 404
    assert sibling.post(org_url("joining:regenerate", world.county_trade)).status_code == 404
    assert services.link_by_token(old.token) is not None


# --- the organization page ------------------------------------------------------------------


def test_the_org_page_of_an_admitting_union_links_to_its_poster(world, as_user):
    client = as_user(world.county_admin)
    text = body(client.get(reverse("orgs:detail", kwargs={"org_pk": world.county_trade.pk})))
    assert org_url("joining:poster_png", world.county_trade) in text
    assert LINKS + "?q=" in text
    federation = body(client.get(reverse("orgs:detail", kwargs={"org_pk": world.county.pk})))
    assert "poster.png" not in federation and "入会二维码</a> ·" not in federation


def test_the_links_page_does_not_query_per_row(world, as_user, django_assert_max_num_queries):
    client = as_user(world.city_admin)
    client.get(LINKS)  # creates the links of the rows listed
    with django_assert_max_num_queries(12) as few:
        client.get(LINKS)
    count = len(few.captured_queries)
    for n in range(6):
        OrganizationFactory(parent=world.county, name=f"舞钢测试工会{n}", kind=OrgKind.TRADE)
    client.get(LINKS)
    with django_assert_max_num_queries(count):
        client.get(LINKS)


def test_the_migration_links_every_admitting_union_saved_before_it(world):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "ruhui.joining.migrations.0003_links_for_every_admitting_union"
    )
    JoinLink.objects.all().delete()
    migration.create_missing_links(apps, None)
    linked = set(JoinLink.objects.filter(is_active=True).values_list("union__code", flat=True))
    assert linked == {"WG-KD", "WG-E1", "BF-KD", "GJ-HY"}
    migration.create_missing_links(apps, None)  # a second run adds none
    assert JoinLink.objects.count() == 4
