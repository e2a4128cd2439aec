"""`Cache-Control: no-store` on every response to a signed-in user (PI-7), set by
`ruhui.core.middleware.SecurityHeadersMiddleware`: every route of the jurisdiction walk
(tests/walk.py), as its owner and as an outsider; a view's own stricter header is kept;
static files and anonymous public pages are left alone."""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from ruhui.core.middleware import SecurityHeadersMiddleware
from tests.walk import PUBLIC, _body, build_units, iter_routes


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_every_route_answers_a_signed_in_user_no_store(client, world, figure):
    units = build_units(world)
    owner, outsider = units[0], units[1]
    routes = responses = 0
    missing = []
    for route in iter_routes():
        routes += 1
        url = route.url(owner.samples)
        visits = [(owner.admin, "get"), (outsider.admin, "get")]
        if route.name in PUBLIC and not route.params:
            visits = visits[:1]
        for user, method in visits:
            client.force_login(user)
            response = getattr(client, method)(url)
            _body(response)  # close file responses
            responses += 1
            if not _no_store(response):
                missing.append(f"{route.name}: {method.upper()} {url} → {response.status_code}")
    figure(
        "no-store",
        f"{routes} routes, {responses} responses to a signed-in user, {len(missing)} without "
        "Cache-Control: no-store",
    )
    assert missing == []
    assert routes > 100


def _through_middleware(response, user):
    request = RequestFactory().get("/")
    if user is not None:
        request.user = user
    return SecurityHeadersMiddleware(lambda request: response)(request)


def test_a_view_s_own_cache_header_is_made_stricter_never_looser(world):
    response = HttpResponse("x")
    response["Cache-Control"] = "public, max-age=3600"
    cache_control = _through_middleware(response, world.county_admin)["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control
    assert "public" not in cache_control and "max-age=3600" not in cache_control

    strict = HttpResponse("x")
    strict["Cache-Control"] = "no-store, private"
    assert _through_middleware(strict, world.county_admin)["Cache-Control"] == "no-store, private"


def test_static_files_and_anonymous_pages_are_left_alone(world, client):
    # WhiteNoise answers before the session and user are loaded: no user, no header.
    cacheable = HttpResponse("body{}", content_type="text/css")
    cacheable["Cache-Control"] = "max-age=60, public"
    assert _through_middleware(cacheable, None)["Cache-Control"] == "max-age=60, public"
    assert "Cache-Control" not in _through_middleware(HttpResponse("x"), AnonymousUser())

    client.force_login(world.county_admin)
    static = client.get("/static/web/css/ruhui.css")
    assert static.status_code == 200 and b"{" in _body(static).encode()
    assert not _no_store(static)
