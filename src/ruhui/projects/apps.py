from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "ruhui.projects"
    verbose_name = "项目清单+责任制"

    def ready(self) -> None:
        from ruhui.projects import (
            jobs,  # noqa: F401 (registers the project import job kind)
            panels,  # noqa: F401 (adds the campaign dashboard panel)
            rules,  # noqa: F401 (registers the permissions)
        )
        from ruhui.projects.figures import follow_records  # the close-out figures' task

        follow_records()
