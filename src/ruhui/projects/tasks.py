"""Background tasks (Django's task API): `projects.figures` does the work, these only run it."""

from django_tasks import task


@task(queue_name="figures")
def refresh_closeout(campaign_id: int) -> dict:
    """Recompute one campaign's close-out figures from the records."""
    from ruhui.projects.figures import closeout_run

    return closeout_run(campaign_id)
