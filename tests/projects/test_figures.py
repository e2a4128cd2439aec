"""Close-out figures against the records (issue 16 item 6): per 建会入会 project, the new members
of its union's subtree by the campaign's counting rule — the same numbers as
`members.selectors.new_member_count` — how many of them are 省库已录入, the union and its founding
date, the open inspection findings; a fixed number of queries per campaign; recomputed when the
records change."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ruhui.campaigns import services as campaign_services
from ruhui.members import services as member_services
from ruhui.members.models import Member
from ruhui.members.selectors import new_member_count, new_member_events
from ruhui.orgs.models import Organization
from ruhui.projects import services
from ruhui.projects.choices import BuildType
from ruhui.projects.figures import (
    PROVINCIAL_ENTERED,
    closeout_refresh,
    project_figures,
)
from ruhui.projects.models import FigureRun, Project, ProjectFigure
from tests.members.factories import join, make_id_number
from tests.projects.factories import build_project, service_project

D = datetime.date
START, END = D(2019, 4, 1), D(2019, 12, 31)


@pytest.fixture
def history(world):
    """Members of 舞钢 and 宝丰 whose counting the rule decides:
    - A: 舞钢快递 in May, 农民工, 省库已录入 — new;
    - C: 宝丰快递 in June (农民工), withdrew in July, joined 舞钢快递 in August, its second
      membership 省库已录入 — new once at each union, 已录入 at 舞钢 only;
    - D: 舞钢快递 in May, not 农民工, 省库已录入 — new only when the campaign counts everyone;
    - E: transferred from 宝丰 into 舞钢快递 in the window, 省库已录入 — 转入 is never new;
    - F: 舞钢快递 after the window; B: 舞钢顺达 before it — not new;
    - G: 舞钢顺达 on the window's last day, 农民工, not entered — new."""
    admin, sibling = world.county_admin, world.sibling_admin
    people = {}
    people["A"] = join(
        admin, world.county_trade, on=D(2019, 5, 10), is_migrant_worker=True, group="02"
    )
    number = make_id_number()
    first = join(
        sibling, world.sibling_trade, on=D(2019, 6, 1), id_number=number, is_migrant_worker=True
    )
    member_services.member_withdraw(actor=sibling, member=first, on=D(2019, 7, 1))
    people["C"] = join(
        admin, world.county_trade, on=D(2019, 8, 1), id_number=number, is_migrant_worker=True
    )
    people["D"] = join(admin, world.county_trade, on=D(2019, 5, 20), is_migrant_worker=False)
    moving = join(sibling, world.sibling_trade, on=D(2018, 3, 1), is_migrant_worker=True)
    transfer = member_services.transfer_issue(
        actor=sibling, member=moving, to_union=world.county_trade, on=D(2019, 6, 10)
    )
    member_services.transfer_accept(
        actor=admin, code=transfer.code, union=world.county_trade, on=D(2019, 6, 15)
    )
    people["E"] = moving
    people["F"] = join(admin, world.county_trade, on=D(2020, 1, 5), is_migrant_worker=True)
    people["B"] = join(admin, world.county_enterprise, on=D(2018, 6, 1), is_migrant_worker=True)
    people["G"] = join(admin, world.county_enterprise, on=D(2019, 12, 31), is_migrant_worker=True)
    for key in ("A", "C", "D", "E"):
        people[key] = member_services.member_update(
            actor=admin,
            member=Member.objects.get(pk=people[key].pk),
            data={"provincial_status": PROVINCIAL_ENTERED},
        )
    return people


def _campaign(world, *, migrant_only=True, slug="pds-2019"):
    return campaign_services.campaign_create(
        actor=world.city_admin,
        owner=world.city,
        slug=slug,
        data={
            "name": f"集中行动 {slug}",
            "year": 2019,
            "starts_on": START,
            "ends_on": END,
            "migrant_only": migrant_only,
        },
    )


def _projects(world, campaign):
    """舞钢's plan: an existing union growing (舞钢快递), a union founded (舞钢顺达), a union not
    yet founded, and a service project; 宝丰's plan: its own 快递 union growing."""
    wg = services.plan_open(actor=world.county_admin, campaign=campaign, unit=world.county)
    existing = build_project(
        world.county_admin,
        wg,
        name="舞钢快递行业工会发展会员",
        build_type=BuildType.EXISTING,
        existing_union=world.county_trade,
    )
    founded = build_project(world.county_admin, wg, name="舞钢顺达物流有限公司工会")
    Project.objects.filter(pk=founded.pk).update(founded_union=world.county_enterprise)
    pending = build_project(world.county_admin, wg, name="舞钢某新建企业工会")
    service = service_project(world.county_admin, wg)
    bf = services.plan_open(actor=world.sibling_admin, campaign=campaign, unit=world.sibling)
    sibling = build_project(
        world.sibling_admin,
        bf,
        name="宝丰快递行业工会发展会员",
        build_type=BuildType.EXISTING,
        existing_union=world.sibling_trade,
        responsible_unit=world.sibling,
    )
    return {
        "existing": existing,
        "founded": founded,
        "pending": pending,
        "service": service,
        "sibling": sibling,
    }


