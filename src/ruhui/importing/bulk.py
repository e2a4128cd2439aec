"""Set-based inserts for the importer: PostgreSQL COPY, executemany elsewhere.

Django's bulk_create builds a model instance and an SQL parameter list per row and splits
SQLite inserts into small batches; on the import path that costs more than the validation.
These helpers take plain tuples in a known column order and hand them to the driver's own
bulk path. They run inside the caller's transaction: an error rolls back with it.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import connection

#: SQLite page cache during an import, in KiB (the default is 2 MiB): the member table's
#: indexes on random keys (the blind index) miss a small cache on nearly every insert.
SQLITE_IMPORT_CACHE_KIB = 256 * 1024


@contextmanager
def import_session() -> Iterator[None]:
    """Connection settings for the length of one import (inside its transaction), restored
    afterwards.

    PostgreSQL: foreign keys checked at the end of each statement instead of at commit. Django
    declares them DEFERRABLE INITIALLY DEFERRED, so a million imported members would queue
    five million checks for the COMMIT, run there one after another while the importer waits;
    checked per COPY, they run in the writer thread while the next chunk is prepared. The
    same checks, the same all-or-nothing transaction (SET CONSTRAINTS lasts until it ends).
    SQLite: a larger page cache (memory only; durability and locking are unchanged)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        yield
        # Back to Django's default for the rest of an enclosing transaction (every deferrable
        # constraint here is INITIALLY DEFERRED). After an error the transaction rolls back.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB:d}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before):d}")


def insert_rows(table: str, columns: Sequence[str], rows: list[Sequence]) -> None:
    """Insert rows (tuples or lists in `columns` order, values ready for the driver) into `table`.

    PostgreSQL: binary COPY, so neither side formats or parses text (dates, timestamps and
    numbers go as they are stored); the values must be of the columns' Python types (str for
    text, date, datetime, int, bool or None), which the importer's cleaned values are."""
    if not rows:
        return
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    name = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = _column_types(cursor, table)
            with cursor.cursor.copy(f"COPY {name} ({quoted}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types([types[c] for c in columns])
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            # Table and column names come from the models, never from input.
            cursor.executemany(f"INSERT INTO {name} ({quoted}) VALUES ({marks})", rows)  # noqa: S608


#: {(database alias, table): {column: PostgreSQL type name}}: the schema does not change while
#: the process runs (migrations restart it).
_TYPES: dict[tuple[str, str], dict[str, str]] = {}
#: {(database alias, table): the name of its id sequence}
_SEQUENCES: dict[tuple[str, str], str] = {}


def _column_types(cursor, table: str) -> dict[str, str]:
    key = (connection.alias, table)
    types = _TYPES.get(key)
    if types is None:
        cursor.execute(
            "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [connection.ops.quote_name(table)],
        )
        types = _TYPES[key] = dict(cursor.fetchall())
    return types


def _sequence(cursor, table: str) -> str:
    key = (connection.alias, table)
    sequence = _SEQUENCES.get(key)
    if sequence is None:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = _SEQUENCES[key] = cursor.fetchone()[0]
    return sequence


def next_ids(table: str, count: int) -> list[int]:
    """`count` new primary keys for `table`, to insert rows with known ids (no read-back).

    PostgreSQL: values of the table's own sequence (safe under concurrency). SQLite: the ids
    after the highest ever used; the caller must already have written in this transaction, so
    that it holds SQLite's one write lock and no other connection can take the same ids.
    """
    if count <= 0:
        return []
    name = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence is named once: pg_get_serial_sequence in the select list would
            # look it up again for every row.
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                [_sequence(cursor, table), count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {name}")  # noqa: S608
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        used = cursor.fetchone()
        if used is not None:
            highest = max(highest, used[0])
        return list(range(highest + 1, highest + 1 + count))


def ids_by_key(table: str, key: str, values: list[str]) -> dict[str, int]:
    """{key value: id} for rows just inserted (the key column is unique)."""
    return dict(_pairs(table, key, "id", values))


def _pairs(table: str, key: str, other: str, values: list[str], where: str = ""):
    """(key, other) for rows whose key is in `values`: one array parameter on PostgreSQL
    (a 5,000-placeholder IN list costs more to build and parse than the lookup itself)."""
    name = connection.ops.quote_name(table)
    column = connection.ops.quote_name(key)
    result = connection.ops.quote_name(other)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT {column}, {result} FROM {name} WHERE {column} = ANY(%s){where}",  # noqa: S608
                [list(values)],
            )
            yield from cursor.fetchall()
            return
        for start in range(0, len(values), 5000):
            part = values[start : start + 5000]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(
                f"SELECT {column}, {result} FROM {name} WHERE {column} IN ({marks}){where}",  # noqa: S608
                part,
            )
            yield from cursor.fetchall()


def held_member_ids(table: str, hashes: list[str], statuses: tuple[str, ...]) -> dict[str, int]:
    """{id_number_hash: member id} of the memberships currently held by these persons."""
    quoted = ", ".join(f"'{s}'" for s in statuses if s.isalpha())  # fixed model constants
    return dict(_pairs(table, "id_number_hash", "id", hashes, f" AND status IN ({quoted})"))


def dates_as_text() -> bool:
    """Whether date values should go to `insert_rows` as ISO text: sqlite3 converts a date
    object through a Python adapter per value, which costs as much as the rest of the row's
    binding; PostgreSQL's binary COPY takes date objects as they are."""
    return connection.vendor == "sqlite"


def db_datetime(value):
    """A timezone-aware datetime in the form the current database backend stores."""
    return connection.ops.adapt_datetimefield_value(value)
