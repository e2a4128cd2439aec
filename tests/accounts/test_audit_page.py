"""The audit page (issue 15 item 3): each change in words with old and new side by side, the
action and the object's type in Chinese; filters by object, user, action and local dates, a
bad filter named in Chinese; scoped to the jurisdiction as before; a fixed number of queries
per page whatever the number of events shown."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ruhui.accounts.models import User
from ruhui.audit.models import AuditEvent
from ruhui.audit.services import audit_record
from ruhui.members import services as member_services
from ruhui.orgs.services import organization_deactivate, organization_update
from tests.members.factories import join, make_phone

URL = reverse("accounts:audit")
CHINA = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def audited(world):
    """County A: two unions edited by its admin, a login of its viewer; county B: one edit."""
    User.objects.filter(pk=world.county_admin.pk).update(full_name="赵审计")
    User.objects.filter(pk=world.county_viewer.pk).update(full_name="钱只读")
    organization_update(
        actor=world.county_admin, organization=world.county_trade, data={"chair_name": "王舞钢"}
    )
    organization_deactivate(
        actor=world.county_admin, organization=world.county_enterprise, reason="企业注销"
    )
    audit_record(actor=world.county_viewer, action=AuditEvent.Action.LOGIN)
    organization_update(
        actor=world.sibling_admin, organization=world.sibling_trade, data={"chair_name": "李宝丰"}
    )
    return world


def page(client, **params) -> str:
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def rows(html: str) -> list[str]:
    """The event rows of the page's table (each row's HTML, nested change table included)."""
    body = re.search(
        r'<table class="table audit-log">.*?<tbody>(.*)</tbody>\s*</table></div>', html, re.S
    )
    if body is None:
        return []
    return re.findall(r"\n    <tr>(.*?)\n    </tr>", body.group(1), re.S)


def change_row(label: str, old: str, new: str) -> re.Pattern:
    return re.compile(
        rf'<th scope="row">{re.escape(label)}</th>\s*<td>{re.escape(old)}</td><td>{re.escape(new)}</td>'
    )


def action_of(row: str) -> str:
    """The action column: the second of the row's `nowrap` cells (after the time)."""
    return re.findall(r'<td class="nowrap">([^<]*)</td>', row)[1]


def errors(html: str) -> list[str]:
    block = re.search(r'<div class="form-errors" role="alert">(.*?)</div>', html, re.S)
    return re.findall(r"<p>(.*?)</p>", block.group(1), re.S) if block else []


# --- What a row shows ------------------------------------------------------------------------


def test_a_change_shows_label_old_and_new_side_by_side(audited, as_user):
    html = page(as_user(audited.county_admin))
    assert "<th>变更内容（原值 → 新值）</th>" in html
    assert change_row("工会主席", "—", "王舞钢").search(html)
    assert change_row("有效", "是", "否").search(html)
    assert change_row("撤销原因", "—", "企业注销").search(html)
    assert "chair_name" not in html
    assert "is_active" not in html
    assert "True" not in html and "False" not in html


def test_a_row_shows_the_action_in_chinese_and_the_object_with_its_type(audited, as_user):
    (row,) = [r for r in rows(page(as_user(audited.county_admin))) if "企业注销" in r]
    assert '<td class="nowrap">撤销</td>' in row
    assert '<span class="badge badge-kind">工会组织</span> 舞钢顺达物流有限公司工会' in row
    assert "county_admin（赵审计）" in row
    assert '<span class="badge badge-ok">成功</span>' in row
    link = f"?object_type=orgs.organization&amp;object_id={audited.county_enterprise.pk}"
    assert link in row


def test_a_corrected_phone_number_shows_only_that_it_changed(world, as_user):
    member = join(world.county_admin, world.county_trade)
    new_phone = make_phone()
    member_services.member_update(
        actor=world.county_admin, member=member, data={"phone": new_phone}
    )
    html = page(as_user(world.county_admin))
    assert re.search(r'<th scope="row">手机号码</th>\s*<td colspan="2">已修改', html)
    assert new_phone not in html
    assert new_phone[-4:] + "<" not in html
    assert "已更正" not in html and "***" not in html


def test_a_failed_action_is_marked_in_chinese(world, as_user):
    audit_record(
        actor=world.county_admin,
        action=AuditEvent.Action.EXPORT,
        object_repr="会员名册",
        result="failed",
        changes={"错误": [None, "OSError"]},
    )
    html = page(as_user(world.county_admin))
    assert '<span class="badge badge-warn">失败</span>' in html


# --- Filters ---------------------------------------------------------------------------------


def test_filter_by_object_type_and_number(audited, as_user):
    html = page(
        as_user(audited.county_admin),
        object_type="orgs.organization",
        object_id=audited.county_trade.pk,
    )
    assert len(rows(html)) == 1
    assert "王舞钢" in html
    assert "企业注销" not in html


def test_filter_by_part_of_the_objects_name(audited, as_user):
    html = page(as_user(audited.county_admin), object_text="顺达")
    assert len(rows(html)) == 1
    assert "企业注销" in html


def test_filter_by_object_type_alone(audited, as_user):
    html = page(as_user(audited.county_admin), object_type="orgs.organization")
    assert len(rows(html)) == 2
    assert rows(page(as_user(audited.county_admin), object_type="members.member")) == []


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("county_viewer", {"登录"}),
        ("viewer", {"登录"}),  # part of the account name
        ("钱只读", {"登录"}),  # the person's name
        ("赵审", {"修改", "撤销", "登录"}),  # the page's own sign-in is audited too
        ("nobody", set()),
    ],
)
def test_filter_by_user(audited, as_user, actor, expected):
    html = page(as_user(audited.county_admin), actor=actor)
    assert {action_of(r) for r in rows(html)} == expected


