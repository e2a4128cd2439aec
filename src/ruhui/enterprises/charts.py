"""The headcount chart of an enterprise (动态监控), drawn on the server as SVG coordinates.

No script and no inline style (CSP): the template writes an <svg> with <polyline> and <text>
elements from the numbers below; colours come from the stylesheet. The table under the chart
shows the same records for screen readers and printing.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from ruhui.enterprises.selectors import COMMITTEE_THRESHOLD

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 14, 30


@dataclass
class Tick:
    pos: float
    label: str
    anchor: str = "middle"


@dataclass
class Point:
    x: float
    y: float
    label: str


@dataclass
class Chart:
    width: int
    height: int
    total: str  # polyline points
    migrant: str
    points: list[Point]
    migrant_points: list[Point]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    threshold_y: float | None
    left: int = LEFT
    right: float = WIDTH - RIGHT
    bottom: float = HEIGHT - BOTTOM
    top: int = TOP


def _nice_max(value: int) -> int:
    """A round upper bound for the y axis (10, 20, 50, 100, 200, 500…), at least 30 so the
    25-person line shows for small enterprises."""
    value = max(value, 30)
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return int(step * magnitude)
    return int(10 * magnitude)


def headcount_chart(snapshots) -> Chart | None:
    """The chart of headcount snapshots (oldest first), or None when there are none."""
    rows = list(snapshots)
    if not rows:
        return None
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    top_value = _nice_max(max(r.employees_total for r in rows))
    first, last = rows[0].on, rows[-1].on
    span = (last - first).days

    def x_of(day: datetime.date) -> float:
        if span == 0:
            return round(LEFT + plot_w / 2, 1)
        return round(LEFT + plot_w * (day - first).days / span, 1)

    def y_of(value: int) -> float:
        return round(TOP + plot_h * (1 - value / top_value), 1)

    points = [
        Point(x_of(r.on), y_of(r.employees_total), f"{r.on:%Y-%m-%d} 职工 {r.employees_total} 人")
        for r in rows
    ]
    migrant_points = [
        Point(x_of(r.on), y_of(r.migrant_workers), f"{r.on:%Y-%m-%d} 农民工 {r.migrant_workers} 人")
        for r in rows
        if r.migrant_workers is not None
    ]
    y_ticks = [Tick(y_of(top_value * i // 4), str(top_value * i // 4)) for i in range(5)]
    x_days = sorted({first, last} | ({rows[len(rows) // 2].on} if len(rows) > 2 else set()))
    x_ticks = [Tick(x_of(day), f"{day:%Y-%m}") for day in x_days]
    if span:  # the end labels stay inside the drawing
        x_ticks[0].anchor, x_ticks[-1].anchor = "start", "end"
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        total=" ".join(f"{p.x},{p.y}" for p in points),
        migrant=" ".join(f"{p.x},{p.y}" for p in migrant_points),
        points=points,
        migrant_points=migrant_points,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        threshold_y=y_of(COMMITTEE_THRESHOLD),
    )
