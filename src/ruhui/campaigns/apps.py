from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "ruhui.campaigns"
    verbose_name = "集中行动"

    def ready(self) -> None:
        from ruhui.core.changes import records_changed

        records_changed.connect(_records_changed, dispatch_uid="campaigns.progress")


def _records_changed(sender, since=None, **kwargs) -> None:
    """The records behind the figures changed: queue the campaigns they can move."""
    from ruhui.campaigns.services import registry_changed

    registry_changed(since=since)
