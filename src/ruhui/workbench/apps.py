from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "ruhui.workbench"
    verbose_name = "工作台"
