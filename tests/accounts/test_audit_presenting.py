"""The audit log as a cadre reads it (audit.presenting, issue 15 item 3): field labels, choice
labels, 是/否, lists joined with 、, local times, related records by name (deleted ones by
number), personal data never shown, keys already in Chinese kept — from rows the services
really write where they exist, else from rows shaped as `audit_record` stores them."""

import datetime as dt

import pytest

from ruhui.accounts import services as account_services
from ruhui.accounts.models import Role
from ruhui.audit.models import AuditEvent
from ruhui.audit.presenting import object_type_choices, present_event, present_events
from ruhui.audit.services import audit_record
from ruhui.members import services as member_services
from ruhui.orgs.choices import OrgKind
from ruhui.orgs.models import Organization, WorkerGroup
from ruhui.orgs.services import (
    organization_deactivate,
    organization_move,
    organization_update,
)
from tests.factories import OrganizationFactory
from tests.members.factories import join, make_id_number, make_phone


def changes_of(event: AuditEvent) -> dict:
    """{label: (old, new)} of an event as shown; a hidden change as (None, shown text)."""
    shown = present_event(event)
    return {c.label: (None, c.new) if c.hidden else (c.old, c.new) for c in shown.changes}


def last_event() -> AuditEvent:
    return AuditEvent.objects.select_related("actor").order_by("-id").first()


# --- Labels ----------------------------------------------------------------------------------


def test_model_field_names_are_shown_as_their_verbose_names(world):
    organization_update(
        actor=world.county_admin,
        organization=world.county_trade,
        data={"chair_name": "王舞钢", "uscc": "81410481MC1234567H"},
    )
    event = last_event()
    assert set(event.changes) == {"chair_name", "uscc"}  # stored as field names, unchanged
    shown = changes_of(event)
    assert shown == {
        "工会主席": ("—", "王舞钢"),
        "统一社会信用代码": ("—", "81410481MC1234567H"),
    }


def test_keys_already_in_chinese_are_shown_as_they_are(world):
    member = join(world.county_admin, world.county_trade)
    shown = changes_of(last_event())
    # Stored as the service wrote them, listed in the model's field order (on any database).
    assert list(shown) == ["所在工会", "会员号", "来源"]
    assert shown["会员号"] == ("—", member.member_number)
    assert shown["所在工会"] == ("—", "舞钢快递行业工会")


def test_a_move_shows_the_parent_as_the_superior_union(world):
    organization_move(
        actor=world.city_admin, organization=world.county_enterprise, new_parent=world.county_trade
    )
    event = last_event()
    assert event.changes == {"parent": ["舞钢市总工会", "舞钢快递行业工会"]}
    assert changes_of(event) == {"上级组织": ("舞钢市总工会", "舞钢快递行业工会")}
    assert present_event(event).action == "移动"


def test_an_unknown_key_falls_back_to_itself(world):
    event = audit_record(
        actor=world.county_admin,
        action=AuditEvent.Action.UPDATE,
        obj=world.county_trade,
        changes={"no_such_field": ["a", "b"]},
    )
    assert changes_of(event) == {"no_such_field": ("a", "b")}


def test_an_event_of_an_unknown_type_shows_its_keys_and_values_plainly(world):
    event = AuditEvent.objects.create(
        action=AuditEvent.Action.UPDATE,
        object_type="gone.model",
        object_repr="旧记录",
        changes={"name": ["甲", "乙"]},
    )
    shown = present_event(event)
    assert (shown.object_type, shown.object) == ("gone.model", "旧记录")
    assert [(c.label, c.old, c.new) for c in shown.changes] == [("name", "甲", "乙")]


def test_action_and_object_type_are_shown_in_chinese(world):
    organization_deactivate(
        actor=world.county_admin, organization=world.county_enterprise, reason="企业注销"
    )
    shown = present_event(last_event())
    assert shown.action == "撤销"
    assert shown.object_type == "工会组织"
    assert shown.object == "舞钢顺达物流有限公司工会"
    assert shown.actor == f"county_admin（{world.county_admin.full_name}）"
    assert shown.result == "成功"
    assert changes_of(shown.event) == {"有效": ("是", "否"), "撤销原因": ("—", "企业注销")}


# --- Values ----------------------------------------------------------------------------------


