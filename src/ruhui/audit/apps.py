from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ruhui.audit"
    verbose_name = "审计日志"
