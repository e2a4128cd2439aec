"""Job progress and heartbeats, kept outside the job's own database transaction.

An import writes everything in one transaction, so progress written to the database would stay
invisible until the end (and on SQLite would wait for the writer lock). Progress therefore goes
to the "progress" cache: Redis when REDIS_URL is set, else a file cache under var/ that the web
process and the worker process share.
"""

import time

from django.core.cache import caches

#: A running job whose heartbeat is older than this is taken as dead (its worker died).
STALE_AFTER_SECONDS = 300


def _cache():
    return caches["progress"]


def report(kind: str, job_id: int, *, done: int, total: int, phase: str) -> None:
    """Record how far a job has got; also its heartbeat."""
    _cache().set(
        f"{kind}:{job_id}",
        {"done": done, "total": total, "phase": phase, "at": time.time()},
        timeout=86400,
    )


def read(kind: str, job_id: int) -> dict | None:
    """The last progress a job reported, or None."""
    return _cache().get(f"{kind}:{job_id}")


def is_stale(kind: str, job_id: int, *, started: float | None) -> bool:
    """True when a running job has not reported for STALE_AFTER_SECONDS."""
    last = read(kind, job_id)
    beat = last["at"] if last else started
    return beat is not None and time.time() - beat > STALE_AFTER_SECONDS
