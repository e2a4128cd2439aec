"""The scores of 考核评比, computed from the records for each assessed unit's subtree in the
campaign window (the campaign's start to `today`, at most its end), in a fixed number of
queries whatever the number of units.

Each criterion has a *measure* between 0 and 1 and scores ``weight × measure`` (two decimals,
rounded half up); the total is the sum of the criteria's scores, out of 100 when the weights
sum to 100. The measure of each criterion:

- 目标完成率 (target_completion): new members ÷ the unit's target (`campaigns.Target`), capped
  at 1. New members are the campaign figures (`campaigns.UnitFigure.new_members`, as of the
  campaign's `progress_at`). No target: 0 (nothing to complete against).
- 较基数增长 (growth): the unit's growth over its baseline (new members ÷ baseline, the declared
  baseline of its target, else the computed one) ÷ the campaign's `goal_growth_pct`, capped at
  1: a unit that grew by the policy % or more gets the full weight. No baseline or no policy
  %: 0.
- 项目销账率 (closeout_rate): projects 合格·已销账 ÷ all projects of the plans of the unit's
  subtree in the campaign. No project: 0.
- 逾期整改 (overdue_rectifications, fewer is better): projects in 限期整改 past their deadline
  (`projects.selectors.overdue_q(today)`): none → 1, one → 0.5, two or more → 0. Any overdue
  rectification also raises the unit's flag shown beside its 评先 choice.
- 检查问题整改率 (findings_closed): inspections of the unit's subtree in the campaign that asked
  for a rectification and whose rectification is done (`closed_on`) ÷ those asking one.
  None asked: 1 (nothing left open).
- 实名录入率 (realname_rate): new members in the window whose real name is entered in the
  provincial database (`projects.figures.provincial_entered`) ÷ new members. No new members: 0.
- 月报按时报送率 (reports_on_time): months whose due date has passed with the report first
  submitted on or before it ÷ months whose due date has passed (`reports.selectors`: the
  campaign's schedule and months). No month due yet: 1.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from ruhui.assessment.choices import CriterionCode
from ruhui.campaigns.models import Campaign, Target, UnitFigure
from ruhui.figures.scope import Scope
from ruhui.orgs.models import Organization
from ruhui.projects.choices import ProjectStatus
from ruhui.projects.figures import provincial_entered
from ruhui.projects.models import Inspection, Project
from ruhui.projects.selectors import overdue_q
from ruhui.reports.choices import ReportKind
from ruhui.reports.models import MonthlyReport, due_date
from ruhui.reports.selectors import report_months, schedule

CENT = Decimal("0.01")
FOUR = Decimal("0.0001")
ONE, ZERO = Decimal(1), Decimal(0)
#: The 逾期整改 measure by the number of overdue rectifications (more: 0).
OVERDUE_STEPS = {0: Decimal(1), 1: Decimal("0.5")}


@dataclass
class UnitRecord:
    """The raw figures of one unit's subtree (what the measures are computed from)."""

    new_members: int = 0
    target: int | None = None
    baseline: int | None = None
    projects: int = 0
    closed: int = 0
    overdue: int = 0
    findings: int = 0
    findings_closed: int = 0
    entered: int = 0
    months_due: int = 0
    months_on_time: int = 0
    growth_goal: str | None = None
    extra: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "new_members": self.new_members,
            "target": self.target,
            "baseline": self.baseline,
            "projects": self.projects,
            "closed": self.closed,
            "overdue": self.overdue,
            "findings": self.findings,
            "findings_closed": self.findings_closed,
            "entered": self.entered,
            "months_due": self.months_due,
            "months_on_time": self.months_on_time,
            "growth_goal": self.growth_goal,
        }


def _ratio(part: int, whole: int | None, empty: Decimal) -> Decimal:
    if not whole:
        return empty
    return min(ONE, Decimal(part) / Decimal(whole))


def _text(value: Decimal) -> str:
    return f"{value.quantize(FOUR, rounding=ROUND_HALF_UP)}"


def measures(record: UnitRecord) -> dict[str, tuple[Decimal, str]]:
    """{criterion code: (measure in [0, 1], how it was reached, in Chinese)}."""
    growth_goal = Decimal(record.growth_goal) if record.growth_goal is not None else None
    if record.baseline and growth_goal:
        growth_pct = Decimal(record.new_members) * 100 / Decimal(record.baseline)
        growth = min(ONE, max(ZERO, growth_pct / growth_goal))
        growth_detail = (
            f"增长 {growth_pct.quantize(CENT, rounding=ROUND_HALF_UP)}%"
            f"（{record.new_members} ÷ 基数 {record.baseline}），政策要求 {growth_goal.normalize():f}%"
        )
    else:
        growth = ZERO
        growth_detail = "无基数或无增长目标"
    return {
        CriterionCode.TARGET_COMPLETION: (
            _ratio(record.new_members, record.target, ZERO),
            f"新发展会员 {record.new_members} ÷ 目标任务 {record.target}"
            if record.target
            else "无目标任务",
        ),
        CriterionCode.GROWTH: (growth, growth_detail),
        CriterionCode.CLOSEOUT_RATE: (
            _ratio(record.closed, record.projects, ZERO),
            f"已销账 {record.closed} ÷ 项目 {record.projects}" if record.projects else "无项目",
        ),
        CriterionCode.OVERDUE_RECTIFICATIONS: (
            OVERDUE_STEPS.get(record.overdue, ZERO),
            f"逾期整改 {record.overdue} 个",
        ),
        CriterionCode.FINDINGS_CLOSED: (
            _ratio(record.findings_closed, record.findings, ONE),
            f"已整改 {record.findings_closed} ÷ 要求整改 {record.findings}"
            if record.findings
            else "无整改要求",
        ),
        CriterionCode.REALNAME_RATE: (
            _ratio(record.entered, record.new_members, ZERO),
            f"省库已录入 {record.entered} ÷ 新发展会员 {record.new_members}"
            if record.new_members
            else "无新发展会员",
        ),
        CriterionCode.REPORTS_ON_TIME: (
            _ratio(record.months_on_time, record.months_due, ONE),
            f"按时 {record.months_on_time} ÷ 应报 {record.months_due} 个月"
            if record.months_due
            else "尚无到期月报",
        ),
    }


