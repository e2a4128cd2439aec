from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "ruhui.projects"
    verbose_name = "项目清单+责任制"

    def ready(self) -> None:
        from ruhui.projects import rules  # noqa: F401 (registers the permissions)
