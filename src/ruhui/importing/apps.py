from django.apps import AppConfig


class ImportingConfig(AppConfig):
    name = "ruhui.importing"
    verbose_name = "导入导出"
