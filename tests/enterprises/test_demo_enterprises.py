"""The demo survey (`make demo`): real patterns for the worklist, alerts and coverage."""

import pytest
from django.core.management import call_command

from ruhui.accounts.models import User
from ruhui.audit.models import AuditEvent
from ruhui.demo.enterprises import TEST_DEMO_ENTERPRISES, seed_demo_enterprises
from ruhui.enterprises import selectors
from ruhui.enterprises.models import Enterprise, Park, Survey
from ruhui.orgs.models import Organization


@pytest.fixture
def demo(db):
    call_command("seed_demo", members=200, verbosity=0)


def test_demo_enterprises_show_the_patterns(demo):
    assert Enterprise.objects.count() == TEST_DEMO_ENTERPRISES
    assert Park.objects.filter(union__isnull=False).exists()
    pds = User.objects.get(username="pds_admin")
    found = selectors.alerts(user=pds)
    assert found.threshold.exists() and found.overdue.exists()
    assert selectors.worklist(user=pds).filter(action_overdue=True).exists()
    # Built during the drive: new unions in the tree, linked to their enterprise.
    assert Organization.objects.filter(code__contains="-Q", covered_enterprises__isnull=False)
    # Linked to existing demo unions, whose registry members then count.
    total = selectors.coverage(user=pds).total
    assert 0 < total.unionised < total.enterprises
    assert total.members > 0
    assert Survey.objects.values("enterprise").distinct().count() > TEST_DEMO_ENTERPRISES * 0.8
    assert (
        AuditEvent.objects.filter(object_type="enterprises.survey").count()
        == Survey.objects.count()
    )
    # Every demo county and the 工交工会 has enterprises of its own.
    for username in ("wg_admin", "bf_admin", "gj_admin"):
        user = User.objects.get(username=username)
        assert selectors.enterprise_list(user=user).exists()


def test_demo_enterprises_are_idempotent(demo):
    counts = (Enterprise.objects.count(), Survey.objects.count())
    assert seed_demo_enterprises()["created"] == 0
    call_command("seed_demo", members=0, verbosity=0)
    assert (Enterprise.objects.count(), Survey.objects.count()) == counts
