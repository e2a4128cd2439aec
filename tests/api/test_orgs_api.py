"""The REST API: token and session auth, the same jurisdiction as the pages, OpenAPI document."""

import pytest

from ruhui.accounts.services import token_create, token_revoke


@pytest.fixture
def bearer(world):
    _token, raw = token_create(actor=world.county_admin, name="同步")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_openapi_document_lists_the_org_endpoints(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/orgs", "/api/v1/orgs/{org_id}", "/api/v1/me"} <= set(doc["paths"])


def test_anonymous_is_401(client, world):
    assert client.get("/api/v1/orgs").status_code == 401
    assert client.get("/api/v1/orgs", HTTP_AUTHORIZATION="Bearer rh_wrong").status_code == 401


def test_token_lists_the_subtree_only(client, world, bearer):
    data = client.get("/api/v1/orgs", **bearer).json()
    names = {item["name"] for item in data["items"]}
    assert names == {"舞钢市总工会", "舞钢快递行业工会", "舞钢顺达物流有限公司工会"}
    assert data["count"] == 3
    root = next(i for i in data["items"] if i["code"] == "WG")
    assert root["parent_code"] is None  # the city above is outside the caller's jurisdiction
    child = next(i for i in data["items"] if i["code"] == "WG-KD")
    assert child["parent_code"] == "WG" and child["division_name"] == "河南省平顶山市舞钢市"


def test_detail_and_children_are_scoped(client, world, bearer):
    assert client.get(f"/api/v1/orgs/{world.county_trade.pk}", **bearer).status_code == 200
    assert client.get(f"/api/v1/orgs/{world.sibling_trade.pk}", **bearer).status_code == 404
    assert client.get(f"/api/v1/orgs/{world.sibling.pk}/children", **bearer).status_code == 404
    kids = client.get(f"/api/v1/orgs/{world.county.pk}/children", **bearer).json()
    assert {k["code"] for k in kids} == {"WG-KD", "WG-E1"}


def test_filters(client, world, bearer):
    data = client.get("/api/v1/orgs", {"kind": "trade"}, **bearer).json()
    assert [i["code"] for i in data["items"]] == ["WG-KD"]


def test_session_auth_works_for_logged_in_cadres(client, world):
    client.force_login(world.sibling_admin)
    me = client.get("/api/v1/me").json()
    assert me["organization_code"] == "BF"
    names = {i["name"] for i in client.get("/api/v1/orgs").json()["items"]}
    assert "宝丰快递行业工会" in names and "舞钢快递行业工会" not in names


def test_revoked_or_inactive_token_is_refused(client, world):
    token, raw = token_create(actor=world.county_admin, name="临时")
    header = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/me", **header).status_code == 200
    token_revoke(actor=world.county_admin, token=token)
    assert client.get("/api/v1/me", **header).status_code == 401
    _token, raw2 = token_create(actor=world.county_admin, name="另一个")
    world.county_admin.is_active = False
    world.county_admin.save()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw2}").status_code == 401


def test_only_the_digest_is_stored(world):
    token, raw = token_create(actor=world.county_admin, name="同步")
    token.refresh_from_db()
    assert raw not in (token.digest, token.prefix) and len(token.digest) == 64
