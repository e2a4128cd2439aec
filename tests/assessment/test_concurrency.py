"""Two finalizers at once (real transactions on PostgreSQL): one finalization, one finalize
event per unit, the other is told 「已被他人处理」."""

import pytest
from django.db import connection

from ruhui.assessment import services
from ruhui.assessment.models import AssessmentEvent, AssessmentScheme
from tests.assessment.conftest import TODAY, WEIGHTS
from tests.projects.test_concurrency import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")


def test_two_finalizers_at_once_make_one_finalization(people, records):
    services.scheme_save(actor=people.city_admin, campaign=records, weights=WEIGHTS)
    rows = services.assessment_compute(actor=people.city_admin, campaign=records, today=TODAY)
    for row in rows:
        services.assessment_decide(
            actor=people.city_admin, assessment=row, result="pass", recommended=False
        )
    outcomes = at_once(
        lambda: services.assessment_finalize(actor=people.city_admin, campaign=records),
        lambda: services.assessment_finalize(actor=people.city_reviewer, campaign=records),
    )
    assert outcomes.count("ok") == 1, outcomes
    (refusal,) = [o for o in outcomes if o != "ok"]
    assert refusal[0] == "refused" and "已被他人处理" in refusal[1], outcomes
    assert AssessmentEvent.objects.filter(kind="finalize").count() == len(rows)
    assert AssessmentScheme.objects.get(campaign=records).status == "final"


def test_two_first_self_assessments_at_once_make_one(people, records):
    """(Without the savepoint the later insert met the unique constraint: a server error.)"""
    from ruhui.assessment.models import UnitSelfAssessment

    def submit(actor, text):
        return lambda: services.self_assessment_submit(
            actor=actor, campaign=records, unit=people.county, text=text
        )

    outcomes = at_once(
        submit(people.county_admin, "全年新发展会员超过任务。"),
        submit(people.county_admin, "项目全部按期实施。"),
    )
    # Either both went through one after the other (the second rewrote the first), or both
    # inserted at once and the later one was refused: never a server error, never two reports.
    assert "ok" in outcomes, outcomes
    for outcome in outcomes:
        assert outcome == "ok" or (outcome[0] == "refused" and "已被他人处理" in outcome[1])
    assert UnitSelfAssessment.objects.filter(campaign=records, unit=people.county).count() == 1
