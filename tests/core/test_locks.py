"""core.locks: a transaction-level lock on a key with no row behind it (PostgreSQL)."""

import pytest
from django.db import connection, transaction

from ruhui.core.locks import lock_key, serialize_on


def test_the_key_is_stable_and_tells_parts_apart():
    assert lock_key("join", 7, "abc") == lock_key("join", 7, "abc")
    assert lock_key("join", 7, "abc") != lock_key("join", 7, "abd")
    assert lock_key("join", 71, "bc") != lock_key("join", 7, "1bc")  # parts are separated
    assert -(2**63) <= lock_key("x") < 2**63


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_held_key_makes_another_transaction_wait_until_commit():
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    import psycopg

    settings = connection.settings_dict
    other = psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"],
        dbname=settings["NAME"],
        autocommit=True,
    )
    try:
        key = lock_key("join", 1, "person")
        probe = "SELECT pg_try_advisory_xact_lock(%s)"
        with transaction.atomic():
            serialize_on("join", 1, "person")
            assert other.execute(probe, [key]).fetchone()[0] is False
            assert other.execute(probe, [lock_key("join", 1, "else")]).fetchone()[0] is True
        assert other.execute(probe, [key]).fetchone()[0] is True  # released at commit
        with pytest.raises(RuntimeError):
            serialize_on("join", 1, "person")  # outside a transaction it would hold nothing
    finally:
        other.close()
