from django.apps import AppConfig


class PositionsConfig(AppConfig):
    """服务阵地与服务: 职工之家、司机之家、户外劳动者服务站点, the services ledger (四季送、帮扶 …)
    with the people served, collective consultations and social workers."""

    name = "ruhui.positions"
    verbose_name = "服务阵地与服务"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ruhui.positions import (
            jobs,  # noqa: F401 (registers the position import job)
            panels,  # noqa: F401 (adds the campaign dashboard panel)
            recipient_import,  # noqa: F401 (the recipient import job)
            rules,  # noqa: F401 (registers the permissions)
        )
        from ruhui.positions.ledger_selectors import recorded_coverage
        from ruhui.projects.figures import COVERAGE_SOURCES

        if recorded_coverage not in COVERAGE_SOURCES:  # a 维护服务 project's recorded coverage
            COVERAGE_SOURCES.append(recorded_coverage)
