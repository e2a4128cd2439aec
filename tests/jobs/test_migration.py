"""The data migration that puts every job in one table: the importing app's ImportJob and
ExportJob rows and the enterprise runs' JSON files become Job rows, with their links kept."""

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("jobs", "0001_initial"), ("importing", "0002_export_approval_and_file_retention")]
AFTER = [("jobs", "0002_jobs_from_importing_and_enterprise_runs")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_old_jobs_and_enterprise_runs_become_jobs(world, job_files):
    try:
        old = migrate(BEFORE)
        ImportJob, ExportJob = (
            old.get_model("importing", "ImportJob"),
            old.get_model("importing", "ExportJob"),
        )
        check = ImportJob.objects.create(
            union_id=world.county_trade.pk,
            created_by_id=world.county_admin.pk,
            original_name="花名册.xlsx",
            stored_path="/jobs/a.xlsx",
            kind="xlsx",
            update_existing=True,
            status="succeeded",
            rows_total=3,
            summary={"rows": 3, "created": 3, "updated": 0, "rejected": 0},
            report_path="/jobs/report.xlsx",
        )
        ImportJob.objects.create(
            union_id=world.county_trade.pk,
            created_by_id=world.county_admin.pk,
            original_name="花名册.xlsx",
            stored_path="/jobs/a.xlsx",
            kind="xlsx",
            dry_run=False,
            status="queued",
            parent=check,
        )
        ExportJob.objects.create(
            union_id=world.county.pk,
            created_by_id=world.county_viewer.pk,
            fmt="csv",
            full=True,
            reason="报送省总",
            status="awaiting",
            rows_requested=600,
            filters={"status": "active"},
        )
        job_files.mkdir(parents=True, exist_ok=True)
        run = {
            "id": "a" * 32,
            "kind": "survey",
            "unit_id": world.county.pk,
            "actor_id": world.county_admin.pk,
            "original_name": "排查表.xlsx",
            "stored_path": str(job_files / "ent-x.xlsx"),
            "file_kind": "xlsx",
            "status": "succeeded",
            "summary": {"rows": 2, "created": 0, "updated": 2, "rejected": 0},
            "preview": [[2, ["甲公司"], "更新", ""]],
            "headers": ["企业名称"],
            "created_at": "2026-11-01T08:00:00+08:00",
            "started_at": 1761955200.0,
        }
        record = job_files / f"ent-run-{run['id']}.json"
        record.write_text(json.dumps(run, ensure_ascii=False), encoding="utf-8")

        new = migrate(AFTER)
        Job = new.get_model("jobs", "Job")
        imports = Job.objects.filter(kind="member_import").order_by("pk")
        first, commit = list(imports)
        assert first.organization_id == world.county_trade.pk and first.dry_run
        assert first.options == {"update_existing": True} and first.file_kind == "xlsx"
        assert first.upload_path == "/jobs/a.xlsx" and first.result_path == "/jobs/report.xlsx"
        assert first.rows == 3 and first.summary["created"] == 3
        assert commit.parent_id == first.pk and not commit.dry_run
        export = Job.objects.get(kind="member_export")
        assert export.status == "awaiting" and export.rows_requested == 600
        assert export.options == {
            "fmt": "csv",
            "full": True,
            "reason": "报送省总",
            "filters": {"status": "active"},
        }
        survey = Job.objects.get(kind="survey_import")
        assert survey.organization_id == world.county.pk and survey.summary["updated"] == 2
        assert survey.summary["preview"] == [[2, ["甲公司"], "更新", ""]]
        assert survey.created_at.year == 2026 and survey.started_at is not None
        assert not record.exists()
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
