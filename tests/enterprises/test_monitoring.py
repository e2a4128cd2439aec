"""动态监控: the 25-employee alert, sharp changes, overdue surveys, the worklist."""

import datetime

import pytest
import time_machine

from ruhui.enterprises import selectors, services
from tests.enterprises.factories import make_enterprise, survey


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC), tick=False):
        yield


def headcount(actor, enterprise, on, total):
    return services.headcount_record(
        actor=actor,
        enterprise=enterprise,
        on=datetime.date.fromisoformat(on),
        employees_total=total,
    )


def ids(qs):
    return {e.pk for e in qs}


def test_the_25_employee_alert(world):
    actor = world.county_admin
    small = make_enterprise(actor, world.county, name="二十四人公司")
    survey(actor, small, "2026-01-10", employees_total=24, migrant_workers=10)
    crossing = make_enterprise(actor, world.county, name="二十五人公司")
    survey(actor, crossing, "2025-06-10", employees_total=18, migrant_workers=10)
    headcount(actor, crossing, "2025-12-01", 24)
    headcount(actor, crossing, "2026-02-01", 25)
    headcount(actor, crossing, "2026-04-01", 31)
    built = make_enterprise(actor, world.county, name="已建会公司")
    survey(actor, built, "2026-01-10", employees_total=60, migrant_workers=10)
    services.union_build(actor=actor, enterprise=built, union=world.county_trade)

    found = selectors.alerts(user=actor).threshold
    assert ids(found) == {crossing.pk}
    assert found.get().crossed_on == datetime.date(2026, 2, 1)
    assert found.get().crossed is True
    # 25 is the threshold itself.
    headcount(actor, small, "2026-05-01", 25)
    assert ids(selectors.alerts(user=actor).threshold) == {crossing.pk, small.pk}
    big = make_enterprise(actor, world.county, name="首次即达标公司")
    survey(actor, big, "2026-03-01", employees_total=80, migrant_workers=10)
    row = selectors.alerts(user=actor).threshold.get(pk=big.pk)
    assert (row.crossed, row.crossed_on) == (False, datetime.date(2026, 3, 1))


def test_sharp_changes_between_consecutive_records(world, settings):
    settings.RUHUI_HEADCOUNT_CHANGE_PCT = 30
    settings.RUHUI_HEADCOUNT_CHANGE_MIN = 10
    actor = world.county_admin
    drop = make_enterprise(actor, world.county, name="骤减公司")
    headcount(actor, drop, "2026-01-01", 100)
    headcount(actor, drop, "2026-03-01", 69)  # -31 %, -31 people
    small_base = make_enterprise(actor, world.county, name="小基数公司")
    headcount(actor, small_base, "2026-01-01", 10)
    headcount(actor, small_base, "2026-03-01", 19)  # +90 % but only 9 people
    steady = make_enterprise(actor, world.county, name="平稳公司")
    headcount(actor, steady, "2026-01-01", 100)
    headcount(actor, steady, "2026-03-01", 75)  # -25 %
    once = make_enterprise(actor, world.county, name="单次记录公司")
    headcount(actor, once, "2026-01-01", 100)

    sharp = selectors.alerts(user=actor).sharp_change
    assert ids(sharp) == {drop.pk}
    row = sharp.get()
    assert (row.previous_total, row.employees_total, row.change) == (100, 69, -31)
    settings.RUHUI_HEADCOUNT_CHANGE_MIN = 5
    assert ids(selectors.alerts(user=actor).sharp_change) == {drop.pk, small_base.pk}
    # Only the latest pair counts: a later steady record clears the alert.
    headcount(actor, drop, "2026-05-01", 70)
    assert drop.pk not in ids(selectors.alerts(user=actor).sharp_change)


def test_overdue_surveys(world, settings):
    settings.RUHUI_SURVEY_INTERVAL_DAYS = 180
    actor = world.county_admin
    never = make_enterprise(actor, world.county, name="从未排查")
    old = make_enterprise(actor, world.county, name="久未排查")
    survey(actor, old, "2025-12-02")  # 181 days before 2026-06-01
    recent = make_enterprise(actor, world.county, name="近期排查")
    survey(actor, recent, "2025-12-03")  # 180 days
    assert ids(selectors.alerts(user=actor).overdue) == {never.pk, old.pk}
    with time_machine.travel(datetime.datetime(2026, 6, 2, 10, tzinfo=datetime.UTC), tick=False):
        assert recent.pk in ids(selectors.alerts(user=actor).overdue)


