"""The demo's 考核评比 (issue 17): on `make demo` pds-2019 has an assessment draft with a valid
scheme, computed scores for the 18 units, two self-assessments; pds_admin sees the ranking and
舞钢 its own row only.

The world is seeded once for the module at the demo's own size, inside a transaction rolled
back at the end; each test runs in a savepoint."""

import pytest
from django.urls import reverse

from ruhui.accounts.models import User
from ruhui.assessment.models import AssessmentScheme, UnitAssessment, UnitSelfAssessment
from ruhui.campaigns.models import Campaign
from ruhui.demo.projects import SLUG
from ruhui.demo.world import DEMO_MEMBERS
from tests.demo import module_demo

demo_world = module_demo(members=DEMO_MEMBERS)


@pytest.fixture
def campaign(demo_world, db):
    return Campaign.objects.select_related("owner").get(slug=SLUG)


def test_the_demo_has_an_assessment_draft(demo_world, campaign):
    scheme = AssessmentScheme.objects.get(campaign=campaign)
    assert scheme.status == "draft" and scheme.computed_at is not None
    assert sum(scheme.criteria.values_list("weight", flat=True)) == 100
    rows = UnitAssessment.objects.filter(scheme=scheme)
    assert rows.count() == 18 == demo_world["assessments"]
    assert all(0 <= r.total <= 101.5 for r in rows)
    assert scheme.criteria.get(code="growth").weight == 0  # the drive states no growth %
    assert len({r.total for r in rows}) > 1  # the records differ, so do the scores
    wugang = rows.get(unit__code="WG")
    assert wugang.result == "excellent" and wugang.adjustment_reason
    assert UnitSelfAssessment.objects.filter(campaign=campaign).count() == 2


def test_pds_admin_and_wg_admin_see_the_ranking(campaign, client):
    url = reverse("assessment:ranking", args=[campaign.slug])
    client.force_login(User.objects.get(username="pds_admin"))
    html = client.get(url).content.decode()
    assert "舞钢市总工会" in html and "宝丰县总工会" in html
    client.force_login(User.objects.get(username="wg_admin"))
    html = client.get(url).content.decode()
    assert (
        "舞钢市总工会" in html
        and "宝丰县总工会" not in html.split("考核排名")[1].split("自评报告")[0]
    )
