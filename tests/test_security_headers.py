"""Security headers on every response (CFG-3), cookie flags, login required for cadre pages and
the API, and a Django admin closed to everyone but superusers (AC-7)."""

import pytest
from django.conf import settings

from tests.factories import PASSWORD, UserFactory

LOGIN_URL = "/accounts/login/"
ADMIN_URL = "/" + settings.RUHUI_ADMIN_PATH

# (path, logged in?)
ROUTES = [
    (LOGIN_URL, False),
    ("/", True),
    ("/orgs/", True),
    ("/orgs/tree/", True),
    ("/accounts/tokens/", True),
    ("/api/v1/openapi.json", True),
    ("/api/v1/openapi.json", False),
]
ROUTE_IDS = [f"{path}-{'cadre' if logged_in else 'anonymous'}" for path, logged_in in ROUTES]


def csp_directives(header: str) -> dict[str, str]:
    pairs = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {pair[0]: (pair[1] if len(pair) > 1 else "") for pair in pairs}


@pytest.fixture
def fetch(world, client):
    def get(path, logged_in):
        if logged_in:
            client.force_login(world.county_admin)
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response

    return get


@pytest.mark.parametrize(("path", "logged_in"), ROUTES, ids=ROUTE_IDS)
def test_content_security_policy(fetch, path, logged_in):
    policy = csp_directives(fetch(path, logged_in)["Content-Security-Policy"])
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in policy["script-src"]


@pytest.mark.parametrize(("path", "logged_in"), ROUTES, ids=ROUTE_IDS)
def test_other_security_headers(fetch, path, logged_in):
    response = fetch(path, logged_in)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_error_pages_carry_the_headers_too(world, client):
    client.force_login(world.county_admin)
    response = client.get(f"/orgs/{world.sibling.pk}/")
    assert response.status_code == 404
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_session_cookie_is_httponly_and_samesite_lax(world, client):
    response = client.post(LOGIN_URL, {"username": "county_admin", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/orgs/",
        "/orgs/tree/",
        "/accounts/users/",
        "/accounts/audit/",
        "/accounts/tokens/",
        "/accounts/password/",
    ],
)
def test_anonymous_cadre_page_redirects_to_login(db, client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next={path}"


@pytest.mark.parametrize("path", ["/api/v1/orgs", "/api/v1/me"])
def test_anonymous_api_request_is_401(db, client, path):
    assert client.get(path).status_code == 401


def test_api_with_a_session_answers(world, client):
    client.force_login(world.county_admin)
    assert client.get("/api/v1/orgs").status_code == 200


# --- Django admin: superusers only (AC-7) ------------------------------------------------------


@pytest.mark.parametrize("is_staff", [False, True], ids=["cadre", "staff-cadre"])
def test_admin_refuses_a_non_superuser_cadre(world, client, is_staff):
    world.county_admin.is_staff = is_staff
    world.county_admin.save()
    client.force_login(world.county_admin)
    response = client.get(ADMIN_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{ADMIN_URL}login/?next={ADMIN_URL}"


def test_signing_in_through_the_admin_form_does_not_open_the_admin(world, client):
    world.county_admin.is_staff = True
    world.county_admin.save()
    client.post(
        f"{ADMIN_URL}login/", {"username": "county_admin", "password": PASSWORD, "next": ADMIN_URL}
    )
    for path in (ADMIN_URL, f"{ADMIN_URL}accounts/user/", f"{ADMIN_URL}audit/auditevent/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(f"{ADMIN_URL}login/"), path


def test_admin_opens_for_a_superuser(db, client):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    assert client.get(ADMIN_URL).status_code == 200


@pytest.mark.parametrize(("path", "logged_in"), ROUTES, ids=ROUTE_IDS)
def test_signed_in_responses_are_never_stored(fetch, path, logged_in):
    # Rosters and dashboards must not stay in a shared browser's or a proxy's cache; the
    # jurisdiction walk asserts the same on every route (tests/walk.py).
    cache_control = fetch(path, logged_in).get("Cache-Control", "")
    assert ("no-store" in cache_control) is logged_in or path == LOGIN_URL
