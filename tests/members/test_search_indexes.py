"""The member list's searches at a province's scale read an index each (members 0007, built
online on PostgreSQL): pinyin initials by prefix, the phone's last four digits."""

import pytest
from django.db import connection

from ruhui.members.selectors import member_list
from tests.members.factories import join

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("operator classes and CREATE INDEX CONCURRENTLY are PostgreSQL's")


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # A handful of rows would be scanned whole: ask whether the index *can* answer.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_indexes_were_built_and_are_valid(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE c.relname IN ('member_initials_prefix', 'member_phone_tail')"
        )
        found = dict(cursor.fetchall())
    assert found == {"member_initials_prefix": True, "member_phone_tail": True}


@pytest.mark.parametrize(
    ("search", "index"),
    [({"q": "zw"}, "member_initials_prefix"), ({"phone_tail": "1234"}, "member_phone_tail")],
)
def test_each_search_reads_its_index(world, search, index):
    join(world.county_admin, world.county_trade, name="张伟")
    queryset = member_list(user=world.county_admin, **search).filter()
    # The page's count (web.pagination.CappedPaginator) and its rows both filter on it.
    assert index in _plan(queryset.order_by())
