"""Every active union that admits members gets its join link now; from here on a union gets one
when it is saved (joining.services.ensure_join_link), so the pages that show links only read."""

import secrets

from django.db import migrations

#: orgs.choices.ADMITTING_KINDS as it stands at this migration.
ADMITTING_KINDS = (
    "township",
    "community",
    "enterprise",
    "trade",
    "regional",
    "joint",
    "branch",
    "group",
)


def create_missing_links(apps, schema_editor):
    Organization = apps.get_model("orgs", "Organization")
    JoinLink = apps.get_model("joining", "JoinLink")
    linked = JoinLink.objects.filter(is_active=True).values("union_id")
    missing = Organization.objects.filter(is_active=True, kind__in=ADMITTING_KINDS).exclude(
        pk__in=linked
    )
    JoinLink.objects.bulk_create(
        [
            JoinLink(union_id=pk, token=secrets.token_urlsafe(16))
            for pk in missing.values_list("pk", flat=True).iterator(chunk_size=2000)
        ],
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("joining", "0002_application_events"),
        ("orgs", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_missing_links, migrations.RunPython.noop)]
