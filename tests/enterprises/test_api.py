"""The enterprise API: the pages' jurisdiction, registration and surveys through the services
with per-field Chinese errors (422), duplicates (409), role checks (403), coverage figures."""

import datetime

import pytest
from django.test import Client

from ruhui.accounts.services import token_create
from ruhui.enterprises import selectors
from ruhui.enterprises.models import Enterprise
from tests.enterprises.factories import make_uscc

URL = "/api/v1/enterprises"


def bearer_for(user) -> dict:
    _token, raw = token_create(actor=user, name="企业接口")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def api(places):
    def call(user):
        client, headers = Client(), bearer_for(user)

        class Caller:
            def get(self, path, params=None):
                return client.get(path, params or {}, **headers)

            def post(self, path, payload):
                return client.post(path, payload, content_type="application/json", **headers)

        return Caller()

    return call


def test_list_is_scoped_and_filtered(places, api):
    w = places.world
    county = api(w.county_admin).get(URL).json()
    assert {e["name"] for e in county["items"]} == {
        "舞钢顺达快递有限公司",
        "舞钢安居物业服务有限公司",
    }
    first = county["items"][0]
    assert first["name"] == "舞钢顺达快递有限公司"  # the most workers first
    assert first["employees_total"] == 30 and first["groups"] == ["02"]
    assert first["park_name"] == "舞钢产业集聚区" and first["next_action_due"] == "2026-04-01"
    sibling = api(w.sibling_admin).get(URL).json()
    assert [e["name"] for e in sibling["items"]] == ["宝丰圆通速递分部"]
    city = api(w.city_admin)
    assert city.get(URL, {"responsible_unit": "BF"}).json()["count"] == 1
    assert city.get(URL, {"group": "快递员", "union_status": "not_built"}).json()["count"] == 1
    assert city.get(URL, {"park": places.park.pk}).json()["count"] == 1
    assert city.get(URL, {"flags": "is_property_company"}).json()["count"] == 0


def test_filters_outside_the_jurisdiction_answer_404(places, api):
    sibling = api(places.world.sibling_admin)
    assert sibling.get(URL, {"responsible_unit": "WG"}).status_code == 404
    assert sibling.get(URL, {"park": places.park.pk}).status_code == 404


def test_bad_filters_are_422_with_chinese_messages(places, api):
    response = api(places.world.county_admin).get(
        URL, {"industry": "Z", "group": "程序员", "union_status": "maybe", "flags": "is_bank"}
    )
    assert response.status_code == 422
    fields = {e["field"]: e for e in response.json()["detail"]}
    assert set(fields) == {"industry", "group", "union_status", "flags"}
    assert "行业「Z」无效" in fields["industry"]["message"]
    assert fields["union_status"]["label"] == "建会情况"


def test_detail_and_surveys_are_scoped(places, api):
    w = places.world
    county = api(w.county_admin)
    url = f"{URL}/{places.shunda.pk}"
    assert county.get(url).json()["uscc"] == places.shunda.uscc
    surveys = county.get(f"{url}/surveys").json()
    assert surveys["count"] == 2
    assert [s["surveyed_on"] for s in surveys["items"]] == ["2026-03-01", "2025-03-01"]
    assert surveys["items"][0]["group_counts"] == {"02": 25}
    assert surveys["items"][0]["completeness"]["headcount"] is True
    sibling = api(w.sibling_admin)
    assert sibling.get(url).status_code == 404
    assert sibling.get(f"{url}/surveys").status_code == 404
    assert sibling.post(f"{url}/surveys", {"surveyed_on": "2026-05-01"}).status_code == 404


