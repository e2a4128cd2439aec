"""The member API: same jurisdiction as the pages, masked personal data only, 入会 through the
service with per-field Chinese errors, one person one membership (409), role checks."""

import datetime
import json

import pytest
from django.test import Client

from ruhui.accounts.services import token_create
from ruhui.audit.models import AuditEvent
from ruhui.members.models import ChangeType, Member
from ruhui.members.services import MSG_ALREADY_MEMBER_ELSEWHERE, member_withdraw
from tests.members.factories import join, make_id_number, make_phone

URL = "/api/v1/members"


def bearer_for(user) -> dict:
    _token, raw = token_create(actor=user, name="会员接口")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def bearer(world):
    return bearer_for(world.county_admin)


@pytest.fixture
def roster(world):
    """Members in county A (two unions) and in the sibling county, with their plain values."""
    plain = {}

    def add(actor, union, name, **fields):
        number, phone = make_id_number(), make_phone()
        member = join(actor, union, name=name, id_number=number, phone=phone, **fields)
        plain[member.pk] = (number, phone)
        return member

    a1 = add(
        world.county_admin,
        world.county_trade,
        "舞钢甲",
        group="快递员",
        is_migrant_worker="是",
        on=datetime.date(2019, 5, 1),
    )
    a2 = add(
        world.county_admin,
        world.county_enterprise,
        "舞钢乙",
        group="货车司机",
        is_migrant_worker="否",
        on=datetime.date(2016, 3, 1),
    )
    b1 = add(world.sibling_admin, world.sibling_trade, "宝丰丙", group="快递员")
    return {"a1": a1, "a2": a2, "b1": b1, "plain": plain}


def plain_values_absent(text: str, values) -> None:
    """No full ID number or phone in a response, as written or JSON-escaped in any form."""
    parsed = json.loads(text)

    def strings(node):
        if isinstance(node, dict):
            for key, value in node.items():
                yield key
                yield from strings(value)
        elif isinstance(node, list):
            for value in node:
                yield from strings(value)
        elif node is not None:
            yield str(node)

    found = list(strings(parsed))
    for value in values:
        escaped = "".join(f"\\u{ord(c):04x}" for c in value)
        assert value not in text
        assert json.dumps(value)[1:-1] not in text
        assert escaped not in text.lower()
        assert not any(value in s for s in found)


def valid_body(union_code: str, **fields) -> dict:
    return {
        "union": union_code,
        "name": "王小明",
        "id_number": make_id_number(region="410421", born=datetime.date(1988, 8, 8)),
        "phone": make_phone(),
        "group": "网约送餐员",
        "is_migrant_worker": "是",
        "employment_form": "平台接单",
        "joined_on": "2019-06-01",
    } | fields


# ---- OpenAPI


