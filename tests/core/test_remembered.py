"""Figures remembered until the records change (core.changes.remembered): computed once, then
again after every committed change, never after one that rolled back, and never under a version
that figures were remembered under before."""

import pytest
from django.core.cache import caches
from django.db import transaction

from ruhui.core.changes import VERSION_KEY, note_change, records_version, remembered


class Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return {"n": self.calls}


def test_a_figure_is_computed_once_until_the_records_change(db, django_capture_on_commit_callbacks):
    figure = Counter()
    assert remembered("t", ("WG",), figure) == {"n": 1}
    assert remembered("t", ("WG",), figure) == {"n": 1}
    assert figure.calls == 1
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        note_change(None)
    assert remembered("t", ("WG",), figure) == {"n": 2}
    assert figure.calls == 2


def test_a_rolled_back_change_keeps_the_figure(db, django_capture_on_commit_callbacks):
    figure = Counter()
    remembered("t", ("WG",), figure)

    def failing():
        with transaction.atomic():
            note_change(None)
            raise RuntimeError

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        failing()
    assert remembered("t", ("WG",), figure) == {"n": 1}


def test_each_scope_has_its_own_figure(db):
    county, sibling = Counter(), Counter()
    remembered("t", ("WG",), county)
    remembered("t", ("BF",), sibling)
    remembered("t", ("WG",), county)
    assert (county.calls, sibling.calls) == (1, 1)
    assert remembered("other", ("WG",), Counter()) == {"n": 1}  # another figure, another key


def test_a_lost_version_starts_again_above_every_earlier_one(db):
    """A cleared or evicted version must not come back to a number that stale figures were
    remembered under: it starts again from the clock."""
    figure = Counter()
    first = records_version()
    remembered("t", ("WG",), figure)
    caches["progress"].delete(VERSION_KEY)
    assert records_version() > first
    assert remembered("t", ("WG",), figure) == {"n": 2}
