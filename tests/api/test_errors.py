"""Every API error is JSON in a declared shape: bearer failures are 401 for every method, a
validation error names the field in Chinese, an unknown path is a JSON 404 even with DEBUG on,
code parameters list their values; the Swagger page is behind login in production."""

import pytest
from django.test import Client

from ruhui.accounts.services import token_create, token_revoke
from ruhui.api.auth import MSG_CSRF
from ruhui.api.errors import MSG_BAD_TOKEN, MSG_NO_PATH, MSG_UNAUTHENTICATED
from tests.api.test_members_api import valid_body

MEMBERS = "/api/v1/members"


def is_json(response) -> bool:
    return response["Content-Type"].startswith("application/json")


@pytest.fixture
def revoked(world):
    token, raw = token_create(actor=world.county_admin, name="作废")
    token_revoke(actor=world.county_admin, token=token)
    return raw


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("value", ["Bearer rh_wrong", "Bearer ", "bearer rh_wrong", "REVOKED"])
def test_a_bad_bearer_is_401_for_every_method(world, revoked, method, value):
    """Even with CSRF enforced and a logged-in session beside it: the token alone decides."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.county_admin)
    header = f"Bearer {revoked}" if value == "REVOKED" else value
    response = getattr(browser, method)(
        MEMBERS, valid_body("WG-KD"), content_type="application/json", HTTP_AUTHORIZATION=header
    )
    assert response.status_code == 401
    assert is_json(response) and response.json() == {"detail": MSG_BAD_TOKEN}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_anonymous_is_401_before_any_csrf_check(world):
    response = Client(enforce_csrf_checks=True).post(MEMBERS, {}, content_type="application/json")
    assert response.status_code == 401 and response.json() == {"detail": MSG_UNAUTHENTICATED}


def test_a_session_write_without_csrf_is_403_in_chinese(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.county_admin)
    response = browser.post(MEMBERS, valid_body("WG-KD"), content_type="application/json")
    assert response.status_code == 403 and response.json() == {"detail": MSG_CSRF}


@pytest.fixture
def bearer(world):
    _token, raw = token_create(actor=world.county_admin, name="错误")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_type_errors_are_422_per_field_in_chinese(client, world, bearer):
    response = client.get(MEMBERS, {"page": "null", "joined_from": "昨天"}, **bearer)
    assert response.status_code == 422
    detail = {e["field"]: e for e in response.json()["detail"]}
    assert set(detail) == {"page", "joined_from"}
    assert detail["page"] == {
        "field": "page",
        "label": "页码",
        "message": "页码（page）应为整数，如 1。",
    }
    assert "2026-05-01" in detail["joined_from"]["message"]
    assert client.get(MEMBERS, {"page": 0}, **bearer).status_code == 422


def test_a_body_that_is_not_json_is_422_not_400(client, world, bearer):
    response = client.post(MEMBERS, "{not json", content_type="application/json", **bearer)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "body" and "JSON" in error["message"]


@pytest.mark.parametrize(
    ("url", "params", "field", "words"),
    [
        (MEMBERS, {"status": "rejected"}, "status", ["held", "active（在籍）"]),
        ("/api/v1/joining/applications", {"kind": "x"}, "kind", ["join", "transfer"]),
        ("/api/v1/orgs", {"kind": "galaxy"}, "kind", ["trade（行业工会）"]),
        ("/api/v1/enterprises/coverage", {"by": "town"}, "by", ["responsible_unit"]),
        ("/api/v1/enterprises", {"flags": "is_bank"}, "flags", ["is_platform_company"]),
    ],
)
def test_an_undeclared_code_is_422_naming_the_allowed_values(
    client, world, bearer, url, params, field, words
):
    response = client.get(url, params, **bearer)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == field and "无效" in error["message"]
    assert all(word in error["message"] for word in words)


def test_code_parameters_list_their_values_in_the_document(client):
    doc = client.get("/api/v1/openapi.json").json()

    def values(path, name):
        [param] = [p for p in doc["paths"][path]["get"]["parameters"] if p["name"] == name]
        schema = param["schema"]
        return next(s for s in schema.get("anyOf", [schema]) if "enum" in s)["enum"]

    assert "rejected" in values("/api/v1/joining/applications", "status")
    assert {"held", "active", "withdrawn"} <= set(values(MEMBERS, "status"))
    assert {"02", "快递员"} <= set(values(MEMBERS, "group"))
    assert {"none", "built", "not_built"} <= set(values("/api/v1/enterprises", "union_status"))
    assert "trade" in values("/api/v1/orgs", "kind")
    sex = doc["components"]["schemas"]["MemberIn"]["properties"]["sex"]
    assert {"1", "男", "2", "女"} <= set(sex["enum"])


def test_every_operation_declares_its_errors(client):
    doc = client.get("/api/v1/openapi.json").json()
    for path, operations in doc["paths"].items():
        if path.endswith("openapi.json"):
            continue
        for method, operation in operations.items():
            assert "401" in operation["responses"], (method, path)
            for code, answer in operation["responses"].items():
                if code.startswith("4"):
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    expected = "FieldErrorsOut" if code == "422" else "ErrorOut"
                    assert ref.endswith(f"/{expected}"), (method, path, code)


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_paths_under_the_api_are_json_404(client, world, bearer, settings, debug, method):
    settings.DEBUG = debug
    for path in ("/api/v1/members/null,null", "/api/v1/nowhere", "/api/v1/members/1/x"):
        response = getattr(client, method)(path, **bearer)
        assert response.status_code == 404 and is_json(response), path
        assert response.json() == {"detail": MSG_NO_PATH}


def test_out_of_jurisdiction_is_the_chinese_404(client, world, bearer):
    response = client.get(f"/api/v1/orgs/{world.sibling.pk}", **bearer)
    assert response.status_code == 404
    assert response.json() == {"detail": "页面不存在，或不在您的管辖范围内。"}


# ---- The Swagger page (issue 13, item 8)


def test_docs_are_open_outside_production(client, settings):
    settings.PRODUCTION = False
    assert client.get("/api/v1/docs").status_code == 200


def test_docs_need_login_in_production(client, world, settings):
    settings.PRODUCTION = True
    page = client.get("/api/v1/docs")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 401 and document.json() == {"detail": MSG_UNAUTHENTICATED}
    assert client.get("/api/v1/openapi.json", HTTP_AUTHORIZATION="Bearer rh_x").status_code == 401

    _token, raw = token_create(actor=world.county_admin, name="文档")
    with_token = client.get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert with_token.status_code == 200 and "paths" in with_token.json()
    client.force_login(world.county_viewer)
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200


@pytest.mark.parametrize(
    ("url", "field"),
    [(MEMBERS, "q"), ("/api/v1/orgs", "q"), ("/api/v1/enterprises", "township")],
)
def test_a_nul_character_in_text_is_422_not_a_database_error(client, world, bearer, url, field):
    """PostgreSQL refuses NUL in text: it must never reach the database (a 500 there)."""
    response = client.get(url, {field: "王\x00"}, **bearer)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == field and "空字符" in error["message"]
    slug = client.get("/api/v1/campaigns/a%00b/progress", **bearer)
    assert slug.status_code == 404 and is_json(slug)
