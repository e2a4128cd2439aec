"""Serializing concurrent transactions on a key that has no row to lock (yet).

`serialize_on("join", union_id, person_hash)` makes a second transaction with the same key wait
until the first commits or rolls back; transactions with other keys run on. PostgreSQL: a
transaction-level advisory lock (released at commit or rollback). SQLite takes one writer at a
time anyway, so nothing is needed there."""

import hashlib

from django.db import connection


def lock_key(*parts) -> int:
    """The signed 64-bit advisory-lock key of `parts` (stable across processes)."""
    text = "\x1f".join(str(p) for p in parts)
    return int.from_bytes(
        hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True
    )


def serialize_on(*parts) -> None:
    """Wait for any other transaction holding the same key; call inside transaction.atomic."""
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("serialize_on needs a transaction: it is released at commit")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(*parts)])
