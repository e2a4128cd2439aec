"""Showing the audit log to a cadre: stored events in words, not in field names and codes.

Presentation only; what `audit_record` stored stays as it is. For each change {key: [old, new]}
this module gives the field's Chinese label (the verbose_name of the event's model, found at
run time through the app registry from `object_type`), and both values readably: a choice
code as its label, True/False as 是/否, nothing as 「—」, a list joined with 、, a datetime in
local time, the id of a related record as that record's name (one query per related model
for a whole page; a record since deleted as 「编号 N（已删除）」). A change of personal data
that is kept encrypted or masked (or of a password) is never shown, only 「已修改」.

No model of any feature is named here: the audit app lies below all of them (architecture.md).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime

from ruhui.audit.models import AuditEvent

EMPTY = "—"
YES, NO = "是", "否"
SEPARATOR = "、"
HIDDEN = "已修改"
DELETED = "编号 {pk}（已删除）"
DATETIME_FORMAT = "%Y-%m-%d %H:%M"

#: What `result` holds: "ok", or the reason the action did not go through.
RESULT_LABELS = {"ok": "成功", "failed": "失败", "locked": "已锁定"}

#: Keys some services store that are not fields of the audited model (a few generic words).
COMMON_LABELS = {
    "parent": "上级组织",
    "password": "密码",
    "created": "创建",
    "revoked": "停用",
}

#: A field is personal data kept unreadable when its name ends so (or it is one of these);
#: the plain name before the suffix (`phone` of `phone_encrypted`), every field starting with
#: it (`phone_tail`) and their verbose names (「手机号码」) are treated alike.
SENSITIVE_SUFFIXES = ("_encrypted", "_hash", "_masked", "_digest")
SENSITIVE_NAMES = frozenset({"password", "digest"})

_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@dataclass(frozen=True)
class Change:
    """One changed item as shown: label, old and new value; `hidden` when not to be revealed."""

    label: str
    old: str
    new: str
    hidden: bool = False


@dataclass(frozen=True)
class ShownEvent:
    """An audit event ready for a page."""

    event: AuditEvent
    actor: str  # the account, with the person's name when the account still exists
    action: str
    object_type: str  # the model's verbose name; '' when the event names no model
    object: str
    changes: list[Change] = field(default_factory=list)
    result: str = RESULT_LABELS["ok"]

    @property
    def ok(self) -> bool:
        return self.event.result == "ok"


# --- The model behind an event -------------------------------------------------------------


def model_for(object_type: str) -> type[models.Model] | None:
    """The model an event's `object_type` ("app_label.modelname") names, or None."""
    if not object_type or "." not in object_type:
        return None
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_choices() -> list[tuple[str, str]]:
    """The record types a cadre can pick to filter by: every model that belongs to a
    jurisdiction (has a `scope_field`, as `audit_record` uses), the audit log itself excepted."""
    return [
        (model._meta.label_lower, str(model._meta.verbose_name))
        for model in apps.get_models()
        if getattr(model, "scope_field", None) and model is not AuditEvent
    ]


def _has_own_label(f) -> bool:
    return str(f.verbose_name) != f.name.replace("_", " ")


def _is_sensitive_name(name: str) -> bool:
    return name in SENSITIVE_NAMES or name.endswith(SENSITIVE_SUFFIXES)


@dataclass(frozen=True)
class _Fields:
    by_key: dict  # field name, attname or verbose name → field
    sensitive: frozenset  # keys (names and labels) never to be shown
    position: dict  # field → its place in the model (changes are listed in that order)


@cache
def _fields(model: type[models.Model] | None, language: str) -> _Fields:
    if model is None:
        return _Fields({}, frozenset(), {})
    by_key, sensitive, stems = {}, set(), set()
    forward = [*model._meta.concrete_fields, *model._meta.many_to_many]
    for f in forward:
        by_key.setdefault(f.name, f)
        by_key.setdefault(f.attname, f)
        if _has_own_label(f):
            by_key.setdefault(str(f.verbose_name), f)
        if _is_sensitive_name(f.name):
            sensitive.add(f.name)
            for suffix in SENSITIVE_SUFFIXES:
                if f.name.endswith(suffix):
                    stems.add(f.name.removesuffix(suffix))
    for f in forward:
        if f.name in stems or any(f.name.startswith(f"{stem}_") for stem in stems):
            sensitive.add(f.name)
    sensitive |= stems
    for f in forward:
        if f.name in sensitive and _has_own_label(f):
            sensitive.add(str(f.verbose_name))
    return _Fields(by_key, frozenset(sensitive), {f: i for i, f in enumerate(forward)})


@cache
def _sensitive_everywhere(language: str) -> frozenset:
    """Sensitive keys of every model: a key such as 「证件号码」 stays hidden whatever the
    event's object type (or when it names none, as an export's event)."""
    keys = set(SENSITIVE_NAMES)
    for model in apps.get_models():
        keys |= _fields(model, language).sensitive
    return frozenset(keys)


# --- Labels and values ---------------------------------------------------------------------


