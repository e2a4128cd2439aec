"""Reads of accounts and the audit log, always through the jurisdiction scope."""

import datetime

from django.db.models import QuerySet

from ruhui.accounts.models import ApiToken, User
from ruhui.audit.models import AuditEvent
from ruhui.orgs.scoping import scoped


def audit_events(
    *,
    user,
    action: str = "",
    username: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events about objects and people inside the user's jurisdiction, newest first."""
    qs = scoped(user, AuditEvent)
    if action:
        qs = qs.filter(action=action)
    if username:
        qs = qs.filter(actor_username=username)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs.order_by("-at", "-id")


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
