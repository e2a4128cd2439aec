"""Set-based reads and writes on the database driver's own bulk paths (PostgreSQL COPY, executemany
elsewhere), for every importer and for the figures that need raw SQL.

Django's bulk_create builds a model instance and an SQL parameter list per row and splits
SQLite inserts into small batches; on the import path that costs more than the validation.
These helpers take plain tuples in a known column order and hand them to the driver's own
bulk path. They run inside the caller's transaction: an error rolls back with it.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import NamedTuple

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


class Insert(NamedTuple):
    """Rows ready to be written by `run_insert`: on PostgreSQL already encoded as binary COPY
    data (`payload`), elsewhere the rows themselves."""

    table: str
    columns: tuple[str, ...]
    rows: list[Sequence] | None
    payload: bytes | None


def prepare_insert(table: str, columns: Sequence[str], rows: list[Sequence]) -> Insert:
    """Rows (tuples or lists in `columns` order, values of the columns' Python types: str for
    text, date, datetime, int, bool or None) made ready for `run_insert`.

    PostgreSQL: encoded here into binary COPY data by psycopg's own formatter, with no I/O, so
    that the importer can do this Python work in its main thread and leave its writer thread
    nothing to do but hand the bytes over and wait for the server (waiting releases Python's
    lock; formatting would hold it and starve the server)."""
    columns = tuple(columns)
    if connection.vendor != "postgresql" or not rows:
        return Insert(table, columns, rows, None)
    from psycopg._copy_base import BinaryFormatter  # psycopg is pinned; tests run the path

    formatter = BinaryFormatter(_transformer(table, columns))
    parts = [formatter.write_row(row) for row in rows]
    parts.append(formatter.end())
    return Insert(table, columns, None, b"".join(parts))


def run_insert(insert: Insert) -> None:
    """Write an `Insert` (PostgreSQL: binary COPY; SQLite: executemany), in the caller's
    transaction: an error rolls back with it."""
    table, columns = insert.table, insert.columns
    if not insert.rows and not insert.payload:
        return
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    name = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if insert.payload is not None:
            # The driver's own cursor: Django's wrapper has no COPY. Its errors become
            # Django's (IntegrityError …), as through the wrapper.
            copy_sql = f"COPY {name} ({quoted}) FROM STDIN (FORMAT BINARY)"
            with connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
                copy.write(insert.payload)
        else:
            marks = ", ".join(["%s"] * len(columns))
            # Table and column names come from the models, never from input.
            cursor.executemany(f"INSERT INTO {name} ({quoted}) VALUES ({marks})", insert.rows)  # noqa: S608


def insert_rows(table: str, columns: Sequence[str], rows: list[Sequence]) -> None:
    """Insert rows into `table` now: `run_insert(prepare_insert(...))`."""
    run_insert(prepare_insert(table, columns, rows))


#: The scratch table an update's rows are loaded into (temporary: this connection only).
UPDATE_SOURCE = "ruhui_update_rows"


class Update(NamedTuple):
    """Rows ready to be written over existing ones by `run_update`."""

    table: str
    key: str
    load: Insert  # the rows, into UPDATE_SOURCE
    assign: tuple[tuple[str, str], ...]  # (column, SQL expression over m. and t.)


def prepare_update(
    table: str,
    columns: Sequence[str],
    rows: list[Sequence],
    *,
    computed: dict[str, str] | None = None,
) -> Update:
    """Rows of (key, new values…) in `columns` order, the key first, made ready for
    `run_update`: each sets its columns on the row of `table` with that key. `computed`
    gives columns an SQL expression instead, over the row before (`m.`) and the new values
    (`t.`). Encoded here, as `prepare_insert` does, with `table`'s column types."""
    columns = tuple(columns)
    load = prepare_insert(table, columns, rows)._replace(table=UPDATE_SOURCE)
    quote = connection.ops.quote_name
    computed = computed or {}
    assign = [(c, f"t.{quote(c)}") for c in columns[1:] if c not in computed]
    assign += computed.items()
    return Update(table, columns[0], load, tuple(assign))


def run_update(update: Update) -> None:
    """Write an `Update` in the caller's transaction: the rows loaded into a temporary table
    (PostgreSQL: binary COPY; SQLite: executemany), then one UPDATE … FROM it, joined on the
    key; an error rolls back with the transaction."""
    if not update.load.rows and not update.load.payload:
        return
    quote = connection.ops.quote_name
    table, source, key = quote(update.table), quote(UPDATE_SOURCE), quote(update.key)
    columns = ", ".join(quote(c) for c in update.load.columns)
    postgres = connection.vendor == "postgresql"
    empty = "WITH NO DATA" if postgres else "WHERE 0"
    sets = ", ".join(f"{quote(c)} = {expression}" for c, expression in update.assign)
    # All names and expressions come from the models and the importer, never from input.
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE {source} AS SELECT {columns} FROM {table} {empty}")  # noqa: S608
        run_insert(update.load)
        if postgres:
            # Row counts for the planner: a join by primary key, not a scan of the table.
            cursor.execute(f"ANALYZE {source}")
        cursor.execute(
            f"UPDATE {table} AS m SET {sets} FROM {source} AS t WHERE m.{key} = t.{key}"  # noqa: S608
        )
        cursor.execute(f"DROP TABLE {source}")


#: {(database alias, table, columns): a psycopg Transformer set up for binary COPY of them}
_TRANSFORMERS: dict[tuple, object] = {}


