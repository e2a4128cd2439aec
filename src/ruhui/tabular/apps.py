from django.apps import AppConfig


class TabularConfig(AppConfig):
    """Reading, checking and writing spreadsheets for every feature (no models)."""

    name = "ruhui.tabular"
    verbose_name = "表格读写"
