"""Every check a decomposition can fail, on small hand-built tables (issue 7 item 2)."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ruhui.campaigns.checks import Line, decomposition_checks, growth, needed_for, pct


def codes(checks):
    return [c.code for c in checks]


def lines(*rows):
    return [Line(i, name, baseline, target) for i, (name, baseline, target) in enumerate(rows, 1)]


def test_a_clean_table_fails_nothing():
    table = lines(("甲", 100, 20), ("乙", 200, 40))
    checks = decomposition_checks(
        parent_name="市总",
        parent_target=60,
        lines=table,
        policy_pct=Decimal("15"),
        declared_baseline_total=300,
        declared_target_total=60,
    )
    assert checks == []


def test_children_below_the_parent():
    checks = decomposition_checks(
        parent_name="舞钢市总工会",
        parent_target=100,
        lines=lines(("甲", 10, 30), ("乙", 10, 50)),
        policy_pct=None,
    )
    assert codes(checks) == ["children_below_parent"]
    assert checks[0].message == "下级任务数合计 80 人，少于舞钢市总工会的任务 100 人，差 20 人。"
    assert checks[0].figures == {"children": 80, "parent": 100}


def test_declared_totals_differ_from_the_rows():
    checks = decomposition_checks(
        parent_name="市总",
        parent_target=None,
        lines=lines(("甲", 100, 20), ("乙", 200, 40)),
        policy_pct=None,
        declared_baseline_total=301,
        declared_target_total=59,
    )
    assert codes(checks) == ["declared_target_total_mismatch", "declared_baseline_total_mismatch"]
    assert "合计”行的任务数为 59 人，各单位任务数相加为 60 人，相差 1 人" in checks[0].message
    assert "合计”行的基数为 301 人，各单位基数相加为 300 人" in checks[1].message


def test_the_2015_arithmetic_growth_below_the_plan():
    """45,000 on 314,906 is 14.29%, below 15%: 15% would be 47,236 (rounded up)."""
    checks = decomposition_checks(
        parent_name="市总",
        parent_target=None,
        lines=[Line(1, "全市", 314_906, 45_000)],
        policy_pct=Decimal("15"),
    )
    total = next(c for c in checks if c.code == "growth_below_policy")
    assert total.figures["growth_pct"] == "14.29" and total.figures["needed"] == 47_236
    assert (
        "为基数 314,906 人的 14.29%，低于方案要求的增长 15%（按 15% 应为 47,236 人，差 2,236 人）"
        in (total.message)
    )


def test_units_below_the_policy_and_a_zero_baseline():
    checks = decomposition_checks(
        parent_name="市总",
        parent_target=None,
        lines=lines(("舞钢", 31_463, 3_500), ("鲁山", 6_479, 1_000), ("工交工会", 0, 2_000)),
        policy_pct=Decimal("15"),
    )
    below = [c for c in checks if c.code == "unit_growth_below_policy"]
    assert [c.unit_id for c in below] == [1]  # 舞钢 11.12%; 鲁山 15.43% passes
    assert "舞钢：任务 3,500 人为基数 31,463 人的 11.12%" in below[0].message
    zero = [c for c in checks if c.code == "zero_baseline"]
    assert [c.unit_id for c in zero] == [3]
    assert "增长率无法计算（显示为“—”）" in zero[0].message


def test_missing_figures_and_an_undecomposed_target():
    checks = decomposition_checks(
        parent_name="市总",
        parent_target=None,
        lines=lines(("甲", None, None)),
        policy_pct=Decimal("15"),
    )
    assert codes(checks) == ["missing_target", "missing_baseline"]
    checks = decomposition_checks(
        parent_name="市总工会", parent_target=28_000, lines=[], policy_pct=None
    )
    assert codes(checks) == ["not_decomposed"]
    assert checks[0].message == "市总工会的任务 28,000 人尚未分解到下级单位。"


def test_a_declared_baseline_different_from_the_registry_is_shown_not_replaced():
    table = [Line(1, "舞钢", 31_463, 3_500, computed_baseline=30_000)]
    checks = decomposition_checks(
        parent_name="市总",
        parent_target=None,
        lines=table,
        policy_pct=None,
        baseline_date="2014-12-31",
    )
    assert codes(checks) == ["baseline_differs"]
    assert checks[0].level == "info"
    assert (
        "申报基数 31,463 人，会员实名制名册中 2014-12-31 在册 30,000 人，相差 1,463 人"
        in checks[0].message
    )


@given(st.integers(0, 10**7), st.integers(0, 10**7))
def test_growth_is_target_over_baseline_or_nothing(target, baseline):
    value = growth(target, baseline)
    if baseline == 0:
        assert value is None and pct(value) == "—"
    else:
        assert abs(value - Decimal(target) * 100 / baseline) <= Decimal("0.005")


@given(st.integers(1, 10**7), st.decimals(min_value=0, max_value=100, places=2))
def test_needed_is_the_least_whole_number_reaching_the_policy(baseline, policy):
    needed = needed_for(baseline, policy)
    assert Decimal(needed) * 100 >= baseline * policy
    assert needed == 0 or Decimal(needed - 1) * 100 < baseline * policy
