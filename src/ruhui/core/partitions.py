"""Yearly range partitions of the history tables on PostgreSQL (decision record 0017).

The membership events (`members_membershipevent`, by `effective_on`) and the audit log
(`accounts_auditevent`, by `at`) are declaratively partitioned by year: one partition a year,
named ``<table>_y<year>``, and one DEFAULT partition, ``<table>_default``, for anything outside
them. This module knows no model: it finds the partitioned tables in PostgreSQL's catalog, so
`ensure_partitions` serves every such table and the apps above decide what to purge.

- `convert_to_partitioned` / `convert_to_plain`: what the two migrations do (and undo): the table
  is rebuilt with the same columns, rows, sequence, indexes, foreign keys and triggers.
- `ensure_partitions`: the coming years' partitions (an operator runs ``ruhui partitions``
  daily); rows already in the DEFAULT partition for a year that gets its own partition move
  there in the same transaction.
- `drop_partitions_before`: detaches and drops whole yearly partitions that end before a
  moment — never a row-by-row DELETE. The audit log's retention purge (audit.retention) uses it.

Bounds of a `timestamp with time zone` key are the start of the year in settings.TIME_ZONE
(a year is the operators' calendar year); a `date` key's are plain dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

#: Years before this never get a partition of their own: their rows stay in DEFAULT.
FIRST_YEAR = 1900
#: Partitions made ahead of the current year, so that no year starts without one.
AHEAD = 2

_YEAR_NAME = re.compile(r"_y(\d{4})$")


@dataclass(frozen=True)
class Partition:
    table: str
    name: str
    year: int | None  # None: the DEFAULT partition
    rows: int


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def partition_name(table: str, year: int | None) -> str:
    return f"{table}_default" if year is None else f"{table}_y{year}"


def _bound(key_type: str, year: int) -> str:
    """The SQL literal of 1 January of `year` for a key of `key_type`."""
    if key_type.startswith("timestamp with time zone"):
        start = datetime(year, 1, 1, tzinfo=ZoneInfo(settings.TIME_ZONE))
        return f"'{start.isoformat()}'"
    return f"'{year:04d}-01-01'"


def year_start(year: int) -> datetime:
    """The moment a partition's year starts (settings.TIME_ZONE)."""
    return datetime(year, 1, 1, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _key(cursor, table: str) -> tuple[str, str]:
    """(column, type) of a range-partitioned table's one-column key."""
    cursor.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) "
        "FROM pg_partitioned_table p JOIN pg_attribute a "
        "ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] "
        "WHERE p.partrelid = %s::regclass",
        [_q(table)],
    )
    found = cursor.fetchone()
    if found is None:
        raise ValueError(f"{table} is not a partitioned table")
    return found


def partitioned_tables() -> list[str]:
    """The range-partitioned tables of the current schema (empty on SQLite)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE p.partstrat = 'r' AND c.relnamespace = 'public'::regnamespace "
            "AND NOT c.relispartition ORDER BY c.relname"
        )
        return [row[0] for row in cursor.fetchall()]


def _children(cursor, table: str) -> list[tuple[str, int | None]]:
    cursor.execute(
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass ORDER BY 1",
        [_q(table)],
    )
    children = []
    for name, bound in cursor.fetchall():
        found = _YEAR_NAME.search(name)
        if bound == "DEFAULT":
            children.append((name, None))
        elif found:
            children.append((name, int(found.group(1))))
    return children


def partitions(table: str) -> list[Partition]:
    """A partitioned table's partitions, years first and DEFAULT last, with exact row counts."""
    with connection.cursor() as cursor:
        result = []
        for name, year in _children(cursor, table):
            cursor.execute(f"SELECT count(*) FROM {_q(name)}")  # noqa: S608 (catalog names)
            result.append(Partition(table, name, year, cursor.fetchone()[0]))
    return sorted(result, key=lambda p: (p.year is None, p.year or 0))


def _years_in_default(cursor, table: str, column: str, key_type: str) -> list[int]:
    default = partition_name(table, None)
    if (default, None) not in _children(cursor, table):
        return []
    if key_type.startswith("timestamp with time zone"):
        expression = f"extract(year FROM {_q(column)} AT TIME ZONE %s)::int"
        params = [settings.TIME_ZONE]
    else:
        expression = f"extract(year FROM {_q(column)})::int"
        params = []
    cursor.execute(
        f"SELECT DISTINCT {expression} FROM {_q(default)} ORDER BY 1",  # noqa: S608
        params,
    )
    return [row[0] for row in cursor.fetchall() if row[0] >= FIRST_YEAR]


