"""The error pages (issue 15 item 2): 400, 403, 404, 500 and a refused form post answer in Chinese,
on the site's layout — the cadre layout with its navigation for a signed-in cadre, the public one
for anyone else —, with a way back and nothing of Django's English or debug output. The 404 page is
the same for a missing object and for one outside the jurisdiction. Under /api/v1/ the answer
stays JSON. (The demo profile, with its real settings, is in test_demo_profile.py.)"""

import re

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.template import loader
from django.test import Client, RequestFactory

from ruhui.orgs.scoping import NOT_FOUND
from ruhui.web import errors
from ruhui.web.access import MSG_NO_PERM

#: What Django's own pages (debug or plain) say; none of it may reach a visitor.
ENGLISH = (
    "Page not found",
    "Not Found",
    "Using the URLconf",
    "URLconf",
    "Forbidden",
    "CSRF verification failed",
    "Bad Request",
    "Server Error",
    "Traceback",
    "DEBUG = True",
    "RuntimeError",
    "boom",
)
CADRE_NAV = 'class="sidenav"'
PUBLIC_LAYOUT = 'class="public-page"'


@pytest.fixture(autouse=True)
def no_debug(settings):
    """Error handlers run only with DEBUG off, as in the test, demo and production profiles."""
    settings.DEBUG = False


def text(response) -> str:
    return response.content.decode()


def assert_chinese_page(response, status: int, *, title, message):
    body = text(response)
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="zh-hans">' in body
    assert f"<title>{title} · 入会</title>" in body
    assert str(message) in body
    assert f'<p class="status-code">{status}</p>' in body
    for word in ENGLISH:
        assert word not in body, word
    return body


def links(body: str) -> dict[str, str]:
    """{label: href} of the page's buttons."""
    return {
        label: href
        for href, label in re.findall(r'<a class="btn[^"]*" href="([^"]+)">([^<]+)</a>', body)
    }


def without_tokens(body: str) -> str:
    """A page with its per-request CSRF tokens blanked, to compare two pages."""
    return re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+', r"\1", body)


# ---- 404 ------------------------------------------------------------------------------------------


def test_the_404_message_is_the_jurisdiction_message():
    assert str(errors.MSG_404) == NOT_FOUND


def test_unknown_url_for_an_anonymous_visitor(client, db):
    body = assert_chinese_page(
        client.get("/no/such/page/"), 404, title=errors.TITLE_404, message=errors.MSG_404
    )
    assert PUBLIC_LAYOUT in body and CADRE_NAV not in body
    assert links(body) == {"干部登录": "/accounts/login/", "职工网上入会": "/join/"}
    # No URL list: none of the site's URL patterns is named on the page.
    for pattern in (
        "orgs/",
        "int:org_pk",
        "str:token",
        "api/v1/",
        django_settings.RUHUI_ADMIN_PATH,
    ):
        assert pattern not in body


def test_unknown_url_for_a_cadre_keeps_the_cadre_layout(as_user, world):
    client = as_user(world.county_admin)
    body = assert_chinese_page(
        client.get("/no/such/page/", HTTP_REFERER="http://testserver/orgs/?q=舞钢"),
        404,
        title=errors.TITLE_404,
        message=errors.MSG_404,
    )
    assert CADRE_NAV in body and "组织树" in body and world.county.name in body
    assert links(body) == {"返回工作台": "/", "返回上一页": "/orgs/?q=舞钢"}


def test_missing_and_foreign_objects_get_the_same_404(as_user, world):
    client = as_user(world.county_admin)
    assert client.get(f"/orgs/{world.county_trade.pk}/").status_code == 200
    foreign = client.get(f"/orgs/{world.sibling.pk}/")
    missing = client.get("/orgs/999999/")
    assert_chinese_page(foreign, 404, title=errors.TITLE_404, message=NOT_FOUND)
    assert without_tokens(text(foreign)) == without_tokens(text(missing))
    assert world.sibling.name not in text(foreign)


def test_a_back_link_only_to_this_site(as_user, world):
    client = as_user(world.county_admin)
    for referer in ("https://evil.example/orgs/", "javascript:alert(1)", "//evil.example/x"):
        body = text(client.get("/no/such/page/", HTTP_REFERER=referer))
        assert "返回上一页" not in body and "evil" not in body
    # Not a link back to the page itself either.
    body = text(client.get("/no/such/page/", HTTP_REFERER="http://testserver/no/such/page/"))
    assert "返回上一页" not in body


