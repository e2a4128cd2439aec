"""Fixtures of the online-joining tests: a join link of 舞钢快递行业工会 and a worker's valid form
data. (The cache — rate-limit counters — is cleared around every test in tests/conftest.py.)"""

import pytest

from ruhui.joining import services
from tests.joining.form_data import join_form_data


@pytest.fixture
def link(world):
    """The active join link of the county's courier trade union (the poster's QR code)."""
    return services.join_link_for(world.county_trade)


@pytest.fixture
def worker_data():
    """`worker_data(**changes)` → the POST body of a correctly filled join form, with consent."""

    def make(**changes):
        return join_form_data(**changes)

    return make
