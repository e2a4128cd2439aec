"""Member registry pages: the allowed / read-only / sibling-county triangle on every page, the
roster's filters and search, masking and the audited reveal, join and edit through the forms,
the membership lifecycle and a full transfer by certificate."""

import datetime
import re
from types import SimpleNamespace

import pytest
import segno
from django.urls import reverse

from ruhui.audit.models import AuditEvent
from ruhui.core import idnumber
from ruhui.members import services
from ruhui.members.forms import MemberForm
from ruhui.members.models import ChangeType, Member, MembershipEvent, Transfer, TransferStatus
from tests.members.factories import join, make_id_number, make_phone

#: Pages about one member: GET shows them, POST acts.
MEMBER_PAGES = [
    "members:detail",
    "members:edit",
    "members:retain",
    "members:withdraw",
    "members:expel",
    "members:transfer_issue",
]
MEMBER_WRITE_PAGES = [p for p in MEMBER_PAGES if p != "members:detail"]
LIST_PAGES = [
    "members:list",
    "members:find",
    "members:transfers",
    "members:dues",
]


def _person(**extra):
    return {"id_number": make_id_number(), "phone": make_phone(), **extra}


@pytest.fixture
def cast(world):
    """Three members in county A, one in the sibling county, each with known plain numbers."""
    zhang = _person(name="张伟", group="02", is_migrant_worker=True)
    li = _person(name="李娜", group="99", is_migrant_worker=False, provincial_status="1")
    chen = _person(name="陈晓明", group="06", is_migrant_worker=True)
    wang = _person(name="王强", group="02", is_migrant_worker=True)
    a = world.county_admin
    return SimpleNamespace(
        world=world,
        zhang=join(a, world.county_trade, on=datetime.date(2019, 5, 10), **zhang),
        li=join(a, world.county_enterprise, on=datetime.date(2018, 3, 1), **li),
        chen=join(a, world.county_trade, on=datetime.date(2019, 9, 1), **chen),
        wang=join(world.sibling_admin, world.sibling_trade, **wang),
        plain={"zhang": zhang, "li": li, "chen": chen, "wang": wang},
    )


def _url(name, obj):
    key = "transfer_pk" if isinstance(obj, Transfer) else "member_pk"
    return reverse(name, kwargs={key: obj.pk})


def _body(response) -> str:
    return response.content.decode()


def _names(response) -> set[str]:
    body = _body(response)
    return {n for n in ("张伟", "李娜", "陈晓明", "王强") if n in body}


def _incoming(cast) -> Transfer:
    """A transfer the sibling county addressed to a union of county A (A is the incoming side)."""
    return services.transfer_issue(
        actor=cast.world.sibling_admin, member=cast.wang, to_union=cast.world.county_trade
    )


def _outgoing(cast) -> Transfer:
    return services.transfer_issue(actor=cast.world.county_admin, member=cast.chen)


# --- The triangle: allowed 2xx, read-only 403 on writes, sibling county 404 -----------------


@pytest.mark.parametrize("name", [*LIST_PAGES, "members:create", "members:transfer_accept"])
def test_county_admin_opens_the_pages(cast, as_user, name):
    assert as_user(cast.world.county_admin).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", MEMBER_PAGES)
def test_county_admin_opens_member_pages(cast, as_user, name):
    assert as_user(cast.world.county_admin).get(_url(name, cast.zhang)).status_code == 200


def test_county_admin_opens_transfer_pages(cast, as_user):
    client = as_user(cast.world.county_admin)
    outgoing, incoming = _outgoing(cast), _incoming(cast)
    assert client.get(_url("members:transfer_certificate", outgoing)).status_code == 200
    assert client.get(_url("members:transfer_certificate", incoming)).status_code == 200
    assert client.get(_url("members:transfer_cancel", outgoing)).status_code == 200
    assert client.get(_url("members:transfer_reject", incoming)).status_code == 200
    # Each side may only do its own half: no rejecting what we issued, no cancelling theirs.
    assert client.get(_url("members:transfer_reject", outgoing)).status_code == 403
    assert client.get(_url("members:transfer_cancel", incoming)).status_code == 403


@pytest.mark.parametrize("name", LIST_PAGES)
def test_read_only_role_may_read(cast, as_user, name):
    client = as_user(cast.world.county_viewer)
    assert client.get(reverse(name)).status_code == 200
    assert client.get(_url("members:detail", cast.zhang)).status_code == 200
    assert client.get(_url("members:transfer_certificate", _outgoing(cast))).status_code == 200


