"""The import and export jobs now live in the jobs app (one job model for every feature)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("importing", "0002_export_approval_and_file_retention"),
        # Their rows are copied into jobs.Job first.
        ("jobs", "0002_jobs_from_importing_and_enterprise_runs"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="importjob",
            name="created_by",
        ),
        migrations.RemoveField(
            model_name="importjob",
            name="parent",
        ),
        migrations.RemoveField(
            model_name="importjob",
            name="union",
        ),
        migrations.DeleteModel(
            name="ExportJob",
        ),
        migrations.DeleteModel(
            name="ImportJob",
        ),
    ]
