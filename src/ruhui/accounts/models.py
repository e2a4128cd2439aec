"""Cadre accounts (one organization, one role each), API tokens and the audit log."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("管理员")
    REVIEWER = "reviewer", _("审核员")
    CLERK = "clerk", _("录入员")
    READONLY = "readonly", _("只读")
    SECURITY = "security", _("安全管理员")
    AUDITOR = "auditor", _("审计管理员")


class User(AbstractUser):
    """A cadre: tied to one organization, whose subtree is everything the cadre can see."""

    scope_field = "organization__path"

    full_name = models.CharField(_("姓名"), max_length=40, blank=True)
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("所属组织"),
    )
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.READONLY)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    #: When the password was last set (the mlps profile's rotation counts from here).
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class ApiToken(models.Model):
    """A bearer token for the REST API; only its SHA-256 digest is stored."""

    scope_field = "user__organization__path"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=60)
    prefix = models.CharField(max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("有效期至"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def generate() -> str:
        return "rh_" + secrets.token_urlsafe(32)

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.revoked_at is None
            and (self.expires_at is None or self.expires_at > now)
            and self.user.is_active
        )


class RecoveryCode(models.Model):
    """One of a user's ten single-use recovery codes for the second factor; only a hash is kept."""

    scope_field = "user__organization__path"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=128, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("恢复码")
        verbose_name_plural = _("恢复码")

    def __str__(self) -> str:
        return f"{self.user} · {'已用' if self.used_at else '未用'}"


class UserSession(AbstractBaseSession):
    """A server-side session (ruhui.accounts.session_store) with its signed-in user's id, kept
    in step with the session data on every save; anonymous sessions have none."""

    user_id = models.IntegerField(null=True, db_index=True)

    class Meta:
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")

    @classmethod
    def get_session_store_class(cls):
        from ruhui.accounts.session_store import SessionStore

        return SessionStore