def test_worklist_orders_by_workers_affected(world):
    actor = world.county_admin
    big = make_enterprise(actor, world.county, name="大企业")
    survey(
        actor,
        big,
        "2026-03-01",
        employees_total=300,
        migrant_workers=200,
        next_action="约谈法人",
        next_action_due="2026-07-01",
    )
    late = make_enterprise(actor, world.county, name="逾期企业")
    survey(
        actor,
        late,
        "2026-01-01",
        employees_total=40,
        migrant_workers=20,
        next_action="宣传动员",
        next_action_due="2026-03-01",
    )
    unknown = make_enterprise(actor, world.county, name="未知人数企业")
    done = make_enterprise(actor, world.county, name="已建会企业")
    survey(actor, done, "2026-01-01", employees_total=500, migrant_workers=20)
    services.union_build(actor=actor, enterprise=done, union=world.county_trade)

    rows = list(selectors.worklist(user=actor))
    assert [r.pk for r in rows] == [big.pk, late.pk, unknown.pk]
    assert [r.action_overdue for r in rows] == [False, True, False]
    assert rows[0].latest_survey.get_next_action_display() == "约谈企业法人"
    assert rows[0].next_action_due == datetime.date(2026, 7, 1)
    first = list(selectors.worklist(user=actor, overdue_first=True))
    assert first[0].pk == late.pk
    assert list(selectors.worklist(user=world.sibling_admin)) == []


def test_worklist_and_alerts_read_one_query_each(world, django_assert_max_num_queries):
    actor = world.county_admin
    for n in range(5):
        e = make_enterprise(actor, world.county, name=f"批量企业{n}")
        survey(actor, e, "2026-01-01", employees_total=30 + n, migrant_workers=1)
        headcount(actor, e, "2026-04-01", 60 + n)
    actor = type(actor).objects.select_related("organization").get(pk=actor.pk)
    with django_assert_max_num_queries(1):
        rows = [
            (r.name, r.latest_survey.next_action, r.responsible_unit.name)
            for r in selectors.worklist(user=actor)
        ]
    assert len(rows) == 5
    found = selectors.alerts(user=actor)
    with django_assert_max_num_queries(3):
        counts = [
            len(list(found.threshold)),
            len(list(found.sharp_change)),
            len(list(found.overdue)),
        ]
    assert counts == [5, 5, 0]


def test_a_headcount_notes_the_change_once_it_commits(
    world, signals, django_capture_on_commit_callbacks
):
    """The 25-worker alert moves with a headcount: the figures remembered on it must know."""
    with django_capture_on_commit_callbacks(execute=True):
        enterprise = make_enterprise(world.county_admin, world.county, name="电话核实公司")
    signals.clear()
    with django_capture_on_commit_callbacks(execute=True):
        headcount(world.county_admin, enterprise, "2026-05-01", 40)
    assert signals == [None]


def test_the_alert_counts_by_unit_are_the_alert_lists_rows(world):
    """One pass counts both alerts by the unit below; the sums are the lists' own rows."""
    actor, city = world.county_admin, world.city_admin
    for n, (unit, total, surveyed) in enumerate(
        [
            (world.county_trade, 40, None),
            (world.county_trade, 24, "2026-05-01"),
            (world.county_enterprise, 30, "2026-05-01"),
            (world.county, 26, "2023-01-01"),  # at 舞钢 itself, surveyed too long ago
        ]
    ):
        enterprise = make_enterprise(actor, unit, name=f"分组{n}号公司")
        if surveyed:
            survey(actor, enterprise, surveyed, employees_total=total, migrant_workers=0)
        else:
            headcount(actor, enterprise, "2026-05-01", total)
    headcount(
        world.sibling_admin,
        make_enterprise(world.sibling_admin, world.sibling, name="宝丰分组公司"),
        "2026-05-01",
        50,
    )
    today = datetime.date(2026, 6, 1)
    for user in (actor, city):
        width = (user.organization.depth + 1) * 4
        by_unit = selectors.alert_counts_by_unit(user=user, width=width, today=today)
        threshold = selectors.without_union_over_threshold(user=user)
        overdue = selectors.survey_overdue(user=user, today=today)
        assert sum(row["threshold"] for row in by_unit.values()) == threshold.count()
        assert sum(row["overdue"] for row in by_unit.values()) == overdue.count()
    by_unit = selectors.alert_counts_by_unit(user=actor, width=20, today=today)
    assert by_unit[world.county_trade.path[:20]] == {"threshold": 1, "overdue": 1}
    assert by_unit[world.county_enterprise.path[:20]] == {"threshold": 1, "overdue": 0}
    assert by_unit[world.county.path] == {"threshold": 1, "overdue": 1}
