"""On PostgreSQL, the audit log becomes a table partitioned by year of `at` (decision record
0017), so that the retention purge drops whole years (audit.retention) instead of deleting row
by row: the same columns, rows, id sequence, indexes, foreign key and append-only trigger
(accounts 0002, now a row trigger of the partitioned table); one partition a year of the
existing events up to two years ahead, and a DEFAULT partition. Django's idea of the model does
not change. Nothing on SQLite. Reversible: the reverse rebuilds one plain table."""

from django.db import migrations

from ruhui.core import partitions

TABLE = "accounts_auditevent"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            partitions.convert_to_partitioned(cursor, TABLE, "at")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            partitions.convert_to_plain(cursor, TABLE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
