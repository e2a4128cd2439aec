"""Formatting for the campaign pages (figures are computed by the selectors, never here)."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def pct(value) -> str:
    """A percentage for display: 14.29 → '14.29%', None → '—' (growth over a zero baseline)."""
    if value is None or value == "":
        return "—"
    value = Decimal(str(value)).normalize()
    return f"{value:f}%"


@register.filter
def count(value) -> str:
    """A count with thousands separators; None → '—'."""
    if value is None or value == "":
        return "—"
    return f"{int(value):,}"


@register.filter
def bar(value) -> str:
    """A share as a <progress> value, capped at 100."""
    if value is None:
        return "0"
    return str(min(Decimal(str(value)), Decimal(100)))