@pytest.mark.parametrize("name", MEMBER_WRITE_PAGES)
def test_read_only_role_is_refused_member_writes(cast, as_user, name):
    client = as_user(cast.world.county_viewer)
    assert client.get(_url(name, cast.zhang)).status_code == 403
    response = client.post(
        _url(name, cast.zhang), {"name": "改名", "reason": "5", "on": "2020-1-1"}
    )
    assert response.status_code == 403
    assert "没有此项操作的权限" in _body(response)
    assert MembershipEvent.objects.filter(member=cast.zhang).count() == 1
    assert Member.objects.get(pk=cast.zhang.pk).name == "张伟"


def test_read_only_role_is_refused_create_accept_reject_cancel(cast, as_user):
    outgoing, incoming = _outgoing(cast), _incoming(cast)
    client = as_user(cast.world.county_viewer)
    for url in (reverse("members:create"), reverse("members:transfer_accept")):
        assert client.get(url).status_code == 403
        assert client.post(url, {"code": incoming.code}).status_code == 403
    assert (
        client.post(_url("members:transfer_reject", incoming), {"reason": "x"}).status_code == 403
    )
    assert client.post(_url("members:transfer_cancel", outgoing)).status_code == 403
    assert Transfer.objects.filter(status=TransferStatus.PENDING).count() == 2


@pytest.mark.parametrize("name", [*MEMBER_PAGES, "members:reveal"])
def test_sibling_county_gets_404_on_member_pages(cast, as_user, name):
    client = as_user(cast.world.sibling_admin)
    if name != "members:reveal":
        assert client.get(_url(name, cast.zhang)).status_code == 404
    if name != "members:detail":
        assert client.post(_url(name, cast.zhang), {"reason": "5"}).status_code == 404
    assert Member.objects.get(pk=cast.zhang.pk).status == "active"


@pytest.mark.parametrize(
    "name", ["members:transfer_certificate", "members:transfer_reject", "members:transfer_cancel"]
)
def test_sibling_county_gets_404_on_transfer_pages(cast, as_user, name):
    transfer = _outgoing(cast)  # certificate only: no target union, so only county A sees it
    client = as_user(cast.world.sibling_admin)
    assert client.get(_url(name, transfer)).status_code == 404
    assert client.post(_url(name, transfer), {"reason": "x"}).status_code in (404, 405)
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.PENDING


def test_industry_union_cannot_see_a_transfer_between_counties(cast, as_user):
    transfer = _incoming(cast)
    client = as_user(cast.world.industry_admin)
    assert client.get(_url("members:transfer_certificate", transfer)).status_code == 404


def test_nav_offers_the_member_pages_by_role(cast, as_user):
    body = _body(as_user(cast.world.county_admin).get(reverse("members:list")))
    for label in ("会员管理", "会员名册", "新增会员", "会员接转", "会费候选"):
        assert label in body
    body = _body(as_user(cast.world.county_viewer).get(reverse("members:list")))
    assert "会员名册" in body and "新增会员" not in body and "会费候选" not in body


# --- The roster: scope, filters, search --------------------------------------------------


def _list(client, **params):
    return client.get(reverse("members:list"), params)


def test_list_shows_the_jurisdiction_only(cast, as_user):
    assert _names(_list(as_user(cast.world.county_admin))) == {"张伟", "李娜", "陈晓明"}
    assert _names(_list(as_user(cast.world.sibling_admin))) == {"王强"}
    assert _names(_list(as_user(cast.world.city_admin))) == {"张伟", "李娜", "陈晓明", "王强"}


def test_list_union_select_offers_admitting_unions_in_scope(cast, as_user):
    body = _body(_list(as_user(cast.world.county_admin)))
    assert "舞钢快递行业工会" in body and "舞钢顺达物流有限公司工会" in body
    assert "宝丰快递行业工会" not in body
    assert "舞钢市总工会（" not in body  # a federation does not admit members


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "张伟"}, {"张伟"}),
        ({"q": "zw"}, {"张伟"}),
        ({"q": "ZW"}, {"张伟"}),
        ({"q": "cxm"}, {"陈晓明"}),
        ({"q": "晓"}, {"陈晓明"}),
        ({"group": "02"}, {"张伟"}),
        ({"group": "99"}, {"李娜"}),
        ({"migrant": "1"}, {"张伟", "陈晓明"}),
        ({"migrant": "0"}, {"李娜"}),
        ({"provincial_status": "1"}, {"李娜"}),
        ({"joined_from": "2019-01-01"}, {"张伟", "陈晓明"}),
        ({"joined_from": "2019-01-01", "joined_to": "2019-06-30"}, {"张伟"}),
        ({"joined_to": "2018-12-31"}, {"李娜"}),
        ({"status": "held"}, {"张伟", "李娜", "陈晓明"}),
        ({"status": "retained"}, set()),
    ],
)
def test_list_filters(cast, as_user, params, expected):
    assert _names(_list(as_user(cast.world.county_admin), **params)) == expected


