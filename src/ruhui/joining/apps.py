from django.apps import AppConfig


class JoiningConfig(AppConfig):
    name = "ruhui.joining"
    verbose_name = "网上入会"

    def ready(self):
        from django.db.models.signals import post_save

        from ruhui.joining.services import ensure_join_link, follow_transfer
        from ruhui.members.signals import transfer_closed
        from ruhui.orgs.models import Organization

        transfer_closed.connect(follow_transfer, dispatch_uid="joining.follow_transfer")
        post_save.connect(ensure_join_link, sender=Organization, dispatch_uid="joining.link")
