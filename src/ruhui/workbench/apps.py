from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "ruhui.workbench"
    verbose_name = "工作台"

    def ready(self):
        # The figures a background task recomputes by name (core.changes.remembered_figure).
        from ruhui.workbench import figures  # noqa: F401