def test_list_filters_by_union_subtree_member_number_and_phone_tail(cast, as_user):
    client = as_user(cast.world.county_admin)
    assert _names(_list(client, union=cast.world.county_trade.pk)) == {"张伟", "陈晓明"}
    assert _names(_list(client, q=cast.li.member_number)) == {"李娜"}
    tail = cast.plain["chen"]["phone"][-4:]
    assert _names(_list(client, phone_tail=tail)) == {"陈晓明"}
    # A sibling county's union is not a valid choice: the filter is refused, nothing leaks.
    response = _list(client, union=cast.world.sibling_trade.pk)
    assert "王强" not in _body(response)


def test_list_status_filter_follows_lifecycle(cast, as_user):
    services.member_retain(actor=cast.world.county_admin, member=cast.zhang, reason="3")
    services.member_withdraw(actor=cast.world.county_admin, member=cast.li)
    client = as_user(cast.world.county_admin)
    assert _names(_list(client, status="retained")) == {"张伟"}
    assert _names(_list(client, status="withdrawn")) == {"李娜"}
    assert _names(_list(client, status="held")) == {"张伟", "陈晓明"}


def test_list_bad_phone_tail_is_explained_not_applied(cast, as_user):
    body = _body(_list(as_user(cast.world.county_admin), phone_tail="12a"))
    assert "请填写手机号码后 4 位数字" in body


def test_an_id_number_typed_into_the_search_box_is_refused(cast, as_user):
    response = _list(as_user(cast.world.county_admin), q=cast.plain["zhang"]["id_number"])
    assert "请不要在搜索框中输入身份证号" in _body(response)
    assert _names(response) == set()


def test_list_paginates_by_50(world, as_user):
    for _ in range(51):
        join(world.county_admin, world.county_trade)
    client = as_user(world.county_admin)
    body = _body(_list(client))
    assert "共 51 条" in body and "第 1 / 2 页" in body
    assert len(re.findall(r'href="/members/\d+/"', body)) == 50
    page2 = _body(_list(client, page=2))
    assert "第 2 / 2 页" in page2 and len(re.findall(r'href="/members/\d+/"', page2)) == 1


# --- Exact lookup by ID number (POST) --------------------------------------------------------


def test_find_by_id_number_posts_and_masks(cast, as_user):
    number = cast.plain["zhang"]["id_number"]
    response = as_user(cast.world.county_viewer).post(
        reverse("members:find"), {"id_number": number}
    )
    body = _body(response)
    assert _names(response) == {"张伟"}
    assert number not in body
    assert cast.zhang.id_number_masked in body
    assert "no-store" in response["Cache-Control"]


def test_find_accepts_lower_case_x_and_spaces(world, as_user):
    first17 = next(
        f"41048119900501{seq:03d}"
        for seq in range(1000)
        if idnumber.checksum_char(f"41048119900501{seq:03d}") == "X"
    )
    number = first17 + "X"
    join(world.county_admin, world.county_trade, name="赵敏", id_number=number)
    spaced = f"{number[:6]} {number[6:14]} {number[14:].lower()}"
    response = as_user(world.county_admin).post(reverse("members:find"), {"id_number": spaced})
    assert "赵敏" in _body(response)


def test_find_stays_in_the_jurisdiction(cast, as_user):
    number = cast.plain["wang"]["id_number"]
    response = as_user(cast.world.county_admin).post(reverse("members:find"), {"id_number": number})
    assert "王强" not in _body(response)
    assert "您的辖区内没有持此证件号码的会员" in _body(response)


def test_find_requires_a_number(cast, as_user):
    response = as_user(cast.world.county_admin).post(reverse("members:find"), {"id_number": ""})
    assert "请填写要查找的证件号码" in _body(response)


# --- Masking and the audited reveal ----------------------------------------------------------


