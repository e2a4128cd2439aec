"""Stale while revalidating (issue 20): after a change, a registered figure whose last count was
slow answers its previous value at once, marked stale with the time it was counted at, and one
background task counts it anew; fast figures, unregistered ones and the first count ever are
computed by the reader."""

import time

import pytest
from django_tasks import task_backends
from django_tasks.backends.dummy import DummyBackend

from ruhui.core import changes
from ruhui.core.changes import forget_figures, recall, remembered_figure

QUEUES = ["imports", "figures", "documents", "default"]


class Counter:
    def __init__(self):
        self.calls = 0
        self.parts = []

    def __call__(self, parts):
        self.calls += 1
        self.parts.append(parts)
        return {"n": self.calls}


class FailingBackend(DummyBackend):
    """A queue that is down: every enqueue fails."""

    def enqueue(self, task, args, kwargs):
        raise ConnectionError("queue down")


@pytest.fixture
def counted():
    """A figure registered as `test.figure`, forgotten after the test."""
    counter = Counter()
    remembered_figure("test.figure")(counter)
    yield counter
    changes._figures.pop("test.figure", None)


@pytest.fixture
def deferred(settings):
    """Tasks queued, not run (the test backend runs them at enqueue): the queued results."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": QUEUES}
    }
    backend = task_backends["default"]
    yield backend.results
    backend.clear()


def run(results) -> None:
    """What a worker does: run every queued task, then forget it."""
    for result in list(results):
        result.task.call(*result.args, **result.kwargs)
    results.clear()


def test_a_slow_figure_answers_the_previous_value_and_queues_one_recount(
    db, settings, counted, deferred
):
    settings.RUHUI_FIGURE_SLOW_S = 0  # every count is slow
    first = recall("test.figure", ("WG", "2026-01-01"))
    assert (first.value, first.stale, counted.calls) == ({"n": 1}, False, 1)  # the first: inline
    assert deferred == []
    forget_figures()  # the records changed
    answers = [recall("test.figure", ("WG", "2026-01-01")) for _ in range(5)]
    assert {(a.value["n"], a.stale, a.as_of) for a in answers} == {(1, True, first.as_of)}
    assert counted.calls == 1  # nobody counted inline
    assert len(deferred) == 1  # one recount, however many asked
    assert deferred[0].task.queue_name == "figures"
    assert deferred[0].args == ["test.figure", ["WG", "2026-01-01"]]
    run(deferred)
    assert counted.parts[-1] == ("WG", "2026-01-01")  # the task rebuilt the parts
    fresh = recall("test.figure", ("WG", "2026-01-01"))
    assert (fresh.value, fresh.stale, counted.calls) == ({"n": 2}, False, 2)
    assert fresh.as_of > first.as_of
    forget_figures()  # another change: another recount, from the newest value
    again = recall("test.figure", ("WG", "2026-01-01"))
    assert (again.value, again.stale, len(deferred)) == ({"n": 2}, True, 1)


def test_a_fast_figure_is_recounted_inline(db, settings, counted, deferred):
    settings.RUHUI_FIGURE_SLOW_S = 60  # no count in a test is that slow
    recall("test.figure", ("WG",))
    forget_figures()
    fresh = recall("test.figure", ("WG",))
    assert (fresh.value, fresh.stale, counted.calls) == ({"n": 2}, False, 2)
    assert deferred == []


def test_the_first_count_ever_is_inline_even_when_slow_is_zero(db, settings, counted, deferred):
    settings.RUHUI_FIGURE_SLOW_S = 0
    recall("test.figure", ("WG",))
    other = recall("test.figure", ("BF",))  # another scope: its own first count
    assert (other.value, other.stale, counted.calls, deferred) == ({"n": 2}, False, 2, [])


def test_an_unregistered_figure_is_recounted_inline(db, settings, deferred):
    """A closure cannot be carried to a worker: a figure not registered by name stays inline."""
    settings.RUHUI_FIGURE_SLOW_S = 0
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert changes.remembered("test.closure", ("WG",), compute) == 1
    forget_figures()
    assert changes.remembered("test.closure", ("WG",), compute) == 2
    assert deferred == []


def test_the_registered_function_counts_when_the_reader_gives_none(db, counted):
    assert recall("test.figure", ("WG", 3)).value == {"n": 1}
    assert counted.parts == [("WG", 3)]


def test_a_queue_that_is_down_leaves_the_count_to_the_reader(db, settings, counted):
    settings.TASKS = {"default": {"BACKEND": f"{__name__}.FailingBackend", "QUEUES": QUEUES}}
    settings.RUHUI_FIGURE_SLOW_S = 0
    recall("test.figure", ("WG",))
    forget_figures()
    fresh = recall("test.figure", ("WG",))
    assert (fresh.value, fresh.stale) == ({"n": 2}, False)
    forget_figures()  # the failed enqueue did not leave the figure marked as queued
    assert recall("test.figure", ("WG",)).value == {"n": 3}


def test_a_recount_asked_for_under_two_versions_runs_once(db, settings, counted, deferred):
    """Two changes, each followed by a reader: two tasks queued; the first counts under the
    newest version, the second finds it done."""
    settings.RUHUI_FIGURE_SLOW_S = 0
    recall("test.figure", ("WG",))
    forget_figures()
    recall("test.figure", ("WG",))
    forget_figures()
    recall("test.figure", ("WG",))
    assert len(deferred) == 2
    run(deferred)
    assert counted.calls == 2
    assert recall("test.figure", ("WG",)) == recall("test.figure", ("WG",))
    assert recall("test.figure", ("WG",)).value == {"n": 2}


def test_with_tasks_run_at_once_the_next_reader_has_the_fresh_value(db, settings, counted):
    """The test backend runs the recount inside the reader's enqueue: that reader still gets
    the previous value (it asked before the count), the next one the fresh value."""
    settings.RUHUI_FIGURE_SLOW_S = 0
    recall("test.figure", ("WG",))
    forget_figures()
    assert recall("test.figure", ("WG",)).stale
    fresh = recall("test.figure", ("WG",))
    assert (fresh.value, fresh.stale) == ({"n": 2}, False)


def test_the_reader_of_a_slow_figure_does_not_wait_for_its_count(db, settings, deferred, figure):
    """A count of 0.4 s (a province's in seconds): after a change the reader gets the previous
    value in the time of two cache reads, not of the count."""
    settings.RUHUI_FIGURE_SLOW_S = 0.2

    @remembered_figure("test.slow")
    def slow(parts):
        time.sleep(0.4)
        return 1

    try:
        started = time.monotonic()
        recall("test.slow", ("HN",))
        counting = time.monotonic() - started
        forget_figures()
        started = time.monotonic()
        answer = recall("test.slow", ("HN",))
        waited = time.monotonic() - started
    finally:
        changes._figures.pop("test.slow", None)
    assert answer.stale and len(deferred) == 1
    assert counting >= 0.4 and waited < 0.2
    figure(
        "remembered figure after a change",
        f"a 0.4 s count: {counting * 1000:.0f} ms inline the first time, "
        f"{waited * 1000:.1f} ms for the stale value (recount queued)",
    )
