from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "ruhui.orgs"
    verbose_name = "组织体系"
