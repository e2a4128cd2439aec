"""Account writes: creating and editing cadres, temporary passwords, API tokens."""

import secrets
import string

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ruhui.accounts import sessions
from ruhui.accounts.models import ApiToken, User
from ruhui.accounts.rules import assignable_roles, may_administer
from ruhui.audit.services import Action, audit_record, diff, snapshot
from ruhui.orgs.scoping import in_jurisdiction

USER_FIELDS = ["username", "full_name", "organization", "role", "is_active"]
MSG_OUTSIDE = _("所选组织不在您的管辖范围内。")
MSG_SELF = _("不能修改自己的角色、所属组织或停用自己的账号，请联系上级管理员。")
MSG_USERNAME_TAKEN = _("用户名「%(username)s」已被使用，请换一个。")
MSG_ROLE = _("您不能授予「%(role)s」角色：安全管理员和审计管理员由超级管理员开设，请选择其他角色。")
MSG_OFFICER = _("安全管理员和审计管理员的账号由超级管理员管理，系统管理员不能修改或重置其密码。")
MSG_SESSION_GONE = _("该会话已结束或不属于您，请刷新页面后重试。")
MSG_TOKEN_OWNER = _("该令牌不属于所选用户，请刷新页面后重试。")


def _check_role(actor, role: str) -> None:
    if role not in {value for value, _label in assignable_roles(actor)}:
        label = dict(User._meta.get_field("role").choices).get(role, role)
        raise ValidationError({"role": ValidationError(MSG_ROLE, params={"role": label})})


def _check_administer(actor, user: User) -> None:
    if not may_administer(actor, user):
        raise PermissionDenied(MSG_OFFICER)


def temporary_password() -> str:
    """A random one-time password: 14 characters from letters and digits, both present."""
    alphabet = string.ascii_letters + string.digits
    while True:
        value = "".join(secrets.choice(alphabet) for _ in range(14))
        if any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
            return value


@transaction.atomic
def user_create(
    *, actor, username: str, full_name: str, organization, role: str
) -> tuple[User, str]:
    """Create a cadre in the actor's subtree with a one-time password to change at first login."""
    if not in_jurisdiction(actor, organization):
        raise PermissionDenied(MSG_OUTSIDE)
    _check_role(actor, role)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": ValidationError(MSG_USERNAME_TAKEN, params={"username": username})}
        )
    user = User(
        username=username,
        full_name=full_name,
        organization=organization,
        role=role,
        must_change_password=True,
    )
    password = temporary_password()
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        actor=actor, action=Action.CREATE, obj=user, changes=diff({}, snapshot(user, USER_FIELDS))
    )
    return user, password


@transaction.atomic
def user_update(
    *, actor, user: User, full_name: str, organization, role: str, is_active: bool
) -> User:
    """Change a cadre's name, organization, role or status; takes effect on the next request."""
    if not in_jurisdiction(actor, user.organization) or not in_jurisdiction(actor, organization):
        raise PermissionDenied(MSG_OUTSIDE)
    _check_administer(actor, user)
    if role != user.role:
        _check_role(actor, role)
    if user.pk == actor.pk and (
        organization != user.organization or role != user.role or not is_active
    ):
        raise ValidationError(MSG_SELF)
    before = snapshot(user, USER_FIELDS)
    user.full_name, user.organization, user.role, user.is_active = (
        full_name,
        organization,
        role,
        is_active,
    )
    user.full_clean(exclude=["password"])
    user.save()
    changes = diff(before, snapshot(user, USER_FIELDS))
    if changes:
        # A deactivated user's sessions stop working at once: the auth backend refuses
        # inactive users on every request.
        audit_record(actor=actor, action=Action.UPDATE, obj=user, changes=changes)
    return user


@transaction.atomic
def user_reset_password(*, actor, user: User) -> str:
    """Issue a new one-time password; the user must change it at next login; sessions end."""
    if not in_jurisdiction(actor, user.organization):
        raise PermissionDenied(MSG_OUTSIDE)
    _check_administer(actor, user)
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.password_changed_at = timezone.now()
    # The new password hash invalidates every existing session (session auth hash check).
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit_record(
        actor=actor, action=Action.UPDATE, obj=user, changes={"password": ["***", "重置为临时密码"]}
    )
    return password


