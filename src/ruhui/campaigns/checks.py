"""The checks a task-decomposition table must pass (任务分解 of one unit to its sub-units), run
on what is stored and shown wherever they fail: on the dashboard, the targets page and in the
import report (`ruhui import_targets --report`).

Growth is target ÷ baseline; a zero or missing baseline has no growth ("—", never infinity).
The growth of a whole table is its lines' targets over their baselines; a 合计 row is checked
against the lines, not used in their place. The 2015 table fails twice on its own arithmetic:
its 合计 row declares a baseline of 314,906 while its sixteen lines add up to 314,903, and its
targets add up to 45,000, which is 14.29% of that, below the plan's own "增长15%以上"
(research/domain.md c13).
"""

from dataclasses import asdict, dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

ERROR, WARNING, INFO = "error", "warning", "info"

MSG_CHILDREN_BELOW_PARENT = (
    "下级任务数合计 {children:,} 人，少于{parent_name}的任务 {parent:,} 人，差 {gap:,} 人。"
)
MSG_DECLARED_TARGET_TOTAL = (
    "分解表“合计”行的任务数为 {declared:,} 人，各单位任务数相加为 {computed:,} 人，"
    "相差 {gap:,} 人：请核对各行或合计行。"
)
MSG_DECLARED_BASELINE_TOTAL = (
    "分解表“合计”行的基数为 {declared:,} 人，各单位基数相加为 {computed:,} 人，"
    "相差 {gap:,} 人：请核对各行或合计行。"
)
MSG_GROWTH_BELOW_POLICY = (
    "分解任务合计 {target:,} 人，为基数 {baseline:,} 人的 {growth}，低于方案要求的增长 "
    "{policy}（按 {policy} 应为 {needed:,} 人，差 {gap:,} 人）。"
)
MSG_UNIT_GROWTH_BELOW_POLICY = (
    "{unit}：任务 {target:,} 人为基数 {baseline:,} 人的 {growth}，低于方案要求的 {policy}。"
)
MSG_ZERO_BASELINE = "{unit}：基数为 0，增长率无法计算（显示为“—”），请核对基数是否漏报。"
MSG_MISSING_BASELINE = "{unit}：没有填报基数，增长率无法计算。"
MSG_MISSING_TARGET = "{unit}：没有下达新增任务数。"
MSG_NOT_DECOMPOSED = "{parent_name}的任务 {parent:,} 人尚未分解到下级单位。"
MSG_BASELINE_DIFFERS = (
    "{unit}：申报基数 {declared:,} 人，会员实名制名册中 {date} 在册 {computed:,} 人，"
    "相差 {gap:,} 人（两个数都保留，不互相替代）。"
)


@dataclass
class Check:
    """One failed check: a stable code, its level, the Chinese message and the figures."""

    code: str
    level: str
    message: str
    unit_id: int | None = None
    figures: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Line:
    """One sub-unit's line of a decomposition."""

    unit_id: int
    unit_name: str
    baseline: int | None
    target: int | None
    computed_baseline: int | None = None