def unit_scores(record: UnitRecord, weights: dict[str, int]) -> tuple[dict, Decimal]:
    """({code: {weight, measure, score, detail}}, total) for a unit, by the scheme's weights."""
    found = measures(record)
    scores, total = {}, ZERO
    for code, weight in weights.items():
        measure, detail = found[code]
        score = (Decimal(weight) * measure).quantize(CENT, rounding=ROUND_HALF_UP)
        total += score
        scores[str(code)] = {
            "weight": weight,
            "measure": _text(measure),
            "score": f"{score}",
            "detail": detail,
        }
    return scores, total


def _subtree_of(path: str, units: list[Organization]) -> list[int]:
    """The assessed units whose subtree holds `path`."""
    return [u.pk for u in units if path.startswith(u.path)]


def unit_records(
    campaign: Campaign, units: list[Organization], today: datetime.date | None = None
) -> dict[int, UnitRecord]:
    """{unit id: UnitRecord} for every assessed unit (each covering its subtree). A fixed
    number of queries (figures, targets, projects, inspections, 省库, schedule, reports)."""
    today = today or timezone.localdate()
    records = {u.pk: UnitRecord() for u in units}
    if not units:
        return records
    growth_goal = f"{campaign.goal_growth_pct.normalize():f}" if campaign.goal_growth_pct else None
    ids = [u.pk for u in units]
    figures = {f.unit_id: f for f in UnitFigure.objects.filter(campaign=campaign, unit_id__in=ids)}
    targets = {t.unit_id: t for t in Target.objects.filter(campaign=campaign, unit_id__in=ids)}
    for unit in units:
        record = records[unit.pk]
        record.growth_goal = growth_goal
        figure, target = figures.get(unit.pk), targets.get(unit.pk)
        if figure is not None:
            record.new_members = figure.new_members
            record.baseline = figure.baseline
        if target is not None:
            record.target = target.new_members
            if target.baseline_declared:
                record.baseline = target.baseline_declared
    overdue_ids = set(
        Project.objects.filter(plan__campaign=campaign)
        .filter(overdue_q(today))
        .values_list("pk", flat=True)
    )
    for pk, path, status in Project.objects.filter(plan__campaign=campaign).values_list(
        "pk", "plan__unit__path", "status"
    ):
        for unit_id in _subtree_of(path, units):
            record = records[unit_id]
            record.projects += 1
            record.closed += status == ProjectStatus.CLOSED
            record.overdue += pk in overdue_ids
    for path, closed_on in (
        Inspection.objects.filter(campaign=campaign)
        .exclude(rectification="")
        .values_list("inspected_unit__path", "closed_on")
    ):
        for unit_id in _subtree_of(path, units):
            records[unit_id].findings += 1
            records[unit_id].findings_closed += closed_on is not None
    end = min(campaign.ends_on, today)
    if campaign.starts_on <= end:
        scope = Scope.units(campaign.owner, [u for u in units if u.pk != campaign.owner_id])
        entered = provincial_entered(
            scope=scope, start=campaign.starts_on, end=end, migrant_only=campaign.migrant_only
        )
        for unit_id, count in entered.items():
            if unit_id in records:
                records[unit_id].entered = count
    plan = schedule(campaign)
    due = {
        key: due_date(key, plan.due_day) for key in report_months(campaign, today, plan.first_month)
    }
    due = {key: day for key, day in due.items() if day < today}
    sent = {
        (unit_id, month): submitted_at
        for unit_id, month, submitted_at in MonthlyReport.objects.filter(
            campaign=campaign,
            kind=ReportKind.MONTHLY,
            unit_id__in=ids,
            month__in=list(due),
            submitted_at__isnull=False,
        ).values_list("unit_id", "month", "submitted_at")
    }
    for unit_id, record in records.items():
        record.months_due = len(due)
        record.months_on_time = sum(
            1
            for key, day in due.items()
            if (unit_id, key) in sent and timezone.localtime(sent[(unit_id, key)]).date() <= day
        )
    return records