def test_openapi_document_lists_the_member_endpoints(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/members", "/api/v1/members/{member_id}"} <= set(doc["paths"])
    assert {"get", "post"} <= set(doc["paths"]["/api/v1/members"])
    out = doc["components"]["schemas"]["MemberOut"]["properties"]
    assert {"id_number_masked", "phone_masked", "group", "group_label"} <= set(out)
    assert not {"id_number", "phone", "id_number_encrypted", "phone_encrypted"} & set(out)
    post = doc["paths"]["/api/v1/members"]["post"]
    assert {"201", "403", "409", "422"} <= set(post["responses"])


# ---- Reading and scoping


def test_anonymous_is_401(client, world):
    assert client.get(URL).status_code == 401
    assert client.post(URL, {}, content_type="application/json").status_code == 401


def test_list_is_scoped_to_the_subtree(client, world, roster, bearer):
    data = client.get(URL, **bearer).json()
    assert data["count"] == 2 and data["page"] == 1 and data["pages"] == 1
    assert {i["name"] for i in data["items"]} == {"舞钢甲", "舞钢乙"}

    client.force_login(world.sibling_admin)
    names = {i["name"] for i in client.get(URL).json()["items"]}
    assert names == {"宝丰丙"}

    client.force_login(world.city_admin)
    assert client.get(URL).json()["count"] == 3


def test_union_filter_covers_the_subtree_and_refuses_outside_unions(client, world, roster, bearer):
    data = client.get(URL, {"union": "WG"}, **bearer).json()
    assert data["count"] == 2  # the county federation: both its unions
    data = client.get(URL, {"union": "WG-KD"}, **bearer).json()
    assert [i["name"] for i in data["items"]] == ["舞钢甲"]
    for code in ("BF-KD", "BF", "PDS", "NO-SUCH"):
        response = client.get(URL, {"union": code}, **bearer)
        assert response.status_code == 404
        assert "不在您的管辖范围内" in response.json()["detail"]
        assert "宝丰丙" not in response.content.decode()


def test_detail_is_scoped(client, world, roster, bearer):
    own = client.get(f"{URL}/{roster['a1'].pk}", **bearer)
    assert own.status_code == 200
    item = own.json()
    assert item["name"] == "舞钢甲" and item["union_code"] == "WG-KD"
    assert item["group"] == "02" and item["group_label"] == "快递员"
    assert item["status"] == "active" and item["status_label"] == "在籍"
    assert item["sex_label"] in ("男", "女") and item["id_type_label"] == "身份证"
    assert item["origin_union_code"] == "WG-KD"

    response = client.get(f"{URL}/{roster['b1'].pk}", **bearer)
    assert response.status_code == 404 and "宝丰丙" not in response.content.decode()
    assert client.get(f"{URL}/999999", **bearer).status_code == 404

    client.force_login(world.sibling_admin)
    assert client.get(f"{URL}/{roster['a1'].pk}").status_code == 404
    assert client.get(f"{URL}/{roster['b1'].pk}").status_code == 200


def test_filters(client, world, roster, bearer):
    def names(**params):
        return {i["name"] for i in client.get(URL, params, **bearer).json()["items"]}

    assert names(group="02") == {"舞钢甲"}
    assert names(group="货车司机") == {"舞钢乙"}
    assert names(migrant="true") == {"舞钢甲"}
    assert names(migrant="false") == {"舞钢乙"}
    assert names(joined_from="2019-01-01") == {"舞钢甲"}
    assert names(joined_to="2018-12-31") == {"舞钢乙"}
    assert names(q="舞钢乙") == {"舞钢乙"}
    assert names(q="wgj") == {"舞钢甲"}  # pinyin initials
    assert names(q=roster["a2"].member_number) == {"舞钢乙"}
    assert names(status="held") == {"舞钢甲", "舞钢乙"}
    member_withdraw(actor=world.county_admin, member=roster["a2"])
    assert names(status="withdrawn") == {"舞钢乙"}
    assert names(status="active") == {"舞钢甲"}


def test_bad_filters_are_422_in_chinese(client, world, bearer):
    response = client.get(URL, {"group": "宇航员", "status": "gone"}, **bearer)
    assert response.status_code == 422
    detail = {e["field"]: e for e in response.json()["detail"]}
    assert detail["group"]["label"] == "八大群体类别"
    assert "宇航员" in detail["group"]["message"] and "快递员" in detail["group"]["message"]
    assert detail["status"]["label"] == "会籍状态" and "held" in detail["status"]["message"]


def test_pages(client, world, bearer):
    for _ in range(101):
        join(world.county_admin, world.county_trade)
    first = client.get(URL, **bearer).json()
    assert (first["count"], first["pages"], len(first["items"])) == (101, 2, 100)
    second = client.get(URL, {"page": 2}, **bearer).json()
    assert second["page"] == 2 and len(second["items"]) == 1


# ---- Personal data


def test_no_full_id_number_or_phone_in_any_response(client, world, roster):
    plain = [v for pair in roster["plain"].values() for v in pair]
    for user in (world.city_admin, world.county_admin, world.county_viewer, world.sibling_admin):
        header = bearer_for(user)
        listing = client.get(URL, **header)
        assert listing.status_code == 200
        plain_values_absent(listing.content.decode(), plain)
        for member in (roster["a1"], roster["b1"]):
            plain_values_absent(client.get(f"{URL}/{member.pk}", **header).content.decode(), plain)

    body = valid_body("WG-KD")
    created = client.post(
        URL, body, content_type="application/json", **bearer_for(world.county_admin)
    )
    assert created.status_code == 201
    plain_values_absent(created.content.decode(), [body["id_number"], body["phone"]])
    item = created.json()
    assert item["id_number_masked"] == body["id_number"][:6] + "********" + body["id_number"][14:]
    assert item["phone_masked"] == body["phone"][:3] + "****" + body["phone"][-4:]

    conflict = client.post(
        URL,
        valid_body("WG-E1", id_number=body["id_number"]),
        content_type="application/json",
        **bearer_for(world.county_admin),
    )
    assert conflict.status_code == 409
    plain_values_absent(conflict.content.decode(), [body["id_number"], body["phone"]])


# ---- 入会


def test_create_through_the_service(client, world, bearer):
    body = valid_body("WG-KD", household_division="410421", education="大专")
    response = client.post(URL, body, content_type="application/json", **bearer)
    assert response.status_code == 201, response.content
    item = response.json()
    member = Member.objects.get(pk=item["id"])
    assert member.union == world.county_trade and member.status == "active"
    assert member.group == "06" and member.is_migrant_worker
    assert member.employment_form == "5" and member.education == "30"
    assert member.joined_on == datetime.date(2019, 6, 1)
    assert member.birth_date == datetime.date(1988, 8, 8)
    assert member.collected_by == world.county_admin and member.source == "API"
    assert member.member_number.startswith("4104812019")
    events = list(member.events.all())
    assert [e.change_type for e in events] == [ChangeType.JOIN]
    assert events[0].effective_on == datetime.date(2019, 6, 1)
    assert AuditEvent.objects.filter(
        object_type="members.member", object_id=str(member.pk), action="create"
    ).exists()
    assert item["group_label"] == "网约送餐员" and item["education_label"] == "大学专科教育"
    assert item["household_division_name"] == "河南省平顶山市宝丰县"
    assert item["union_name"] == "舞钢快递行业工会"


def test_numbers_in_json_are_read_as_codes(client, world, bearer):
    body = valid_body("WG-KD", group=2, ethnicity=1)
    response = client.post(URL, body, content_type="application/json", **bearer)
    assert response.status_code == 201, response.content
    assert response.json()["group_label"] == "快递员"
    assert response.json()["ethnicity_label"] == "汉族"


def test_invalid_fields_are_422_with_chinese_messages(client, world, bearer):
    number = make_id_number()
    broken = number[:-1] + ("0" if number[-1] != "0" else "1")  # wrong check character
    body = valid_body(
        "WG-KD", id_number=broken, phone="12345", group="宇航员", joined_on="2019-13-01"
    )
    response = client.post(URL, body, content_type="application/json", **bearer)
    assert response.status_code == 422
    detail = {e["field"]: e for e in response.json()["detail"]}
    assert set(detail) == {"id_number", "phone", "group", "joined_on"}
    assert detail["id_number"]["label"] == "证件号码"
    assert (
        "证件号码" in detail["id_number"]["message"] and "校验位" in detail["id_number"]["message"]
    )
    assert detail["phone"]["label"] == "手机号码" and "11 位" in detail["phone"]["message"]
    assert detail["group"]["label"] == "八大群体类别" and "宇航员" in detail["group"]["message"]
    assert detail["joined_on"]["label"] == "入会日期"
    assert broken not in response.content.decode()  # messages never repeat the number
    assert not Member.objects.exists()


def test_missing_required_fields(client, world, bearer):
    response = client.post(URL, {"union": "WG-KD"}, content_type="application/json", **bearer)
    assert response.status_code == 422
    detail = {e["field"]: e["message"] for e in response.json()["detail"]}
    assert detail["name"] == "姓名不能为空，请填写。"
    assert "证件号码不能为空" in detail["id_number"]

    response = client.post(URL, {"name": "王小明"}, content_type="application/json", **bearer)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "union"
    assert response.json()["detail"][0]["label"] == "所在工会"


def test_union_must_admit_and_be_in_scope(client, world, bearer):
    response = client.post(URL, valid_body("WG"), content_type="application/json", **bearer)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "union" and "不直接吸收会员" in error["message"]

    for code in ("BF-KD", "GJ-HY", "NO-SUCH"):
        response = client.post(URL, valid_body(code), content_type="application/json", **bearer)
        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert error["field"] == "union" and "不在您的管辖范围内" in error["message"]
    assert not Member.objects.exists()


def test_second_membership_is_409(client, world, roster, bearer):
    number_b1, _phone = roster["plain"][roster["b1"].pk]
    response = client.post(
        URL, valid_body("WG-KD", id_number=number_b1), content_type="application/json", **bearer
    )
    assert response.status_code == 409
    # 宝丰 is outside this cadre's jurisdiction: the refusal says neither where nor which number.
    assert response.json()["detail"] == str(MSG_ALREADY_MEMBER_ELSEWHERE)
    assert roster["b1"].member_number not in response.content.decode()
    assert Member.objects.count() == 3

    number_a1, _phone = roster["plain"][roster["a1"].pk]
    response = client.post(
        URL, valid_body("WG-KD", id_number=number_a1), content_type="application/json", **bearer
    )
    assert response.status_code == 409 and "无需重复入会" in response.json()["detail"]


def test_read_only_role_cannot_create(client, world):
    header = bearer_for(world.county_viewer)
    assert client.get(URL, **header).status_code == 200
    response = client.post(URL, valid_body("WG-KD"), content_type="application/json", **header)
    assert response.status_code == 403 and "没有登记会员的权限" in response.json()["detail"]

    client.force_login(world.county_viewer)
    response = client.post(URL, valid_body("WG-KD"), content_type="application/json")
    assert response.status_code == 403
    assert not Member.objects.exists()


def test_session_post_needs_csrf_but_token_does_not(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.county_admin)
    response = browser.post(URL, valid_body("WG-KD"), content_type="application/json")
    assert response.status_code == 403
    assert not Member.objects.exists()

    browser.get("/")  # any page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        URL, valid_body("WG-KD"), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201, response.content

    api_client = Client(enforce_csrf_checks=True)
    response = api_client.post(
        URL,
        valid_body("WG-KD"),
        content_type="application/json",
        **bearer_for(world.county_admin),
    )
    assert response.status_code == 201
    assert Member.objects.count() == 2
