"""The workbench's figures that run over a whole jurisdiction's register, computable from plain
parts (the jurisdiction root's path, ISO dates) so that a background task can recompute them
(core.changes.remembered_figure): the page shows the latest value meanwhile, marked stale, when
the last count was slow (a province's ten million members). The page and the task count through
the same selectors, scoped to the root's subtree (orgs.scoping.under)."""

from __future__ import annotations

import datetime

from ruhui.core.changes import Recalled, is_current, recall, remembered_figure
from ruhui.enterprises.selectors import alert_counts_by_unit
from ruhui.members.models import HELD_STATUSES
from ruhui.members.selectors import member_counts_by_status, new_member_count
from ruhui.orgs.models import Organization

MEMBERS = "workbench.members"
ENTERPRISE_ALERTS = "workbench.enterprise_alerts"


def _root(path: str) -> Organization:
    """The jurisdiction root a figure's parts name (the task has its path only)."""
    return Organization.objects.get(path=path)


def _members(root: Organization, start: datetime.date, end: datetime.date) -> dict[str, int]:
    by_status = member_counts_by_status(user=None, root=root)
    return {
        "held": sum(by_status.get(s, 0) for s in HELD_STATUSES),
        "new": new_member_count(user=None, root=root, start=start, end=end),
        "new_migrant": new_member_count(user=None, root=root, start=start, end=end, migrant=True),
    }


def _alerts(root: Organization, today: datetime.date) -> dict[str, dict[str, int]]:
    width = (root.depth + 1) * Organization.steplen
    return alert_counts_by_unit(user=None, root=root, width=width, today=today)


@remembered_figure(MEMBERS)
def members_figure(parts: tuple) -> dict[str, int]:
    path, start, end = parts
    return _members(
        _root(path), datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    )


@remembered_figure(ENTERPRISE_ALERTS)
def enterprise_alerts_figure(parts: tuple) -> dict[str, dict[str, int]]:
    path, today = parts
    return _alerts(_root(path), datetime.date.fromisoformat(today))


def member_figures(
    root: Organization, start: datetime.date, end: datetime.date
) -> Recalled[dict[str, int]]:
    """Members held, new members of [start, end] and of them migrant workers, in `root`'s
    subtree (the user's jurisdiction root)."""
    return recall(
        MEMBERS,
        (root.path, start.isoformat(), end.isoformat()),
        lambda: _members(root, start, end),
    )


def enterprise_alerts(
    root: Organization, today: datetime.date
) -> Recalled[dict[str, dict[str, int]]]:
    """The enterprise alerts' counts in `root`'s subtree by the unit directly below it
    (enterprises.selectors.alert_counts_by_unit)."""
    return recall(ENTERPRISE_ALERTS, (root.path, today.isoformat()), lambda: _alerts(root, today))


def recounted(root: Organization, start: datetime.date, end: datetime.date, alerts: bool) -> bool:
    """Whether the figures a page showed stale have been counted under the records' current
    version (the member figures; the enterprise alerts if the page shows them, as of `end`)."""
    members = is_current(MEMBERS, (root.path, start.isoformat(), end.isoformat()))
    return members and (not alerts or is_current(ENTERPRISE_ALERTS, (root.path, end.isoformat())))