def test_no_full_id_number_or_phone_on_list_detail_or_certificate(cast, as_user):
    transfer = _outgoing(cast)
    client = as_user(cast.world.county_viewer)
    pages = [reverse("members:list"), reverse("members:transfers"), reverse("members:dues")]
    pages += [_url("members:detail", m) for m in (cast.zhang, cast.li, cast.chen)]
    pages.append(_url("members:transfer_certificate", transfer))
    bodies = "".join(_body(client.get(url)) for url in pages)
    for person in cast.plain.values():
        assert person["id_number"] not in bodies
        assert person["phone"] not in bodies
    assert cast.zhang.id_number_masked in bodies and cast.zhang.phone_masked in bodies
    # The birth date is the masked part of the ID number: the detail shows the year only.
    detail = _body(client.get(_url("members:detail", cast.zhang)))
    assert f"{cast.zhang.birth_date:%Y}-**-**" in detail
    assert f"{cast.zhang.birth_date:%Y-%m-%d}" not in detail


def test_reveal_shows_full_values_once_and_is_audited(cast, as_user):
    client = as_user(cast.world.county_admin)
    detail = _body(client.get(_url("members:detail", cast.zhang)))
    assert "查看完整证件号和手机号" in detail
    response = client.post(_url("members:reveal", cast.zhang))
    body = _body(response)
    assert response.status_code == 200
    assert cast.plain["zhang"]["id_number"] in body
    assert cast.plain["zhang"]["phone"] in body
    assert "本次查看已记入审计日志" in body
    assert "no-store" in response["Cache-Control"]
    events = AuditEvent.objects.filter(action="reveal")
    assert events.count() == 1
    assert events.get().object_id == str(cast.zhang.pk)
    assert events.get().actor == cast.world.county_admin


def test_reveal_is_post_only(cast, as_user):
    response = as_user(cast.world.county_admin).get(_url("members:reveal", cast.zhang))
    assert response.status_code == 405
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_read_only_role_cannot_reveal(cast, as_user):
    client = as_user(cast.world.county_viewer)
    assert "查看完整证件号和手机号" not in _body(client.get(_url("members:detail", cast.zhang)))
    response = client.post(_url("members:reveal", cast.zhang))
    assert response.status_code == 403
    assert cast.plain["zhang"]["id_number"] not in _body(response)
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_sibling_reveal_is_404_and_not_audited(cast, as_user):
    response = as_user(cast.world.sibling_admin).post(_url("members:reveal", cast.zhang))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="reveal").exists()


# --- Join and edit through the form -----------------------------------------------------------


def _join_data(union, **fields):
    return {"union": union.pk, "name": "刘洋", "id_number": make_id_number(), **fields}


def test_create_registers_a_member(world, as_user):
    client = as_user(world.county_admin)
    data = _join_data(
        world.county_trade,
        phone="13912345678",
        group="02",
        is_migrant_worker="on",
        joined_on="2019-06-01",
        household_division="410481",
    )
    response = client.post(reverse("members:create"), data)
    member = Member.objects.get(name="刘洋")
    assert response.status_code == 302
    assert response["Location"] == _url("members:detail", member)
    assert member.union == world.county_trade
    assert member.group == "02" and member.is_migrant_worker
    assert member.joined_on == datetime.date(2019, 6, 1)
    assert member.collected_by == world.county_admin
    assert list(member.events.values_list("change_type", flat=True)) == [ChangeType.JOIN]
    body = _body(client.get(response["Location"]))
    assert "已登记会员「刘洋」" in body and member.member_number in body


def test_create_offers_admitting_unions_in_scope_only(world, as_user):
    body = _body(as_user(world.county_admin).get(reverse("members:create")))
    assert "舞钢快递行业工会" in body
    assert "宝丰快递行业工会" not in body
    assert "舞钢市总工会（" not in body  # a federation does not admit members


def test_create_rejects_a_union_outside_the_jurisdiction(world, as_user):
    data = _join_data(world.sibling_trade)
    response = as_user(world.county_admin).post(reverse("members:create"), data)
    assert response.status_code == 200
    assert not Member.objects.exists()


def test_create_with_bad_fields_shows_chinese_errors_and_writes_nothing(world, as_user):
    good = make_id_number()
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    data = _join_data(
        world.county_trade,
        id_number=bad_check,
        phone="1234",
        household_division="999999",
        employer_uscc="91410400MA44XXXXX0",
        joined_on="2019-02-30",
    )
    response = as_user(world.county_admin).post(reverse("members:create"), data)
    body = _body(response)
    assert response.status_code == 200
    assert "校验" in body  # the ID number's check character
    assert "手机号码应为 11 位" in body
    assert "户籍所在地「999999」不是有效的行政区划代码" in body
    assert "工作单位统一社会信用代码" in body and "无效" in body
    assert "本次没有保存任何内容" in body
    assert 'class="field has-error"' in body
    assert not Member.objects.exists()
    assert not MembershipEvent.objects.exists()


