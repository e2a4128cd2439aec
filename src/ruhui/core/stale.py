"""Lost updates: an edit form carries the record's `updated_at` as it was when the form was
opened, and the update service compares it with the row it has locked (select_for_update), so
the second of two savers is refused instead of silently overwriting the first — also when both
save at the same moment (the lock makes the second wait and then see the first's stamp).

The stamp is optional: a caller that sends none (an import, a service call from code) is not
checked. A stamp that is present but unreadable is refused like a stale one.
"""

import datetime

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

MSG_STALE = "该记录已被他人修改，请刷新后重试。"
FIELD = "updated_at"


def stamp(value: datetime.datetime | None) -> str:
    """The form's hidden value for a record's `updated_at` (ISO 8601, to the microsecond)."""
    return value.isoformat() if value is not None else ""


def _parse(expected) -> datetime.datetime | None:
    if isinstance(expected, datetime.datetime):
        return expected
    try:
        return datetime.datetime.fromisoformat(str(expected).strip())
    except ValueError:
        return None


def check_unchanged(record, expected) -> None:
    """Refuse with MSG_STALE when `expected` (a datetime or its ISO text) is given and is not the
    locked record's `updated_at`. Call it after re-reading the record under a row lock."""
    if expected in (None, ""):
        return
    seen = _parse(expected)
    current = record.updated_at
    if (
        seen is None
        or current is None
        or seen.tzinfo is None
        or current.tzinfo is None
        or seen != current
    ):
        raise ValidationError({NON_FIELD_ERRORS: [ValidationError(MSG_STALE, code="stale")]})


class StampField(forms.CharField):
    """The hidden `updated_at` of an edit form (not required: an empty value is not checked)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("label", "更新时间")
        super().__init__(**kwargs)


def add_stamp(form, record) -> None:
    """Give an edit form the hidden stamp of `record`, as it is now (unbound forms only)."""
    form.fields[FIELD] = StampField()
    if not form.is_bound:
        form.initial[FIELD] = stamp(record.updated_at)
