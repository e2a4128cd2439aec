"""The workbench's to-dos (issue 15 item 1): each a count of the rows of one filtered list,
scoped to the user's jurisdiction, opening that list; the units below with most to do; a fixed
number of queries whatever the number of items and units."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ruhui.campaigns import services as campaign_services
from ruhui.campaigns.progress import progress_refresh
from ruhui.campaigns.services import TargetLine
from ruhui.core.changes import forget_figures
from ruhui.enterprises import services as enterprise_services
from ruhui.jobs.models import Job, JobStatus
from ruhui.joining import services as joining
from ruhui.members import services as member_services
from ruhui.workbench.todos import workbench
from tests.enterprises.factories import make_enterprise, survey
from tests.joining.test_services import form
from tests.members.factories import join

TODAY = datetime.date(2026, 6, 30)


def counts(user) -> dict[str, int]:
    return {todo.key: todo.count for todo in workbench(user=user, today=TODAY).todos}


def shown(client) -> dict[str, tuple[int, str]]:
    """{key: (count, url)} of the to-dos on the rendered workbench."""
    body = client.get(reverse("workbench:home")).content.decode()
    found = re.findall(
        r'data-todo="([^"]+)">\s*<a href="([^"]+)"><span class="todo-count">(\d+)</span>', body
    )
    return {key: (int(count), url.replace("&amp;", "&")) for key, url, count in found}


def headcount(actor, enterprise, total):
    """A headcount outside any survey (a phone check): the enterprise stays never surveyed."""
    enterprise_services.headcount_record(
        actor=actor,
        enterprise=enterprise,
        on=TODAY - datetime.timedelta(days=3),
        employees_total=total,
    )
    return enterprise


def apply(union, **changes):
    return joining.application_submit(
        link=joining.join_link_for(union), data=form(**changes), consent=True
    )


@pytest.fixture
def work(world, django_capture_on_commit_callbacks):
    """舞钢: two join applications, a transfer coming in from 宝丰, 40- and 30-worker enterprises
    without a union (one never surveyed), a failed import of the county admin; 宝丰: one join
    application and one enterprise of its own."""
    with django_capture_on_commit_callbacks(execute=True):  # each service commits, as in use
        _work(world)
    return world


def _work(world):
    admin, sibling = world.county_admin, world.sibling_admin
    apply(world.county_trade, name="王一")
    apply(world.county_enterprise, name="王二")
    apply(world.sibling_trade, name="宝丰甲")
    moving = join(sibling, world.sibling_trade, on=datetime.date(2020, 1, 1))
    member_services.transfer_issue(actor=sibling, member=moving, to_union=world.county_trade)
    big = make_enterprise(admin, world.county_trade, name="舞钢甲物流有限公司")
    survey(admin, big, str(TODAY - datetime.timedelta(days=10)), employees_total=40)
    headcount(admin, make_enterprise(admin, world.county_trade, name="舞钢乙快递有限公司"), 30)
    headcount(sibling, make_enterprise(sibling, world.sibling_trade, name="宝丰甲商贸公司"), 50)
    Job.objects.create(
        kind="member_import",
        organization=world.county_trade,
        created_by=admin,
        original_name="花名册.xlsx",
        status=JobStatus.FAILED,
        error="表头缺少「姓名」列",
        finished_at=timezone.now(),
    )


def test_counts_are_the_rows_of_the_users_own_lists(work, as_user):
    mine = counts(work.county_admin)
    assert mine["joins"] == 2 and mine["transfers_in"] == 1 and mine["transfers_out"] == 0
    assert mine["threshold"] == 2  # 40 and 30 workers, no union
    assert mine["overdue"] == 1  # the 30-worker one was never surveyed
    assert mine["jobs_failed"] == 1 and mine["jobs_done"] == 0
    sibling = counts(work.sibling_admin)
    assert sibling["joins"] == 1 and sibling["transfers_in"] == 0
    assert sibling["transfers_out"] == 1 and sibling["threshold"] == 1
    assert sibling["jobs_failed"] == 0  # another cadre's job is not theirs
    city = counts(work.city_admin)
    assert city["joins"] == 3 and city["threshold"] == 3


def test_every_count_opens_the_list_with_those_rows(work, as_user):
    client = as_user(work.county_admin)
    todos = shown(client)
    assert set(todos) >= {"joins", "transfers_in", "threshold", "overdue", "jobs_failed"}
    queue = client.get(todos["joins"][1]).content.decode()
    assert "王一" in queue and "王二" in queue and "宝丰甲" not in queue
    transfers = client.get(todos["transfers_in"][1]).content.decode()
    assert work.sibling_trade.name in transfers  # the transfer comes from 宝丰's trade union
    alerts = client.get(todos["threshold"][1]).content.decode()
    assert "舞钢甲物流有限公司" in alerts and "宝丰甲商贸公司" not in alerts
    jobs = client.get(todos["jobs_failed"][1]).content.decode()
    assert "花名册.xlsx" in jobs and "失败" in jobs
    # Nothing to do is said, not hidden: the transfers the county issued are 已办完.
    body = client.get(reverse("workbench:home")).content.decode()
    assert "已办完" in body and "已开出、对方尚未接收的接转" in body


def test_the_city_sees_its_units_with_most_to_do(work, as_user):
    board = workbench(user=work.city_admin, today=TODAY)
    loads = {load.unit.code: load for load in board.units}
    assert list(loads) == [work.county.code, work.sibling.code]  # most first
    assert loads[work.county.code].counts["joins"] == 2
    assert loads[work.county.code].total == 2 + 1 + 2 + 1  # joins, transfer in, 25+, overdue
    assert loads[work.sibling.code].total == 1 + 1 + 1  # join, 25+, overdue (never surveyed)
    page = as_user(work.city_admin).get(reverse("workbench:home")).content.decode()
    assert "下级单位待办最多的" in page and work.county.name in page
    # The county's own table: its grassroots unions.
    county = {load.unit.code: load.total for load in workbench(user=work.county_admin).units}
    assert county == {work.county_trade.code: 1 + 1 + 2 + 1, work.county_enterprise.code: 1}


def test_a_running_campaign_lists_the_units_behind_pace(world):
    campaign = campaign_services.campaign_create(
        actor=world.city_admin,
        owner=world.city,
        slug="pds-2026",
        data={
            "name": "农民工入会集中行动（2026）",
            "year": 2026,
            "starts_on": datetime.date(2026, 1, 1),
            "ends_on": datetime.date(2026, 12, 31),
            "baseline_on": datetime.date(2025, 12, 31),
            "goal_new_members": 20,
            "goal_growth_pct": Decimal("10"),
        },
    )
    campaign_services.decomposition_save(
        actor=world.city_admin,
        campaign=campaign,
        unit=world.city,
        lines=[
            TargetLine(world.county, None, 10, ""),
            TargetLine(world.sibling, None, 10, ""),
        ],
        declared_baseline_total=None,
        declared_target_total=None,
    )
    for _ in range(6):  # 舞钢 at 60% by 30 June (half the year gone): ahead
        join(
            world.county_admin,
            world.county_trade,
            on=datetime.date(2026, 3, 1),
            is_migrant_worker=True,  # the drive counts 农民工 only
        )
    join(  # 宝丰 at 10%
        world.sibling_admin,
        world.sibling_trade,
        on=datetime.date(2026, 3, 1),
        is_migrant_worker=True,
    )
    progress_refresh(campaign)
    todos = {t.key: t for t in workbench(user=world.city_admin, today=TODAY).todos}
    behind = todos["behind:pds-2026"]
    assert behind.count == 1 and world.sibling.name in behind.note
    assert behind.url == reverse("campaigns:unit", args=["pds-2026", world.city.pk])
    # Before the campaign runs there is no pace to keep.
    early = workbench(user=world.city_admin, today=datetime.date(2025, 12, 1)).todos
    assert not [t for t in early if t.key.startswith("behind:")]


def test_the_number_of_queries_does_not_grow_with_the_work(work, as_user, world):
    """Counted afresh both times: the remembered figures are forgotten before each request."""
    client = as_user(work.city_admin)
    client.get(reverse("workbench:home"))  # warm caches (sessions, permissions)
    forget_figures()
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("workbench:home")).status_code == 200
    for n in range(5):
        apply(world.county_trade, name="王" + "一二三四五"[n] + "三")
        apply(world.sibling_trade, name="宝丰" + "一二三四五"[n])
        headcount(
            world.sibling_admin,
            make_enterprise(world.sibling_admin, world.sibling_trade, name=f"宝丰{n}号公司"),
            60,
        )
    forget_figures()
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("workbench:home")).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_registry_figures_are_remembered_until_a_change_commits(
    work, as_user, django_capture_on_commit_callbacks
):
    """The member and enterprise figures run over the whole register: a second visit reads
    them from the cache (no query on members or enterprises); a committed change shows at once."""
    client = as_user(work.county_admin)
    assert shown(client)["threshold"][0] == 2
    with CaptureQueriesContext(connection) as again:
        assert shown(client)["threshold"][0] == 2
    tables = " ".join(q["sql"] for q in again.captured_queries)
    assert "enterprises_enterprise" not in tables and "members_member" not in tables
    with django_capture_on_commit_callbacks(execute=True):
        headcount(
            work.county_admin,
            make_enterprise(work.county_admin, work.county_trade, name="舞钢丙制造有限公司"),
            80,
        )
    todos = shown(client)
    assert todos["threshold"][0] == 3 and todos["overdue"][0] == 2
    board = workbench(user=work.city_admin, today=timezone.localdate())
    assert {load.unit.code: load.counts["threshold"] for load in board.units}[work.county.code] == 3


def test_an_enterprise_whose_union_is_here_is_not_put_under_a_unit_outside(world):
    """An enterprise of 宝丰 whose union lies in 舞钢 is in 舞钢's alerts, but not in the row
    of any unit below 舞钢, and never in a row of 宝丰's units."""
    outside = make_enterprise(world.sibling_admin, world.sibling_trade, name="宝丰戊有限公司")
    type(outside).objects.filter(pk=outside.pk).update(
        union=world.county_trade, union_status="built"
    )
    board = workbench(user=world.county_admin, today=TODAY)
    assert {t.key: t.count for t in board.todos}["overdue"] == 1  # never surveyed
    assert board.units == []  # the overdue one is not any 舞钢 unit's