def test_create_requires_name_union_and_id_number(world, as_user):
    response = as_user(world.county_admin).post(reverse("members:create"), {})
    body = _body(response)
    assert "姓名不能为空，请填写。" in body
    assert "证件号码不能为空，请填写。" in body
    assert "请选择会员所在的基层工会。" in body
    assert not Member.objects.exists()


def test_second_join_of_the_same_person_names_the_union(cast, as_user):
    number = cast.plain["zhang"]["id_number"]
    client = as_user(cast.world.county_admin)
    response = client.post(
        reverse("members:create"), _join_data(cast.world.county_enterprise, id_number=number)
    )
    body = _body(response)
    assert "此人已是「舞钢快递行业工会」的会员" in body
    assert cast.zhang.member_number in body
    assert Member.objects.filter(name="刘洋").count() == 0


def test_second_join_in_another_county_says_taken_but_not_where(cast, as_user):
    number = cast.plain["zhang"]["id_number"]
    response = as_user(cast.world.sibling_admin).post(
        reverse("members:create"), _join_data(cast.world.sibling_trade, id_number=number)
    )
    assert "此人已是其他工会的会员，请通过会员接转办理" in _body(response)
    assert "凭接转凭证接收" in _body(response)
    assert "舞钢快递行业工会" not in _body(response)
    assert cast.zhang.member_number not in _body(response)
    assert Member.objects.count() == 4


def test_second_join_within_the_jurisdiction_names_the_union(cast, as_user):
    number = cast.plain["zhang"]["id_number"]
    response = as_user(cast.world.city_admin).post(
        reverse("members:create"), _join_data(cast.world.sibling_trade, id_number=number)
    )
    assert "此人已是「舞钢快递行业工会」的会员" in _body(response)
    assert Member.objects.count() == 4


def _edit_data(user, member, **changes):
    """The edit form as the browser submits it untouched (ID number and phone empty)."""
    form = MemberForm(user=user, member=member)
    data = {}
    for name, field in form.fields.items():
        value = field.initial
        if value is True:
            data[name] = "on"
        elif value not in (None, False, ""):
            data[name] = value
    return data | changes


def test_edit_form_never_prefills_id_number_or_phone(cast, as_user):
    body = _body(as_user(cast.world.county_admin).get(_url("members:edit", cast.zhang)))
    assert cast.plain["zhang"]["id_number"] not in body
    assert cast.plain["zhang"]["phone"] not in body
    assert "不修改请留空" in body
    assert f"{cast.zhang.birth_date:%Y-%m-%d}" not in body  # derived from the ID number


def test_edit_with_empty_id_and_phone_keeps_them(cast, as_user):
    admin = cast.world.county_admin
    before = Member.objects.get(pk=cast.zhang.pk)
    data = _edit_data(admin, before, employer_name="顺丰速运舞钢营业部", id_number="", phone="")
    response = as_user(admin).post(_url("members:edit", cast.zhang), data)
    assert response.status_code == 302
    after = Member.objects.get(pk=cast.zhang.pk)
    assert after.employer_name == "顺丰速运舞钢营业部"
    assert after.id_number_hash == before.id_number_hash
    assert after.phone_encrypted == before.phone_encrypted
    assert after.sex == before.sex and after.birth_date == before.birth_date
    assert after.group == "02" and after.is_migrant_worker
    revealed = services.reveal_personal_data(actor=admin, member=after)
    assert revealed == {
        "id_number": cast.plain["zhang"]["id_number"],
        "phone": cast.plain["zhang"]["phone"],
    }


def test_edit_with_a_new_phone_changes_it(cast, as_user):
    admin = cast.world.county_admin
    data = _edit_data(admin, cast.zhang, phone="13687654321")
    as_user(admin).post(_url("members:edit", cast.zhang), data)
    assert Member.objects.get(pk=cast.zhang.pk).phone_masked == "136****4321"


def test_edit_to_another_members_id_number_is_refused(cast, as_user):
    admin = cast.world.county_admin
    data = _edit_data(admin, cast.zhang, id_number=cast.plain["li"]["id_number"])
    response = as_user(admin).post(_url("members:edit", cast.zhang), data)
    assert "此人已是「舞钢顺达物流有限公司工会」的会员" in _body(response)
    assert Member.objects.get(pk=cast.zhang.pk).id_number_hash == cast.zhang.id_number_hash


def test_edit_with_bad_phone_shows_the_error(cast, as_user):
    admin = cast.world.county_admin
    data = _edit_data(admin, cast.zhang, phone="02", name="张伟伟")
    response = as_user(admin).post(_url("members:edit", cast.zhang), data)
    assert "手机号码应为 11 位" in _body(response)
    assert Member.objects.get(pk=cast.zhang.pk).name == "张伟"