def _create_year(cursor, table: str, key_type: str, year: int, *, default_rows: bool) -> None:
    """Make `year`'s partition. If DEFAULT holds rows of that year, PostgreSQL would refuse the
    new partition: DEFAULT is detached and set aside, its rows are copied into two plain tables
    (the year's and the rest), which are attached as the year's partition and the new DEFAULT
    (PostgreSQL checks them on ATTACH and adds the parent's indexes, keys and triggers), and the
    old DEFAULT is dropped. No row passes through a trigger: the audit log's append-only trigger
    and the deferred foreign-key checks are not involved."""
    name, default = partition_name(table, year), partition_name(table, None)
    low, high = _bound(key_type, year), _bound(key_type, year + 1)
    bounds = f"FROM ({low}) TO ({high})"
    if not default_rows:
        cursor.execute(f"CREATE TABLE {_q(name)} PARTITION OF {_q(table)} FOR VALUES {bounds}")
        return
    column, _ = _key(cursor, table)
    aside, fresh = f"{default}_moving", f"{default}_fresh"
    inside = f"{_q(column)} >= {low} AND {_q(column)} < {high}"
    cursor.execute(f"ALTER TABLE {_q(table)} DETACH PARTITION {_q(default)}")
    cursor.execute(f"ALTER TABLE {_q(default)} RENAME TO {_q(aside)}")
    for target, where in ((name, inside), (fresh, f"NOT ({inside})")):
        cursor.execute(f"CREATE TABLE {_q(target)} (LIKE {_q(table)} INCLUDING STORAGE)")
        cursor.execute(
            f"INSERT INTO {_q(target)} SELECT * FROM {_q(aside)} WHERE {where}"  # noqa: S608
        )
    cursor.execute(f"DROP TABLE {_q(aside)}")
    cursor.execute(f"ALTER TABLE {_q(fresh)} RENAME TO {_q(default)}")
    cursor.execute(f"ALTER TABLE {_q(table)} ATTACH PARTITION {_q(name)} FOR VALUES {bounds}")
    cursor.execute(f"ALTER TABLE {_q(table)} ATTACH PARTITION {_q(default)} DEFAULT")


def ensure_years(table: str, years) -> list[int]:
    """Make the partitions of `years` that `table` lacks, in one transaction; the years made."""
    made = []
    with transaction.atomic(), connection.cursor() as cursor:
        column, key_type = _key(cursor, table)
        have = {year for _, year in _children(cursor, table)}
        in_default = set(_years_in_default(cursor, table, column, key_type))
        for year in sorted(set(years)):
            if year in have or year < FIRST_YEAR:
                continue
            _create_year(cursor, table, key_type, year, default_rows=year in in_default)
            made.append(year)
    return made


def ensure_partitions(*, ahead: int = AHEAD, today: date | None = None) -> dict[str, list[int]]:
    """For every partitioned table: this year's and the next `ahead` years' partitions, and one
    for each earlier year (from FIRST_YEAR) whose rows sit in DEFAULT. {table: years made}."""
    today = today or timezone.localdate()
    made = {}
    for table in partitioned_tables():
        with connection.cursor() as cursor:
            column, key_type = _key(cursor, table)
            stray = _years_in_default(cursor, table, column, key_type)
        last = today.year + ahead  # a mistyped far-future date stays in DEFAULT
        made[table] = ensure_years(
            table, [*range(today.year, last + 1), *(y for y in stray if y <= last)]
        )
    return made


def drop_partitions_before(table: str, moment: datetime) -> list[Partition]:
    """Detach and drop `table`'s yearly partitions whose whole year ends at or before `moment`
    (rows of those years in DEFAULT are first moved into their own partitions). Runs in the
    caller's transaction if there is one. The partitions dropped, with their row counts."""
    with transaction.atomic(), connection.cursor() as cursor:
        column, key_type = _key(cursor, table)
        stray = [y for y in _years_in_default(cursor, table, column, key_type) if y < moment.year]
        if stray:
            ensure_years(table, stray)
        dropped = []
        for part in partitions(table):
            if part.year is None or year_start(part.year + 1) > moment:
                continue
            cursor.execute(f"ALTER TABLE {_q(table)} DETACH PARTITION {_q(part.name)}")
            cursor.execute(f"DROP TABLE {_q(part.name)}")
            dropped.append(part)
    return dropped


# --- the conversion the migrations do ----------------------------------------------------------


def _definitions(cursor, table: str) -> dict:
    """What rebuilding `table` must recreate: its secondary indexes, foreign keys and CHECK
    constraints, its own triggers, and where its id sequence stands."""
    oid = _q(table)
    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
        "AND c.conrelid = i.indrelid) ORDER BY i.indexrelid",
        [oid],
    )
    indexes = [row[0].replace(" ON ONLY ", " ON ") for row in cursor.fetchall()]
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'c', 'u') ORDER BY oid",
        [oid],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
        "WHERE tgrelid = %s::regclass AND NOT tgisinternal ORDER BY oid",
        [oid],
    )
    triggers = [row[0] for row in cursor.fetchall()]
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [oid])
    sequence = cursor.fetchone()[0]
    cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
    last_value, is_called = cursor.fetchone()
    return {
        "indexes": indexes,
        "constraints": constraints,
        "triggers": triggers,
        "sequence": (last_value, is_called),
    }


