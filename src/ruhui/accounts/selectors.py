"""Reads of accounts and the audit log, always through the jurisdiction scope."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from ruhui.accounts.models import ApiToken, User
from ruhui.audit.models import AuditEvent
from ruhui.orgs.scoping import scoped


def audit_events(
    *,
    user,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    object_text: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events about objects and people inside the user's jurisdiction, newest first.

    `actor` matches the account name or the person's name (part of either); `object_text` part
    of the object's name as recorded; dates are local days, `date_to` included."""
    qs = scoped(user, AuditEvent).select_related("actor")
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(Q(actor_username__icontains=actor) | Q(actor__full_name__icontains=actor))
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if object_text:
        qs = qs.filter(object_repr__icontains=object_text)
    if date_from:
        qs = qs.filter(at__gte=_local_midnight(date_from))
    if date_to:
        qs = qs.filter(at__lt=_local_midnight(date_to + datetime.timedelta(days=1)))
    return qs.order_by("-at", "-id")


def _local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of a local day as an aware moment (a range on `at` can use its index)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def user_list(*, user, q: str = "") -> QuerySet[User]:
    """Cadre accounts in the user's subtree."""
    qs = (
        scoped(user, User).select_related("organization").order_by("organization__path", "username")
    )
    if q:
        qs = qs.filter(username__icontains=q) | qs.filter(full_name__icontains=q)
    return qs


def own_tokens(*, user) -> QuerySet[ApiToken]:
    """The user's own API tokens (others' tokens are never listed)."""
    return scoped(user, ApiToken).filter(user=user).order_by("-created_at")


#: The name audit entries show for a change made by a management command.
COMMAND_ACTOR = "命令行导入"


def command_actor(unit, *, name: str = COMMAND_ACTOR, superuser: bool = False):
    """The actor of a management command (an import, an export) run for `unit`: an admin of
    that unit's jurisdiction with no account, shown as `name` (命令行导入) in the audit log.
    `superuser` stands for the operator at the console (ruhui create_officer)."""
    from ruhui.accounts.models import Role, User

    return User(
        username=name,
        organization=unit,
        role=Role.ADMIN,
        is_superuser=superuser,
        is_active=True,
    )


def user_tokens(*, user, owner) -> QuerySet[ApiToken]:
    """Another user's API tokens, for the security administrator (scoped to the actor)."""
    return scoped(user, ApiToken).filter(user=owner).order_by("-created_at")


def locked_users(*, user) -> list[User]:
    """Accounts in the user's subtree that django-axes holds locked now."""
    from axes.models import AccessAttempt
    from django.conf import settings

    since = timezone.now() - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)
    names = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gt=since
    ).values_list("username", flat=True)
    return list(scoped(user, User).filter(username__in=list(names)).select_related("organization"))


def security_rows(users: list[User]) -> list[dict]:
    """For the 安全管理 list: each account with its live token count (one query)."""
    from django.db.models import Count

    now = timezone.now()
    counts = dict(
        ApiToken.objects.filter(user__in=users, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .values("user")
        .annotate(n=Count("id"))
        .values_list("user", "n")
    )
    return [{"user": u, "tokens": counts.get(u.pk, 0)} for u in users]
