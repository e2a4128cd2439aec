"""五清 surveys: validation, history kept across edits, the enterprise follows the latest."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from ruhui.enterprises.models import HeadcountSnapshot, Survey
from ruhui.enterprises.validation import clean_survey_fields
from tests.enterprises.factories import make_enterprise, survey

TODAY = datetime.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC), tick=False):
        yield


def test_clean_survey_fields_checks_counts_and_dates():
    _cleaned, errors = clean_survey_fields(
        {
            "surveyed_on": "2026-06-02",
            "union_status": "未建会",
            "employees_total": "20",
            "migrant_workers": 21,
            "group_counts": {"快递员": 15, "网约送餐员": "8人", "飞行员": 1},
            "reason": "其他",
            "next_action_due": "2026/5/1",
        },
        today=TODAY,
    )
    assert "不能晚于今天（2026-06-01）" in errors["surveyed_on"][0]
    assert "农民工人数（21）不能多于职工人数（20）" in errors["migrant_workers"][0]
    assert any("飞行员" in m for m in errors["group_counts"])
    assert any("各群体人数之和（23）不能多于职工人数（20）" in m for m in errors["group_counts"])
    assert "写明具体原因" in errors["reason_text"][0]
    assert "请选择推进措施" in errors["next_action"][0]
    _cleaned, errors = clean_survey_fields(
        {"surveyed_on": "2026年5月3日", "union_status": "已建会", "reason": "01"}, today=TODAY
    )
    assert "已建会的企业不填写未建会原因" in errors["reason"][0]
    _cleaned, errors = clean_survey_fields(
        {"surveyed_on": "2026-05-03", "union_status": "未建会", "employees_total": -3},
        today=TODAY,
    )
    assert "不小于 0 的整数" in errors["employees_total"][0]


def test_survey_history_is_kept_and_the_enterprise_shows_the_latest(world):
    enterprise = make_enterprise(world.county_admin, world.county, township="垭口街道")
    first = survey(
        world.county_admin,
        enterprise,
        "2025-03-01",
        employees_total=12,
        migrant_workers=8,
        group_counts={"02": 10},
        next_action="宣传动员",
        next_action_due="2025-06-30",
    )
    second = survey(
        world.county_admin,
        enterprise,
        "2026-03-01",
        union_status="筹建中",
        reason="正在筹建",
        legal_rep_attitude="支持",
        employees_total=30,
        migrant_workers=20,
    )
    assert Survey.objects.filter(enterprise=enterprise).count() == 2
    enterprise.refresh_from_db()
    assert enterprise.latest_survey == second
    assert enterprise.union_status == "preparing"
    assert (enterprise.employees_total, enterprise.migrant_workers) == (30, 20)
    assert enterprise.last_surveyed_on == datetime.date(2026, 3, 1)
    assert list(enterprise.groups.values_list("code", flat=True)) == ["02"]
    # The first record is untouched, and records cannot be edited.
    first_again = Survey.objects.get(pk=first.pk)
    assert (first_again.union_status, first_again.employees_total) == ("none", 12)
    assert first_again.legal_rep_attitude == "3"
    with pytest.raises(ValueError, match="append-only"):
        first_again.save()
    # An older paper survey entered later is history, not the latest.
    survey(world.county_admin, enterprise, "2024-11-01", employees_total=5, migrant_workers=5)
    enterprise.refresh_from_db()
    assert enterprise.latest_survey == second and enterprise.employees_total == 30
    assert HeadcountSnapshot.objects.filter(enterprise=enterprise).count() == 3


def test_completeness_of_the_five_clear_items(world):
    enterprise = make_enterprise(world.county_admin, world.county, township="垭口街道")
    full = survey(
        world.county_admin, enterprise, "2026-01-01", employees_total=10, migrant_workers=4
    )
    assert full.completeness() == dict.fromkeys(
        ["status", "reason", "attitude", "headcount", "area"], True
    )
    assert full.is_complete
    thin = survey(world.county_admin, enterprise, "2026-02-01", reason="", legal_rep_attitude="")
    assert thin.completeness() == {
        "status": True,
        "reason": False,
        "attitude": False,
        "headcount": False,
        "area": True,
    }
    assert not thin.is_complete
    nowhere = make_enterprise(world.county_admin, world.county)  # no township, no park
    built = survey(
        world.county_admin,
        nowhere,
        "2026-02-01",
        union_status="已建会",
        reason="",
        legal_rep_attitude="",
        employees_total=3,
        migrant_workers=0,
    )
    assert built.completeness()["reason"] and built.completeness()["attitude"]
    assert not built.completeness()["area"]


def test_survey_writes_are_scoped(world):
    enterprise = make_enterprise(world.county_admin, world.county)
    with pytest.raises(PermissionDenied):
        survey(world.sibling_admin, enterprise, "2026-01-01")
    survey(world.city_admin, enterprise, "2026-01-01")


def test_a_survey_cannot_contradict_a_linked_union(world):
    from ruhui.enterprises.services import union_build

    enterprise = make_enterprise(world.county_admin, world.county)
    union_build(actor=world.county_admin, enterprise=enterprise, union=world.county_trade)
    with pytest.raises(ValidationError) as exc:
        survey(world.county_admin, enterprise, "2026-05-01")
    assert "舞钢快递行业工会" in exc.value.message_dict["union_status"][0]
    survey(
        world.county_admin,
        enterprise,
        "2026-05-01",
        union_status="已建会",
        reason="",
        legal_rep_attitude="",
    )
