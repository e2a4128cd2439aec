from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Background jobs' files and progress, shared by every feature."""

    name = "ruhui.jobs"
    verbose_name = "后台任务"