def test_register_an_enterprise(places, api):
    w = places.world
    code = make_uscc()
    response = api(w.county_admin).post(
        URL,
        {
            "responsible_unit": "WG",
            "park": places.park.pk,
            "name": "舞钢美团配送站",
            "uscc": code,
            "division_code": "410481",
            "township": "垭口街道",
            "industry": "G",
            "is_delivery_station": "是",
            "groups": "网约送餐员、快递员",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["flags"] == ["is_non_public", "is_delivery_station"]
    assert body["groups"] == ["02", "06"] and body["responsible_unit_code"] == "WG"
    assert Enterprise.objects.get(uscc=code).park == places.park
    again = api(w.county_admin).post(
        URL, {"responsible_unit": "WG", "name": "别的名字", "uscc": code, "division_code": "410481"}
    )
    assert again.status_code == 409 and "已登记为「舞钢美团配送站」" in again.json()["detail"]


def test_registration_errors_are_per_field(places, api):
    w = places.world
    county = api(w.county_admin)
    response = county.post(URL, {"responsible_unit": "WG", "name": "", "uscc": "91410481MA1234567"})
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["detail"]}
    assert "企业名称不能为空" in fields["name"]
    assert "有 17 位，应为 18 位" in fields["uscc"]
    assert "所在县(市、区)不能为空" in fields["division_code"]
    outside = county.post(
        URL, {"responsible_unit": "BF", "name": "某公司", "division_code": "410481"}
    )
    assert outside.status_code == 422 and outside.json()["detail"][0]["field"] == "responsible_unit"
    park = api(w.sibling_admin).post(
        URL,
        {
            "responsible_unit": "BF",
            "park": places.park.pk,
            "name": "某公司",
            "division_code": "410421",
        },
    )
    assert park.status_code == 422 and park.json()["detail"][0]["field"] == "park"


def test_read_only_role_may_read_not_write(places, api):
    viewer = api(places.world.county_viewer)
    assert viewer.get(URL).status_code == 200
    assert viewer.get(f"{URL}/coverage").status_code == 200
    denied = viewer.post(URL, {"responsible_unit": "WG", "name": "某公司"})
    assert denied.status_code == 403 and "没有登记企业的权限" in denied.json()["detail"]
    survey = viewer.post(f"{URL}/{places.shunda.pk}/surveys", {"surveyed_on": "2026-05-01"})
    assert survey.status_code == 403


def test_record_a_survey_keeps_history(places, api):
    county = api(places.world.county_admin)
    url = f"{URL}/{places.anju.pk}/surveys"
    day = datetime.date.today().isoformat()
    response = county.post(
        url,
        {
            "surveyed_on": day,
            "union_status": "未建会",
            "reason": "法人不支持",
            "legal_rep_attitude": "抵触",
            "employees_total": 26,
            "migrant_workers": "20",
            "group_counts": {"快递员": 0, "保安员": 6},
            "next_action": "约谈",
            "next_action_due": day,
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["reason"] == "04" and response.json()["group_counts"] == {"08": 6}
    bad = county.post(url, {"surveyed_on": "昨天", "union_status": "", "employees_total": -3})
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["detail"]}
    assert {"surveyed_on", "union_status", "employees_total"} <= fields
    assert county.get(url).json()["count"] == 1
    places.anju.refresh_from_db()
    assert places.anju.employees_total == 26


def test_coverage_equals_the_selector(places, api):
    w = places.world
    for by in ("division", "park", "industry", "group", "responsible_unit"):
        body = api(w.city_admin).get(f"{URL}/coverage", {"by": by}).json()
        expected = selectors.coverage(user=w.city_admin, by=by)
        assert [(r["key"], r["enterprises"], r["employees"]) for r in body["rows"]] == [
            (r.key, r.enterprises, r.employees) for r in expected.rows
        ]
    sibling = api(w.sibling_admin).get(f"{URL}/coverage").json()
    assert sibling["total"]["enterprises"] == 1 and sibling["parks"]["rate"] is None
    bad = api(w.city_admin).get(f"{URL}/coverage", {"by": "town"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["label"] == "统计口径"


def test_survey_body_that_is_not_json_is_422(places, api):
    county = api(places.world.county_admin)
    url = f"{URL}/{places.anju.pk}/surveys"
    bad = county.post(url, "[1, 2]")
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "body"
    wrong = county.post(url, {"surveyed_on": "2026-05-01", "group_counts": "快递员 3"})
    assert wrong.status_code == 422 and "各群体人数" in wrong.json()["detail"][0]["message"]
