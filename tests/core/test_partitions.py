"""The history tables partitioned by year on PostgreSQL (decision record 0017): the migrations
convert an existing table without losing a row (1,000,000 events, counts and checksums by year
before and after, both ways), the registry's rules still hold on the partitioned tables, new
years get their partitions, and the audit log's retention drops whole years, audited."""

# ruff: noqa: S608 (the SQL names only this module's constant table and partition names)

import datetime
import importlib
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from ruhui.audit import retention
from ruhui.audit.models import AuditEvent
from ruhui.core import partitions
from ruhui.members.models import Member, MembershipEvent, MemberStatus
from tests.members.factories import join, make_id_number

pytestmark = pytest.mark.postgres

EVENTS = MembershipEvent._meta.db_table
AUDIT = AuditEvent._meta.db_table
ROWS = 1_000_000


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("yearly partitions are PostgreSQL's (the SQLite tables are plain)")


def sql(statement: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def checks_now() -> None:
    """Run this transaction's deferred foreign-key checks now: PostgreSQL refuses to alter a
    table with pending trigger events (a migration or the daily command runs in a transaction
    of its own; these tests run in the test's transaction)."""
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    sql("SET CONSTRAINTS ALL DEFERRED")


def relkind(table: str) -> str:
    return sql("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [table])[0][0]


def by_year(table: str) -> list[tuple]:
    """(year, rows, sum of the rows' text hashes) for every year: equal before and after only if
    every row came through with every column."""
    return sql(
        "SELECT extract(year FROM effective_on)::int, count(*), "
        f"sum(hashtextextended(t::text, 0)::numeric) FROM {table} t GROUP BY 1 ORDER BY 1"
    )


def run_migration(module: str, direction: str) -> float:
    migration = importlib.import_module(module)
    started = time.perf_counter()
    with connection.schema_editor() as editor:
        getattr(migration, direction)(None, editor)
    return time.perf_counter() - started


def test_the_migration_converts_a_million_events_without_losing_a_row(world, figure):
    module = "ruhui.members.migrations.0006_partitioned_events"
    assert relkind(EVENTS) == "p"
    run_migration(module, "backward")
    assert relkind(EVENTS) == "r"
    members = [join(world.county_admin, world.county_trade).pk for _ in range(5)]
    checks_now()
    # 1,000,000 events over 1990–2026, by SQL: a join date in the 1990s is common.
    sql(
        f"INSERT INTO {EVENTS} (member_id, change_type, reason, effective_on, union_id, "
        "status_before, status_after, note, created_at) "
        "SELECT (%s::bigint[])[1 + i %% 5], '1', '', "
        "DATE '1990-01-01' + (i * 13) %% 13514, %s, '', 'active', 'n' || i, now() "
        "FROM generate_series(1, %s) i",
        [members, world.county_trade.pk, ROWS],
    )
    checks_now()
    before = by_year(EVENTS)
    (last_id,) = sql(f"SELECT max(id) FROM {EVENTS}")[0]
    assert sum(rows for _, rows, _ in before) == ROWS + 5

    forward = run_migration(module, "forward")
    assert relkind(EVENTS) == "p"
    assert by_year(EVENTS) == before
    names = {part.name: part.rows for part in partitions.partitions(EVENTS)}
    assert names[f"{EVENTS}_y1990"] > 0 and names[f"{EVENTS}_y2026"] > 0
    assert names[f"{EVENTS}_default"] == 0
    this_year = timezone.localdate().year
    assert f"{EVENTS}_y{this_year + 2}" in names
    # The id sequence moved on from where it was; Django still reads and writes by `id`.
    event = MembershipEvent.objects.create(
        member_id=members[0],
        change_type="3",
        effective_on=datetime.date(2001, 6, 1),
        union=world.county_trade,
        status_after=MemberStatus.ACTIVE,
    )
    assert event.pk == last_id + 1
    assert MembershipEvent.objects.get(pk=event.pk).effective_on == datetime.date(2001, 6, 1)
    MembershipEvent.objects.filter(pk=event.pk).delete()
    checks_now()

    backward = run_migration(module, "backward")
    assert relkind(EVENTS) == "r"
    assert by_year(EVENTS) == before
    # The test's transaction is rolled back: the partitioned table of the migrations comes back.
    figure(
        "partitioned history (1,000,000 membership events)",
        f"to yearly partitions {forward:.1f} s, back {backward:.1f} s; "
        f"counts and checksums of {len(before)} years equal each way",
    )


def test_the_conversion_keeps_indexes_keys_and_the_trigger(db):
    def shape(table):
        return {
            "indexes": sorted(
                row[0].replace(" ON ONLY ", " ON ")
                for row in sql(
                    "SELECT pg_get_indexdef(indexrelid) FROM pg_index "
                    "WHERE indrelid = %s::regclass AND NOT indisprimary",
                    [table],
                )
            ),
            "constraints": sorted(
                sql(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype <> 'p'",
                    [table],
                )
            ),
            "triggers": sorted(
                row[0]
                for row in sql(
                    "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
                    "WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                    [table],
                )
            ),
        }

    for module, table in (
        ("ruhui.members.migrations.0006_partitioned_events", EVENTS),
        ("ruhui.audit.migrations.0002_partitioned_audit_log", AUDIT),
    ):
        partitioned = shape(table)
        run_migration(module, "backward")
        plain = shape(table)
        assert sql("SELECT pg_get_serial_sequence(%s, 'id')", [table])[0][0]
        run_migration(module, "forward")
        assert shape(table) == partitioned == plain
        (key,) = sql(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'p'",
            [table],
        )[0]
        assert key.startswith("PRIMARY KEY (id, ")
    assert [t for t in shape(AUDIT)["triggers"] if "ruhui_audit_append_only" in t]


def test_one_membership_per_person_still_holds(world):
    number = make_id_number()
    first = join(world.county_admin, world.county_enterprise, id_number=number)
    second = join(world.sibling_admin, world.sibling_trade)
    assert relkind(EVENTS) == "p" and first.events.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=second.pk).update(id_number_hash=first.id_number_hash)
    assert Member.objects.filter(id_number_hash=first.id_number_hash).count() == 1


def test_events_of_a_new_year_land_in_its_partition(world):
    member = join(world.county_admin, world.county_trade)
    checks_now()
    far = timezone.localdate().year + 5
    names = {part.name for part in partitions.partitions(EVENTS)}
    assert f"{EVENTS}_y{far}" not in names
    event = MembershipEvent.objects.create(
        member=member,
        change_type="3",
        effective_on=datetime.date(far, 3, 1),
        union=world.county_trade,
        status_after=MemberStatus.ACTIVE,
    )
    typo = MembershipEvent.objects.create(
        member=member,
        change_type="3",
        effective_on=datetime.date(far + 100, 3, 1),  # a mistyped year: no partition for it
        union=world.county_trade,
        status_after=MemberStatus.ACTIVE,
    )
    checks_now()
    # Without its partition yet, the event waits in DEFAULT; making the year moves it there.
    assert sql(f"SELECT count(*) FROM {EVENTS}_default WHERE id = %s", [event.pk]) == [(1,)]
    made = partitions.ensure_partitions(ahead=5)
    assert far in made[EVENTS] and far + 100 not in made[EVENTS]
    assert sql(f"SELECT id FROM {EVENTS}_default") == [(typo.pk,)]
    assert sql(f"SELECT count(*) FROM {EVENTS}_y{far} WHERE id = %s", [event.pk]) == [(1,)]
    # The moved partition has the table's indexes and keys (PostgreSQL adds them on ATTACH).
    assert sql("SELECT count(*) FROM pg_indexes WHERE tablename = %s", [f"{EVENTS}_y{far}"]) == [
        (3,)
    ]
    # A later event of that year goes straight to its partition; the join is in this year's.
    later = MembershipEvent.objects.create(
        member=member,
        change_type="3",
        effective_on=datetime.date(far, 9, 1),
        union=world.county_trade,
        status_after=MemberStatus.ACTIVE,
    )
    assert sql(f"SELECT tableoid::regclass::text FROM {EVENTS} WHERE id = %s", [later.pk]) == [
        (f"{EVENTS}_y{far}",)
    ]
    joined = member.events.order_by("id").first()
    this_year = joined.effective_on.year
    assert sql(f"SELECT tableoid::regclass::text FROM {EVENTS} WHERE id = %s", [joined.pk]) == [
        (f"{EVENTS}_y{this_year}",)
    ]
    assert list(member.events.order_by("id").values_list("pk", flat=True)) == [
        joined.pk,
        event.pk,
        typo.pk,
        later.pk,
    ]


def old_audit(year: int, count: int) -> None:
    """`count` audit events of `year`, written past the model's guard (as old rows would be)."""
    sql(
        f"INSERT INTO {AUDIT} (at, actor_username, action, object_type, object_id, object_repr, "
        "org_path, changes, result) SELECT %s::timestamptz + i * interval '1 hour', 'old', "
        "'login', '', '', '', '', '{}', 'ok' FROM generate_series(1, %s) i",
        [datetime.datetime(year, 3, 1, tzinfo=datetime.UTC), count],
    )


def test_retention_drops_whole_old_years_and_keeps_younger_ones(db):
    this_year = timezone.localdate().year
    old_audit(this_year - 3, 40)
    old_audit(this_year - 2, 30)
    old_audit(this_year - 1, 20)
    checks_now()
    partitions.ensure_partitions()
    names = {part.name: part.rows for part in partitions.partitions(AUDIT)}
    assert names[f"{AUDIT}_y{this_year - 3}"] == 40 and names[f"{AUDIT}_default"] == 0
    # On 1 March last year ended two months ago: 180 days keep it; the two before go.
    now = datetime.datetime(this_year, 3, 1, tzinfo=datetime.UTC)
    kept_before = AuditEvent.objects.count()
    dropped = retention.purge_expired_years(now=now)
    assert [(part.year, part.rows) for part in dropped] == [
        (this_year - 3, 40),
        (this_year - 2, 30),
    ]
    names = {part.name for part in partitions.partitions(AUDIT)}
    assert f"{AUDIT}_y{this_year - 3}" not in names and f"{AUDIT}_y{this_year - 1}" in names
    assert AuditEvent.objects.filter(actor_username="old").count() == 20
    records = AuditEvent.objects.filter(actor_username="（保存期限清理）").order_by("id")
    assert [(r.changes["清理年份"][1], r.changes["删除条数"][1]) for r in records] == [
        (this_year - 3, 40),
        (this_year - 2, 30),
    ]
    assert AuditEvent.objects.count() == kept_before - 70 + 2
    # A longer period keeps last year even on the last day of this one.
    checks_now()
    late = datetime.datetime(this_year, 12, 31, tzinfo=datetime.UTC)
    assert retention.purge_expired_years(days=400, now=late) == []


def test_retention_shorter_than_six_months_is_refused(db):
    with pytest.raises(ValueError, match="不少于六个月"):
        retention.purge_expired_years(days=179)
    out = StringIO()
    with pytest.raises(CommandError, match="RUHUI_AUDIT_RETENTION_DAYS"):
        call_command("partitions", "--purge", "--days", "30", stdout=out)


def test_the_command_makes_years_and_reports_rows(db):
    this_year = timezone.localdate().year
    old_audit(this_year - 4, 3)  # waits in DEFAULT: no partition of that year yet
    checks_now()
    out = StringIO()
    call_command("partitions", stdout=out)
    text = out.getvalue()
    assert f"{AUDIT}：新建 {this_year - 4} 年分区。" in text
    assert f"{AUDIT}_y{this_year - 4}  {this_year - 4} 年  3 行" in text
    assert f"{EVENTS}_y{this_year + 2}" in text


def test_the_append_only_trigger_holds_on_the_partitioned_table(db):
    assert relkind(AUDIT) == "p"
    event = AuditEvent.objects.create(action="login", actor_username="x")
    checks_now()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(result="changed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk, result="ok").exists()
