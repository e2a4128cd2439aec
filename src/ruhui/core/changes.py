"""Notice that the records behind the figures changed (members and their events, unions,
enterprises): one `records_changed` signal per committed transaction, carrying the earliest
date the change touches (None: any date). The campaigns app recomputes its progress figures on
it; the registry's services do not need to know who listens.

Many changes in one transaction (a demo seeding, an approval that writes two events) send one
signal after the commit; nothing is sent for a transaction that rolls back.

Every signal also moves the records' version on (`records_version`), kept in the progress cache
that every process shares (Redis, or files without it). `remembered` keeps a figure computed
from the records under that version: it is computed again as soon as anything changed, and at
the latest after FIGURE_TTL even if nothing said so (a restored database, a change made outside
the services).

Stale while revalidating (issue 20): besides the figure of each version, the latest value of each
figure is kept with the version it was computed under, when (its as-of time) and how long it took.
A figure registered by name (`@remembered_figure("workbench.members")`, a function of its plain
parts) whose last computation took at least `settings.RUHUI_FIGURE_SLOW_S` is not recounted by
the reader after a change: `recall` answers its latest value at once, marked stale with its as-of
time, and one background task (`core.tasks.refresh_figure`, queue `figures`) computes it anew.
Fast figures, unregistered ones and the first computation ever are computed by the reader.
"""

import contextlib
import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Sent after the commit, with `since` (a date or None).
records_changed = Signal()

#: Where the version lives in the progress cache.
VERSION_KEY = "records:version"
#: The longest a remembered figure is kept, changes or not (seconds).
FIGURE_TTL = 10 * 60
#: The longest a figure's latest value is kept to be shown while it is recomputed (seconds).
LATEST_TTL = 24 * 3600


class _Pending:
    """The on-commit callback of one transaction, merging every change noted in it."""

    def __init__(self, since: datetime.date | None):
        self.since = since
        self.sent = (
            False  # tests run callbacks and leave them in the list (captureOnCommitCallbacks)
        )

    def merge(self, since: datetime.date | None) -> None:
        if self.since is not None and (since is None or since < self.since):
            self.since = since

    def __call__(self) -> None:
        self.sent = True
        records_changed.send(sender=None, since=self.since)


def note_change(since: datetime.date | None = None) -> None:
    """Record that the records changed from `since` on; the signal goes out once the
    transaction commits (at once outside a transaction)."""
    if not connection.in_atomic_block:
        records_changed.send(sender=None, since=since)
        return
    # Django keeps this transaction's callbacks in run_on_commit (and drops those of a
    # rolled-back savepoint or transaction): reuse ours if it is still waiting there.
    for _savepoints, callback, _robust in connection.run_on_commit:
        if isinstance(callback, _Pending) and not callback.sent:
            callback.merge(since)
            return
    transaction.on_commit(_Pending(since))


def _cache():
    return caches["progress"]


def records_version() -> int:
    """The records' current version. A lost version (evicted, cache cleared) starts again from
    the clock, so it never returns to a number that figures were remembered under."""
    cache = _cache()
    version = cache.get(VERSION_KEY)
    if version is None:
        version = time.time_ns()
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY, version)
    return version


def forget_figures(**kwargs) -> None:
    """Move the records' version on: every remembered figure is computed again. Done on every
    `records_changed`; called by itself where the records were replaced wholesale (the demo)."""
    with contextlib.suppress(ValueError):  # no version yet: the next reader starts one anew
        _cache().incr(VERSION_KEY)


records_changed.connect(forget_figures, dispatch_uid="core.records_version")


#: Figures computable from their parts alone (name → function of the parts), which a background
#: task can recompute: registered by the app that owns them, at import (`remembered_figure`).
_figures: dict[str, Callable[[tuple], Any]] = {}


def remembered_figure(name: str):
    """Register `compute(parts)` as the figure `name`: the function a background task calls
    with the parts (plain values: paths, ISO dates) to recompute it."""

    def register(compute: Callable[[tuple], T]) -> Callable[[tuple], T]:
        _figures[name] = compute
        return compute

    return register


