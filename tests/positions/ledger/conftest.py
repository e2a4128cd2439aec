"""The ledger's cast on top of tests/conftest.py's world: a clerk and a reviewer of 舞钢, two
members of 舞钢快递行业工会 (one 快递员), the city's 2019 drive with 舞钢's plan and its 维护服务
project, and one ledger entry of each side (舞钢 and 宝丰)."""

import datetime
from types import SimpleNamespace

import pytest

from ruhui.accounts.models import Role
from ruhui.orgs.choices import WORKER_GROUPS
from ruhui.orgs.models import WorkerGroup
from ruhui.positions import ledger_services
from ruhui.projects import services as project_services
from tests.factories import UserFactory
from tests.members.factories import join, make_id_number
from tests.projects.factories import make_campaign, service_project

D = datetime.date


@pytest.fixture
def groups(db):
    for code, name in WORKER_GROUPS:
        WorkerGroup.objects.get_or_create(code=code, defaults={"name": name})


@pytest.fixture
def cast(world, groups):
    clerk = UserFactory(username="wg_clerk_t", organization=world.county, role=Role.CLERK)
    reviewer = UserFactory(username="wg_reviewer_t", organization=world.county, role=Role.REVIEWER)
    courier_number = make_id_number()
    courier = join(
        world.county_admin,
        world.county_trade,
        name="李快递",
        id_number=courier_number,
        group="02",
    )
    guard_number = make_id_number()
    guard = join(world.county_admin, world.county_trade, name="王保安", id_number=guard_number)
    campaign = make_campaign(world)
    plan = project_services.plan_open(actor=world.county_admin, campaign=campaign)
    project = service_project(world.county_admin, plan)
    activity = ledger_services.activity_create(
        actor=world.county_admin,
        data={
            "kind": "summer",
            "title": "夏送清凉进快递网点",
            "union": world.county_trade,
            "starts_on": "2019-07-15",
            "amount": "3500.50",
            "group_counts": {"02": "40", "06": "12"},
            "workers_served": "60",
            "project": project.pk,
        },
    )
    sibling_activity = ledger_services.activity_create(
        actor=world.sibling_admin,
        data={
            "kind": "winter",
            "union": world.sibling,
            "starts_on": "2019-01-20",
            "group_counts": {"01": 5},
        },
    )
    return SimpleNamespace(
        world=world,
        clerk=clerk,
        reviewer=reviewer,
        courier=courier,
        courier_number=courier_number,
        guard=guard,
        guard_number=guard_number,
        campaign=campaign,
        plan=plan,
        project=project,
        activity=activity,
        sibling_activity=sibling_activity,
    )


def activity_data(world, **fields) -> dict:
    """A valid 夏送清凉 entry of 舞钢快递行业工会 with the fields given changed."""
    return {
        "kind": "summer",
        "title": "",
        "union": world.county_trade,
        "starts_on": "2019-07-20",
        "ends_on": "2019-07-21",
        "amount": "1200",
        "group_counts": {"02": "25"},
        "workers_served": "",
    } | fields
