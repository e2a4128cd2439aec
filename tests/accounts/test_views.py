"""Account pages: the role/jurisdiction triangle for each page (allowed admin → 2xx/302, same
organization read-only → 403 where the role lacks the permission, sibling county → 404 for county
A's objects), user creation with a one-time password, own-token revocation and the scoped audit
log."""

import re
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from ruhui.accounts import services
from ruhui.accounts.models import ApiToken, Role, User
from ruhui.orgs.services import organization_update
from tests.accounts.helpers import LOGIN_URL

NEW_USER = {"username": "wg_clerk", "full_name": "舞钢录入员", "role": Role.CLERK}


@pytest.fixture
def cast(world):
    """The world plus one API token each for county A's admin and viewer."""
    admin_token, _raw = services.token_create(actor=world.county_admin, name="省库同步")
    viewer_token, _raw = services.token_create(actor=world.county_viewer, name="只读查询")
    return SimpleNamespace(world=world, admin_token=admin_token, viewer_token=viewer_token)


# (route name, HTTP method, object, status for county_admin / county_viewer / sibling_admin);
# the sibling county's admin has every role permission, so only county A's objects are 404.
TRIANGLE = [
    ("accounts:users", "get", None, 200, 403, 200),
    ("accounts:user_create", "get", None, 200, 403, 200),
    ("accounts:user_edit", "get", "viewer_pk", 200, 403, 404),
    ("accounts:user_reset_password", "post", "viewer_pk", 200, 403, 404),
    ("accounts:audit", "get", None, 200, 403, 200),
    ("accounts:tokens", "get", None, 200, 200, 200),
    ("accounts:token_revoke", "post", "own_token", 302, 302, None),
    ("accounts:token_revoke", "post", "admin_token", 302, 404, 404),
    ("accounts:password_change", "get", None, 200, 200, 200),
]
WHO = ["county_admin", "county_viewer", "sibling_admin"]
CASES = [
    pytest.param(name, method, kwarg, who, status, id=f"{name}-{kwarg or 'page'}-{who}")
    for name, method, kwarg, *statuses in TRIANGLE
    for who, status in zip(WHO, statuses, strict=True)
    if status is not None
]


def url_for(name, kwarg, cast, who):
    if kwarg is None:
        return reverse(name)
    if kwarg == "viewer_pk":
        return reverse(name, kwargs={"user_pk": cast.world.county_viewer.pk})
    token = cast.admin_token
    if kwarg == "own_token" and who == "county_viewer":
        token = cast.viewer_token
    return reverse(name, kwargs={"token_pk": token.pk})


def request(client, method, url):
    return getattr(client, method)(url)


@pytest.mark.parametrize(("name", "method", "kwarg", "who", "expected"), CASES)
def test_triangle(cast, as_user, name, method, kwarg, who, expected):
    client = as_user(getattr(cast.world, who))
    response = request(client, method, url_for(name, kwarg, cast, who))
    assert response.status_code == expected


