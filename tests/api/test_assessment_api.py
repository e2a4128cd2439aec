"""The 考核评比 API: read-only and scoped like the pages — the city sees every unit's row, a
county only its own, a sibling county's row is 404; the scores are the stored ones, ranked by
total; the lists keep a fixed query count; refusals are in Chinese."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ruhui.api.assessment import MSG_CAMPAIGN_UNKNOWN, MSG_NO_VIEW, MSG_UNIT_UNKNOWN
from ruhui.assessment import services
from ruhui.campaigns.models import Target
from tests.assessment import conftest
from tests.assessment.conftest import TODAY, WEIGHTS
from tests.factories import UserFactory
from tests.projects.factories import make_campaign

SCHEMES = "/api/v1/assessment/schemes"
RESULTS = "/api/v1/assessment/results"

# The 考核评比 fixtures (tests/assessment/conftest.py) for this directory.
people, drive, records = conftest.people, conftest.drive, conftest.records


@pytest.fixture
def computed(people, records):
    services.scheme_save(actor=people.city_admin, campaign=records, weights=WEIGHTS)
    rows = services.assessment_compute(actor=people.city_admin, campaign=records, today=TODAY)
    return {r.unit_id: r for r in rows}


def _assess(people, slug, units):
    campaign = make_campaign(people, slug=slug)
    for unit in units:
        Target.objects.create(campaign=campaign, unit=unit, new_members=10)
    services.scheme_save(actor=people.city_admin, campaign=campaign, weights=WEIGHTS)
    services.assessment_compute(actor=people.city_admin, campaign=campaign, today=TODAY)
    return campaign


def test_the_schemes_list_the_weights(as_user, people, computed, drive):
    body = as_user(people.county_viewer).get(SCHEMES, {"campaign": drive.slug}).json()
    assert body["count"] == 1
    scheme = body["items"][0]
    assert scheme["campaign_slug"] == drive.slug and scheme["status_label"] == "草稿"
    assert scheme["finalized_at"] is None
    assert {w["code"]: w["weight"] for w in scheme["weights"]} == WEIGHTS
    assert scheme["weights"][0]["label"] == "目标完成率"
    assert as_user(people.city_admin).get(SCHEMES, {"status": "已定稿"}).json()["count"] == 0


def test_the_results_are_scoped_and_ranked(as_user, people, computed, drive):
    county = services.assessment_adjust(
        actor=people.city_admin,
        assessment=computed[people.county.pk],
        adjustment="-3.5",
        reason="督查发现台账不实",
    )
    city = as_user(people.city_admin).get(RESULTS, {"campaign": drive.slug}).json()
    assert city["count"] == 2
    totals = [Decimal(str(item["total"])) for item in city["items"]]
    assert totals == sorted(totals, reverse=True)
    row = next(item for item in city["items"] if item["unit_id"] == people.county.pk)
    assert Decimal(str(row["computed_total"])) == Decimal("58.75")
    assert Decimal(str(row["adjustment"])) == Decimal("-3.5")
    assert Decimal(str(row["total"])) == Decimal("55.25")
    assert row["adjustment_reason"] == "督查发现台账不实"
    assert [s["code"] for s in row["scores"]] == list(WEIGHTS)
    assert sum(Decimal(str(s["score"])) for s in row["scores"]) == Decimal("58.75")
    assert row["overdue_flag"] is True and row["status_label"] == "草稿"

    own = as_user(people.county_viewer).get(RESULTS).json()
    assert [item["unit_id"] for item in own["items"]] == [people.county.pk]
    detail = as_user(people.county_viewer).get(f"{RESULTS}/{county.pk}").json()
    assert detail["unit_name"] == people.county.name
    assert [e["kind"] for e in detail["events"]] == ["compute", "adjust"]
    assert as_user(people.sibling_admin).get(f"{RESULTS}/{county.pk}").status_code == 404
    sibling = as_user(people.sibling_admin).get(RESULTS).json()
    assert [item["unit_id"] for item in sibling["items"]] == [people.sibling.pk]
    narrowed = as_user(people.city_admin).get(RESULTS, {"unit": people.sibling.code}).json()
    assert [item["unit_id"] for item in narrowed["items"]] == [people.sibling.pk]


def test_refusals_are_in_chinese(as_user, people, computed, drive):
    client = as_user(people.city_admin)
    for url in (SCHEMES, RESULTS):
        refused = client.get(url, {"campaign": "nope"})
        assert refused.status_code == 404
        assert refused.json() == {"detail": MSG_CAMPAIGN_UNKNOWN.format(slug="nope")}
    refused = client.get(RESULTS, {"unit": "XX"})
    assert refused.json() == {"detail": MSG_UNIT_UNKNOWN.format(code="XX")}
    refused = client.get(RESULTS, {"result": "很好"})
    assert refused.status_code == 422
    [error] = refused.json()["detail"]
    assert error["field"] == "result" and error["label"] == "考核结果"
    assert error["message"].startswith("考核结果「很好」无效：请填写 excellent（优秀）")
    assert client.get(RESULTS, {"page": "x"}).status_code == 422
    assert client.get(RESULTS, {"result": "优秀"}).json()["count"] == 0


def test_no_view_permission_is_403(as_user, people, computed):
    stranger = UserFactory(username="no_org_user", organization=None)
    for url in (SCHEMES, RESULTS, f"{RESULTS}/{computed[people.county.pk].pk}"):
        refused = as_user(stranger).get(url)
        assert refused.status_code == 403 and refused.json() == {"detail": MSG_NO_VIEW}


def test_the_lists_take_a_fixed_number_of_queries(as_user, people, computed):
    client = as_user(people.city_admin)
    with CaptureQueriesContext(connection) as two:
        assert client.get(RESULTS).json()["count"] == 2
    with CaptureQueriesContext(connection) as one_scheme:
        client.get(SCHEMES)
    _assess(people, "pds-2020", [people.county, people.sibling, people.industry])
    _assess(people, "pds-2021", [people.county])
    with CaptureQueriesContext(connection) as six:
        assert client.get(RESULTS).json()["count"] == 6
    with CaptureQueriesContext(connection) as three_schemes:
        assert client.get(SCHEMES).json()["count"] == 3
    assert len(six.captured_queries) == len(two.captured_queries)
    assert len(three_schemes.captured_queries) == len(one_scheme.captured_queries)
