"""Scores follow the weights on a hand-worked example; the ranking reads a fixed number of
queries whatever the number of units."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ruhui.assessment import services
from ruhui.assessment.scoring import unit_records, unit_scores
from tests.assessment.conftest import TODAY, WEIGHTS


def test_the_hand_worked_example(people, records):
    found = unit_records(records, [people.county, people.sibling], TODAY)
    county = found[people.county.pk]
    assert (county.new_members, county.target, county.baseline) == (80, 100, 400)
    assert (county.projects, county.closed, county.overdue) == (4, 1, 1)
    assert (county.findings, county.findings_closed) == (2, 1)
    assert (county.months_due, county.months_on_time) == (5, 3)
    scores, total = unit_scores(county, WEIGHTS)
    # 30 × 80/100 = 24; 15 × min(1, 20% ÷ 15%) = 15; 15 × 1/4 = 3.75; 10 × 0.5 (one overdue)
    # = 5; 10 × 1/2 = 5; 10 × 0/80 = 0 (nobody entered in the provincial database); 10 × 3/5
    # = 6 (May's report on the due day counts; July's is late; August's is missing).
    assert {code: s["score"] for code, s in scores.items()} == {
        "target_completion": "24.00",
        "growth": "15.00",
        "closeout_rate": "3.75",
        "overdue_rectifications": "5.00",
        "findings_closed": "5.00",
        "realname_rate": "0.00",
        "reports_on_time": "6.00",
    }
    assert total == Decimal("58.75")


def test_scores_follow_the_weights(people, records):
    county = unit_records(records, [people.county], TODAY)[people.county.pk]
    weights = dict.fromkeys(WEIGHTS, 0) | {"target_completion": 50, "reports_on_time": 50}
    _scores, total = unit_scores(county, weights)
    assert total == Decimal("70.00")  # 50 × 0.8 + 50 × 0.6


def test_compute_stores_scores_and_flags_the_overdue_unit(people, records):
    services.scheme_save(actor=people.city_admin, campaign=records, weights=WEIGHTS)
    rows = services.assessment_compute(actor=people.city_admin, campaign=records, today=TODAY)
    by_unit = {r.unit_id: r for r in rows}
    county, sibling = by_unit[people.county.pk], by_unit[people.sibling.pk]
    assert county.total == Decimal("58.75") and county.overdue_flag
    # 宝丰: 30 × 10/50 = 6; growth 2% of 15% → 15 × 0.1333 = 2.00; no project; no overdue
    # → 10; no rectification asked → 10; no report → 0.
    assert sibling.total == Decimal("28.00") and not sibling.overdue_flag
    assert county.events.get().kind == "compute"


@pytest.mark.parametrize(("change", "total"), [({"growth": 20}, 105), ({"growth": 5}, 90)])
def test_weights_not_summing_to_100_are_refused_with_the_sum(people, drive, change, total):
    with pytest.raises(ValidationError) as refused:
        services.scheme_save(actor=people.city_admin, campaign=drive, weights=WEIGHTS | change)
    assert f"现在是 {total} 分" in refused.value.messages[0]


def test_a_weight_that_is_not_whole_is_refused_naming_the_criterion(people, drive):
    with pytest.raises(ValidationError) as refused:
        services.scheme_save(
            actor=people.city_admin, campaign=drive, weights=WEIGHTS | {"growth": "7.5"}
        )
    assert "「较基数增长」的权重应填 0 到 100 之间的整数" in refused.value.message_dict["growth"][0]


def test_the_default_weights_skip_growth_when_the_campaign_states_no_percentage(drive):
    assert services.default_weights(drive)["growth"] == 15
    drive.goal_growth_pct = None
    weights = services.default_weights(drive)
    assert weights["growth"] == 0 and weights["target_completion"] == 45
    assert sum(weights.values()) == 100