def test_filter_by_action(audited, as_user):
    html = page(as_user(audited.county_admin), action=AuditEvent.Action.DEACTIVATE)
    assert len(rows(html)) == 1
    assert "企业注销" in html


def at_local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=CHINA)


@pytest.fixture
def dated(world):
    """Events in county A at local times around midnight of 1/2 March 2026."""
    for repr_, moment in [
        ("二月底", at_local(1, 0, 0) - dt.timedelta(minutes=1)),
        ("三月一日清晨", at_local(1, 0, 30)),  # 28 Feb 16:30 UTC
        ("三月一日深夜", at_local(1, 23, 59)),
        ("三月二日凌晨", at_local(2, 0, 30)),  # 1 March 16:30 UTC
    ]:
        AuditEvent.objects.create(
            action=AuditEvent.Action.EXPORT,
            actor_username="county_admin",
            object_repr=repr_,
            org_path=world.county.path,
            at=moment,
        )
    return world


def shown_objects(html: str) -> set[str]:
    return {
        name for name in ("二月底", "三月一日清晨", "三月一日深夜", "三月二日凌晨") if name in html
    }


def test_filter_by_local_dates_includes_both_ends(dated, as_user):
    html = page(as_user(dated.county_admin), date_from="2026-03-01", date_to="2026-03-01")
    assert shown_objects(html) == {"三月一日清晨", "三月一日深夜"}
    html = page(as_user(dated.county_admin), date_from="2026-03-02")
    assert shown_objects(html) == {"三月二日凌晨"}
    html = page(as_user(dated.county_admin), date_to="2026-02-28")
    assert shown_objects(html) == {"二月底"}


def test_event_times_and_values_are_shown_in_local_time(dated, as_user):
    html = page(as_user(dated.county_admin), object_text="三月二日凌晨")
    assert "2026-03-02 00:30:00" in html


def test_an_end_date_before_the_start_date_is_named_and_not_applied(dated, as_user):
    html = page(as_user(dated.county_admin), date_from="2026-03-02", date_to="2026-03-01")
    assert errors(html) == [
        "截止日期：截止日期（2026-03-01）不能早于起始日期（2026-03-02），请核对。（此条件未生效）"
    ]
    assert shown_objects(html) == {"三月二日凌晨"}  # the start date still applies


@pytest.mark.parametrize(
    ("params", "label"),
    [
        ({"date_from": "2026-02-30"}, "起始日期"),
        ({"date_to": "昨天"}, "截止日期"),
        ({"action": "purge"}, "操作"),
        ({"object_type": "auth.permission"}, "对象类型"),
        ({"object_id": "7"}, "对象编号"),
    ],
)
def test_bad_filter_input_is_named_in_chinese(dated, as_user, params, label):
    html = page(as_user(dated.county_admin), **params)
    (message,) = errors(html)
    assert message.startswith(f"{label}：")
    assert message.endswith("（此条件未生效）")
    assert len(shown_objects(html)) == 4  # nothing else was filtered away


def test_a_number_without_its_object_type_says_why(audited, as_user):
    html = page(as_user(audited.county_admin), object_id=audited.county_trade.pk)
    assert errors(html) == [
        "对象编号：请同时选择对象类型：编号只在同一类对象中唯一。（此条件未生效）"
    ]


# --- Scope -----------------------------------------------------------------------------------


def test_a_sibling_county_sees_none_of_the_others_events_even_by_filter(audited, as_user):
    client = as_user(audited.sibling_admin)
    html = page(client)
    assert "李宝丰" in html
    for text in ("王舞钢", "舞钢", "企业注销", "county_admin", "county_viewer", "赵审计"):
        assert text not in html
    for params in (
        {"object_type": "orgs.organization", "object_id": audited.county_trade.pk},
        {"object_text": "舞钢"},
        {"actor": "county_admin"},
        {"action": AuditEvent.Action.DEACTIVATE},
    ):
        assert rows(page(client, **params)) == []


def test_the_city_sees_both_counties_events(audited, as_user):
    html = page(as_user(audited.city_admin))
    assert "王舞钢" in html and "李宝丰" in html


# --- Queries ---------------------------------------------------------------------------------


def add_events(world, n: int) -> None:
    """n events of several types whose changes name related records by id and by code."""
    orgs = [world.county_trade, world.county_enterprise, world.county]
    for i in range(n):
        audit_record(
            actor=world.county_admin if i % 2 else world.county_viewer,
            action=AuditEvent.Action.UPDATE,
            obj=world.county_viewer,
            changes={
                "organization": [orgs[i % 3].pk, orgs[(i + 1) % 3].pk],
                "role": ["readonly", "clerk"],
            },
        )
        audit_record(
            actor=world.county_admin,
            action=AuditEvent.Action.UPDATE,
            obj=world.county_trade,
            changes={
                "groups": [[], [1, 2]],
                "kind": ["trade", "enterprise"],
                "has_rules": [False, True],
            },
        )


def queries_for_page(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        html = page(client)
    return len(captured), html


def test_the_number_of_queries_does_not_grow_with_the_events_shown(world, as_user):
    client = as_user(world.county_admin)
    add_events(world, 1)
    page(client)  # warm up: session, caches
    few, html = queries_for_page(client)
    assert 2 <= len(rows(html)) < 10
    add_events(world, 24)
    many, html = queries_for_page(client)
    assert len(rows(html)) == 50  # a full page
    assert "舞钢快递行业工会" in html and "录入员" in html
    assert many == few
