from django.db import migrations

from ruhui.orgs.choices import WORKER_GROUPS


def load_groups(apps, schema_editor):
    WorkerGroup = apps.get_model("orgs", "WorkerGroup")
    for code, name in WORKER_GROUPS:
        WorkerGroup.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(load_groups, migrations.RunPython.noop)]
