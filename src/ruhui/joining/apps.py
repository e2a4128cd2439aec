from django.apps import AppConfig


class JoiningConfig(AppConfig):
    name = "ruhui.joining"
    verbose_name = "网上入会"