@dataclass(frozen=True)
class Recalled(Generic[T]):
    """A remembered figure, computed from the records as they stood at `as_of`; `stale`: the
    records have changed since and the figure is being recomputed in the background."""

    value: T
    as_of: datetime.datetime
    stale: bool = False


def _key(name: str, parts: tuple) -> str:
    return f"remembered:{name}:{':'.join(str(part) for part in parts)}"


def _computed(name: str, parts: tuple, version: int, compute: Callable[[], T]) -> Recalled[T]:
    """Compute the figure and keep it under `version` and as the latest (unless a later
    version's value is kept there already)."""
    cache = _cache()
    as_of = timezone.now()
    started = time.monotonic()
    value = compute()
    entry = {"value": value, "as_of": as_of, "took": time.monotonic() - started, "version": version}
    key = _key(name, parts)
    cache.set(f"{key}:{version}", entry, FIGURE_TTL)
    latest = cache.get(f"{key}:latest")
    if latest is None or latest["version"] <= version:
        cache.set(f"{key}:latest", entry, LATEST_TTL)
    return Recalled(value, as_of)


def recall(name: str, parts: tuple, compute: Callable[[], T] | None = None) -> Recalled[T]:
    """The figure `name` for `parts` (a scope, a day: plain values that identify it) with the
    time it was computed at: as remembered since the records last changed; else, for a
    registered figure that was slow, its latest value marked stale while one background task
    recomputes it; else computed now by `compute` (default: the registered function)."""
    parts = tuple(parts)
    cache = _cache()
    version = records_version()
    key = _key(name, parts)
    entry = cache.get(f"{key}:{version}")
    if entry is not None:
        return Recalled(entry["value"], entry["as_of"])
    latest = cache.get(f"{key}:latest") if name in _figures else None
    slow = latest is not None and latest["took"] >= settings.RUHUI_FIGURE_SLOW_S
    if slow and _enqueue(name, parts, version):
        return Recalled(latest["value"], latest["as_of"], stale=True)
    if compute is None:
        registered = _figures[name]

        def compute():
            return registered(parts)

    return _computed(name, parts, version, compute)


def _enqueue(name: str, parts: tuple, version: int) -> bool:
    """Ask for one background recomputation of the figure under this version (one only, however
    many readers miss it, until the figures queue's time limit has passed); False when the task
    could not be queued (the reader then computes the figure itself)."""
    from ruhui.core.tasks import refresh_figure

    queued = f"{_key(name, parts)}:{version}:queued"
    cache = _cache()
    timeout = settings.RUHUI_TASK_QUEUES["figures"]["timeout"]
    if not cache.add(queued, True, timeout):
        return True
    try:
        refresh_figure.enqueue(name, list(parts))
    except Exception:
        logger.exception("figure %s %s: the recomputation could not be queued", name, parts)
        cache.delete(queued)
        return False
    return True


def refresh(name: str, parts: tuple) -> bool:
    """Compute the registered figure under the records' current version, unless it is there
    already (the background task; a figure asked for under several versions is computed once
    for the newest). True if it was computed."""
    parts = tuple(parts)
    version = records_version()
    if _cache().get(f"{_key(name, parts)}:{version}") is not None:
        return False
    registered = _figures[name]
    _computed(name, parts, version, lambda: registered(parts))
    return True


def is_current(name: str, parts: tuple) -> bool:
    """Whether the figure is remembered under the records' current version (nothing counted):
    a page that showed it stale asks this until the background count has run."""
    return _cache().get(f"{_key(name, tuple(parts))}:{records_version()}") is not None


def remembered(name: str, parts: tuple, compute: Callable[[], T]) -> T:
    """The figure `name` for `parts` (a scope, a day: plain values that identify it), computed
    by `compute` from the records, or as remembered since they last changed (`recall`)."""
    return recall(name, parts, compute).value
