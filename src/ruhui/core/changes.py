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
"""

import contextlib
import datetime
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches
from django.db import connection, transaction
from django.dispatch import Signal

T = TypeVar("T")

#: Sent after the commit, with `since` (a date or None).
records_changed = Signal()

#: Where the version lives in the progress cache.
VERSION_KEY = "records:version"
#: The longest a remembered figure is kept, changes or not (seconds).
FIGURE_TTL = 10 * 60


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


def remembered(name: str, parts: tuple, compute: Callable[[], T]) -> T:
    """The figure `name` for `parts` (a scope, a day: plain values that identify it), computed
    by `compute` from the records, or as remembered since they last changed."""
    cache = _cache()
    key = f"figure:{name}:{':'.join(str(part) for part in parts)}:{records_version()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, FIGURE_TTL)
    return value
