from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "ruhui.assessment"
    verbose_name = "考核评比"

    def ready(self) -> None:
        from ruhui.assessment import rules  # noqa: F401 (registers the permissions)
