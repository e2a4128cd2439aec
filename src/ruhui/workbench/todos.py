"""What a cadre has to do today, read from the features' own selectors (the workbench sits above
them, docs/architecture.md): each item a count of the rows behind one filtered list, scoped to
the user's jurisdiction and shown only where the user's role may open that list; for a user
whose jurisdiction has units below it, the units with most to do. A fixed number of queries
whatever the number of units, applications, transfers, enterprises or campaigns.

The queues (applications, transfers, jobs) are small and change without the registry changing
(a rejection), so they are counted on every request. The enterprise alerts run over the whole
enterprise register; they are counted in one pass and remembered until the records change
(`workbench.figures`, `core.changes.recall`; after a change a slow count is redone in the
background while the previous one is shown, marked stale)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone

from ruhui.campaigns.dashboard import behind_pace
from ruhui.core.changes import Recalled
from ruhui.jobs.models import JobStatus
from ruhui.jobs.selectors import jobs_awaiting_approval, recent_jobs
from ruhui.joining.models import ApplicationKind
from ruhui.joining.selectors import application_queue
from ruhui.members.selectors import transfers_incoming, transfers_outgoing
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import jurisdiction_root
from ruhui.workbench.figures import enterprise_alerts

#: Jobs finished within this many days are listed as news.
RECENT_JOB_DAYS = 7
#: Units listed under 「下级单位待办」.
BUSIEST_UNITS = 5


@dataclass
class Todo:
    """One line of the workbench: a count and the list behind it."""

    key: str
    label: str
    count: int
    url: str
    note: str = ""
    #: "act": the user (or their units) must do something; "watch": worth a look.
    kind: str = "act"


@dataclass
class UnitLoad:
    """A unit directly below the user's own, with its open items by kind."""

    unit: Organization
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Workbench:
    todos: list[Todo]
    units: list[UnitLoad]
    unit_columns: list[tuple[str, str]]  # (key, label) of the columns of `units`
    #: The enterprise alerts as recalled (their as-of time, whether stale), None if not shown.
    alerts: Recalled | None = None


def _url(name: str, anchor: str = "", **params) -> str:
    query = f"?{urlencode(params)}" if params else ""
    return f"{reverse(name)}{query}{'#' + anchor if anchor else ''}"


def _sources(user, today: datetime.date) -> list[tuple[str, str, QuerySet, str, str, str]]:
    """(key, label, queryset, url, path field for the units below, kind) of every list the user's
    role may open: the same querysets as the lists themselves."""
    found = []
    if user.has_perm("members.view_member"):
        found += [
            (
                "joins",
                "入会申请待审核",
                application_queue(user=user, kind=ApplicationKind.JOIN),
                _url("joining:queue", kind=ApplicationKind.JOIN),
                "union__path",
                "act",
            ),
            (
                "transfer_applications",
                "网上转会申请待办理",
                application_queue(user=user, kind=ApplicationKind.TRANSFER),
                _url("joining:queue", kind=ApplicationKind.TRANSFER),
                "",
                "act",
            ),
            (
                "transfers_in",
                "会员接转待接收",
                transfers_incoming(user=user),
                _url("members:transfers", tab="in"),
                "to_union__path",
                "act",
            ),
            (
                "transfers_out",
                "已开出、对方尚未接收的接转",
                transfers_outgoing(user=user),
                _url("members:transfers", tab="out"),
                "",
                "watch",
            ),
        ]
    return found


#: The enterprise alerts: (key, label, url anchor), counted together (alert_counts_by_unit).
ENTERPRISE_ALERTS = (
    ("threshold", "25 人以上尚未建会的企业", "threshold"),
    ("overdue", "逾期未排查的企业", "overdue"),
)


def _enterprise_alerts(user, today: datetime.date) -> Recalled[dict[str, dict[str, int]]]:
    """The alerts' counts by the first characters of the responsible unit's path, as long as the
    path of a unit directly below the user's own (a shorter key: the user's own unit; a key
    outside the user's path: an enterprise whose union, not its responsible unit, is here)."""
    root = jurisdiction_root(user)
    if root is None:
        return Recalled({}, timezone.now())
    return enterprise_alerts(root, today)