def _transformer(table: str, columns: tuple[str, ...]):
    """psycopg's adapter set for these columns in binary format, made once per process and
    column list (making it reads the connection's encoding: never while another thread uses
    the connection, and it does not change)."""
    key = (connection.alias, table, columns)
    transformer = _TRANSFORMERS.get(key)
    if transformer is None:
        from psycopg import adapt, pq

        connection.ensure_connection()
        raw = connection.connection
        types = _TYPES.get((connection.alias, table))
        if types is None:
            with connection.cursor() as cursor:
                types = _column_types(cursor, table)
        registry = raw.adapters.types
        oids = [registry.get_oid(types[c]) for c in columns]
        transformer = adapt.Transformer(raw)
        transformer.set_dumper_types(oids, pq.Format.BINARY)
        _TRANSFORMERS[key] = transformer
    return transformer


#: {(database alias, table): {column: PostgreSQL type name}}: the schema does not change while
#: the process runs (migrations restart it).
_TYPES: dict[tuple[str, str], dict[str, str]] = {}
#: {(database alias, table): the name of its id sequence}
_SEQUENCES: dict[tuple[str, str], str] = {}


def load_column_types(table: str) -> None:
    """PostgreSQL: read `table`'s column types now, so that `prepare_insert` and
    `prepare_update` need no query later, while a writer thread may be using the connection."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            _column_types(cursor, table)


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


def side_connection():
    """A second connection to the same PostgreSQL database, in autocommit: the importer's
    lookups run on it in a thread of their own, so that a second server process does them
    beside the one writing (each server process uses one core). It sees committed data only:
    use it only when the import's transaction is the outermost one."""
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)  # Django's cursor class wants Django's connection
    side = psycopg.connect(**params, autocommit=True)
    # Its commits (member numbers taken) need not wait for the disk: the import's own commit
    # makes all WAL before it durable, so numbers its members carry cannot be lost, and
    # numbers of an import that never commits may be lost without harm.
    side.execute("SET synchronous_commit = off")
    return side


@contextmanager
def cursor_for(side=None) -> Iterator:
    """A cursor of the side connection when given, else of Django's connection."""
    if side is None:
        with connection.cursor() as cursor:
            yield cursor
    else:
        with side.cursor() as cursor:
            yield cursor


def next_ids(table: str, count: int, side=None) -> list[int]:
    """`count` new primary keys for `table`, to insert rows with known ids (no read-back).

    PostgreSQL: values of the table's own sequence (safe under concurrency, on any
    connection: sequences are outside transactions). SQLite: the ids after the highest ever
    used; the caller must already have written in this transaction, so that it holds SQLite's
    one write lock and no other connection can take the same ids.
    """
    if count <= 0:
        return []
    name = connection.ops.quote_name(table)
    with cursor_for(side) as cursor:
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


def rows_where_in(
    select: str, column: str, values: list, *, where: str = "", side=None
) -> Iterator[tuple]:
    """Rows of `SELECT {select} … WHERE {column} IN values{where}`: one array parameter on
    PostgreSQL (a 5,000-placeholder IN list costs more to build and parse than the lookup
    itself), IN lists of at most 5,000 elsewhere. `select` names the tables after FROM; all
    SQL text comes from the models, never from input."""
    with cursor_for(side) as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT {select} WHERE {column} = ANY(%s){where}", [list(values)])
            yield from cursor.fetchall()
            return
        for start in range(0, len(values), 5000):
            part = values[start : start + 5000]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(f"SELECT {select} WHERE {column} IN ({marks}){where}", part)
            yield from cursor.fetchall()


#: ANALYZE before an import once this share of a table has changed since its last statistics
#: (autovacuum's own default threshold, applied at once instead of within a minute or so).
STALE_SHARE = 0.1
STALE_MINIMUM = 1000


def fresh_statistics(table: str) -> bool:
    """PostgreSQL: ANALYZE `table` now if its planner statistics are stale; True if it did.

    The importer looks up each chunk's people by blind index.  Right after a
    large import the statistics still describe the table before it, and PostgreSQL then chose
    the (union, status) index and filtered the blind index row by row: 150 ms a chunk at
    350,000 members instead of 15 ms, growing with the table. Autovacuum refreshes them within
    a minute or so; an import that starts sooner pays for it on every chunk."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        # A partitioned table (core.partitions) counts its rows and changes in its partitions;
        # ANALYZE of the parent analyzes them too and gives the planner the whole table's.
        cursor.execute(
            "SELECT sum(n_mod_since_analyze)::bigint, sum(n_live_tup)::bigint FROM pg_stat_user_tables "
            "WHERE relid = %s::regclass OR relid IN "
            "(SELECT inhrelid FROM pg_inherits WHERE inhparent = %s::regclass) HAVING count(*) > 0",
            [connection.ops.quote_name(table)] * 2,
        )
        found = cursor.fetchone()
        if found is None or not statistics_stale(modified=found[0], live=found[1]):
            return False
        cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return True


def estimated_rows(table: str) -> int:
    """PostgreSQL's estimate of a table's rows (from its last statistics; 0 if never taken)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass",
            [connection.ops.quote_name(table)],
        )
        return cursor.fetchone()[0]


def statistics_stale(*, modified: int, live: int) -> bool:
    """Whether `modified` rows changed since the last ANALYZE make a table of `live` rows'
    statistics stale."""
    return modified >= max(STALE_MINIMUM, STALE_SHARE * live)


def dates_as_text() -> bool:
    """Whether date values should go to `insert_rows` as ISO text: sqlite3 converts a date
    object through a Python adapter per value, which costs as much as the rest of the row's
    binding; PostgreSQL's binary COPY takes date objects as they are."""
    return connection.vendor == "sqlite"


def db_datetime(value):
    """A timezone-aware datetime in the form the current database backend stores."""
    return connection.ops.adapt_datetimefield_value(value)
