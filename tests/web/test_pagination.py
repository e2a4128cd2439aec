"""The capped paginator of very long lists (web.pagination) and the database settings that
keep a province's list pages short."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ruhui.orgs.models import Organization
from ruhui.web.pagination import CappedPaginator

pytestmark = pytest.mark.django_db


def _count_sql(paginator) -> str:
    with CaptureQueriesContext(connection) as queries:
        paginator.count  # noqa: B018 (the count is the query under test)
    (query,) = queries.captured_queries
    return query["sql"]


def test_the_count_stops_at_the_cap_and_says_so(world):
    organizations = Organization.objects.order_by("path")
    total = organizations.count()
    capped = CappedPaginator(organizations, 2, cap=total - 1)
    assert capped.count == total - 1 and capped.capped
    assert capped.num_pages == (total - 1 + 1) // 2
    exact = CappedPaginator(organizations, 2, cap=total)
    assert exact.count == total and not exact.capped


def test_the_count_does_not_sort(world):
    """Counting in the list's order made PostgreSQL walk a city's 600,000 members in join
    date order (3.6 s) instead of reading an index (docs/benchmarks-scale-explain.md)."""
    sql = _count_sql(CappedPaginator(Organization.objects.order_by("-path"), 10, cap=100))
    assert "ORDER BY" not in sql.upper()
    assert "LIMIT" in sql.upper()


def test_postgresql_connections_do_not_jit_compile(db):
    if connection.vendor != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