def _registry(world, union, *, migrant_only, provincial=False):
    """What the registry's own selectors say for the union's subtree over the window."""
    if not provincial:
        return new_member_count(
            user=world.city_admin,
            start=START,
            end=END,
            root=union,
            migrant=True if migrant_only else None,
        )
    events = new_member_events(user=world.city_admin, start=START, end=END, root=union).filter(
        member__provincial_status=PROVINCIAL_ENTERED
    )
    if migrant_only:
        events = events.filter(member__is_migrant_worker=True)
    return events.values("member__id_number_hash").distinct().count()


@pytest.mark.parametrize("migrant_only", [True, False])
def test_figures_equal_the_registry_selectors(world, history, migrant_only):
    campaign = _campaign(world, migrant_only=migrant_only)
    projects = _projects(world, campaign)
    result = closeout_refresh(campaign, until=END)
    assert result.projects == 4 and result.until == END  # 建会入会 only
    assert FigureRun.objects.get(campaign=campaign).computed_at is not None
    figures = {f.project_id: f for f in ProjectFigure.objects.all()}
    assert projects["service"].pk not in figures
    for key in ("existing", "founded", "sibling"):
        figure = figures[projects[key].pk]
        union = figure.union
        assert figure.new_members == _registry(world, union, migrant_only=migrant_only)
        assert figure.provincial_entered == _registry(
            world, union, migrant_only=migrant_only, provincial=True
        )
    # By hand: 舞钢快递 has A and C (D only when everyone counts; E transferred in, F late);
    # entered: A, C (and D when everyone counts; E is entered but not new).
    trade = figures[projects["existing"].pk]
    assert trade.union == world.county_trade
    assert (trade.new_members, trade.provincial_entered) == ((2, 2) if migrant_only else (3, 3))
    # 舞钢顺达: G on the window's last day (B before it), not entered.
    enterprise = figures[projects["founded"].pk]
    assert (enterprise.union, enterprise.new_members, enterprise.provincial_entered) == (
        world.county_enterprise,
        1,
        0,
    )
    # 宝丰快递: C's first join counts there too (the rejoiner once per union), not entered
    # there (that membership was not the one entered).
    bf = figures[projects["sibling"].pk]
    assert (bf.new_members, bf.provincial_entered) == (1, 0)
    # Not founded yet: no union, nothing counted.
    pending = figures[projects["pending"].pk]
    assert (pending.union, pending.new_members, pending.provincial_entered) == (None, 0, 0)


def test_a_rejoiner_in_one_union_counts_once(world, history):
    campaign = _campaign(world)
    projects = _projects(world, campaign)
    number = make_id_number()
    first = join(
        world.county_admin,
        world.county_enterprise,
        on=D(2019, 5, 1),
        id_number=number,
        is_migrant_worker=True,
    )
    member_services.member_withdraw(actor=world.county_admin, member=first, on=D(2019, 6, 1))
    join(
        world.county_admin,
        world.county_enterprise,
        on=D(2019, 9, 1),
        id_number=number,
        is_migrant_worker=True,
    )
    closeout_refresh(campaign, until=END)
    figure = ProjectFigure.objects.get(project=projects["founded"])
    assert figure.new_members == 2 == _registry(world, world.county_enterprise, migrant_only=True)


def test_the_review_date_bounds_the_count(world, history):
    campaign = _campaign(world)
    projects = _projects(world, campaign)
    closeout_refresh(campaign, until=D(2019, 6, 30))  # before C's August join
    figure = ProjectFigure.objects.get(project=projects["existing"])
    assert (figure.new_members, figure.provincial_entered, figure.until) == (1, 1, D(2019, 6, 30))