def workbench(*, user, today: datetime.date | None = None) -> Workbench:
    """The user's to-dos and, when their jurisdiction has units below it, those units' loads."""
    today = today or timezone.localdate()
    todos: list[Todo] = []
    sources = _sources(user, today)
    for key, label, queryset, url, _path, kind in sources:
        todos.append(Todo(key, label, queryset.count(), url, kind=kind))
    recalled = (
        _enterprise_alerts(user, today) if user.has_perm("enterprises.view_enterprise") else None
    )
    alerts = recalled.value if recalled is not None else None
    for key, label, anchor in ENTERPRISE_ALERTS if alerts is not None else ():
        total = sum(by_kind[key] for by_kind in alerts.values())
        todos.append(Todo(key, label, total, _url("enterprises:alerts", anchor=anchor)))
    if user.has_perm("campaigns.view_campaign"):
        for drive in behind_pace(user=user, today=today):
            url = reverse("campaigns:unit", args=[drive.campaign.slug, drive.unit.pk])
            names = "、".join(row.unit.short_name or row.unit.name for row in drive.behind[:3])
            todos.append(
                Todo(
                    f"behind:{drive.campaign.slug}",
                    f"「{drive.campaign.name}」进度落后于时间进度的单位",
                    len(drive.behind),
                    url,
                    note=f"时间进度 {drive.timing.share}%" + (f"：{names}" if names else ""),
                )
            )
    awaiting = jobs_awaiting_approval(user=user).count()
    if awaiting:
        todos.append(Todo("approvals", "待您审批的导出", awaiting, _url("jobs:list")))
    since = timezone.now() - datetime.timedelta(days=RECENT_JOB_DAYS)
    mine = recent_jobs(user=user, own=True).filter(finished_at__gte=since)
    done = mine.aggregate(
        failed=Count("pk", filter=Q(status=JobStatus.FAILED)),
        succeeded=Count("pk", filter=Q(status=JobStatus.SUCCEEDED)),
    )
    todos.append(
        Todo(
            "jobs_failed",
            f"近 {RECENT_JOB_DAYS} 天我提交的导入导出：失败",
            done["failed"],
            _url("jobs:list", mine=1, status=JobStatus.FAILED),
        )
    )
    todos.append(
        Todo(
            "jobs_done",
            f"近 {RECENT_JOB_DAYS} 天我提交的导入导出：已完成",
            done["succeeded"],
            _url("jobs:list", mine=1, status=JobStatus.SUCCEEDED),
            kind="watch",
        )
    )
    units, columns = _unit_loads(user, sources, alerts)
    return Workbench(todos=todos, units=units, unit_columns=columns, alerts=recalled)


def _unit_loads(user, sources, alerts) -> tuple[list[UnitLoad], list[tuple[str, str]]]:
    """The units directly below the user's own unit with most open items (one grouped query
    per queue, the enterprise alerts as counted for the to-dos, one query for the units)."""
    root = jurisdiction_root(user)
    grouped = [(key, label, qs, path) for key, label, qs, _url, path, _kind in sources if path]
    columns = [(key, label) for key, label, _qs, _path in grouped]
    if alerts is not None:
        columns += [(key, label) for key, label, _anchor in ENTERPRISE_ALERTS]
    if root is None or not root.numchild or not columns:
        return [], []
    width = (root.depth + 1) * Organization.steplen
    counts: dict[str, dict[str, int]] = {}
    for key, _label, queryset, path in grouped:
        rows = (
            queryset.order_by()
            .annotate(child=Substr(path, 1, width))
            .values("child")
            .annotate(n=Count("pk"))
            .values_list("child", "n")
        )
        for child, n in rows:
            # items at the user's own unit are not a sub-unit's, nor those placed outside
            if len(child) == width and child.startswith(root.path):
                counts.setdefault(child, {})[key] = n
    for child, by_kind in (alerts or {}).items():
        if len(child) == width and child.startswith(root.path):
            for key, n in by_kind.items():
                if n:
                    counts.setdefault(child, {})[key] = n
    if not counts:
        return [], columns
    children = {
        unit.path: unit
        for unit in Organization.objects.filter(path__in=list(counts), depth=root.depth + 1)
    }
    loads = [
        UnitLoad(children[path], {key: by_kind.get(key, 0) for key, _label in columns})
        for path, by_kind in counts.items()
        if path in children
    ]
    loads.sort(key=lambda load: (-load.total, load.unit.path))
    return loads[:BUSIEST_UNITS], columns