@pytest.mark.parametrize(("name", "method", "kwarg"), [(r[0], r[1], r[2]) for r in TRIANGLE])
def test_anonymous_is_sent_to_login(cast, client, name, method, kwarg):
    response = request(client, method, url_for(name, kwarg, cast, "county_admin"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL + "?next=")


def test_reset_password_by_get_is_refused(cast, as_user):
    client = as_user(cast.world.county_admin)
    url = reverse("accounts:user_reset_password", kwargs={"user_pk": cast.world.county_viewer.pk})
    assert client.get(url).status_code == 405


def test_viewer_cannot_reset_a_password(cast, as_user):
    client = as_user(cast.world.county_viewer)
    url = reverse("accounts:user_reset_password", kwargs={"user_pk": cast.world.county_admin.pk})
    before = User.objects.get(pk=cast.world.county_admin.pk).password
    assert client.post(url).status_code == 403
    assert User.objects.get(pk=cast.world.county_admin.pk).password == before


def test_user_list_shows_only_the_subtree(world, as_user):
    html = as_user(world.county_admin).get(reverse("accounts:users")).content.decode()
    assert "county_viewer" in html
    assert "sibling_admin" not in html
    assert "city_admin" not in html


def test_sibling_admin_cannot_edit_a_county_a_user_by_post(world, as_user):
    client = as_user(world.sibling_admin)
    url = reverse("accounts:user_edit", kwargs={"user_pk": world.county_viewer.pk})
    response = client.post(
        url,
        {
            "full_name": "改名",
            "organization": world.sibling.pk,
            "role": Role.ADMIN,
            "is_active": "on",
        },
    )
    assert response.status_code == 404
    world.county_viewer.refresh_from_db()
    assert (world.county_viewer.role, world.county_viewer.organization) == (
        Role.READONLY,
        world.county,
    )


# --- Creating a user -------------------------------------------------------------------------


def create_user(client, organization):
    return client.post(
        reverse("accounts:user_create"), {**NEW_USER, "organization": organization.pk}
    )


def shown_password(response) -> str:
    found = re.findall(r'<p class="masked">([A-Za-z0-9]{14})</p>', response.content.decode())
    assert len(found) == 1, "the one-time password must be shown exactly once"
    return found[0]


def test_creating_a_user_shows_a_working_one_time_password(world, as_user):
    response = create_user(as_user(world.county_admin), world.county_trade)
    assert response.status_code == 200
    password = shown_password(response)
    created = User.objects.get(username="wg_clerk")
    assert (created.organization, created.role) == (world.county_trade, Role.CLERK)
    assert created.check_password(password)
    assert created.password != password
    assert created.must_change_password


def test_the_one_time_password_is_not_shown_again(world, as_user):
    client = as_user(world.county_admin)
    password = shown_password(create_user(client, world.county_trade))
    created = User.objects.get(username="wg_clerk")
    for url in (
        reverse("accounts:users"),
        reverse("accounts:user_edit", kwargs={"user_pk": created.pk}),
        reverse("accounts:audit"),
    ):
        assert password not in client.get(url).content.decode()


def test_new_user_must_change_the_password_at_first_login(world, as_user):
    password = shown_password(create_user(as_user(world.county_admin), world.county_trade))
    newcomer = Client()
    login = newcomer.post(LOGIN_URL, {"username": "wg_clerk", "password": password})
    assert login.status_code == 302
    response = newcomer.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change")


def test_admin_cannot_create_a_user_outside_the_jurisdiction(world, as_user):
    response = create_user(as_user(world.county_admin), world.sibling)
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert not User.objects.filter(username="wg_clerk").exists()


# --- Tokens ----------------------------------------------------------------------------------


def test_cadre_cannot_revoke_another_cadres_token(cast, as_user):
    client = as_user(cast.world.county_viewer)
    url = reverse("accounts:token_revoke", kwargs={"token_pk": cast.admin_token.pk})
    assert client.post(url).status_code == 404
    cast.admin_token.refresh_from_db()
    assert cast.admin_token.revoked_at is None


def test_admin_cannot_revoke_a_subordinates_token_either(cast, as_user):
    client = as_user(cast.world.county_admin)
    url = reverse("accounts:token_revoke", kwargs={"token_pk": cast.viewer_token.pk})
    assert client.post(url).status_code == 404
    cast.viewer_token.refresh_from_db()
    assert cast.viewer_token.revoked_at is None


def test_revoking_an_own_token_stops_it(cast, as_user):
    client = as_user(cast.world.county_viewer)
    client.post(reverse("accounts:token_revoke", kwargs={"token_pk": cast.viewer_token.pk}))
    cast.viewer_token.refresh_from_db()
    assert cast.viewer_token.revoked_at is not None
    assert not cast.viewer_token.is_usable()


def test_token_page_lists_only_own_tokens(cast, as_user):
    html = as_user(cast.world.county_viewer).get(reverse("accounts:tokens")).content.decode()
    assert "只读查询" in html
    assert "省库同步" not in html


def test_creating_a_token_shows_the_raw_value_once(world, as_user):
    client = as_user(world.county_viewer)
    response = client.post(reverse("accounts:tokens"), {"name": "报表", "days": 30})
    raw = re.findall(r'<p class="masked">(rh_[\w-]+)</p>', response.content.decode())
    assert len(raw) == 1
    token = ApiToken.objects.get(user=world.county_viewer)
    assert token.digest == ApiToken.digest_of(raw[0])
    assert raw[0] not in client.get(reverse("accounts:tokens")).content.decode()


# --- Audit page ------------------------------------------------------------------------------


@pytest.fixture
def audited(world):
    organization_update(
        actor=world.county_admin, organization=world.county_trade, data={"chair_name": "王舞钢"}
    )
    organization_update(
        actor=world.sibling_admin, organization=world.sibling_trade, data={"chair_name": "李宝丰"}
    )
    return world


COUNTY_A = ("舞钢快递行业工会", "王舞钢")
COUNTY_B = ("宝丰快递行业工会", "李宝丰")


@pytest.mark.parametrize(
    ("who", "visible", "hidden"),
    [
        ("county_admin", COUNTY_A, COUNTY_B),
        ("sibling_admin", COUNTY_B, COUNTY_A),
        ("industry_admin", (), COUNTY_A + COUNTY_B),
        ("city_admin", COUNTY_A + COUNTY_B, ()),
    ],
)
def test_audit_page_lists_only_the_viewers_subtree(audited, as_user, who, visible, hidden):
    response = as_user(getattr(audited, who)).get(reverse("accounts:audit"))
    html = response.content.decode()
    assert response.status_code == 200
    for text in visible:
        assert text in html
    for text in hidden:
        assert text not in html
