"""通报 assembly: every reporting unit's figures as of a cut-off (a month end), read from the
records in a fixed number of queries whatever the size of the registry, and the worded content
the files are written from (`reports.bulletin_files.BulletinContent`).

As-of figures (docs/decisions/0014-reports-snapshots.md):
- new members at the cut-off: the sum of the campaign's month tallies (`campaigns.UnitTally`,
  dimension `month`) with key ≤ the cut-off month — each person is counted once, in the month of
  their first join, so the sum equals `new_member_count` with end = cut-off. They are as fresh
  as the campaign's `progress_at`;
- unions founded: base unions of each unit's subtree with `founded_on` in [campaign start,
  cut-off] (`figures.selectors.unions_founded`);
- projects: their states as they stand (a project's state has no as-of history), overdue when
  a 限期整改 deadline fell on or before the cut-off;
- 月报: the months due by the cut-off, reported on time (first submitted by the due day) or
  missing (not submitted by the cut-off).

The typical-experience excerpts come from the `cases` app, which sits above reports: it
registers a source in `EXCERPT_SOURCES` from its AppConfig.ready (like projects.panels).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q

from ruhui.campaigns.dashboard import timing
from ruhui.campaigns.models import Campaign, Phase, Target, UnitFigure, UnitTally
from ruhui.campaigns.selectors import unit_target
from ruhui.figures import selectors as registry
from ruhui.figures.scope import Scope
from ruhui.orgs.models import Organization
from ruhui.projects.choices import ProjectStatus
from ruhui.projects.models import Project
from ruhui.reports import bulletin_files as bf
from ruhui.reports.choices import ReportKind
from ruhui.reports.models import MonthlyReport, due_date, month_bounds

#: Callables (campaign, cut_off) → [(title, unit name, text)]: the typical experiences the city
#: selected, excerpted in the bulletin. Registered by apps above reports (cases).
EXCERPT_SOURCES: list = []
EXCERPT_LIMIT = 3
EXCERPT_CHARS = 300
IMPLEMENTATION_PHASE = "推进实施"


def month_key(day: datetime.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def is_month_end(day: datetime.date) -> bool:
    return (day + datetime.timedelta(days=1)).day == 1


def default_cut_offs(campaign: Campaign) -> list[datetime.date]:
    """Every second month end from the start of the 推进实施 phase (2019: 06-01 → 07-31,
    09-30, 11-30) up to its end (no such phase: the campaign's window)."""
    phase = Phase.objects.filter(campaign=campaign, name=IMPLEMENTATION_PHASE).first()
    start, end = (
        (phase.starts_on, phase.ends_on) if phase else (campaign.starts_on, campaign.ends_on)
    )
    cut_offs = []
    first = start.replace(day=1)
    step = 1  # the first cut-off closes the phase's second month
    while True:
        year, month = divmod(first.month - 1 + step, 12)
        _first, last = month_bounds(f"{first.year + year:04d}-{month + 1:02d}")
        if last > end:
            return cut_offs
        cut_offs.append(last)
        step += 2


def _pct(part: int, whole: int | None) -> float | None:
    if not whole:
        return None
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")))


def _reporting_targets(campaign: Campaign) -> tuple[list[Organization], dict[int, Target]]:
    from ruhui.campaigns.selectors import next_level_targets

    targets = next_level_targets(campaign, campaign.owner)
    if targets:
        return [t.unit for t in targets], {t.unit_id: t for t in targets}
    children = Organization.objects.get_children(campaign.owner).filter(is_active=True)
    return list(children.order_by("path")), {}


def _by_unit(units: list[Organization], path: str) -> Organization | None:
    for unit in units:
        if path.startswith(unit.path):
            return unit
    return None


def _report_figures(campaign, units, cut_off) -> dict[int, dict]:
    """Per unit: monthly reports due by the cut-off, on time, missing (one query + schedule)."""
    from ruhui.reports.selectors import report_months, schedule

    plan = schedule(campaign)
    due = {
        key: due_date(key, plan.due_day)
        for key in report_months(campaign, cut_off, plan.first_month)
        if due_date(key, plan.due_day) <= cut_off
    }
    sent = defaultdict(dict)
    reports = MonthlyReport.objects.filter(
        campaign=campaign,
        kind=ReportKind.MONTHLY,
        unit__in=[u.pk for u in units],
        month__in=list(due),
        submitted_at__isnull=False,
    ).values_list("unit_id", "month", "submitted_at")
    from django.utils import timezone

    for unit_id, key, at in reports:
        sent[unit_id][key] = timezone.localtime(at).date()
    result = {}
    for unit in units:
        mine = sent.get(unit.pk, {})
        result[unit.pk] = {
            "reports_due": len(due),
            "reports_on_time": sum(1 for k, d in mine.items() if d <= due[k]),
            "reports_missing": sum(1 for k in due if k not in mine or mine[k] > cut_off),
        }
    return result


def _project_figures(campaign, units, cut_off) -> dict[int, dict]:
    """Per unit: projects of the plans of its subtree on time / overdue / closed (one query)."""
    rows = (
        Project.objects.filter(plan__campaign=campaign)
        .values("plan__unit__path", "status")
        .annotate(
            n=Count("pk"),
            overdue=Count(
                "pk",
                filter=Q(status=ProjectStatus.RECTIFYING, rectify_by__lte=cut_off),
            ),
        )
        .order_by()
    )
    result = {u.pk: {"on_time": 0, "overdue": 0, "closed": 0, "failed": 0} for u in units}
    for row in rows:
        unit = _by_unit(units, row["plan__unit__path"])
        if unit is None:
            continue
        counts = result[unit.pk]
        if row["status"] == ProjectStatus.CLOSED:
            counts["closed"] += row["n"]
        elif row["status"] == ProjectStatus.FAILED:
            counts["failed"] += row["n"]
        else:
            counts["overdue"] += row["overdue"]
            counts["on_time"] += row["n"] - row["overdue"]
    return result


def bulletin_figures(
    *, campaign: Campaign, cut_off: datetime.date, previous: dict | None = None
) -> dict:
    """Every reporting unit's figures as of `cut_off`, ranked by % of target, the campaign's
    total against its goal and the time elapsed, the changes since `previous` (the figures of
    the previous published bulletin), the units praised and urged. JSON-ready; a fixed number
    of queries whatever the number of units, members or projects."""
    owner = campaign.owner
    units, targets = _reporting_targets(campaign)
    month = month_key(cut_off)
    end = min(cut_off, campaign.ends_on)
    tallies = defaultdict(int)
    for unit_id, n in UnitTally.objects.filter(
        campaign=campaign,
        unit_id__in=[owner.pk, *(u.pk for u in units)],
        dimension=UnitTally.Dimension.MONTH,
        key__lte=month,
    ).values_list("unit_id", "new_members"):
        tallies[unit_id] += n
    founded = (
        registry.unions_founded(scope=Scope.units(owner, units), start=campaign.starts_on, end=end)
        if end >= campaign.starts_on
        else {}
    )
    baselines = dict(
        UnitFigure.objects.filter(
            campaign=campaign, unit_id__in=[owner.pk, *(u.pk for u in units)]
        ).values_list("unit_id", "baseline")
    )
    projects = _project_figures(campaign, units, cut_off)
    reports = _report_figures(campaign, units, cut_off)
    when = timing(campaign, cut_off)
    time_pct = float(when.share)
    rows = []
    for unit in units:
        target = targets.get(unit.pk)
        baseline = (target.baseline_declared if target else None) or baselines.get(unit.pk)
        new = tallies.get(unit.pk, 0)
        rows.append(
            {
                "unit_id": unit.pk,
                "unit": unit.name,
                "target": target.new_members if target else None,
                "new_members": new,
                "completion_pct": _pct(new, target.new_members if target else None),
                "baseline": baseline,
                "growth_pct": _pct(new, baseline),
                "unions_founded": sum(founded.get(unit.pk, {}).values()),
                "projects_on_time": projects[unit.pk]["on_time"],
                "projects_overdue": projects[unit.pk]["overdue"],
                "projects_closed": projects[unit.pk]["closed"],
                **reports[unit.pk],
            }
        )
    rows.sort(
        key=lambda r: (r["completion_pct"] is None, -(r["completion_pct"] or 0), -r["new_members"])
    )
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    goal, _note = unit_target(campaign, owner)
    total_new = tallies.get(owner.pk, 0)
    figures = {
        "cut_off": cut_off.isoformat(),
        "month": month,
        "progress_at": campaign.progress_at.isoformat() if campaign.progress_at else None,
        "time_pct": time_pct,
        "elapsed_days": when.elapsed_days,
        "days": when.days,
        "total": {
            "unit": owner.name,
            "target": goal,
            "new_members": total_new,
            "completion_pct": _pct(total_new, goal),
            "baseline": baselines.get(owner.pk),
            "growth_pct": _pct(total_new, baselines.get(owner.pk)),
            "goal_growth_pct": (
                float(campaign.goal_growth_pct) if campaign.goal_growth_pct is not None else None
            ),
            "unions_founded": sum(founded.get(owner.pk, {}).values()),
            "goal_new_unions": campaign.goal_new_unions,
        },
        "units": rows,
    }
    figures["previous"] = _changes(figures, previous)
    figures["praised"], figures["urged"] = _praise_and_urge(rows, time_pct)
    figures["excerpts"] = [
        [str(title), str(unit), str(text)[:EXCERPT_CHARS]]
        for source in EXCERPT_SOURCES
        for title, unit, text in source(campaign, cut_off)[:EXCERPT_LIMIT]
    ]
    return figures


def _changes(figures: dict, previous: dict | None) -> dict | None:
    """The change of each unit since the previous bulletin: points of completion, rank."""
    if not previous:
        return None
    before = {row["unit_id"]: row for row in previous.get("units", [])}
    lines = []
    total, old_total = figures["total"], previous.get("total", {})
    lines.append(
        f"全市新发展会员{total['new_members']}人，较上期（截至{previous['cut_off']}）"
        f"增加{total['new_members'] - old_total.get('new_members', 0)}人。"
    )
    for row in figures["units"]:
        old = before.get(row["unit_id"])
        if old is None:
            continue
        added = row["new_members"] - old["new_members"]
        text = f"{row['unit']}新发展会员增加{added}人"
        if row["completion_pct"] is not None and old.get("completion_pct") is not None:
            text += f"，完成率提高{row['completion_pct'] - old['completion_pct']:.1f}个百分点"
        if row["rank"] != old.get("rank"):
            text += f"，由第{old.get('rank')}名{'升' if row['rank'] < old['rank'] else '降'}至第{row['rank']}名"
        lines.append(text + "。")
    return {"cut_off": previous["cut_off"], "lines": lines}


def _praise_and_urge(rows: list[dict], time_pct: float) -> tuple[list[str], list[str]]:
    praise, urge = settings.RUHUI_BULLETIN_PRAISE, settings.RUHUI_BULLETIN_URGE
    praised, urged = [], []
    for row in rows:
        pct = row["completion_pct"]
        if (
            pct is not None
            and pct >= time_pct + praise.get("pct_over_time", 0)
            and row["projects_overdue"] <= praise.get("overdue", 0)
            and row["reports_missing"] <= praise.get("missing_reports", 0)
        ):
            praised.append(f"{row['unit']}完成目标任务的{pct:.1f}%，超过时间进度。")
            continue
        reasons = []
        if pct is not None and pct <= time_pct - urge.get("pct_under_time", 20):
            reasons.append(f"完成目标任务的{pct:.1f}%，落后时间进度{time_pct - pct:.1f}个百分点")
        if row["projects_overdue"] >= max(urge.get("overdue", 1), 1):
            reasons.append(f"逾期未整改项目{row['projects_overdue']}个")
        if row["reports_missing"] >= max(urge.get("missing_reports", 1), 1):
            reasons.append(f"月报缺报{row['reports_missing']}次")
        if reasons:
            urged.append(f"{row['unit']}{'，'.join(reasons)}。")
    return praised, urged


def bulletin_content(*, bulletin, figures: dict, issued_on: datetime.date) -> bf.BulletinContent:
    """The worded content the files are written from."""
    total = figures["total"]
    cut_off = datetime.date.fromisoformat(figures["cut_off"])
    who = "农民工会员" if bulletin.campaign.migrant_only else "会员"
    opening = f"截至{bf.chinese_date(cut_off)}，{total['unit']}所属各单位共发展{who}{total['new_members']}人"
    if total["target"]:
        opening += f"，完成目标任务（{total['target']}人）的{bf.percent(total['completion_pct'])}"
    opening += f"，时间进度为{figures['time_pct']:.1f}%"
    if total["growth_pct"] is not None:
        opening += f"，较基数增长{bf.percent(total['growth_pct'])}"
    opening += f"；新建基层工会{total['unions_founded']}个。"
    paragraphs = [opening]
    if total["completion_pct"] is not None:
        gap = total["completion_pct"] - figures["time_pct"]
        paragraphs.append(
            f"总体进度{'快于' if gap >= 0 else '慢于'}时间进度{abs(gap):.1f}个百分点。"
        )
    previous = figures.get("previous")
    return bf.BulletinContent(
        title=bulletin.title,
        number=bulletin.number,
        issuer=bulletin.campaign.owner.name,
        cut_off=cut_off,
        issued_on=issued_on,
        paragraphs=paragraphs,
        ranking=[
            bf.RankRow(
                rank=row["rank"],
                unit=row["unit"],
                target=row["target"],
                new_members=row["new_members"],
                completion_pct=row["completion_pct"],
                growth_pct=row["growth_pct"],
                unions_founded=row["unions_founded"],
                projects_on_time=row["projects_on_time"],
                projects_overdue=row["projects_overdue"],
                projects_closed=row["projects_closed"],
                reports_on_time=row["reports_on_time"],
                reports_due=row["reports_due"],
            )
            for row in figures["units"]
        ],
        changes=previous["lines"] if previous else ["本期为首期通报。"],
        praised=figures["praised"],
        urged=figures["urged"],
        excerpts=[tuple(item) for item in figures.get("excerpts", [])],
    )
