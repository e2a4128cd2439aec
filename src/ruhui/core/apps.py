from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ruhui.core"
    verbose_name = "基础"
