"""One application on the cadre side: the allowed / read-only / sibling triangle, approving a join
(a member through the registry), rejecting with a reason, the warning about a membership held
already, conversion into a transfer and its two steps across two counties, and refusals that
come back as messages instead of errors."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from ruhui.joining import services
from ruhui.joining.models import Application, ApplicationKind, ApplicationStatus
from ruhui.members.models import ChangeType, Member, MemberStatus
from tests.joining.test_services import form
from tests.members.factories import join, make_id_number, make_phone


def submit(union, **overrides) -> Application:
    return services.application_submit(
        link=services.join_link_for(union), data=form(**overrides), consent=True
    )


def url(name: str, application: Application) -> str:
    return reverse(name, kwargs={"application_pk": application.pk})


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def application(world):
    return submit(world.county_trade, name="李小龙")


# --- the triangle ---------------------------------------------------------------------------


def test_the_deciding_cadre_sees_everything_and_the_buttons(world, as_user, application):
    response = as_user(world.county_admin).get(url("joining:detail", application))
    assert response.status_code == 200
    text = body(response)
    for words in ("李小龙", application.number, "舞钢快递行业工会", "顺丰速运舞钢营业部"):
        assert words in text
    assert application.id_number_masked in text and application.phone_masked in text
    assert services.PRIVACY_NOTICE_VERSION in text
    assert "批准入会" in text and "不予通过" in text
    assert url("joining:approve", application) in text
    assert "提交申请" in text  # the history starts with the submission


def test_read_only_users_see_the_page_without_buttons_and_may_not_post(world, as_user, application):
    client = as_user(world.county_viewer)
    response = client.get(url("joining:detail", application))
    assert response.status_code == 200
    assert "李小龙" in body(response)
    assert url("joining:approve", application) not in body(response)
    assert "您的角色只能查看" in body(response)
    assert client.post(url("joining:approve", application)).status_code == 403
    assert client.post(url("joining:reject", application), {"reason": "x"}).status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING


def test_a_sibling_county_gets_404_everywhere(world, as_user, application):
    client = as_user(world.sibling_admin)
    assert client.get(url("joining:detail", application)).status_code == 404
    assert client.post(url("joining:approve", application)).status_code == 404
    assert client.post(url("joining:reject", application), {"reason": "x"}).status_code == 404
    assert client.get(url("joining:detail", application) + "0").status_code == 404
    assert Member.objects.count() == 0


def test_decisions_are_posts_only(world, as_user, application):
    client = as_user(world.county_admin)
    assert client.get(url("joining:approve", application)).status_code == 405
    assert client.get(url("joining:reject", application)).status_code == 405


# --- approving a join -----------------------------------------------------------------------


def test_approving_a_join_creates_the_member_and_links_to_it(world, as_user, application):
    client = as_user(world.county_admin)
    response = client.post(url("joining:approve", application), follow=True)
    application.refresh_from_db()
    member = application.member
    assert application.status == ApplicationStatus.APPROVED
    assert member.source == services.SOURCE_ONLINE
    assert member.union == world.county_trade
    assert member.member_number
    event = member.events.get()
    assert event.change_type == ChangeType.JOIN
    assert event.effective_on == timezone.localdate()
    assert any(member.member_number in m and "批准" in m for m in flashed(response))
    assert reverse("members:detail", kwargs={"member_pk": member.pk}) in body(response)
    assert url("joining:approve", application) not in body(response)  # no second button


def test_a_city_cadre_may_approve_a_county_application(world, as_user, application):
    as_user(world.city_admin).post(url("joining:approve", application))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED


def test_approving_twice_gives_a_message_and_no_second_member(world, as_user, application):
    client = as_user(world.county_admin)
    client.post(url("joining:approve", application))
    stale = client.post(url("joining:approve", application), follow=True)
    assert stale.status_code == 200
    assert any("已经办理" in m and "不能重复操作" in m for m in flashed(stale))
    assert Member.objects.count() == 1


def test_an_applicant_already_member_here_is_not_registered_twice(world, as_user):
    number = make_id_number()
    member = join(world.county_admin, world.county_trade, name="王芳", id_number=number)
    application = submit(world.county_trade, name="王芳", id_number=number)
    client = as_user(world.county_admin)
    page = body(client.get(url("joining:detail", application)))
    assert "已是本会会员" in page
    assert reverse("members:detail", kwargs={"member_pk": member.pk}) in page
    response = client.post(url("joining:approve", application), follow=True)
    assert any("已是本工会会员" in m for m in flashed(response))
    assert Member.objects.count() == 1
    application.refresh_from_db()
    assert application.member == member


# --- rejecting ------------------------------------------------------------------------------


def test_rejecting_needs_a_reason(world, as_user, application):
    client = as_user(world.county_admin)
    response = client.post(url("joining:reject", application), {"reason": "   "})
    assert response.status_code == 200
    assert services.MSG_REASON_REQUIRED in body(response)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING


def test_rejecting_records_the_reason_the_applicant_sees(world, as_user, application):
    client = as_user(world.county_admin)
    response = client.post(
        url("joining:reject", application), {"reason": "请到户籍地乡镇工会申请"}, follow=True
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert application.decision_reason == "请到户籍地乡镇工会申请"
    assert application.decided_by == world.county_admin
    assert any("不予通过" in m for m in flashed(response))
    assert "请到户籍地乡镇工会申请" in body(response)
    looked_up = services.application_lookup(
        number=application.number, phone_tail=application.phone_tail
    )
    assert looked_up.decision_reason == "请到户籍地乡镇工会申请"
    assert Member.objects.count() == 0


def test_rejecting_a_closed_application_is_a_message(world, as_user, application):
    client = as_user(world.county_admin)
    client.post(url("joining:approve", application))
    response = client.post(url("joining:reject", application), {"reason": "晚了"}, follow=True)
    assert any("不能重复操作" in m for m in flashed(response))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED


# --- a member of another union: conversion and the two transfer steps ------------------------


def test_a_member_elsewhere_becomes_a_transfer_across_two_counties(world, as_user):
    number, phone = make_id_number(), make_phone()
    member = join(world.sibling_admin, world.sibling_trade, name="赵强", id_number=number)
    application = submit(world.county_trade, name="赵强", id_number=number, phone=phone)
    county = as_user(world.county_admin)

    page = body(county.get(url("joining:detail", application)))
    # Before anything is decided the reviewer learns the person is a member elsewhere, not
    # where: an application anyone can file is no lookup of 宝丰's members.
    assert "已是其他工会会员：批准将转为会员关系接转" in page
    assert "宝丰快递行业工会" not in page and member.member_number not in page
    city_page = body(as_user(world.city_admin).get(url("joining:detail", application)))
    assert "已是宝丰快递行业工会会员：批准将转为会员关系接转" in city_page
    county = as_user(world.county_admin)

    response = county.post(url("joining:approve", application), follow=True)
    application.refresh_from_db()
    transfer_app = application.converted_to
    assert application.status == ApplicationStatus.CONVERTED
    assert transfer_app.kind == ApplicationKind.TRANSFER
    assert transfer_app.from_union == world.sibling_trade
    assert any(transfer_app.number in m for m in flashed(response))
    assert Member.objects.count() == 1

    # The sibling county now has the 转出 to do; county A sees it but has no button.
    county_page = body(county.get(url("joining:detail", transfer_app)))
    assert url("joining:approve", transfer_app) not in county_page
    assert "待「宝丰快递行业工会」办理" in county_page
    refused = county.post(url("joining:approve", transfer_app), follow=True)
    assert "由「宝丰快递行业工会」办理" in flashed(refused)[0]
    transfer_app.refresh_from_db()
    assert transfer_app.status == ApplicationStatus.PENDING  # refused with a message

    sibling = as_user(world.sibling_admin)
    assert transfer_app.number in body(sibling.get(reverse("joining:queue")))
    sibling_page = body(sibling.get(url("joining:detail", transfer_app)))
    assert "同意转出" in sibling_page
    sibling.post(url("joining:approve", transfer_app))
    transfer_app.refresh_from_db()
    member.refresh_from_db()
    assert transfer_app.status == ApplicationStatus.AWAITING_IN
    assert member.status == MemberStatus.TRANSFERRING
    assert member.union == world.sibling_trade

    county = as_user(world.county_admin)
    assert transfer_app.number in body(county.get(reverse("joining:queue")))
    assert "接收转入" in body(county.get(url("joining:detail", transfer_app)))
    response = county.post(url("joining:approve", transfer_app), follow=True)
    transfer_app.refresh_from_db()
    member.refresh_from_db()
    assert transfer_app.status == ApplicationStatus.COMPLETED
    assert member.union == world.county_trade
    assert member.status == MemberStatus.ACTIVE
    assert Member.objects.filter(id_number_hash=member.id_number_hash).count() == 1
    assert any("已转入" in m for m in flashed(response))
    assert reverse("members:detail", kwargs={"member_pk": member.pk}) in body(response)
    types = list(member.events.order_by("id").values_list("change_type", flat=True))
    assert types == [ChangeType.JOIN, ChangeType.TRANSFER_OUT, ChangeType.TRANSFER_IN]


def test_the_new_union_may_refuse_the_transfer_in(world, as_user):
    member = join(world.sibling_admin, world.sibling_trade, name="钱多")
    transfer_app = services.transfer_request_submit(
        member=member, to_union=world.county_trade, link=None, consent=True
    )
    services.application_approve(actor=world.sibling_admin, application=transfer_app)
    client = as_user(world.county_admin)
    assert "不予接收" in body(client.get(url("joining:detail", transfer_app)))
    client.post(url("joining:reject", transfer_app), {"reason": "新单位不在本会服务范围"})
    transfer_app.refresh_from_db()
    member.refresh_from_db()
    assert transfer_app.status == ApplicationStatus.REJECTED
    assert member.union == world.sibling_trade
    assert member.status == MemberStatus.ACTIVE


def test_other_applications_of_the_same_person_are_listed(world, as_user):
    number = make_id_number()
    first = submit(world.county_trade, id_number=number)
    second = submit(world.county_enterprise, id_number=number)
    elsewhere = submit(world.sibling_trade, id_number=number)
    page = body(as_user(world.county_admin).get(url("joining:detail", first)))
    assert second.number in page
    assert elsewhere.number not in page  # outside the jurisdiction


def test_the_history_shows_the_decisions(world, as_user, application):
    client = as_user(world.county_admin)
    client.post(url("joining:reject", application), {"reason": "资料不全"})
    page = body(client.get(url("joining:detail", application)))
    assert "提交申请" in page
    assert "审核结果：未通过" in page and "原因：资料不全" in page
    assert world.county_admin.display_name in page


def test_an_empty_reason_on_someone_elses_step_is_a_message(world, as_user):
    member = join(world.sibling_admin, world.sibling_trade, name="孙立")
    transfer_app = services.transfer_request_submit(
        member=member, to_union=world.county_trade, link=None, consent=True
    )
    client = as_user(world.county_admin)  # sees it (the new union) but 转出 is the sibling's
    response = client.post(url("joining:reject", transfer_app), {"reason": ""}, follow=True)
    assert response.status_code == 200
    assert services.MSG_REASON_REQUIRED in flashed(response)
    response = client.post(url("joining:reject", transfer_app), {"reason": "不接收"}, follow=True)
    assert "这一步（原工会同意转出）由「宝丰快递行业工会」办理" in flashed(response)[0]
    transfer_app.refresh_from_db()
    assert transfer_app.status == ApplicationStatus.PENDING
