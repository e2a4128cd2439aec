from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ruhui.api"
    verbose_name = "API"
