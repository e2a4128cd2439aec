"""The audit log: who did what to which record, when and from where (LOG-1).

Below every feature and below accounts: orgs, accounts and each feature write it through
services.audit_record; accounts shows it (the audit page)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One audited action: who, when, what object, which fields changed, from which IP.

    Append-only: the model refuses updates and deletes; on PostgreSQL a trigger enforces it for
    every client, except the retention purge of rows older than the retention period.
    """

    scope_field = "org_path"

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        DEACTIVATE = "deactivate", _("撤销")
        REACTIVATE = "reactivate", _("恢复")
        MOVE = "move", _("移动")
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKOUT = "lockout", _("账号锁定")
        LOGOUT = "logout", _("退出")
        REVEAL = "reveal", _("查看完整个人信息")
        EXPORT = "export", _("导出")
        IMPORT = "import", _("导入")
        TOKEN = "token", _("API 令牌")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_username = models.CharField(_("操作账号"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    org_path = models.CharField(_("所属组织路径"), max_length=255, blank=True, db_index=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    result = models.CharField(_("结果"), max_length=20, default="ok")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        db_table = "accounts_auditevent"  # its home before it had an app of its own
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="accounts_au_object__95e488_idx")
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("审计日志只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("审计日志只能追加，不能删除。")