# --- Lifecycle --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status", "change_type"),
    [
        ("members:retain", "retained", ChangeType.RETAIN),
        ("members:withdraw", "withdrawn", ChangeType.WITHDRAW),
        ("members:expel", "expelled", ChangeType.EXPEL),
    ],
)
def test_lifecycle_through_the_page_writes_one_event(cast, as_user, name, status, change_type):
    client = as_user(cast.world.county_admin)
    page = _body(client.get(_url(name, cast.zhang)))
    assert f'value="{datetime.date.today():%Y-%m-%d}"' in page  # 日期 defaults to today
    before = MembershipEvent.objects.count()
    response = client.post(
        _url(name, cast.zhang), {"reason": "3", "on": "2020-01-15", "note": "本人申请"}
    )
    assert response.status_code == 302
    assert Member.objects.get(pk=cast.zhang.pk).status == status
    assert MembershipEvent.objects.count() == before + 1
    event = MembershipEvent.objects.latest("id")
    assert (event.change_type, event.reason, event.note) == (change_type, "3", "本人申请")
    assert event.effective_on == datetime.date(2020, 1, 15)
    assert event.actor == cast.world.county_admin
    detail = _body(client.get(response["Location"]))
    assert "本人申请" in detail


def test_lifecycle_state_error_is_a_message(cast, as_user):
    services.member_withdraw(actor=cast.world.county_admin, member=cast.zhang)
    client = as_user(cast.world.county_admin)
    response = client.post(_url("members:retain", cast.zhang), {"on": "2020-01-15"}, follow=True)
    assert "会员当前为「已退会」，不能办理「保留会籍」。" in _body(response)
    assert MembershipEvent.objects.filter(member=cast.zhang).count() == 2


def test_lifecycle_date_in_the_future_is_a_field_error(cast, as_user):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    response = as_user(cast.world.county_admin).post(
        _url("members:withdraw", cast.zhang), {"reason": "5", "on": tomorrow.isoformat()}
    )
    assert "办理日期不能晚于今天。" in _body(response)
    assert Member.objects.get(pk=cast.zhang.pk).status == "active"


def test_detail_shows_history_and_actions_by_status(cast, as_user):
    services.member_retain(actor=cast.world.county_admin, member=cast.zhang, reason="3")
    body = _body(as_user(cast.world.county_admin).get(_url("members:detail", cast.zhang)))
    for text in ("入会", "保留", "失业", "舞钢快递行业工会", "会籍变动记录", "接转记录"):
        assert text in body
    assert _url("members:withdraw", cast.zhang) in body
    assert _url("members:retain", cast.zhang) not in body  # already retained
    body = _body(as_user(cast.world.county_viewer).get(_url("members:detail", cast.zhang)))
    assert _url("members:withdraw", cast.zhang) not in body
    assert _url("members:edit", cast.zhang) not in body


# --- Transfers by certificate -----------------------------------------------------------------


def _issue(client, member, **data):
    payload = {"reason": "1", "on": datetime.date.today().isoformat()} | data
    return client.post(_url("members:transfer_issue", member), payload)


def test_full_transfer_through_the_pages(cast, as_user):
    county = as_user(cast.world.county_admin)
    response = _issue(county, cast.zhang, new_employer="宝丰某快递网点")
    transfer = Transfer.objects.get(member=cast.zhang)
    assert response.status_code == 302
    assert response["Location"] == _url("members:transfer_certificate", transfer)
    assert Member.objects.get(pk=cast.zhang.pk).status == "transferring"

    certificate = _body(county.get(response["Location"]))
    assert "工会会员组织关系接转凭证" in certificate
    assert transfer.code in certificate
    accept_url = f"http://testserver{reverse('members:transfer_accept')}?code={transfer.code}"
    qr = segno.make(accept_url, error="m").svg_inline(scale=4, svgclass="qr")
    assert "<svg" in certificate
    assert qr in certificate  # the QR code encodes the accept page with the code filled in
    assert "凭本凭证到新单位工会办理" in certificate
    assert cast.zhang.id_number_masked in certificate
    assert cast.plain["zhang"]["id_number"] not in certificate

    sibling = as_user(cast.world.sibling_admin)
    accept = reverse("members:transfer_accept")
    preview = _body(sibling.get(accept, {"code": transfer.code}))
    assert "张伟" in preview and cast.zhang.id_number_masked in preview
    response = sibling.post(
        accept, {"code": transfer.code.lower(), "union": cast.world.sibling_trade.pk}
    )
    assert response.status_code == 302
    member = Member.objects.get(pk=cast.zhang.pk)
    assert member.union == cast.world.sibling_trade and member.status == "active"
    assert member.member_number == cast.zhang.member_number
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.ACCEPTED
    assert list(member.events.values_list("change_type", flat=True)) == [
        ChangeType.JOIN,
        ChangeType.TRANSFER_OUT,
        ChangeType.TRANSFER_IN,
    ]
    assert "张伟" in _body(sibling.get(response["Location"]))
    # The member left county A's jurisdiction.
    county = as_user(cast.world.county_admin)
    assert county.get(_url("members:detail", member)).status_code == 404


