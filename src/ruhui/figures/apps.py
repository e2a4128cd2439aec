from django.apps import AppConfig


class FiguresConfig(AppConfig):
    name = "ruhui.figures"
    verbose_name = "统计口径"