# ---- 403 ------------------------------------------------------------------------------------------


def test_a_role_without_the_permission_gets_the_403_with_its_reason(as_user, world):
    client = as_user(world.county_viewer)
    body = assert_chinese_page(
        client.get(f"/orgs/{world.county.pk}/edit/"),
        403,
        title=errors.TITLE_403,
        message=MSG_NO_PERM,
    )
    assert CADRE_NAV in body
    assert links(body)["返回工作台"] == "/"


def test_a_403_without_a_chinese_reason_says_the_general_one(db):
    request = RequestFactory().get("/somewhere/")
    for exception in (None, PermissionDenied(), PermissionDenied("Forbidden by rule")):
        response = errors.permission_denied(request, exception)
        body = assert_chinese_page(response, 403, title=errors.TITLE_403, message=errors.MSG_403)
        assert PUBLIC_LAYOUT in body


# ---- 400 ------------------------------------------------------------------------------------------


def test_a_foreign_host_gets_the_chinese_400(client, db):
    body = assert_chinese_page(
        client.get("/", HTTP_HOST="evil.example", HTTP_REFERER="http://evil.example/"),
        400,
        title=errors.TITLE_400,
        message=errors.MSG_400,
    )
    assert PUBLIC_LAYOUT in body and "evil" not in body
    assert links(body) == {"干部登录": "/accounts/login/", "职工网上入会": "/join/"}


def test_a_malformed_post_from_a_cadre_gets_the_400_in_the_cadre_layout(as_user, world):
    client = as_user(world.county_admin)
    fields = {f"f{i}": "x" for i in range(django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    body = assert_chinese_page(
        client.post("/orgs/new/", fields), 400, title=errors.TITLE_400, message=errors.MSG_400
    )
    assert CADRE_NAV in body


# ---- CSRF failure -------------------------------------------------------------------------------


def test_csrf_failure_view_is_ours():
    assert django_settings.CSRF_FAILURE_VIEW == "ruhui.web.errors.csrf_failure"


def test_a_refused_form_post_from_a_cadre(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.county_admin)
    response = client.post(
        "/orgs/new/", {"name": "新工会"}, HTTP_REFERER="http://testserver/orgs/new/"
    )
    body = assert_chinese_page(response, 403, title=errors.TITLE_CSRF, message=errors.MSG_CSRF)
    assert str(errors.HELP_CSRF) in body and CADRE_NAV in body
    assert links(body) == {"返回工作台": "/", "返回上一页": "/orgs/new/"}


def test_a_refused_login_post(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    body = assert_chinese_page(response, 403, title=errors.TITLE_CSRF, message=errors.MSG_CSRF)
    assert PUBLIC_LAYOUT in body
    assert links(body)["干部登录"] == "/accounts/login/"


# ---- 500 ------------------------------------------------------------------------------------------


def test_the_500_template_is_static():
    """Rendered without context: no tag, no variable, nothing that needs the database."""
    source = loader.get_template("500.html").template.source
    assert "{%" not in source and "{{" not in source


@pytest.mark.urls("tests.web.urls_boom")
def test_a_failing_view_gets_the_chinese_500(as_user, world):
    client = as_user(world.county_admin)
    client.raise_request_exception = False
    response = client.get("/boom/")
    body = text(response)
    assert response.status_code == 500
    assert '<html lang="zh-hans">' in body and str(errors.MSG_500) in body
    assert links(body) == {"返回工作台": "/", "登录": "/accounts/login/"}
    for word in ENGLISH:
        assert word not in body, word


def test_the_500_page_needs_no_database(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        response = errors.server_error(RequestFactory().get("/x/"))
    assert response.status_code == 500 and str(errors.MSG_500) in text(response)


# ---- The API keeps its JSON ---------------------------------------------------------------------


@pytest.mark.urls("tests.web.urls_boom")
def test_api_paths_keep_json_errors(client, db):
    client.raise_request_exception = False
    failed = client.get("/api/v1/boom/")
    assert failed.status_code == 500 and failed.json() == {"detail": str(errors.MSG_500)}
    unknown = client.get("/api/v1/nowhere")
    assert unknown.status_code == 404 and unknown["Content-Type"] == "application/json"
    bad_host = client.get("/api/v1/me", HTTP_HOST="evil.example")
    assert bad_host.status_code == 400 and bad_host.json() == {"detail": str(errors.MSG_400)}
