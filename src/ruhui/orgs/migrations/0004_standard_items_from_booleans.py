"""Each 六有 boolean that is True becomes a met StandardItem (note 「由原勾选迁移」, no date, no
checker); backwards, the booleans are set again from the met items (the items stay until 0003
is reversed, so an item already there when this runs again is kept as it is). Written in
batches, for a registry of 100k unions."""

from django.db import migrations
from django.db.models import Q

#: The old boolean fields, which are also the items' codes.
FIELDS = (
    "has_elected_chair",
    "has_committees",
    "has_activity_venue",
    "has_rules",
    "has_own_funds",
    "has_performance",
)
MIGRATED_NOTE = "由原勾选迁移"
BATCH = 2000


def booleans_to_items(apps, schema_editor):
    Organization = apps.get_model("orgs", "Organization")
    StandardItem = apps.get_model("orgs", "StandardItem")
    db = schema_editor.connection.alias
    any_true = Q()
    for field in FIELDS:
        any_true |= Q(**{field: True})
    rows = (
        Organization.objects.using(db)
        .filter(any_true)
        .order_by("pk")
        .values_list("pk", *FIELDS)
        .iterator(chunk_size=BATCH)
    )
    batch = []
    for pk, *flags in rows:
        batch.extend(
            StandardItem(union_id=pk, item=field, met=True, note=MIGRATED_NOTE)
            for field, flag in zip(FIELDS, flags, strict=True)
            if flag
        )
        if len(batch) >= BATCH:
            StandardItem.objects.using(db).bulk_create(
                batch, batch_size=BATCH, ignore_conflicts=True
            )
            batch = []
    if batch:
        StandardItem.objects.using(db).bulk_create(batch, batch_size=BATCH, ignore_conflicts=True)


def items_to_booleans(apps, schema_editor):
    Organization = apps.get_model("orgs", "Organization")
    StandardItem = apps.get_model("orgs", "StandardItem")
    db = schema_editor.connection.alias
    for field in FIELDS:
        met = StandardItem.objects.using(db).filter(item=field, met=True).values("union_id")
        Organization.objects.using(db).filter(pk__in=met).update(**{field: True})


class Migration(migrations.Migration):
    dependencies = [("orgs", "0003_standard_items")]

    operations = [migrations.RunPython(booleans_to_items, items_to_booleans)]
