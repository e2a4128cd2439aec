from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "ruhui.campaigns"
    verbose_name = "集中行动"

    def ready(self) -> None:
        from ruhui.campaigns.jobs import CAMPAIGN_EXPORT_KIND, TARGET_IMPORT_KIND
        from ruhui.core.changes import records_changed
        from ruhui.jobs.kinds import register

        records_changed.connect(_records_changed, dispatch_uid="campaigns.progress")
        register(TARGET_IMPORT_KIND)
        register(CAMPAIGN_EXPORT_KIND)


def _records_changed(sender, since=None, **kwargs) -> None:
    """The records behind the figures changed: queue the campaigns they can move."""
    from ruhui.campaigns.services import registry_changed

    registry_changed(since=since)
