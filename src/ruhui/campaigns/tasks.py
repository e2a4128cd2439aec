"""Background tasks (Django's task API): the services do the work, these only enqueue."""

from django_tasks import task


@task(queue_name="figures")
def refresh_progress(campaign_id: int) -> dict:
    """Recompute one campaign's progress figures from the records."""
    from ruhui.campaigns.services import progress_run

    return progress_run(campaign_id)
