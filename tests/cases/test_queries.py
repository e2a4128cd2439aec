"""The lists read a fixed number of queries whatever the number of cases (groups prefetched)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.cases.factories import published


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_lists_take_a_fixed_number_of_queries(world, client, as_user):
    published(world)
    public_few = _queries(client, "/cases/")
    manage_few = _queries(as_user(world.city_admin), "/cases/manage/")
    api_few = _queries(as_user(world.city_admin), "/api/v1/cases")
    for _ in range(5):
        published(world, groups=["01", "02"])
    client.logout()
    assert _queries(client, "/cases/") == public_few
    assert _queries(as_user(world.city_admin), "/cases/manage/") == manage_few
    assert _queries(as_user(world.city_admin), "/api/v1/cases") == api_few