@transaction.atomic
def user_change_password(*, user: User, new_password: str) -> None:
    """The user sets their own password (validated by Django's password validators)."""
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit_record(
        actor=user, action=Action.UPDATE, obj=user, changes={"password": ["***", "本人修改"]}
    )


@transaction.atomic
def token_create(*, actor, name: str, days: int | None = 90) -> tuple[ApiToken, str]:
    """Issue an API token for the actor; the raw value is shown once and never stored."""
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=actor,
        name=name.strip()[:60] or "API",
        prefix=raw[3:9],
        digest=ApiToken.digest_of(raw),
        expires_at=timezone.now() + timezone.timedelta(days=days) if days else None,
    )
    audit_record(actor=actor, action=Action.TOKEN, obj=token, changes={"created": [None, name]})
    return token, raw


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's tokens."""
    if token.user_id != actor.pk:
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action=Action.TOKEN, obj=token, changes={"revoked": [None, True]})
    return token


@transaction.atomic
def token_revoke_for(*, actor, user: User, token: ApiToken) -> ApiToken:
    """The security administrator revokes another user's token (user in the actor's scope)."""
    if not actor.has_perm("accounts.manage_security"):
        raise PermissionDenied
    if not in_jurisdiction(actor, user.organization):
        raise PermissionDenied(MSG_OUTSIDE)
    if token.user_id != user.pk:
        raise ValidationError(MSG_TOKEN_OWNER)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action=Action.TOKEN,
            obj=token,
            changes={"revoked": [None, True], "user": [None, user.username]},
        )
    return token


def lockout_state(user: User) -> dict:
    """Whether django-axes holds the account locked now, with its failure count."""
    from axes.models import AccessAttempt

    cooloff = timezone.timedelta(hours=settings.AXES_COOLOFF_TIME)
    attempts = AccessAttempt.objects.filter(username=user.username)
    failures = max((a.failures_since_start for a in attempts), default=0)
    locked = attempts.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gt=timezone.now() - cooloff,
    ).exists()
    return {"locked": locked, "failures": failures}


@transaction.atomic
def lockout_release(*, actor, user: User) -> int:
    """Unlock an account django-axes locked after failed logins (before the 15 minutes pass)."""
    from axes.models import AccessAttempt

    if not actor.has_perm("accounts.manage_security"):
        raise PermissionDenied
    if not in_jurisdiction(actor, user.organization):
        raise PermissionDenied(MSG_OUTSIDE)
    removed, _ = AccessAttempt.objects.filter(username=user.username).delete()
    audit_record(
        actor=actor, action=Action.UPDATE, obj=user, changes={"lockout": ["锁定", "已解除"]}
    )
    return removed


@transaction.atomic
def session_revoke(*, actor: User, sid: str, current_key: str | None = None) -> None:
    """The user ends one of their own sessions (not the one in use: that is 退出)."""
    found = [
        s for s in sessions.active_sessions(actor, current_key) if s.sid == sid and not s.current
    ]
    if not found:
        raise ValidationError(MSG_SESSION_GONE)
    sessions.delete_sessions([s.session_key for s in found])
    audit_record(
        actor=actor,
        action=Action.LOGOUT,
        obj=actor,
        changes={"session": [found[0].started, "本人结束"], "ip": [None, found[0].ip]},
    )


@transaction.atomic
def sessions_revoke_all(*, actor, user: User) -> int:
    """An admin or the security administrator ends every session of a user in scope."""
    if not actor.has_perm("accounts.revoke_sessions"):
        raise PermissionDenied
    if not in_jurisdiction(actor, user.organization):
        raise PermissionDenied(MSG_OUTSIDE)
    if not actor.has_perm("accounts.manage_security"):
        _check_administer(actor, user)
    found = sessions.active_sessions(user)
    count = sessions.delete_sessions([s.session_key for s in found])
    audit_record(
        actor=actor,
        action=Action.LOGOUT,
        obj=user,
        changes={"sessions": [len(found), "全部结束"]},
    )
    return count


def twofactor_reset(*, actor, user: User) -> None:
    """The security administrator (or, without separation of duties, an admin) removes a user's
    second factor in scope; the user enrols again at next login (accounts.twofactor.reset)."""
    from ruhui.accounts import twofactor

    if not actor.has_perm("accounts.manage_security"):
        raise PermissionDenied
    if not in_jurisdiction(actor, user.organization):
        raise PermissionDenied(MSG_OUTSIDE)
    twofactor.reset(actor=actor, user=user)