def _rebuild(cursor, table: str, *, partition_by: str | None, years=()) -> None:
    old = f"{table}_unconverted"
    found = _definitions(cursor, table)
    cursor.execute(f"ALTER TABLE {_q(table)} RENAME TO {_q(old)}")
    # The id's sequence goes with the old table's identity (or its OWNED BY); remember its value.
    cursor.execute(
        "SELECT a.attidentity FROM pg_attribute a WHERE a.attrelid = %s::regclass "
        "AND a.attname = 'id'",
        [_q(old)],
    )
    if cursor.fetchone()[0]:
        cursor.execute(f"ALTER TABLE {_q(old)} ALTER COLUMN id DROP IDENTITY")
    else:
        cursor.execute(f"ALTER TABLE {_q(old)} ALTER COLUMN id DROP DEFAULT")
        cursor.execute(f"DROP SEQUENCE {_q(table + '_id_seq')}")
    partitioned = f" PARTITION BY RANGE ({_q(partition_by)})" if partition_by else ""
    cursor.execute(
        f"CREATE TABLE {_q(table)} (LIKE {_q(old)} INCLUDING STORAGE INCLUDING COMMENTS)"
        + partitioned
    )
    sequence = _q(f"{table}_id_seq")
    if partition_by:
        # Identity columns on a partitioned table need PostgreSQL 17: a plain owned sequence.
        cursor.execute(f"CREATE SEQUENCE {sequence} AS bigint OWNED BY {_q(table)}.id")
        cursor.execute(f"ALTER TABLE {_q(table)} ALTER COLUMN id SET DEFAULT nextval('{sequence}')")
        key_type = _column_type(cursor, table, partition_by)
        for year in sorted(set(years)):
            if year >= FIRST_YEAR:
                _create_year(cursor, table, key_type, year, default_rows=False)
        cursor.execute(f"CREATE TABLE {_q(table + '_default')} PARTITION OF {_q(table)} DEFAULT")
    else:
        cursor.execute(
            f"ALTER TABLE {_q(table)} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY "
            f"(SEQUENCE NAME {sequence})"
        )
    last_value, is_called = found["sequence"]
    cursor.execute("SELECT setval(%s, %s, %s)", [sequence, last_value, is_called])
    cursor.execute(f"INSERT INTO {_q(table)} SELECT * FROM {_q(old)}")  # noqa: S608
    cursor.execute(f"DROP TABLE {_q(old)}")
    key = f"id, {_q(partition_by)}" if partition_by else "id"
    cursor.execute(
        f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(table + '_pkey')} PRIMARY KEY ({key})"
    )
    for statement in found["indexes"]:
        cursor.execute(statement)
    for name, definition in found["constraints"]:
        cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
    for statement in found["triggers"]:
        cursor.execute(statement)
    cursor.execute(f"ANALYZE {_q(table)}")


def _column_type(cursor, table: str, column: str) -> str:
    cursor.execute(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attname = %s",
        [_q(table), column],
    )
    return cursor.fetchone()[0]


def data_years(cursor, table: str, column: str) -> list[int]:
    """The calendar years (settings.TIME_ZONE for a timestamp) that `table`'s rows cover."""
    if _column_type(cursor, table, column).startswith("timestamp with time zone"):
        expression, params = f"{_q(column)} AT TIME ZONE %s", [settings.TIME_ZONE]
    else:
        expression, params = _q(column), []
    cursor.execute(
        f"SELECT extract(year FROM min({expression}))::int, "  # noqa: S608
        f"extract(year FROM max({expression}))::int FROM {_q(table)}",
        params * 2,
    )
    low, high = cursor.fetchone()
    return [] if low is None else list(range(low, high + 1))


def convert_to_partitioned(cursor, table: str, column: str, *, today: date | None = None) -> None:
    """Rebuild a plain table as one partitioned by year of `column`: a partition for each year
    of its rows from FIRST_YEAR to `AHEAD` years after this one, and DEFAULT; the same
    rows, id sequence, indexes, foreign keys and triggers. Run inside one transaction."""
    this_year = (today or timezone.localdate()).year
    last = this_year + AHEAD  # a mistyped far-future date stays in DEFAULT
    years = [y for y in data_years(cursor, table, column) if y <= last]
    years += range(this_year, last + 1)
    _rebuild(cursor, table, partition_by=column, years=years)


def convert_to_plain(cursor, table: str) -> None:
    """The reverse of `convert_to_partitioned`: one plain table with an identity id again."""
    _rebuild(cursor, table, partition_by=None)