def growth(target: int | None, baseline: int | None) -> Decimal | None:
    """Target (or new members) ÷ baseline as a percentage; None when it cannot be computed."""
    if target is None or not baseline:
        return None
    return (Decimal(target) * 100 / Decimal(baseline)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def pct(value: Decimal | None) -> str:
    """A percentage as shown: '14.29%', or '—'."""
    return "—" if value is None else f"{value.normalize():f}%"


def needed_for(baseline: int, policy: Decimal) -> int:
    """New members the policy's growth asks of a baseline (rounded up: 15% of 314,906 is
    47,235.9, so 47,236 people)."""
    return int((Decimal(baseline) * policy / 100).to_integral_value(rounding=ROUND_CEILING))


def decomposition_checks(
    *,
    parent_name: str,
    parent_target: int | None,
    lines: list[Line],
    policy_pct: Decimal | None,
    declared_baseline_total: int | None = None,
    declared_target_total: int | None = None,
    baseline_date: str = "",
) -> list[Check]:
    """Every check of item 2 that a decomposition fails, most important first."""
    checks: list[Check] = []
    targets = [line.target for line in lines if line.target is not None]
    baselines = [line.baseline for line in lines if line.baseline is not None]
    target_sum, baseline_sum = sum(targets), sum(baselines)
    if parent_target is not None and lines and target_sum < parent_target:
        checks.append(
            Check(
                "children_below_parent",
                ERROR,
                MSG_CHILDREN_BELOW_PARENT.format(
                    children=target_sum,
                    parent=parent_target,
                    parent_name=parent_name,
                    gap=parent_target - target_sum,
                ),
                figures={"children": target_sum, "parent": parent_target},
            )
        )
    if parent_target and not lines:
        checks.append(
            Check(
                "not_decomposed",
                WARNING,
                MSG_NOT_DECOMPOSED.format(parent_name=parent_name, parent=parent_target),
                figures={"parent": parent_target},
            )
        )
    if declared_target_total is not None and declared_target_total != target_sum:
        checks.append(
            Check(
                "declared_target_total_mismatch",
                ERROR,
                MSG_DECLARED_TARGET_TOTAL.format(
                    declared=declared_target_total,
                    computed=target_sum,
                    gap=abs(declared_target_total - target_sum),
                ),
                figures={"declared": declared_target_total, "computed": target_sum},
            )
        )
    if declared_baseline_total is not None and declared_baseline_total != baseline_sum:
        checks.append(
            Check(
                "declared_baseline_total_mismatch",
                ERROR,
                MSG_DECLARED_BASELINE_TOTAL.format(
                    declared=declared_baseline_total,
                    computed=baseline_sum,
                    gap=abs(declared_baseline_total - baseline_sum),
                ),
                figures={"declared": declared_baseline_total, "computed": baseline_sum},
            )
        )
    if policy_pct is not None and baseline_sum:
        total_growth = growth(target_sum, baseline_sum)
        if total_growth is not None and total_growth < policy_pct:
            needed = needed_for(baseline_sum, policy_pct)
            checks.append(
                Check(
                    "growth_below_policy",
                    ERROR,
                    MSG_GROWTH_BELOW_POLICY.format(
                        target=target_sum,
                        baseline=baseline_sum,
                        growth=pct(total_growth),
                        policy=pct(policy_pct),
                        needed=needed,
                        gap=needed - target_sum,
                    ),
                    figures={
                        "target": target_sum,
                        "baseline": baseline_sum,
                        "growth_pct": str(total_growth),
                        "policy_pct": str(policy_pct),
                        "needed": needed,
                    },
                )
            )
    for line in lines:
        unit = line.unit_name
        if line.target is None:
            checks.append(
                Check("missing_target", WARNING, MSG_MISSING_TARGET.format(unit=unit), line.unit_id)
            )
        if line.baseline is None:
            if policy_pct is not None:
                checks.append(
                    Check(
                        "missing_baseline",
                        WARNING,
                        MSG_MISSING_BASELINE.format(unit=unit),
                        line.unit_id,
                    )
                )
        elif line.baseline == 0:
            checks.append(
                Check(
                    "zero_baseline",
                    WARNING,
                    MSG_ZERO_BASELINE.format(unit=unit),
                    line.unit_id,
                    {"baseline": 0, "target": line.target},
                )
            )
        elif policy_pct is not None and line.target is not None:
            unit_growth = growth(line.target, line.baseline)
            if unit_growth is not None and unit_growth < policy_pct:
                checks.append(
                    Check(
                        "unit_growth_below_policy",
                        WARNING,
                        MSG_UNIT_GROWTH_BELOW_POLICY.format(
                            unit=unit,
                            target=line.target,
                            baseline=line.baseline,
                            growth=pct(unit_growth),
                            policy=pct(policy_pct),
                        ),
                        line.unit_id,
                        {
                            "target": line.target,
                            "baseline": line.baseline,
                            "growth_pct": str(unit_growth),
                        },
                    )
                )
        if (
            line.baseline is not None
            and line.computed_baseline is not None
            and line.computed_baseline != line.baseline
        ):
            checks.append(
                Check(
                    "baseline_differs",
                    INFO,
                    MSG_BASELINE_DIFFERS.format(
                        unit=unit,
                        declared=line.baseline,
                        computed=line.computed_baseline,
                        date=baseline_date,
                        gap=abs(line.baseline - line.computed_baseline),
                    ),
                    line.unit_id,
                    {"declared": line.baseline, "computed": line.computed_baseline},
                )
            )
    return checks
