"""On PostgreSQL, the membership events become a table partitioned by year of `effective_on`
(decision record 0017): the same columns, rows, id sequence, indexes and foreign keys; one
partition a year of the existing events up to two years ahead, and a DEFAULT partition. Django's
idea of the model does not change (`id` stays its primary key; the database's is (id,
effective_on)). Nothing on SQLite. Reversible: the reverse rebuilds one plain table."""

from django.db import migrations

from ruhui.core import partitions

TABLE = "members_membershipevent"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            partitions.convert_to_partitioned(cursor, TABLE, "effective_on")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            partitions.convert_to_plain(cursor, TABLE)


class Migration(migrations.Migration):
    dependencies = [("members", "0005_named_codes")]
    operations = [migrations.RunPython(forward, backward)]
