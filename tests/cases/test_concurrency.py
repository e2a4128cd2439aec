"""Two publishers at once (real transactions on PostgreSQL): one publication, one event, the
other is told 「已被他人处理」; a publish and a withdraw at once never leave a half state."""

import pytest
from django.db import connection

from ruhui.cases import services
from ruhui.cases.models import Case, CaseEvent, CaseStatus
from ruhui.orgs.choices import WORKER_GROUPS
from ruhui.orgs.models import WorkerGroup
from tests.cases.factories import submit
from tests.factories import UserFactory
from tests.projects.test_concurrency import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")
    for code, name in WORKER_GROUPS:
        WorkerGroup.objects.get_or_create(code=code, defaults={"name": name})


def test_two_publishers_at_once_make_one_publication(world):
    case = submit(world.county_admin)
    second = UserFactory(username="city_admin2", organization=world.city)
    outcomes = at_once(
        lambda: services.case_publish(actor=world.city_admin, case=case),
        lambda: services.case_publish(actor=second, case=case),
    )
    assert outcomes.count("ok") == 1, outcomes
    (refusal,) = [o for o in outcomes if o != "ok"]
    assert refusal[0] == "refused" and "已被他人处理" in refusal[1], outcomes
    assert CaseEvent.objects.filter(case=case, to_status=CaseStatus.PUBLISHED).count() == 1
    assert Case.objects.get(pk=case.pk).status == CaseStatus.PUBLISHED
