"""The ledger's rules: every refusal in Chinese naming its field, the jurisdiction of the union,
position and project, and the audit row of each write."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ruhui.audit.models import AuditEvent
from ruhui.positions import ledger_services as services
from ruhui.positions.models import ServiceActivity
from ruhui.projects import services as project_services
from tests.factories import UserFactory
from tests.positions.ledger.conftest import activity_data
from tests.projects.factories import build_project, service_project


def refused(actor, data) -> dict:
    with pytest.raises(ValidationError) as caught:
        services.activity_create(actor=actor, data=data)
    return caught.value.message_dict


def test_a_summer_entry_for_couriers_is_recorded(cast):
    world = cast.world
    activity = services.activity_create(actor=cast.clerk, data=activity_data(world))
    assert activity.title == "夏送清凉"  # not typed: the kind's name
    assert activity.amount == Decimal("1200.00")
    assert activity.group_counts == {"02": 25}
    assert activity.workers_served == 25  # not typed: the groups' sum
    event = AuditEvent.objects.get(
        object_id=str(activity.pk), object_type="positions.serviceactivity"
    )
    assert event.action == AuditEvent.Action.CREATE
    assert event.org_path == world.county_trade.path


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "应大于 0"),
        ("-5", "应大于 0"),
        ("12.345", "最多保留两位小数"),
        ("十元", "不是数字"),
        ("1e20", "超出可登记的范围"),
    ],
)
def test_amounts_refused(cast, amount, words):
    errors = refused(cast.clerk, activity_data(cast.world, amount=amount))
    assert list(errors) == ["amount"]
    assert words in errors["amount"][0]
    assert "支出金额" in errors["amount"][0]


def test_no_amount_is_no_spending(cast):
    activity = services.activity_create(actor=cast.clerk, data=activity_data(cast.world, amount=""))
    assert activity.amount is None


@pytest.mark.parametrize(
    ("counts", "words"),
    [
        ({"02": "-3"}, "快递员人数「-3」应为不小于 0 的整数"),
        ({"02": "2.5"}, "快递员人数「2.5」应为不小于 0 的整数"),
        ({"火星人": "3"}, "群体"),
    ],
)
def test_group_counts_refused(cast, counts, words):
    errors = refused(cast.clerk, activity_data(cast.world, group_counts=counts))
    assert words in " ".join(errors["group_counts"])


def test_workers_served_not_below_the_groups(cast):
    errors = refused(cast.clerk, activity_data(cast.world, workers_served="10"))
    assert "服务职工人数（10）少于各群体服务人数之和（25）" in errors["workers_served"][0]


def test_ends_before_start_refused(cast):
    errors = refused(cast.clerk, activity_data(cast.world, ends_on="2019-07-01"))
    assert "结束日期" in errors["ends_on"][0]


def test_union_outside_refused(cast):
    errors = refused(cast.clerk, activity_data(cast.world, union=cast.world.sibling))
    assert "不在您的管辖范围内" in errors["union"][0]
    assert "宝丰县总工会" in errors["union"][0]


def test_project_of_another_county_refused(cast):
    world = cast.world
    plan = project_services.plan_open(actor=world.sibling_admin, campaign=cast.campaign)
    other = service_project(world.sibling_admin, plan)
    errors = refused(cast.clerk, activity_data(world, project=other.pk))
    assert "维护服务项目" in errors["project"][0]


def test_build_project_refused(cast):
    build = build_project(cast.world.county_admin, cast.plan)
    errors = refused(cast.clerk, activity_data(cast.world, project=build.pk))
    assert "建会入会项目" in errors["project"][0]


def test_project_unit_must_hold_the_union(cast):
    world = cast.world
    enterprise_admin = UserFactory(username="wg_e1_admin", organization=world.county_enterprise)
    plan = project_services.plan_open(actor=enterprise_admin, campaign=cast.campaign)
    theirs = service_project(enterprise_admin, plan)
    errors = refused(cast.clerk, activity_data(world, project=theirs.pk))
    assert "不在舞钢顺达物流有限公司工会及其下级中" in errors["project"][0]


def test_readonly_may_not_record(cast):
    with pytest.raises(PermissionDenied):
        services.activity_create(actor=cast.world.county_viewer, data=activity_data(cast.world))


def test_update_keeps_an_audit_diff(cast):
    activity = services.activity_update(
        actor=cast.clerk,
        activity=cast.activity,
        data=activity_data(cast.world, title="夏送清凉（第二批）", amount="800"),
    )
    assert activity.title == "夏送清凉（第二批）"
    event = AuditEvent.objects.get(
        object_type="positions.serviceactivity",
        object_id=str(activity.pk),
        action=AuditEvent.Action.UPDATE,
    )
    assert event.changes["amount"] == ["3500.50", "800.00"]


def test_sibling_may_not_update(cast):
    with pytest.raises(PermissionDenied):
        services.activity_update(
            actor=cast.world.sibling_admin, activity=cast.activity, data=activity_data(cast.world)
        )
    assert ServiceActivity.objects.get(pk=cast.activity.pk).title == "夏送清凉进快递网点"