def test_the_union_founding_date_and_open_findings(world, history):
    campaign = _campaign(world)
    projects = _projects(world, campaign)
    Organization.objects.filter(pk=world.county_enterprise.pk).update(founded_on=D(2019, 5, 4))
    asked = {
        "kind": "check",
        "inspected_unit": world.county,
        "on": D(2019, 9, 1),
        "findings": "会员信息未录入省库",
        "rectification": "一个月内补录",
        "rectify_by": D(2019, 10, 1),
    }
    closed = services.inspection_record(
        actor=world.city_admin, campaign=campaign, data=asked, projects=[projects["founded"]]
    )
    services.inspection_follow_up(
        actor=world.city_admin, inspection=closed, follow_up="已补录", closed_on=D(2019, 9, 20)
    )
    services.inspection_record(
        actor=world.city_admin, campaign=campaign, data=asked, projects=[projects["founded"]]
    )
    services.inspection_record(  # nothing asked: not a finding to rectify
        actor=world.city_admin,
        campaign=campaign,
        data=asked | {"rectification": "", "rectify_by": None, "findings": ""},
        projects=[projects["founded"]],
    )
    closeout_refresh(campaign, until=END)
    figure = ProjectFigure.objects.get(project=projects["founded"])
    assert (figure.founded_on, figure.open_findings) == (D(2019, 5, 4), 1)
    assert ProjectFigure.objects.get(project=projects["existing"]).open_findings == 0


def test_a_fixed_number_of_queries_however_many_projects(world, history):
    small = _campaign(world, slug="small")
    large = _campaign(world, slug="large")
    for campaign, count in ((small, 1), (large, 10)):
        for _ in range(count):
            _projects(world, campaign)
    counted = []
    for campaign in (small, large):
        with CaptureQueriesContext(connection) as queries:
            result = closeout_refresh(campaign, until=END)
        counted.append(len(queries))
    assert result.projects == 40
    # The run's lock and row, the projects, two registry queries, the findings, delete, insert,
    # the run's time (and the test transaction's savepoints); on PostgreSQL also one look at the
    # planner statistics of each of the three registry tables (figures.fresh_statistics).
    statistics = 3 if connection.vendor == "postgresql" else 0
    assert counted[0] == counted[1] <= 14 + statistics


def test_project_figures_for_the_decision(world, history):
    campaign = _campaign(world)
    projects = _projects(world, campaign)
    project = projects["existing"]
    # Nothing stored yet: computed on the spot, and kept.
    figures = project_figures(project)
    assert figures == {
        "planned": 50,
        "claimed": None,
        "recorded": 2,
        "provincial": 2,
        "union": world.county_trade.name,
        "founded_on": None,
        "open_findings": 0,
        "until": END.isoformat(),
    }
    assert ProjectFigure.objects.filter(project=project).count() == 1
    # The latest self-assessment is the claim.
    plan = project.plan
    services.plan_submit(actor=world.county_admin, plan=plan)
    services.plan_consolidate(actor=world.city_admin, plan=plan)
    project.refresh_from_db()
    services.project_start(actor=world.county_admin, project=project)
    services.assessment_submit(
        actor=world.county_admin, project=project, data={"text": "完成", "claimed_members": 45}
    )
    assert project_figures(project)["claimed"] == 45
    # A union founded for a project since the last computation is used at once.
    Project.objects.filter(pk=projects["pending"].pk).update(founded_union=world.county_enterprise)
    assert project_figures(Project.objects.get(pk=projects["pending"].pk))["recorded"] == 1
    # A service project: no registry figure.
    assert project_figures(projects["service"])["recorded"] is None


def test_a_committed_change_recomputes_the_figures(world, django_capture_on_commit_callbacks):
    """(Without `history`: its joins' pending signal would take this one in, uncommitted.)"""
    campaign = _campaign(world)
    projects = _projects(world, campaign)
    closeout_refresh(campaign)
    assert ProjectFigure.objects.get(project=projects["existing"]).new_members == 0
    FigureRun.objects.filter(campaign=campaign).update(computed_at=None, seconds=None)
    with django_capture_on_commit_callbacks(execute=True):
        join(world.county_admin, world.county_trade, on=D(2019, 10, 1), is_migrant_worker=True)
    run = FigureRun.objects.get(campaign=campaign)
    assert not run.queued and run.computed_at is not None and run.seconds is not None
    assert ProjectFigure.objects.get(project=projects["existing"]).new_members == 1


def test_a_change_after_the_window_leaves_the_figures_alone(
    world, django_capture_on_commit_callbacks
):
    campaign = _campaign(world)
    _projects(world, campaign)
    with django_capture_on_commit_callbacks(execute=True):
        join(world.county_admin, world.county_trade, on=D(2020, 3, 1), is_migrant_worker=True)
    assert not FigureRun.objects.filter(campaign=campaign, computed_at__isnull=False).exists()
