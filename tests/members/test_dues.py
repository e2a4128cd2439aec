"""Dues for many members at once: the service (all or nothing, scoped, forward only, one audit
row, no membership event — dues are no membership change, as on the edit form), and the page
flow from the 会费候选 page and the roster: tick, choose the date, confirm."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ruhui.audit.models import AuditEvent
from ruhui.members import services
from ruhui.members.models import Member, MembershipEvent, MemberStatus
from tests.members.factories import join

JOINED = datetime.date(2019, 5, 10)
PAID = datetime.date(2026, 1, 15)


@pytest.fixture
def dues(world):
    a = world.county_admin
    return SimpleNamespace(
        world=world,
        zhang=join(a, world.county_trade, on=JOINED, name="张伟"),
        li=join(a, world.county_enterprise, on=JOINED, name="李娜"),
        chen=join(a, world.county_trade, on=JOINED, name="陈晓明"),
        wang=join(world.sibling_admin, world.sibling_trade, on=JOINED, name="王强"),
    )


def _dues_dates(*members) -> list:
    return [Member.objects.get(pk=m.pk).last_dues_paid_on for m in members]


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}


# --- the service ----------------------------------------------------------------------------


def test_many_members_recorded_at_once(dues):
    events = MembershipEvent.objects.count()
    audits = AuditEvent.objects.count()
    done = services.dues_record_many(
        actor=dues.world.county_admin, members=[dues.zhang, dues.li, dues.chen.pk], paid_on=PAID
    )
    assert (done.recorded, done.unchanged, done.paid_on) == (3, 0, PAID)
    assert _dues_dates(dues.zhang, dues.li, dues.chen) == [PAID, PAID, PAID]
    # Dues are no membership change: no event (the edit form writes none either).
    assert MembershipEvent.objects.count() == events
    # One audit row for the call, naming the date and the count, under the county.
    assert AuditEvent.objects.count() == audits + 1
    row = AuditEvent.objects.latest("id")
    assert row.actor == dues.world.county_admin
    assert row.changes["最近缴纳会费日期"] == [None, "2026-01-15"]
    assert row.changes["记录人数"] == [None, 3]
    assert sorted(row.changes["会员号"][1]) == sorted(
        m.member_number for m in (dues.zhang, dues.li, dues.chen)
    )
    assert row.org_path == dues.world.county.path  # the two unions' common parent


def test_the_last_dues_date_only_moves_forward(dues):
    later = datetime.date(2026, 3, 1)
    services.dues_record_many(actor=dues.world.county_admin, members=[dues.li], paid_on=later)
    done = services.dues_record_many(
        actor=dues.world.county_admin, members=[dues.zhang, dues.li], paid_on=PAID
    )
    assert (done.recorded, done.unchanged) == (1, 1)
    assert _dues_dates(dues.zhang, dues.li) == [PAID, later]


def test_a_foreign_member_refuses_the_whole_batch(dues):
    audits = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.dues_record_many(
            actor=dues.world.county_admin, members=[dues.zhang, dues.wang], paid_on=PAID
        )
    message = _errors(caught.value)["members"][0]
    assert "1 名不在您的管辖范围内" in message and "没有记录任何会费" in message
    assert "王强" not in message  # nothing learnt about the other county's member
    assert _dues_dates(dues.zhang, dues.wang) == [None, None]
    assert AuditEvent.objects.count() == audits


def test_an_unknown_member_refuses_the_whole_batch(dues):
    with pytest.raises(ValidationError) as caught:
        services.dues_record_many(
            actor=dues.world.county_admin, members=[dues.zhang.pk, 999_999], paid_on=PAID
        )
    assert "members" in _errors(caught.value)
    assert _dues_dates(dues.zhang) == [None]


def test_an_ended_membership_refuses_the_whole_batch(dues):
    services.member_withdraw(actor=dues.world.county_admin, member=dues.chen, on=PAID)
    with pytest.raises(ValidationError) as caught:
        services.dues_record_many(
            actor=dues.world.county_admin, members=[dues.zhang, dues.chen], paid_on=PAID
        )
    assert "「陈晓明」已退会或除名" in _errors(caught.value)["members"][0]
    assert _dues_dates(dues.zhang, dues.chen) == [None, None]


def test_retained_and_transferring_members_may_pay(dues):
    a = dues.world.county_admin
    services.member_retain(actor=a, member=dues.zhang, on=PAID)
    services.transfer_issue(actor=a, member=dues.li, on=PAID)
    done = services.dues_record_many(actor=a, members=[dues.zhang, dues.li], paid_on=PAID)
    assert done.recorded == 2
    assert [Member.objects.get(pk=m.pk).status for m in (dues.zhang, dues.li)] == [
        MemberStatus.RETAINED,
        MemberStatus.TRANSFERRING,
    ]
    assert _dues_dates(dues.zhang, dues.li) == [PAID, PAID]


def test_bad_input_is_named_by_field(dues):
    a = dues.world.county_admin
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.dues_record_many(actor=a, members=[dues.zhang], paid_on=tomorrow)
    assert _errors(caught.value)["paid_on"][0].startswith("缴纳会费日期不能晚于今天")
    with pytest.raises(ValidationError) as caught:
        services.dues_record_many(actor=a, members=[], paid_on=None)
    assert _errors(caught.value) == {
        "members": ["请至少勾选一名会员。"],
        "paid_on": ["请填写缴纳会费日期。"],
    }
    with pytest.raises(ValidationError) as caught:
        services.dues_record_many(actor=a, members=[dues.zhang], paid_on=datetime.date(2019, 1, 1))
    assert "早于「张伟」的入会日期" in _errors(caught.value)["paid_on"][0]
    assert _dues_dates(dues.zhang) == [None]


def test_the_query_count_does_not_grow_with_the_batch(world):
    a = world.county_admin
    few = [join(a, world.county_trade, on=JOINED) for _ in range(2)]
    many = [join(a, world.county_trade, on=JOINED) for _ in range(20)]

    def queries(members):
        with CaptureQueriesContext(connection) as ctx:
            services.dues_record_many(actor=a, members=members, paid_on=PAID)
        return len(ctx.captured_queries)

    assert queries(many) == queries(few)


# --- the pages ------------------------------------------------------------------------------


def _post(client, members, paid_on=PAID, confirm=False, next_url=None):
    data = {
        "members": [m.pk for m in members],
        "paid_on": paid_on.isoformat() if paid_on else "",
        "next": next_url or reverse("members:dues"),
    }
    if confirm:
        data["confirm"] = "1"
    return client.post(reverse("members:dues_record"), data)


def test_candidates_page_offers_ticking_and_a_date(dues, as_user):
    body = as_user(dues.world.county_admin).get(reverse("members:dues")).content.decode()
    assert f'action="{reverse("members:dues_record")}"' in body
    assert f'name="members" value="{dues.zhang.pk}"' in body
    assert 'name="paid_on"' in body and 'data-select-all="members"' in body
    assert "members/select.js" in body and "<script>" not in body


def test_roster_offers_ticking_for_held_members_only(dues, as_user):
    services.member_withdraw(actor=dues.world.county_admin, member=dues.chen, on=PAID)
    body = as_user(dues.world.county_admin).get(reverse("members:list")).content.decode()
    assert f'name="members" value="{dues.zhang.pk}"' in body
    assert f'name="members" value="{dues.chen.pk}"' not in body


def test_read_only_role_sees_no_ticking_and_is_refused_403(dues, as_user):
    client = as_user(dues.world.county_viewer)
    for page in ("members:dues", "members:list"):
        assert 'name="members"' not in client.get(reverse(page)).content.decode()
    response = _post(client, [dues.zhang], confirm=True)
    assert response.status_code == 403
    assert _dues_dates(dues.zhang) == [None]


def test_page_flow_tick_choose_the_date_confirm(dues, as_user):
    client = as_user(dues.world.county_admin)
    back = reverse("members:dues") + "?page=1"
    # 1. Ticked rows and a date: a page to check them, nothing written yet.
    response = _post(client, [dues.zhang, dues.li], next_url=back)
    assert response.status_code == 200
    body = response.content.decode()
    assert "张伟" in body and "李娜" in body and "陈晓明" not in body
    assert 'name="confirm" value="1"' in body and "记为 2026-01-15" in body
    assert _dues_dates(dues.zhang, dues.li) == [None, None]
    # 2. Confirmed: recorded, back to the page it came from, with a message.
    response = _post(client, [dues.zhang, dues.li], confirm=True, next_url=back)
    assert response.status_code == 302 and response["Location"] == back
    assert _dues_dates(dues.zhang, dues.li) == [PAID, PAID]
    body = client.get(back).content.decode()
    assert "已为 2 名会员记录 2026-01-15 缴纳的会费。" in body


def test_page_without_a_ticked_member_says_so(dues, as_user):
    response = _post(as_user(dues.world.county_admin), [], confirm=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "会员：请至少勾选一名会员。" in body
    assert 'name="confirm"' not in body


def test_page_with_a_future_date_names_the_field_and_writes_nothing(dues, as_user):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = _post(as_user(dues.world.county_admin), [dues.zhang], tomorrow, confirm=True)
    body = response.content.decode()
    assert re.search(r'class="field-error"[^>]*><p>缴纳会费日期不能晚于今天', body)
    assert 'name="confirm"' not in body
    assert _dues_dates(dues.zhang) == [None]


def test_page_with_a_forged_foreign_member_writes_nothing(dues, as_user):
    response = _post(as_user(dues.world.county_admin), [dues.zhang, dues.wang], confirm=True)
    body = response.content.decode()
    assert "不在您的管辖范围内" in body and "王强" not in body
    assert _dues_dates(dues.zhang, dues.wang) == [None, None]


def test_sibling_county_cannot_record_for_our_members(dues, as_user):
    response = _post(as_user(dues.world.sibling_admin), [dues.zhang], confirm=True)
    body = response.content.decode()
    assert response.status_code == 200 and "张伟" not in body
    assert _dues_dates(dues.zhang) == [None]


def test_page_returns_only_to_its_own_pages(dues, as_user):
    client = as_user(dues.world.county_admin)
    for forged in ("https://evil.example/", "//evil.example/", "/accounts/users/"):
        response = _post(client, [dues.zhang], confirm=True, next_url=forged)
        assert response["Location"] == reverse("members:dues")
    roster = reverse("members:list") + "?status=held"
    assert _post(client, [dues.li], confirm=True, next_url=roster)["Location"] == roster


def test_record_page_refuses_get(dues, as_user):
    assert as_user(dues.world.county_admin).get(reverse("members:dues_record")).status_code == 405
