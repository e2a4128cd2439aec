"""Background tasks of core (Django's task API): core.changes does the work, these only run it."""

from django_tasks import task


@task(queue_name="figures")
def refresh_figure(name: str, parts: list) -> bool:
    """Recompute one remembered figure (core.changes.remembered_figure) under the records'
    current version; a reader showed its latest value meanwhile, marked stale."""
    from ruhui.core.changes import refresh

    return refresh(name, tuple(parts))
