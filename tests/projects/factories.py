"""Projects built the way cadres build them: through projects.services."""

import datetime
from decimal import Decimal

from ruhui.accounts.models import Role
from ruhui.campaigns import services as campaign_services
from ruhui.projects import services
from ruhui.projects.choices import BuildType, ServiceCategory
from tests.factories import UserFactory

D = datetime.date


def make_campaign(world, slug: str = "pds-2019"):
    """The city's 2019 drive (农民工 only), April to December 2019."""
    return campaign_services.campaign_create(
        actor=world.city_admin,
        owner=world.city,
        slug=slug,
        data={
            "name": "农民工入会集中行动（2019）",
            "year": 2019,
            "starts_on": D(2019, 4, 1),
            "ends_on": D(2019, 12, 31),
            "baseline_on": D(2018, 12, 31),
            "goal_new_members": 100,
            "goal_growth_pct": Decimal("15"),
        },
    )


def add_people(world) -> None:
    """A second reviewer at the city, and the province's admin and two reviewers."""
    world.city_reviewer = UserFactory(
        username="city_reviewer", organization=world.city, role=Role.REVIEWER
    )
    world.province_admin = UserFactory(username="hn_admin_t", organization=world.province)
    world.province_reviewer = UserFactory(
        username="hn_reviewer_t", organization=world.province, role=Role.REVIEWER
    )
    world.province_reviewer2 = UserFactory(
        username="hn_reviewer2_t", organization=world.province, role=Role.REVIEWER
    )


def build_project(actor, plan, **fields):
    """A 建会入会 project (拟建企业工会) of the plan, responsible: the plan's unit."""
    data = {
        "kind": "build",
        "build_type": BuildType.ENTERPRISE,
        "name": "舞钢市顺丰速运有限公司工会",
        "division_code": "410481",
        "address": "舞钢市垭口街道",
        "planned_members": 50,
        "responsible_unit": plan.unit,
        "responsible_person": "李明",
        "responsible_phone": "13937512345",
        "due_on": D(2019, 9, 30),
        "groups": ["02"],
    } | fields
    return services.project_save(actor=actor, plan=plan, data=data)


def service_project(actor, plan, **fields):
    """A 维护服务 project (四季送关爱活动) of the plan."""
    data = {
        "kind": "service",
        "category": ServiceCategory.FOUR_SEASONS,
        "name": "夏送清凉进快递网点",
        "responsible_unit": plan.unit,
        "responsible_person": "王芳",
        "starts_on": D(2019, 6, 1),
        "ends_on": D(2019, 8, 31),
        "planned_coverage": 800,
    } | fields
    return services.project_save(actor=actor, plan=plan, data=data)


def submitted_plan(world, campaign, unit=None, actor=None):
    """A plan of 舞钢 (by default) with one project of each kind, submitted."""
    actor = actor or world.county_admin
    plan = services.plan_open(actor=actor, campaign=campaign, unit=unit or actor.organization)
    build_project(actor, plan)
    service_project(actor, plan)
    return services.plan_submit(actor=actor, plan=plan)
