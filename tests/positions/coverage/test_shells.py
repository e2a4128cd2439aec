"""The 空壳 risk list: its aging (RUHUI_EMPTY_SHELL_DAYS, checked with time-machine) and its
three conditions, each named on the row; scope."""

import datetime

import pytest

from ruhui.positions.shells import MISSING_SIX, NO_ACTIVITY, NO_MEMBERS, shell_candidates
from tests.factories import OrganizationFactory
from tests.members.factories import join
from tests.positions.coverage.conftest import activity, meet

D = datetime.date
pytestmark = pytest.mark.django_db


def _at(time_machine, day):
    time_machine.move_to(datetime.datetime(day.year, day.month, day.day, 10, tzinfo=datetime.UTC))


@pytest.fixture
def unions(world, time_machine):
    _at(time_machine, D(2020, 1, 1))
    w = world
    healthy = OrganizationFactory(
        parent=w.county, name="舞钢健全工会", founded_on=D(2019, 1, 10), division_code="410481"
    )
    meet(healthy)
    join(w.county_admin, healthy, on=D(2019, 2, 1))
    activity(healthy, on=D(2019, 11, 1), counts={"02": 2})
    empty = OrganizationFactory(
        parent=w.county, name="舞钢空壳工会", founded_on=D(2019, 1, 10), division_code="410481"
    )
    young = OrganizationFactory(
        parent=w.county, name="舞钢新建工会", founded_on=D(2019, 12, 1), division_code="410481"
    )
    quiet = OrganizationFactory(
        parent=w.county, name="舞钢沉寂工会", founded_on=D(2018, 5, 1), division_code="410481"
    )
    meet(quiet)
    meet(quiet, "has_performance", met=False)
    branch = OrganizationFactory(
        parent=quiet, name="沉寂工会一分会", kind="branch", division_code="410481"
    )
    join(w.county_admin, branch, on=D(2019, 3, 1))
    activity(quiet, on=D(2019, 6, 30), counts={"02": 1})
    return {"healthy": healthy, "empty": empty, "young": young, "quiet": quiet}


def _rows(user, **kwargs):
    return {row.union.name: row for row in shell_candidates(user=user, **kwargs).rows}


def test_conditions_and_aging(world, unions, time_machine):
    rows = _rows(world.county_admin)
    assert "舞钢健全工会" not in rows
    assert "舞钢新建工会" not in rows  # founded 31 days ago
    empty = rows["舞钢空壳工会"]
    assert empty.conditions == [MISSING_SIX, NO_MEMBERS, NO_ACTIVITY]
    assert empty.reasons == ["“六有”不全", "无在籍会员", "6 个月无服务活动"]
    assert len(empty.missing) == 6
    quiet = rows["舞钢沉寂工会"]
    # The branch's member counts for its base union; the last entry is 2019-06-30, before
    # 2019-07-01 (six months before 2020-01-01).
    assert quiet.conditions == [MISSING_SIX, NO_ACTIVITY]
    assert quiet.missing == ["有会员满意的工作绩效"]
    assert quiet.members == 1
    assert quiet.last_activity == D(2019, 6, 30)
    # The trade union and the enterprise union of the world have no founding date: not aged.
    assert "舞钢快递行业工会" not in rows


def test_time_moves_on(world, unions, time_machine):
    _at(time_machine, D(2019, 12, 31))
    # 2019-06-30 is within six months of 2019-12-31: only the missing item is left.
    assert _rows(world.county_admin)["舞钢沉寂工会"].conditions == [MISSING_SIX]
    _at(time_machine, D(2020, 6, 1))  # the young union is 183 days old
    rows = _rows(world.county_admin)
    assert rows["舞钢新建工会"].conditions == [MISSING_SIX, NO_MEMBERS, NO_ACTIVITY]
    assert rows["舞钢健全工会"].conditions == [NO_ACTIVITY]  # last entry 2019-11-01


def test_the_threshold_is_a_setting(world, unions, settings):
    settings.RUHUI_EMPTY_SHELL_DAYS = 20
    assert "舞钢新建工会" in _rows(world.county_admin)


def test_scope(world, unions):
    assert _rows(world.sibling_admin) == {}
    assert "舞钢空壳工会" in _rows(world.city_admin)
    assert "舞钢空壳工会" not in _rows(world.city_admin, unit=world.sibling)
