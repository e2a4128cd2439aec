"""Server-side masking of personal data for display, export and publication (PI-3, PI-10)."""

from __future__ import annotations

from ruhui.core import idnumber


def mask_id_number(value: str | None) -> str:
    """Mask an ID number as ``410402********123X`` (other lengths: first 3, last 2); '' if empty."""
    if not value:
        return ""
    return idnumber.mask(idnumber.normalize(str(value)))


def mask_phone(value: str | None) -> str:
    """Mask a phone number as ``138****1234``: first 3 and last 4 kept; '' if empty."""
    if not value:
        return ""
    text = "".join(str(value).split())
    if len(text) >= 8:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    if len(text) >= 3:
        return "*" * (len(text) - 2) + text[-2:]
    return "*" * len(text)


def mask_name(value: str | None) -> str:
    """Mask a name: 张三丰 → 张*丰, 张三 → 张*, 欧阳娜娜 → 欧**娜; '' if empty."""
    if not value:
        return ""
    text = str(value).strip()
    if len(text) <= 1:
        return "*" * len(text)
    if len(text) == 2:
        return text[0] + "*"
    return text[0] + "*" * (len(text) - 2) + text[-1]
