from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ruhui.accounts"
    verbose_name = "账号与审计"

    def ready(self) -> None:
        from ruhui.accounts import signals  # noqa: F401  (login/logout audit receivers)
