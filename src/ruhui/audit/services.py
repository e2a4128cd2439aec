"""Writing the audit log. Every service that creates, changes or removes a record calls
`audit_record` in its own transaction, so the trail and the change commit together."""

import datetime
from decimal import Decimal

from django.db import models
from django.utils.functional import Promise

from ruhui.audit.models import AuditEvent
from ruhui.core.context import client_ip

Action = AuditEvent.Action


def _plain(value):
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict:
    """The audited fields' current values in a JSON-safe form, taken before a change."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    org_path: str | None = None,
    changes: dict | None = None,
    object_repr: str | None = None,
    result: str = "ok",
    username: str | None = None,
) -> AuditEvent:
    """Append one audit event; the organization path decides which admins may read it."""
    if org_path is None:
        org_path = _org_path_of(obj) if obj is not None else _org_path_of(actor)
    actor_obj = actor if getattr(actor, "pk", None) else None
    return AuditEvent.objects.create(
        actor=actor_obj,
        actor_username=(username or getattr(actor, "username", "") or "")[:150],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(object_repr if object_repr is not None else str(obj or ""))[:200],
        org_path=org_path or "",
        changes=_plain(changes or {}),
        ip=client_ip(),
        result=result,
    )


def _org_path_of(obj) -> str:
    """The tree path an audited object belongs under, found through its scope_field."""
    if obj is None:
        return ""
    field = getattr(type(obj), "scope_field", None)
    if not field:
        return ""
    value = obj
    for part in field.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return ""
    return value
