from django.apps import AppConfig


class JoiningConfig(AppConfig):
    name = "ruhui.joining"
    verbose_name = "网上入会"

    def ready(self):
        from ruhui.joining.services import follow_transfer
        from ruhui.members.signals import transfer_closed

        transfer_closed.connect(follow_transfer, dispatch_uid="joining.follow_transfer")
