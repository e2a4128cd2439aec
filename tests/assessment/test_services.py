"""The review steps: adjustment needs a reason, results, finalizing freezes everything, two
finalizers at once → one, self-assessments by the unit's own cadres only."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ruhui.assessment import services
from ruhui.assessment.models import UnitAssessment
from ruhui.audit.models import AuditEvent
from ruhui.campaigns.models import UnitFigure
from ruhui.campaigns.progress import progress_refresh
from tests.assessment.conftest import TODAY, WEIGHTS
from tests.members.factories import join

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def computed(people, records):
    services.scheme_save(actor=people.city_admin, campaign=records, weights=WEIGHTS)
    rows = services.assessment_compute(actor=people.city_admin, campaign=records, today=TODAY)
    return {r.unit_id: r for r in rows}


def test_an_adjustment_without_a_reason_is_refused(people, computed):
    county = computed[people.county.pk]
    with pytest.raises(ValidationError) as refused:
        services.assessment_adjust(
            actor=people.city_admin, assessment=county, adjustment="2", reason="  "
        )
    assert refused.value.message_dict["reason"] == [services.MSG_REASON]
    county.refresh_from_db()
    assert county.adjustment == 0 and county.total == Decimal("58.75")


def test_an_adjustment_changes_the_total_and_leaves_a_trail(people, computed):
    county = services.assessment_adjust(
        actor=people.city_admin,
        assessment=computed[people.county.pk],
        adjustment="-3.5",
        reason="督查发现台账不实",
    )
    assert county.total == Decimal("55.25") and county.computed_total == Decimal("58.75")
    event = county.events.get(kind="adjust")
    assert event.note == "督查发现台账不实"
    assert AuditEvent.objects.filter(object_type="assessment.unitassessment").exists()


def test_an_adjustment_that_is_not_a_number_is_refused(people, computed):
    with pytest.raises(ValidationError) as refused:
        services.assessment_adjust(
            actor=people.city_admin,
            assessment=computed[people.county.pk],
            adjustment="三分",
            reason="x",
        )
    assert "调整分应填 -100 到 100 之间的数" in refused.value.message_dict["adjustment"][0]


def test_a_county_cannot_review(people, computed):
    with pytest.raises(PermissionDenied):
        services.assessment_decide(
            actor=people.county_admin,
            assessment=computed[people.county.pk],
            result="excellent",
            recommended=True,
        )


def _decide_all(people, computed):
    for row in computed.values():
        services.assessment_decide(
            actor=people.city_admin, assessment=row, result="pass", recommended=False
        )


def test_finalizing_needs_every_result(people, computed):
    services.assessment_decide(
        actor=people.city_admin,
        assessment=computed[people.county.pk],
        result="excellent",
        recommended=True,
    )
    with pytest.raises(ValidationError) as refused:
        services.assessment_finalize(
            actor=people.city_admin, campaign=computed[people.county.pk].scheme.campaign
        )
    assert "宝丰县总工会" in refused.value.messages[0]


def test_finalized_results_never_change_after_a_later_join(people, computed, records):
    _decide_all(people, computed)
    services.assessment_finalize(actor=people.city_admin, campaign=records)
    before = {
        r.unit_id: (r.total, r.scores, r.figures, r.status) for r in UnitAssessment.objects.all()
    }
    join(
        people.county_admin,
        people.county_trade,
        on=datetime.date(2019, 6, 3),
        is_migrant_worker=True,
    )
    progress_refresh(records)
    assert UnitFigure.objects.get(campaign=records, unit=people.county).new_members != 80
    with pytest.raises(ValidationError) as refused:
        services.assessment_compute(actor=people.city_admin, campaign=records, today=TODAY)
    assert "已被他人处理" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        services.assessment_adjust(
            actor=people.city_admin,
            assessment=computed[people.county.pk],
            adjustment="1",
            reason="x",
        )
    with pytest.raises(ValidationError):
        services.scheme_save(actor=people.city_admin, campaign=records, weights=WEIGHTS)
    after = {
        r.unit_id: (r.total, r.scores, r.figures, r.status) for r in UnitAssessment.objects.all()
    }
    assert after == before
    assert {s for *_x, s in after.values()} == {"final"}


def test_two_finalizers_at_once_make_one(people, computed, records):
    _decide_all(people, computed)
    services.assessment_finalize(actor=people.city_admin, campaign=records)
    with pytest.raises(ValidationError) as refused:
        services.assessment_finalize(actor=people.city_reviewer, campaign=records)
    assert "已被他人处理" in refused.value.messages[0]
    assert UnitAssessment.objects.filter(events__kind="finalize").count() == 2  # one per unit


def test_a_unit_files_its_own_self_assessment_with_files(people, drive):
    upload = SimpleUploadedFile("自评附件.pdf", PDF, content_type="application/pdf")
    item = services.self_assessment_submit(
        actor=people.county_admin,
        campaign=drive,
        unit=people.county,
        text="全年发展会员八十人。",
        uploads=[upload],
    )
    assert item.files.get().original_name == "自评附件.pdf"
    with pytest.raises(PermissionDenied):
        services.self_assessment_submit(
            actor=people.city_admin, campaign=drive, unit=people.county, text="代写"
        )
    with pytest.raises(ValidationError) as refused:
        services.self_assessment_submit(
            actor=people.county_admin, campaign=drive, unit=people.county, text=" "
        )
    assert refused.value.message_dict["text"] == [services.MSG_TEXT_REQUIRED]


def test_only_an_assessed_unit_files_a_self_assessment(people, drive):
    with pytest.raises(ValidationError) as refused:
        services.self_assessment_submit(
            actor=people.industry_admin, campaign=drive, unit=people.industry, text="自评"
        )
    assert "不是集中行动" in refused.value.message_dict["unit"][0]
