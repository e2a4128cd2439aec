"""Set-based inserts for the importer: PostgreSQL COPY, executemany elsewhere.

Django's bulk_create builds a model instance and an SQL parameter list per row and splits
SQLite inserts into small batches; on the import path that costs more than the validation.
These helpers take plain tuples in a known column order and hand them to the driver's own
bulk path. They run inside the caller's transaction: an error rolls back with it.
"""

from collections.abc import Sequence

from django.db import connection


def insert_rows(table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    """Insert rows (tuples in `columns` order, values ready for the driver) into `table`."""
    if not rows:
        return
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    name = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {name} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            # Table and column names come from the models, never from input.
            cursor.executemany(f"INSERT INTO {name} ({quoted}) VALUES ({marks})", rows)  # noqa: S608


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


def db_datetime(value):
    """A timezone-aware datetime in the form the current database backend stores."""
    return connection.ops.adapt_datetimefield_value(value)
