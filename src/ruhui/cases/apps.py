from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "ruhui.cases"
    verbose_name = "典型经验"

    def ready(self) -> None:
        from ruhui.cases import rules  # noqa: F401 (registers the permissions)