def _label(key: str, f) -> str:
    if f is not None and key in (f.name, f.attname) and _has_own_label(f):
        return str(f.verbose_name)
    return COMMON_LABELS.get(key, key)


def _pair(value) -> tuple:
    """(old, new) of a stored change; anything but a two-item list is a new value alone."""
    if isinstance(value, list | tuple) and len(value) == 2:
        return value[0], value[1]
    return None, value


def _related_model(f):
    return f.related_model if f is not None and f.is_relation else None


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ids_in(value, f) -> Iterable:
    """The ids of related records a stored value holds (an FK id, or a list of them)."""
    if _related_model(f) is None:
        return ()
    if _is_id(value):
        return (value,)
    if isinstance(value, list | tuple):
        return [v for v in value if _is_id(v)]
    return ()


def _names_of(refs: dict) -> dict:
    """{model: {pk: name}} — one query per related model. A model with a `name` field is read
    for that column alone; any other by its records' own text."""
    names = {}
    for model, pks in refs.items():
        manager = model._base_manager
        try:
            model._meta.get_field("name")
        except FieldDoesNotExist:
            found = {pk: str(obj) for pk, obj in manager.in_bulk(list(pks)).items()}
        else:
            found = dict(manager.filter(pk__in=pks).values_list("pk", "name"))
        names[model] = found
    return names


def _choice_labels(f) -> dict:
    if f is None or not getattr(f, "choices", None):
        return {}
    return {str(code): str(label) for code, label in f.flatchoices}


def _datetime_text(value: str) -> str | None:
    if not _ISO_DATETIME.match(value):
        return None
    try:
        moment = parse_datetime(value.replace(" ", "T", 1))
    except ValueError:
        return None
    if moment is None:
        return None
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime(DATETIME_FORMAT)


def show_value(value, f=None, names: dict | None = None) -> str:
    """One stored value as a cadre reads it (`f`: the model field it belongs to, if known)."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return YES if value else NO
    related = _related_model(f)
    if related is not None and _is_id(value):
        name = (names or {}).get(related, {}).get(value)
        return name if name is not None else DELETED.format(pk=value)
    if isinstance(value, list | tuple | set):
        return SEPARATOR.join(_item(item, f, names) for item in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{show_value(v, None, names)}" for k, v in value.items())
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime(DATETIME_FORMAT)
    if isinstance(value, datetime.date):
        return value.isoformat()
    choices = _choice_labels(f)
    if choices and str(value) in choices:
        return choices[str(value)]
    if isinstance(value, str):
        return _datetime_text(value) or value
    if isinstance(value, float | Decimal | int):
        return str(value)
    return str(value)


def _item(item, f, names) -> str:
    """A list item; a list inside a list (a pair of figures, say) is kept together in （）."""
    text = show_value(item, f, names)
    return f"（{text}）" if isinstance(item, list | tuple) and len(item) > 1 else text


# --- Events --------------------------------------------------------------------------------


def present_events(events: Iterable[AuditEvent]) -> list[ShownEvent]:
    """The events as shown on a page, related records' names read in one query per model."""
    language = translation.get_language() or ""
    sensitive_anywhere = _sensitive_everywhere(language)
    pending, refs = [], defaultdict(set)
    for event in events:
        model = model_for(event.object_type)
        known = _fields(model, language)
        items = []
        changes = event.changes if isinstance(event.changes, dict) else {}
        for key, stored in changes.items():
            key = str(key)
            f = known.by_key.get(key)
            hidden = key in known.sensitive or key in sensitive_anywhere
            old, new = _pair(stored)
            if not hidden:
                for value in (old, new):
                    for pk in _ids_in(value, f):
                        refs[_related_model(f)].add(pk)
            items.append((key, f, old, new, hidden))
        # The model's own order (PostgreSQL's jsonb keeps no order); other keys after, as stored.
        items.sort(key=lambda item: known.position.get(item[1], len(known.position)))
        pending.append((event, model, items))
    names = _names_of(refs)
    shown = []
    for event, model, items in pending:
        changes = [
            Change(_label(key, f), "", HIDDEN, hidden=True)
            if hidden
            else Change(_label(key, f), show_value(old, f, names), show_value(new, f, names))
            for key, f, old, new, hidden in items
        ]
        shown.append(
            ShownEvent(
                event=event,
                actor=_actor(event),
                action=str(event.get_action_display()),
                object_type=(
                    str(model._meta.verbose_name) if model is not None else event.object_type
                ),
                object=event.object_repr,
                changes=changes,
                result=RESULT_LABELS.get(event.result, event.result),
            )
        )
    return shown


def _actor(event: AuditEvent) -> str:
    """「账号（姓名）」; the name only when the actor was read with the event (select_related),
    so a page never pays a query per row for it."""
    username = event.actor_username or EMPTY
    if event.actor_id is None or not AuditEvent.actor.is_cached(event):
        return username
    full_name = getattr(event.actor, "full_name", "")
    return f"{username}（{full_name}）" if full_name and full_name != username else username


def present_event(event: AuditEvent) -> ShownEvent:
    """One event as shown (see present_events; for a list, present them together)."""
    return present_events([event])[0]