def test_issue_to_a_union_found_by_code_then_reject_restores(cast, as_user):
    services.member_retain(actor=cast.world.county_admin, member=cast.zhang, reason="3")
    county = as_user(cast.world.county_admin)
    _issue(county, cast.zhang, to_union_code="BF-KD")
    transfer = Transfer.objects.get(member=cast.zhang)
    assert transfer.to_union == cast.world.sibling_trade

    sibling = as_user(cast.world.sibling_admin)
    incoming = _body(sibling.get(reverse("members:transfers"), {"tab": "in"}))
    assert transfer.code in incoming and "张伟" in incoming
    reject = _url("members:transfer_reject", transfer)
    assert "请填写退回原因" in _body(sibling.post(reject, {"reason": ""}))
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.PENDING

    response = sibling.post(reject, {"reason": "本单位查无此人"})
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.REJECTED
    member = Member.objects.get(pk=cast.zhang.pk)
    assert member.status == "retained"  # the status before the transfer
    assert member.union == cast.world.county_trade
    county = as_user(cast.world.county_admin)
    outgoing = _body(county.get(reverse("members:transfers"), {"status": "rejected"}))
    assert transfer.code in outgoing
    assert "本单位查无此人" in _body(county.get(_url("members:detail", member)))


def test_issue_by_exact_union_name_and_unknown_code(cast, as_user):
    county = as_user(cast.world.county_admin)
    response = _issue(county, cast.zhang, to_union_code="不存在的工会")
    assert "没有找到代码或全称为「不存在的工会」的有效工会" in _body(response)
    assert not Transfer.objects.exists()
    response = _issue(county, cast.zhang, to_union_code="宝丰县总工会")
    assert "不直接吸收会员" in _body(response)  # the service's rule, shown on the field
    assert not Transfer.objects.exists()
    _issue(county, cast.zhang, to_union_code="宝丰快递行业工会")
    assert Transfer.objects.get(member=cast.zhang).to_union == cast.world.sibling_trade


def test_issue_twice_is_a_message(cast, as_user):
    county = as_user(cast.world.county_admin)
    _issue(county, cast.zhang)
    response = _issue(county, cast.zhang)
    assert response.status_code == 302
    page = _body(county.get(response["Location"]))
    assert "会员当前为「接转中」，不能办理「转出」。" in page
    assert Transfer.objects.count() == 1


def test_cancel_restores_the_member(cast, as_user):
    county = as_user(cast.world.county_admin)
    _issue(county, cast.zhang)
    transfer = Transfer.objects.get(member=cast.zhang)
    detail = _body(county.get(_url("members:detail", cast.zhang)))
    assert "会籍接转中" in detail and transfer.code in detail
    response = county.post(_url("members:transfer_cancel", transfer), {"note": "会员未离职"})
    assert response.status_code == 302
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.CANCELLED
    assert Member.objects.get(pk=cast.zhang.pk).status == "active"
    certificate = _body(county.get(_url("members:transfer_certificate", transfer)))
    assert "已不能再用于办理接收" in certificate and "<svg" not in certificate


def test_accept_with_a_wrong_code_is_a_field_error(cast, as_user):
    response = as_user(cast.world.sibling_admin).post(
        reverse("members:transfer_accept"),
        {"code": "ZJ2345678923", "union": cast.world.sibling_trade.pk},
    )
    assert "接转凭证号「ZJ2345678923」不存在或已办理" in _body(response)


def test_accept_at_the_wrong_union_is_refused(cast, as_user):
    transfer = services.transfer_issue(
        actor=cast.world.county_admin, member=cast.zhang, to_union=cast.world.industry_trade
    )
    response = as_user(cast.world.city_admin).post(
        reverse("members:transfer_accept"),
        {"code": transfer.code, "union": cast.world.sibling_trade.pk},
    )
    assert "该凭证指定转入「平顶山市道路货运行业工会」" in _body(response)
    assert Member.objects.get(pk=cast.zhang.pk).union == cast.world.county_trade