def test_choice_codes_are_shown_as_their_labels_also_under_a_chinese_key(world):
    member = join(world.county_admin, world.county_trade)
    member_services.member_update(actor=world.county_admin, member=member, data={"group": "02"})
    event = last_event()
    assert event.changes == {"八大群体类别": ["99", "02"]}  # codes as stored
    assert changes_of(event) == {"八大群体类别": ("非八大群体", "快递员")}


def test_choice_fields_of_the_model_show_labels(world):
    organization_update(
        actor=world.county_admin, organization=world.county_trade, data={"industry": "G"}
    )
    assert changes_of(last_event()) == {"所属行业": ("—", "交通运输、仓储和邮政业")}


def test_booleans_are_shown_as_yes_or_no(world):
    member = join(world.county_admin, world.county_trade)
    member_services.member_update(
        actor=world.county_admin, member=member, data={"is_migrant_worker": True}
    )
    assert changes_of(last_event()) == {"是否农民工": ("否", "是")}


def test_lists_are_joined_with_the_chinese_enumeration_comma(world):
    groups = WorkerGroup.objects.filter(code__in=["01", "02"])
    organization_update(
        actor=world.county_admin, organization=world.county_trade, data={}, groups=groups
    )
    event = last_event()
    assert event.changes == {"groups": [[], ["快递员", "货车司机"]]}
    assert changes_of(event) == {"覆盖群体": ("—", "快递员、货车司机")}


def test_list_items_that_are_choice_codes_are_shown_as_labels(world):
    event = audit_record(
        actor=world.county_admin,
        action=AuditEvent.Action.UPDATE,
        obj=world.county_trade,
        changes={"kind": [[OrgKind.TRADE], [OrgKind.TRADE, OrgKind.ENTERPRISE]]},
    )
    trade, enterprise = OrgKind.TRADE.label, OrgKind.ENTERPRISE.label
    assert changes_of(event) == {"组织形式": (trade, f"{trade}、{enterprise}")}


def test_nested_lists_and_mappings_stay_readable(world):
    event = audit_record(
        actor=world.county_admin,
        action=AuditEvent.Action.UPDATE,
        obj=world.county_trade,
        changes={"合计": [None, [120, 30]], "各单位（基数, 任务）": {"7": [[10, 2], [12, 3]]}},
    )
    assert changes_of(event) == {
        "合计": ("—", "120、30"),
        "各单位（基数, 任务）": ("—", "7：（10、2）、（12、3）"),
    }


def test_empty_values_are_shown_as_a_dash(world):
    event = audit_record(
        actor=world.county_admin,
        action=AuditEvent.Action.UPDATE,
        obj=world.county_trade,
        changes={"address": [None, ""], "groups": [[], {}]},
    )
    assert changes_of(event) == {"地址": ("—", "—"), "覆盖群体": ("—", "—")}


def test_dates_stay_dates_and_datetimes_are_shown_in_local_time(world):
    utc = dt.UTC
    event = audit_record(
        actor=world.county_admin,
        action=AuditEvent.Action.UPDATE,
        obj=world.county_trade,
        changes={
            "founded_on": [None, dt.date(2024, 5, 1)],
            # 16:30 UTC on 1 March is 00:30 on 2 March in China.
            "deactivated_at": [None, dt.datetime(2026, 3, 1, 16, 30, 15, tzinfo=utc)],
            "清理截止时间": [None, dt.datetime(2026, 3, 1, 1, 5, tzinfo=utc)],
        },
    )
    assert event.changes["deactivated_at"][1] == "2026-03-01T16:30:15+00:00"  # as stored
    assert changes_of(event) == {
        "建会日期": ("—", "2024-05-01"),
        "撤销时间": ("—", "2026-03-02 00:30"),
        "清理截止时间": ("—", "2026-03-01 09:05"),
    }


