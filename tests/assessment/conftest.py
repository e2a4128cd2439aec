import datetime

import pytest
from django.utils import timezone

from ruhui.campaigns.models import Target, UnitFigure
from ruhui.projects.models import ActionPlan, Inspection, Project
from ruhui.reports.models import MonthlyReport
from tests.projects.factories import add_people, make_campaign

D = datetime.date
#: The day the tests compute on: April–August reports are due by then (5 months).
TODAY = D(2019, 9, 15)
WEIGHTS = {
    "target_completion": 30,
    "growth": 15,
    "closeout_rate": 15,
    "overdue_rectifications": 10,
    "findings_closed": 10,
    "realname_rate": 10,
    "reports_on_time": 10,
}


@pytest.fixture
def people(world):
    add_people(world)
    return world


@pytest.fixture
def drive(people):
    """The city's 2019 drive (goal +15% over the baseline), with targets for 舞钢 and 宝丰:
    those two are assessed."""
    campaign = make_campaign(people)
    Target.objects.create(
        campaign=campaign, unit=people.county, new_members=100, baseline_declared=400
    )
    Target.objects.create(
        campaign=campaign, unit=people.sibling, new_members=50, baseline_declared=500
    )
    return campaign


def _sent(day: datetime.date):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


@pytest.fixture
def records(people, drive):
    """舞钢's records, hand-worked in test_scoring: 80 new members of 100 (growth 20% over 400
    against 15%); 4 projects, 1 closed, 1 overdue in 限期整改; 2 inspections asking a
    rectification, 1 done; April–August reports: 3 on time, 1 late, 1 missing.
    宝丰: 10 new members, nothing else."""
    UnitFigure.objects.create(campaign=drive, unit=people.county, new_members=80, baseline=390)
    UnitFigure.objects.create(campaign=drive, unit=people.sibling, new_members=10, baseline=480)
    plan = ActionPlan.objects.create(campaign=drive, unit=people.county_trade)
    for n, (status, rectify_by) in enumerate(
        [("closed", None), ("rectifying", D(2019, 9, 1)), ("in_progress", None), ("listed", None)]
    ):
        Project.objects.create(
            plan=plan,
            kind="build",
            build_type="enterprise",
            name=f"项目{n}",
            status=status,
            rectify_by=rectify_by,
            responsible_unit=people.county_trade,
        )
    for closed_on in (D(2019, 8, 1), None):
        Inspection.objects.create(
            campaign=drive,
            kind="check",
            inspecting_unit=people.city,
            inspected_unit=people.county,
            on=D(2019, 7, 1),
            findings="台账不全",
            rectification="补齐台账",
            closed_on=closed_on,
        )
    Inspection.objects.create(
        campaign=drive,
        kind="check",
        inspecting_unit=people.city,
        inspected_unit=people.county,
        on=D(2019, 7, 2),
    )
    for month, day in [
        ("2019-04", D(2019, 5, 3)),
        ("2019-05", D(2019, 6, 5)),
        ("2019-06", D(2019, 7, 1)),
        ("2019-07", D(2019, 8, 9)),
    ]:
        MonthlyReport.objects.create(
            campaign=drive,
            unit=people.county,
            month=month,
            status="submitted",
            submitted_at=_sent(day),
        )
    return drive
