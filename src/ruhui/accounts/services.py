"""Account writes: creating and editing cadres, temporary passwords, API tokens."""

import secrets
import string

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ruhui.accounts.models import ApiToken, User
from ruhui.audit.services import Action, audit_record, diff, snapshot
from ruhui.orgs.scoping import in_jurisdiction

USER_FIELDS = ["username", "full_name", "organization", "role", "is_active"]
MSG_OUTSIDE = _("所选组织不在您的管辖范围内。")
MSG_SELF = _("不能修改自己的角色、所属组织或停用自己的账号，请联系上级管理员。")
MSG_USERNAME_TAKEN = _("用户名「%(username)s」已被使用，请换一个。")


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
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    # The new password hash invalidates every existing session (session auth hash check).
    user.save(update_fields=["password", "must_change_password"])
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
    user.save(update_fields=["password", "must_change_password"])
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
