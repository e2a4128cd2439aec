"""Background tasks (Django's task API): `reports.bulletin_services` does the work."""

from django_tasks import task


@task(queue_name="documents")
def render_bulletin(bulletin_id: int) -> dict:
    """Write a draft 通报's figures and files; the result lists characters the fonts lack. A
    failure is recorded on the bulletin (no longer 「正在生成」) and fails the task."""
    from ruhui.reports.bulletin_services import bulletin_build, bulletin_render_failed

    try:
        return bulletin_build(bulletin_id)
    except Exception as error:
        bulletin_render_failed(bulletin_id, error)
        raise
