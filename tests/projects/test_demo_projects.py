"""The demo's 项目清单+责任制 (issue 16 item 10): on `make demo` the 2019 drive has a plan at every
stage — 舞钢 a draft, 宝丰 submitted, 郏县 returned with the city's opinion, 工交工会 consolidated
with a subsidy approved and partly paid and another waiting for the province, 新华区 reported
with one project 销账 and one overdue rectification — and the issue's three actions work:
wg_admin submits 舞钢's plan, pds_admin consolidates it, hn_admin approves a subsidy.

The world is seeded once for the module at the demo's own size (`make demo` loads
`DEMO_MEMBERS`), inside a transaction rolled back at the end; each test runs in a savepoint."""

import datetime

import pytest
from django.utils import timezone

from ruhui.accounts.models import User
from ruhui.demo.projects import RECTIFY_BY, RETURN_OPINION, SLUG, seed_demo_projects
from ruhui.demo.world import DEMO_MEMBERS, DEMO_USERS
from ruhui.members.selectors import new_member_count
from ruhui.projects import services
from ruhui.projects.choices import PlanStatus, ProjectStatus, SubsidyStatus
from ruhui.projects.models import (
    ActionPlan,
    PlanEvent,
    ProjectEvent,
    SubsidyApplication,
    SubsidyEvent,
)
from tests.demo import module_demo

demo_world = module_demo(members=DEMO_MEMBERS)


@pytest.fixture
def plans(demo_world, db):
    return {
        p.unit.code: p
        for p in ActionPlan.objects.select_related("unit", "campaign").filter(campaign__slug=SLUG)
    }


def user(username: str) -> User:
    return User.objects.select_related("organization").get(username=username)


def test_the_demo_users_include_the_province(demo_world, db):
    names = {u[0]: (u[2], u[3]) for u in DEMO_USERS}
    assert names["hn_admin"] == ("HN", "admin") and names["hn_reviewer"] == ("HN", "reviewer")
    assert user("hn_admin").organization.name == "河南省总工会"


def test_every_stage_of_the_plan_is_there(plans):
    assert {code: p.status for code, p in plans.items()} == {
        "WG": PlanStatus.DRAFT,
        "BF": PlanStatus.SUBMITTED,
        "JX": PlanStatus.RETURNED,
        "GJ": PlanStatus.CONSOLIDATED,
        "XH": PlanStatus.REPORTED,
    }
    for plan in plans.values():
        assert plan.leader_name and plan.leader_title and plan.contact_name and plan.contact_phone
        assert plan.tasks.count() >= 3
        kinds = set(plan.projects.values_list("kind", flat=True))
        assert "build" in kinds, plan.unit.code
        window = (plan.campaign.starts_on, plan.campaign.ends_on)
        assert all(window[0] <= t.due_on <= window[1] for t in plan.tasks.all())
    returned = PlanEvent.objects.filter(plan=plans["JX"], to_status=PlanStatus.RETURNED).get()
    assert returned.opinion == RETURN_OPINION and returned.actor_name
    reported = PlanEvent.objects.get(plan=plans["XH"], to_status=PlanStatus.REPORTED)
    assert reported.frozen_name.endswith(".xlsx")
    # The history is the drive's: every step dated in 2019, in the order it was taken.
    steps = PlanEvent.objects.filter(plan__campaign__slug=SLUG)
    assert {timezone.localtime(e.at).year for e in steps} == {2019}
    at = [e.at for e in PlanEvent.objects.filter(plan=plans["XH"]).order_by("pk")]
    assert at == sorted(at)


def test_the_industry_union_has_a_subsidy_paid_in_part_and_one_waiting(plans):
    subsidies = list(SubsidyApplication.objects.filter(project__plan=plans["GJ"]).order_by("pk"))
    assert [s.status for s in subsidies] == [SubsidyStatus.APPROVED, SubsidyStatus.SENT]
    paid, waiting = subsidies
    disbursed = sum(d.amount for d in paid.disbursements.all())
    assert 0 < disbursed < paid.approved_amount <= paid.recommended_amount < paid.amount_requested
    assert paid.notice_number and paid.notice_on
    assert paid.batch_id == waiting.batch_id is not None
    steps = SubsidyEvent.objects.filter(subsidy=paid).values_list("to_status", flat=True)
    assert list(steps) == ["submitted", "recommended", "sent", "approved"]
    assert {p.status for p in plans["GJ"].projects.all()} == {ProjectStatus.IN_PROGRESS}


