"""Fixtures of the online-joining tests: a join link of 舞钢快递行业工会 and a worker's valid form
data. (The cache — rate-limit counters — is cleared around every test in tests/conftest.py.)"""

import pytest

from ruhui.joining import services
from tests.members.factories import make_id_number, make_phone


@pytest.fixture
def link(world):
    """The active join link of the county's courier trade union (the poster's QR code)."""
    return services.join_link_for(world.county_trade)


@pytest.fixture
def worker_data():
    """`worker_data(**changes)` → the POST body of a correctly filled join form, with consent."""

    def make(**changes):
        data = {
            "name": "李小军",
            "id_number": make_id_number(),
            "phone": make_phone(),
            "ethnicity": "01",
            "education": "61",
            "household_division": "410481",
            "is_migrant_worker": "1",
            "group": "02",
            "employment_status": "1",
            "employment_form": "5",
            "employer_name": "顺丰速运舞钢营业部",
            "work_location": "舞钢市垭口街道",
            "consent": "on",
        }
        data.update(changes)
        return {key: value for key, value in data.items() if value is not None}

    return make
