"""Running one action in many threads at once, for the PostgreSQL concurrency tests."""

import threading

from django.core.exceptions import ValidationError
from django.db import connection

THREADS = 20


def race(attempt, n: int = THREADS) -> list[tuple[str, object]]:
    """Run `attempt(i)` in n threads released together; each outcome is ("ok", value),
    ("refused", message) for a ValidationError, or ("error", repr) for anything else."""
    barrier = threading.Barrier(n)
    outcomes = []

    def run(i):
        try:
            barrier.wait(timeout=30)
            outcomes.append(("ok", attempt(i)))
        except ValidationError as exc:
            outcomes.append(("refused", exc.messages[0]))
        except Exception as exc:  # any other outcome is the failure this suite looks for
            outcomes.append(("error", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(outcomes) == n, outcomes
    return outcomes
