from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ruhui.web"
    verbose_name = "工作台"
