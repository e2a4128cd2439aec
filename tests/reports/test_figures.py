"""The figures of a unit's month beside direct counts on a constructed history: unions founded
in the month and since the start, projects by state, the month's 省库已录入."""

import datetime

from ruhui.campaigns.progress import progress_refresh
from ruhui.members.models import Member
from ruhui.reports.figures import report_figures
from tests.factories import OrganizationFactory
from tests.members.factories import join
from tests.projects.factories import submitted_plan

D = datetime.date


def test_unions_projects_and_provincial_entry(people, drive):
    OrganizationFactory(
        parent=people.county, name="舞钢网约送餐员联合工会", founded_on=D(2019, 6, 8)
    )
    OrganizationFactory(parent=people.county, name="舞钢物业工会", founded_on=D(2019, 5, 2))
    OrganizationFactory(parent=people.sibling, name="宝丰物流工会", founded_on=D(2019, 6, 9))
    submitted_plan(people, drive)
    entered = join(
        people.county_admin, people.county_trade, on=D(2019, 6, 3), is_migrant_worker=True
    )
    join(people.county_admin, people.county_trade, on=D(2019, 6, 4), is_migrant_worker=True)
    Member.objects.filter(pk=entered.pk).update(provincial_status="1")
    progress_refresh(drive)
    got = report_figures(campaign=drive, unit=people.county, month="2019-06")
    assert (got["unions_founded"], got["unions_founded_total"]) == (1, 2)
    assert got["new_members"] == 2
    assert got["projects_total"] == 2
    assert {p["status"]: p["count"] for p in got["projects"]}["listed"] == 2
    assert got["provincial_entered"] == 1
    may = report_figures(campaign=drive, unit=people.county, month="2019-05")
    assert (may["unions_founded"], may["new_members"], may["provincial_entered"]) == (1, 0, 0)


def test_a_rejoiner_is_the_months_new_member_only_in_the_month_of_the_first_join(people, drive):
    """Counted by the campaign's rule: a person who joined in May, left, and joined again in
    July is May's new member (and 省库已录入 there), not July's."""
    from ruhui.members import services as member_services
    from tests.members.factories import make_id_number

    number = make_id_number()
    first = join(
        people.county_admin,
        people.county_trade,
        on=D(2019, 5, 6),
        id_number=number,
        is_migrant_worker=True,
    )
    member_services.member_withdraw(actor=people.county_admin, member=first, on=D(2019, 6, 1))
    again = join(
        people.county_admin,
        people.county_trade,
        on=D(2019, 7, 2),
        id_number=number,
        is_migrant_worker=True,
    )
    Member.objects.filter(pk__in=[first.pk, again.pk]).update(provincial_status="1")
    progress_refresh(drive)
    may = report_figures(campaign=drive, unit=people.county, month="2019-05")
    july = report_figures(campaign=drive, unit=people.county, month="2019-07")
    assert (may["new_members"], may["provincial_entered"]) == (1, 1)
    assert (july["new_members"], july["provincial_entered"]) == (0, 0)


def test_the_groups_are_counted_in_the_month_and_to_the_months_end(people, drive):
    """By group, the month's new members and the cumulative to the month's end (not the
    whole window as of today): 快递 joins in June and July, 外卖 in July, 保安 in August."""
    for day, group in (
        (D(2019, 6, 3), "02"),
        (D(2019, 7, 1), "02"),
        (D(2019, 7, 9), "06"),
        (D(2019, 8, 2), "08"),
    ):
        join(
            people.county_admin,
            people.county_trade,
            on=day,
            is_migrant_worker=True,
            group=group,
        )
    progress_refresh(drive)

    def groups(month):
        got = report_figures(campaign=drive, unit=people.county, month=month)["by_group"]
        return {g["code"]: (g["new_members"], g["new_members_total"]) for g in got}

    assert groups("2019-06") == {"02": (1, 1)}
    assert groups("2019-07") == {"02": (1, 2), "06": (1, 1)}
    assert groups("2019-08") == {"02": (0, 2), "06": (0, 1), "08": (1, 1)}
    assert groups("2019-05") == {}
    july = report_figures(campaign=drive, unit=people.county, month="2019-07")
    assert sum(g["new_members"] for g in july["by_group"]) == july["new_members"] == 2
    assert sum(g["new_members_total"] for g in july["by_group"]) == july["new_members_total"]
