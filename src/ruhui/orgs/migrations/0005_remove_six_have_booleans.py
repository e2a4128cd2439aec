"""The six 六有 booleans go: their values live on as met StandardItem rows (0004)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("orgs", "0004_standard_items_from_booleans")]

    operations = [
        migrations.RemoveField(
            model_name="organization",
            name="has_activity_venue",
        ),
        migrations.RemoveField(
            model_name="organization",
            name="has_committees",
        ),
        migrations.RemoveField(
            model_name="organization",
            name="has_elected_chair",
        ),
        migrations.RemoveField(
            model_name="organization",
            name="has_own_funds",
        ),
        migrations.RemoveField(
            model_name="organization",
            name="has_performance",
        ),
        migrations.RemoveField(
            model_name="organization",
            name="has_rules",
        ),
    ]
