import datetime

import pytest

from ruhui.demo.projects import _on
from ruhui.reports import services
from tests.projects.factories import add_people, make_campaign

D = datetime.date


@pytest.fixture
def people(world):
    """The test world with a second city reviewer and the province's people."""
    add_people(world)
    return world


@pytest.fixture
def drive(people):
    """The city's 2019 drive (April–December); with no targets, the city's three children
    (舞钢, 宝丰, 工交工会) report."""
    return make_campaign(people)


@pytest.fixture
def june(people, drive):
    """舞钢's June report, written on 2019-07-02 (a draft)."""
    with _on(D(2019, 7, 2)):
        report = services.report_open(
            actor=people.county_admin, campaign=drive, unit=people.county, month="2019-06"
        )
        return services.report_save(
            actor=people.county_admin,
            report=report,
            data={"progress": "六月份新建快递行业工会一个，发展会员两人。"},
        )
