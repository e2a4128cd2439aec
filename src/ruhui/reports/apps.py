from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "ruhui.reports"
    verbose_name = "报告与考核"

    def ready(self) -> None:
        from ruhui.reports import rules  # noqa: F401 (registers the permissions)
