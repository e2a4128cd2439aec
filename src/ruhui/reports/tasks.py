"""Background tasks (Django's task API): `reports.bulletin_services` does the work."""

from django_tasks import task


@task()
def render_bulletin(bulletin_id: int) -> dict:
    """Write a draft 通报's figures and files; the result lists characters the fonts lack."""
    from ruhui.reports.bulletin_services import bulletin_build

    return bulletin_build(bulletin_id)
