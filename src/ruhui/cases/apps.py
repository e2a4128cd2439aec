from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "ruhui.cases"
    verbose_name = "典型经验"

    def ready(self) -> None:
        from ruhui.cases import rules  # noqa: F401 (registers the permissions)
        from ruhui.cases.selectors import bulletin_excerpts
        from ruhui.reports.bulletins import EXCERPT_SOURCES

        if bulletin_excerpts not in EXCERPT_SOURCES:  # the 通报's 典型经验摘编
            EXCERPT_SOURCES.append(bulletin_excerpts)
