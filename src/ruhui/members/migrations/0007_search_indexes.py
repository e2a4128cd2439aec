"""The member list's searches by pinyin initials (prefix) and phone tail, indexed for a
province's registry; built without holding the registry's writes on PostgreSQL
(core.schema.AddIndexOnline, hence not atomic)."""

from django.db import migrations, models

from ruhui.core.schema import AddIndexOnline


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("members", "0006_partitioned_events")]
    operations = [
        AddIndexOnline(
            model_name="member",
            index=models.Index(
                fields=["name_initials"],
                name="member_initials_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        AddIndexOnline(
            model_name="member",
            index=models.Index(fields=["phone_tail"], name="member_phone_tail"),
        ),
    ]
