"""Notice that the records behind the figures changed (members and their events, unions,
enterprises): one `records_changed` signal per committed transaction, carrying the earliest
date the change touches (None: any date). The campaigns app recomputes its progress figures on
it; the registry's services do not need to know who listens.

Many changes in one transaction (a demo seeding, an approval that writes two events) send one
signal after the commit; nothing is sent for a transaction that rolls back.
"""

import datetime

from django.db import connection, transaction
from django.dispatch import Signal

#: Sent after the commit, with `since` (a date or None).
records_changed = Signal()


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
