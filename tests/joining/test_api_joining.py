"""The online-joining API: the queue scoped like the page, masked personal data only, approve and
reject through the services with the member API's error shapes (403, 404, 409, 422)."""

import json

import pytest
from django.test import Client

from ruhui.joining import services
from ruhui.joining.models import Application, ApplicationStatus
from ruhui.members.models import Member
from tests.api.test_members_api import bearer_for, plain_values_absent
from tests.joining.test_services import form
from tests.members.factories import join, make_id_number, make_phone

URL = "/api/v1/joining/applications"


def submit(union, **overrides) -> Application:
    return services.application_submit(
        link=services.join_link_for(union), data=form(**overrides), consent=True
    )


def approve_url(application) -> str:
    return f"{URL}/{application.pk}/approve"


def reject_url(application) -> str:
    return f"{URL}/{application.pk}/reject"


@pytest.fixture
def cast(world):
    plain = (make_id_number(), make_phone())
    here = submit(world.county_trade, name="舞钢申请人", id_number=plain[0], phone=plain[1])
    there = submit(world.sibling_trade, name="宝丰申请人")
    mover = join(world.sibling_admin, world.sibling_trade, name="宝丰会员")
    moving = services.transfer_request_submit(
        member=mover, to_union=world.county_trade, link=None, consent=True
    )
    return {"here": here, "there": there, "moving": moving, "plain": plain}


def numbers(response) -> set[str]:
    return {item["number"] for item in response.json()["items"]}


def test_openapi_lists_the_endpoints(client):
    paths = set(client.get("/api/v1/openapi.json").json()["paths"])
    assert {
        URL,
        URL + "/{application_id}/approve",
        URL + "/{application_id}/reject",
    } <= paths


def test_anonymous_is_401(client, world, cast):
    assert client.get(URL).status_code == 401
    assert client.post(approve_url(cast["here"])).status_code == 401


def test_the_list_is_the_scoped_queue(client, world, cast):
    county = bearer_for(world.county_admin)
    assert numbers(client.get(URL, **county)) == {cast["here"].number}
    assert numbers(client.get(URL, {"status": "all"}, **county)) == {
        cast["here"].number,
        cast["moving"].number,
    }
    assert numbers(client.get(URL, {"status": "all", "kind": "transfer"}, **county)) == {
        cast["moving"].number
    }
    sibling = bearer_for(world.sibling_admin)
    assert numbers(client.get(URL, **sibling)) == {cast["there"].number, cast["moving"].number}
    city = client.get(URL, **bearer_for(world.city_admin)).json()
    assert city["count"] == 3 and city["page"] == 1 and city["pages"] == 1


def test_items_are_masked_and_name_the_deciding_union(client, world, cast):
    response = client.get(URL, {"status": "all"}, **bearer_for(world.county_admin))
    plain_values_absent(response.content.decode(), cast["plain"])
    items = {i["number"]: i for i in response.json()["items"]}
    here = items[cast["here"].number]
    assert here["id_number_masked"] == cast["here"].id_number_masked
    assert here["kind"] == "join" and here["status"] == "pending"
    assert here["deciding_union_code"] == "WG-KD"
    moving = items[cast["moving"].number]
    assert moving["from_union_code"] == "BF-KD" and moving["union_code"] == "WG-KD"
    assert moving["deciding_union_code"] == "BF-KD"
    assert not {"id_number", "phone", "id_number_encrypted"} & set(here)


def test_bad_filters_are_422_with_chinese_messages(client, world, cast):
    bearer = bearer_for(world.county_admin)
    response = client.get(URL, {"status": "done"}, **bearer)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "status"
    assert "无效" in response.json()["detail"][0]["message"]
    assert client.get(URL, {"kind": "x"}, **bearer).status_code == 422


def test_approve_creates_the_member(client, world, cast):
    response = client.post(approve_url(cast["here"]), **bearer_for(world.county_admin))
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "approved"
    member = Member.objects.get(name="舞钢申请人")
    assert data["member_number"] == member.member_number
    assert member.source == services.SOURCE_ONLINE


def test_approve_twice_is_409_and_one_member(client, world, cast):
    bearer = bearer_for(world.county_admin)
    client.post(approve_url(cast["here"]), **bearer)
    again = client.post(approve_url(cast["here"]), **bearer)
    assert again.status_code == 409
    assert "不能重复操作" in again.json()["detail"]
    assert Member.objects.filter(name="舞钢申请人").count() == 1


def test_the_triangle(client, world, cast):
    viewer = client.post(approve_url(cast["here"]), **bearer_for(world.county_viewer))
    assert viewer.status_code == 403
    assert "权限" in viewer.json()["detail"]
    assert client.get(URL, **bearer_for(world.county_viewer)).status_code == 200
    sibling = bearer_for(world.sibling_admin)
    assert client.post(approve_url(cast["here"]), **sibling).status_code == 404
    reason = json.dumps({"reason": "x"})
    assert (
        client.post(reject_url(cast["here"]), reason, "application/json", **sibling).status_code
        == 404
    )
    assert client.post(reject_url(cast["here"]), **sibling).status_code == 404
    # Visible but not this county's step: the 转出 belongs to the sibling county.
    refused = client.post(approve_url(cast["moving"]), **bearer_for(world.county_admin))
    assert refused.status_code == 403
    cast["here"].refresh_from_db()
    assert cast["here"].status == ApplicationStatus.PENDING


def test_reject_needs_a_reason(client, world, cast):
    bearer = bearer_for(world.county_admin)
    empty = client.post(
        reject_url(cast["here"]), json.dumps({"reason": " "}), "application/json", **bearer
    )
    assert empty.status_code == 422
    assert empty.json()["detail"][0]["field"] == "reason"
    done = client.post(
        reject_url(cast["here"]), json.dumps({"reason": "重复申请"}), "application/json", **bearer
    )
    assert done.status_code == 200
    assert done.json()["status"] == "rejected"
    assert done.json()["decision_reason"] == "重复申请"


def test_conversion_and_both_transfer_steps(client, world):
    number = make_id_number()
    join(world.sibling_admin, world.sibling_trade, name="赵强", id_number=number)
    application = submit(world.county_trade, name="赵强", id_number=number)
    county, sibling = bearer_for(world.county_admin), bearer_for(world.sibling_admin)
    converted = client.post(approve_url(application), **county).json()
    assert converted["status"] == "converted"
    transfer_app = Application.objects.get(number=converted["converted_to_number"])
    assert client.post(approve_url(transfer_app), **sibling).json()["status"] == "awaiting_in"
    done = client.post(approve_url(transfer_app), **county).json()
    assert done["status"] == "completed"
    assert Member.objects.get(name="赵强").union == world.county_trade


def test_session_post_needs_csrf(world, cast):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.county_admin)
    assert browser.post(approve_url(cast["here"])).status_code == 403
    cast["here"].refresh_from_db()
    assert cast["here"].status == ApplicationStatus.PENDING
