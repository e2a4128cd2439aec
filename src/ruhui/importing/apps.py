from django.apps import AppConfig


class ImportingConfig(AppConfig):
    name = "ruhui.importing"
    verbose_name = "导入导出"

    def ready(self):
        from ruhui.importing.jobs import MEMBER_EXPORT_KIND, MEMBER_IMPORT_KIND
        from ruhui.jobs.kinds import register

        register(MEMBER_IMPORT_KIND)
        register(MEMBER_EXPORT_KIND)
