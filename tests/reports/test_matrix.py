"""The city's matrix of units × months: on time, late (days), missing, returned, computed
around the due day; a unit sees its own row only; a fixed number of queries as units grow."""

import datetime

import pytest
from django.utils import timezone

from ruhui.demo.projects import _on
from ruhui.reports import selectors, services
from ruhui.reports.models import ReportSchedule, due_date
from tests.factories import OrganizationFactory

D = datetime.date


def submit_on(people, drive, unit, actor, month, day):
    with _on(day):
        report = services.report_open(actor=actor, campaign=drive, unit=unit, month=month)
        services.report_save(actor=actor, report=report, data={"progress": "本月工作进展"})
        return services.report_submit(actor=actor, report=report)


def cells(people, drive, today):
    table = selectors.matrix(user=people.city_admin, campaign=drive, today=today)
    return {(row.unit.name, c.month): c for row in table.rows for c in row.cells}, table


def test_due_date_is_the_due_day_of_the_next_month():
    assert due_date("2019-06", 5) == D(2019, 7, 5)
    assert due_date("2019-12", 5) == D(2020, 1, 5)


def test_on_time_late_missing_around_the_due_day(people, drive):
    submit_on(people, drive, people.county, people.county_admin, "2019-06", D(2019, 7, 5))
    submit_on(people, drive, people.sibling, people.sibling_admin, "2019-06", D(2019, 7, 8))
    got, _table = cells(people, drive, D(2019, 7, 5))
    assert got[("舞钢市总工会", "2019-06")].label == "按时"
    assert got[("平顶山市工交工会", "2019-06")].label == "待报"  # due today: not missing yet
    got, table = cells(people, drive, D(2019, 7, 9))
    assert got[("舞钢市总工会", "2019-06")].label == "按时"
    assert got[("宝丰县总工会", "2019-06")].label == "迟报 3 天"
    assert got[("平顶山市工交工会", "2019-06")].label == "未报"
    assert [u.name for u in table.missing["2019-06"]] == ["平顶山市工交工会"]
    assert table.months == ["2019-04", "2019-05", "2019-06", "2019-07"]


def test_the_due_day_is_per_campaign(people, drive):
    ReportSchedule.objects.create(campaign=drive, due_day=10)
    submit_on(people, drive, people.sibling, people.sibling_admin, "2019-06", D(2019, 7, 8))
    got, _table = cells(people, drive, D(2019, 7, 12))
    assert got[("宝丰县总工会", "2019-06")].label == "按时"


def test_returned_and_draft(people, drive):
    report = submit_on(people, drive, people.county, people.county_admin, "2019-06", D(2019, 7, 1))
    services.report_return(actor=people.city_admin, report=report, opinion="请补充数据说明")
    with _on(D(2019, 7, 2)):
        services.report_open(
            actor=people.sibling_admin, campaign=drive, unit=people.sibling, month="2019-06"
        )
    got, _table = cells(people, drive, D(2019, 7, 3))
    assert got[("舞钢市总工会", "2019-06")].label == "退回"
    assert got[("宝丰县总工会", "2019-06")].label == "草稿"
    got, _table = cells(people, drive, D(2019, 7, 6))
    assert got[("宝丰县总工会", "2019-06")].missing


def test_a_unit_sees_its_own_row_only(people, drive):
    table = selectors.matrix(user=people.county_admin, campaign=drive, today=D(2019, 8, 1))
    assert [row.unit.name for row in table.rows] == ["舞钢市总工会"]
    table = selectors.matrix(user=people.county_trade_user, campaign=drive, today=D(2019, 8, 1))
    assert table.rows == []


@pytest.fixture
def people(people):
    from tests.factories import UserFactory

    people.county_trade_user = UserFactory(
        username="county_trade_user", organization=people.county_trade
    )
    return people


def test_the_matrix_takes_a_fixed_number_of_queries(
    people, drive, django_assert_num_queries, as_user
):
    submit_on(people, drive, people.county, people.county_admin, "2019-06", D(2019, 7, 5))
    today = timezone.localdate()
    with django_assert_num_queries(4) as small:  # targets, children, schedule, reports
        selectors.matrix(user=people.city_admin, campaign=drive, today=today)
    for n in range(12):
        OrganizationFactory(parent=people.city, name=f"测试县{n}总工会", code=f"T{n}")
    with django_assert_num_queries(len(small.captured_queries)):
        table = selectors.matrix(user=people.city_admin, campaign=drive, today=today)
    assert len(table.rows) == 15


def test_the_schedule_sets_the_due_day_and_first_month(people, drive):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.schedule_set(actor=people.city_admin, campaign=drive, due_day=30)
    assert refused.value.message_dict == {"due_day": [services.MSG_DUE_DAY]}
    with pytest.raises(ValidationError):
        services.schedule_set(actor=people.county_admin, campaign=drive, due_day=5)
    services.schedule_set(actor=people.city_admin, campaign=drive, due_day=8, first_month="2019-06")
    table = selectors.matrix(user=people.city_admin, campaign=drive, today=D(2019, 8, 20))
    assert table.months == ["2019-06", "2019-07", "2019-08"] and table.due_day == 8
