"""Background tasks (Django's task API): the job services do the work, these only enqueue."""

from django_tasks import task


@task()
def run_job(job_id: int) -> dict:
    from ruhui.jobs.services import job_run

    return job_run(job_id)


@task()
def purge_job_files() -> str:
    """The retention purge (PI-9) for a scheduler that enqueues tasks instead of running cron."""
    from ruhui.jobs.retention import job_files_purge

    return job_files_purge().summary()
