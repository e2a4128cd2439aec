"""Background tasks (Django's task API): the job services do the work, these only enqueue."""

from django_tasks import task


@task()
def run_import_job(job_id: int) -> dict:
    from ruhui.importing.jobs import import_job_run

    return import_job_run(job_id)


@task()
def run_export_job(job_id: int) -> int:
    from ruhui.importing.jobs import export_job_run

    return export_job_run(job_id)


@task()
def purge_job_files() -> str:
    """The retention purge (PI-9) for a scheduler that enqueues tasks instead of running cron."""
    from ruhui.importing.retention import job_files_purge

    return job_files_purge().summary()
