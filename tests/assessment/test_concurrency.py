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