def test_related_record_ids_are_shown_by_name_and_deleted_ones_by_number(world):
    gone = OrganizationFactory(parent=world.county, name="已并入的工会", code="WG-GONE")
    gone_pk = gone.pk
    Organization.objects.filter(pk=gone_pk).delete()
    groups = list(WorkerGroup.objects.filter(code__in=["01", "02"]).order_by("code"))
    user_event = audit_record(
        actor=world.county_admin,
        action=AuditEvent.Action.UPDATE,
        obj=world.county_viewer,
        changes={"organization": [gone_pk, world.county_trade.pk]},
    )
    org_event = audit_record(
        actor=world.county_admin,
        action=AuditEvent.Action.UPDATE,
        obj=world.county_trade,
        changes={"groups": [[], [g.pk for g in groups]]},
    )
    assert changes_of(user_event) == {"所属组织": (f"编号 {gone_pk}（已删除）", "舞钢快递行业工会")}
    assert changes_of(org_event) == {"覆盖群体": ("—", "货车司机、快递员")}


def test_names_of_related_records_are_read_in_one_query_per_model(world, django_assert_num_queries):
    orgs = [world.county_trade, world.county_enterprise, world.county]
    events = [
        audit_record(
            actor=world.county_admin,
            action=AuditEvent.Action.UPDATE,
            obj=world.county_viewer,
            changes={"organization": [orgs[i % 3].pk, orgs[(i + 1) % 3].pk]},
        )
        for i in range(12)
    ]
    events = list(AuditEvent.objects.filter(pk__in=[e.pk for e in events]))
    with django_assert_num_queries(1):
        shown = present_events(events)
    assert {c.new for s in shown for c in s.changes} == {o.name for o in orgs}


# --- Personal data and passwords are never shown ---------------------------------------------


def test_a_corrected_phone_or_id_number_is_shown_only_as_changed(world):
    member = join(world.county_admin, world.county_trade)
    member_services.member_update(
        actor=world.county_admin,
        member=member,
        data={"phone": make_phone(), "id_number": make_id_number()},
    )
    event = last_event()
    assert set(event.changes) == {"证件号码", "手机号码"}
    shown = present_event(event).changes
    assert [(c.label, c.hidden, c.old, c.new) for c in shown] == [
        ("证件号码", True, "", "已修改"),
        ("手机号码", True, "", "已修改"),
    ]


@pytest.mark.parametrize(
    "key",
    ["phone", "id_number", "phone_masked", "id_number_encrypted", "id_number_hash", "phone_tail"],
)
def test_a_stored_value_of_an_encrypted_or_masked_field_is_never_shown(world, key):
    member = join(world.county_admin, world.county_trade)
    secret_old, secret_new = "13800001234", "13900005678"
    event = audit_record(
        actor=world.county_admin,
        action=AuditEvent.Action.UPDATE,
        obj=member,
        changes={key: [secret_old, secret_new]},
    )
    (change,) = present_event(event).changes
    assert change.hidden
    assert secret_old not in repr(change)
    assert secret_new not in repr(change)
    assert change.new == "已修改"


def test_personal_data_keys_stay_hidden_whatever_the_object_type(world):
    number = make_id_number()
    event = audit_record(
        actor=world.county_admin,
        action=AuditEvent.Action.EXPORT,
        object_repr="会员名册",
        changes={
            "证件号码": [None, number],
            "手机号码": [None, "13800001234"],
            "格式": [None, "csv"],
        },
    )
    shown = {c.label: c for c in present_event(event).changes}
    assert shown["证件号码"].hidden and shown["手机号码"].hidden
    assert number not in repr(shown) and "13800001234" not in repr(shown)
    assert (shown["格式"].hidden, shown["格式"].new) == (False, "csv")


def test_password_changes_are_shown_only_as_changed(world):
    account_services.user_reset_password(actor=world.county_admin, user=world.county_viewer)
    (change,) = present_event(last_event()).changes
    assert (change.label, change.hidden, change.new) == ("密码", True, "已修改")


# --- The object types a cadre can filter by --------------------------------------------------


def test_object_types_to_filter_by_are_the_jurisdiction_records_in_chinese():
    choices = dict(object_type_choices())
    assert choices["orgs.organization"] == "工会组织"
    assert choices["members.member"] == "会员"
    assert choices["accounts.user"] == "用户"
    assert "audit.auditevent" not in choices
    assert "orgs.workergroup" not in choices  # reference data, not anybody's record


def test_a_role_change_shows_role_labels(world):
    v = world.county_viewer
    account_services.user_update(
        actor=world.county_admin,
        user=v,
        full_name=v.full_name,
        organization=v.organization,
        role=Role.CLERK,
        is_active=True,
    )
    assert changes_of(last_event()) == {"角色": ("只读", "录入员")}
