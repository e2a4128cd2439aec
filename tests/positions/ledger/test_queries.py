"""The list pages cost the same number of queries for 2 entries as for 12 (no query per row)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ruhui.positions import ledger_registers, ledger_services
from tests.positions.ledger.conftest import activity_data


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def add_rows(cast, n: int) -> None:
    world, admin = cast.world, cast.world.county_admin
    for i in range(n):
        ledger_services.activity_create(actor=admin, data=activity_data(world, title=f"活动{i}"))
        ledger_registers.consultation_create(
            actor=admin,
            data={
                "level": "industry",
                "union": world.county_trade,
                "employer_association": f"协会{i}",
                "topics": ["wage"],
                "held_on": "2019-05-10",
                "groups": ["02"],
            },
        )
        ledger_registers.social_worker_create(
            actor=admin,
            data={"name": f"社工{i}", "union": world.county_trade, "starts_on": "2019-01-01"},
        )


def test_list_pages_query_count_is_fixed(cast, as_user):
    client = as_user(cast.world.county_admin)
    urls = [
        reverse("positions:activities"),
        reverse("positions:consultations"),
        reverse("positions:social_workers"),
    ]
    add_rows(cast, 1)
    before = [count(client, url) for url in urls]
    add_rows(cast, 10)
    after = [count(client, url) for url in urls]
    assert after == before