def test_a_foreign_transfer_code_shows_and_says_nothing(cast, as_user):
    # 舞钢 → 工交: 宝丰's cadre holds the code (the probe: 舞钢 read a 宝丰→叶县 transfer).
    transfer = services.transfer_issue(
        actor=cast.world.county_admin, member=cast.zhang, to_union=cast.world.industry_trade
    )
    sibling = as_user(cast.world.sibling_admin)
    accept = reverse("members:transfer_accept")
    pages = {
        code: re.sub(r"[A-Za-z0-9]{64}", "CSRF", _body(sibling.get(accept, {"code": code})))
        for code in (transfer.code, "ZJ0")
    }
    for text in ("张伟", cast.zhang.id_number_masked, cast.zhang.member_number, "舞钢", "道路货运"):
        assert text not in pages[transfer.code]
    assert pages[transfer.code] == pages["ZJ0"].replace("ZJ0", transfer.code)
    posted = {
        code: _body(sibling.post(accept, {"code": code, "union": cast.world.sibling_trade.pk}))
        for code in (transfer.code, "ZJ0")
    }
    assert "不存在或已办理" in posted[transfer.code]
    assert "道路货运" not in posted[transfer.code] and "张伟" not in posted[transfer.code]
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.PENDING


def test_residence_union_select_lists_townships_in_scope(cast, as_user):
    from tests.factories import OrganizationFactory

    township = OrganizationFactory(
        parent=cast.world.county, name="舞钢市垭口街道工会", kind="township", division_code="410481"
    )
    county = as_user(cast.world.county_admin)
    page = _body(county.get(_url("members:transfer_issue", cast.zhang)))
    assert "舞钢市垭口街道工会" in page and "舞钢快递行业工会（" not in page
    _issue(county, cast.zhang, residence_union=township.pk)
    transfer = Transfer.objects.get(member=cast.zhang)
    assert transfer.to_union == township and transfer.hold_at_residence


# --- Dues candidates --------------------------------------------------------------------------


def test_dues_candidates_list_and_link_to_withdraw(world, as_user):
    lapsed = join(
        world.county_admin,
        world.county_trade,
        on=datetime.date(2019, 1, 1),
        name="周强",
        last_dues_paid_on="2019-06-01",
    )
    join(world.county_admin, world.county_trade, name="吴敏")  # joined today: not a candidate
    client = as_user(world.county_admin)
    body = _body(client.get(reverse("members:dues")))
    assert "连续 6 个月未缴会费的会员仅为候选，是否按自动退会处理由工会决定" in body
    assert "周强" in body and "吴敏" not in body
    withdraw = _url("members:withdraw", lapsed)
    assert f"{withdraw}?from=dues" in body
    assert "连续 6 个月未缴纳会费" in _body(client.get(withdraw, {"from": "dues"}))
    assert "周强" not in _body(as_user(world.sibling_admin).get(reverse("members:dues")))


# At a province's scale (issue 20): the search box reads one index per form of search, and the
# list counts at most settings.RUHUI_LIST_COUNT_CAP rows.


@pytest.mark.parametrize(
    ("q", "reads"),
    [("zw", "name_initials"), ("ZW", "name_initials"), ("4104812019", "member_number")],
)
def test_a_search_in_letters_or_digits_reads_one_column(cast, q, reads):
    from ruhui.members.selectors import member_list

    sql = str(member_list(user=cast.world.county_admin, q=q).query)
    where = sql.split("WHERE", 1)[1]
    assert reads in where
    assert '"name"' not in where.replace('"name_initials"', "")
    for other in {"name_initials", "member_number"} - {reads}:
        assert other not in where


def test_a_name_in_latin_letters_is_found_by_its_letters(cast, as_user):
    data = _person(name="John", group="99", is_migrant_worker=False)
    join(cast.world.county_admin, cast.world.county_trade, **data)
    body = _body(_list(as_user(cast.world.county_admin), q="jo"))
    assert "John" in body and _names_in(body) == set()


def _names_in(body: str) -> set[str]:
    return {n for n in ("张伟", "李娜", "陈晓明", "王强") if n in body}


def test_a_long_list_says_more_than_the_cap_and_stops_there(cast, as_user, settings):
    settings.RUHUI_LIST_COUNT_CAP = 2
    body = _body(_list(as_user(cast.world.county_admin)))
    assert "超过 2 条，只列出前 2 条" in body
    assert "共 3 条" not in body
    settings.RUHUI_LIST_COUNT_CAP = 3
    body = _body(_list(as_user(cast.world.county_admin)))
    assert "共 3 条" in body and "超过" not in body