def test_the_industry_unions_founded_unions_are_recorded_and_counted(plans):
    """工交's two 建会 projects name the unions the demo tree founded for them in 2019; their
    close-out figures count the new members of those unions by the campaign's rule."""
    from ruhui.projects.figures import project_figures

    built = plans["GJ"].projects.filter(kind="build").select_related("founded_union")
    assert {p.name for p in built} == {p.founded_union.name for p in built}
    recorded = []
    for project in built:
        union = project.founded_union
        assert plans["GJ"].campaign.starts_on <= union.founded_on <= plans["GJ"].campaign.ends_on
        expected = new_member_count(
            user=user("gj_admin"),
            start=plans["GJ"].campaign.starts_on,
            end=min(timezone.localdate(), plans["GJ"].campaign.ends_on),
            root=union,
            migrant=True,
        )
        assert project_figures(project)["recorded"] == expected
        recorded.append(expected)
    assert all(n > 0 for n in recorded), recorded  # the demo's new unions have new members


def test_xinhua_has_a_project_closed_and_one_overdue_rectification(plans):
    plan = plans["XH"]
    closed = plan.projects.get(status=ProjectStatus.CLOSED)
    late = plan.projects.get(status=ProjectStatus.RECTIFYING)
    assert late.rectify_by == RECTIFY_BY < timezone.localdate()
    assert late.overdue_rectification
    decided = {
        e.project_id: e
        for e in ProjectEvent.objects.filter(
            project__plan=plan, to_status__in=[ProjectStatus.CLOSED, ProjectStatus.RECTIFYING]
        )
    }
    # Planned against recorded: the figures the city decided on, counted from the registry up
    # to the day of the review.
    on = timezone.localtime(decided[closed.pk].at).date()
    recorded = new_member_count(
        user=user("xh_admin"),
        start=plan.campaign.starts_on,
        end=on,
        root=closed.existing_union,
        migrant=True,
    )
    figures = decided[closed.pk].figures
    assert (figures["planned"], figures["recorded"]) == (closed.planned_members, recorded)
    assert figures["claimed"] <= recorded and recorded >= closed.planned_members
    late_figures = decided[late.pk].figures
    assert (late_figures["planned"], late_figures["claimed"], late_figures["recorded"]) == (
        late.planned_members,
        late.planned_members,
        0,
    )
    assert decided[late.pk].rectify_by == RECTIFY_BY


def test_submit_consolidate_and_the_provinces_approval_work(plans):
    wugang = services.plan_submit(actor=user("wg_admin"), plan=plans["WG"])
    assert wugang.status == PlanStatus.SUBMITTED
    wugang = services.plan_consolidate(actor=user("pds_admin"), plan=wugang)
    assert wugang.status == PlanStatus.CONSOLIDATED
    assert set(wugang.projects.values_list("status", flat=True)) == {ProjectStatus.APPROVED}
    waiting = SubsidyApplication.objects.get(project__plan=plans["GJ"], status=SubsidyStatus.SENT)
    approved = services.subsidy_province_review(
        actor=user("hn_admin"),
        subsidy=waiting,
        approve=True,
        notice_number="豫工基〔2019〕35号",
        notice_on=datetime.date(2019, 8, 2),
    )
    assert approved.status == SubsidyStatus.APPROVED
    assert approved.approved_amount == waiting.recommended_amount


def test_seeding_again_changes_nothing(plans):
    before = (ActionPlan.objects.count(), ProjectEvent.objects.count())
    assert seed_demo_projects() == {"plans": 0}
    assert (ActionPlan.objects.count(), ProjectEvent.objects.count()) == before


def test_the_provinces_queue_holds_the_partly_paid_subsidy_and_the_waiting_one(plans):
    from ruhui.projects.selectors import review_queue

    queue = review_queue(user=user("hn_admin"))
    paid, waiting = SubsidyApplication.objects.filter(project__plan=plans["GJ"]).order_by("pk")
    assert [s.pk for s in queue.disbursements.items] == [paid.pk]
    assert queue.disbursements.items[0].paid == sum(d.amount for d in paid.disbursements.all())
    assert [s.pk for s in queue.province_subsidies.items] == [waiting.pk]
    assert queue.disbursements.count == queue.province_subsidies.count == 1
