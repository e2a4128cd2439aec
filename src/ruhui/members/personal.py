"""The stored forms of a member's personal data, and the pinyin initials: pure functions with no
database access, so the importer can compute them in worker processes too."""

import functools
import os

from ruhui.core import crypto
from ruhui.core.masking import mask_id_number, mask_phone

ID_CONTEXT = "member.id_number"
PHONE_CONTEXT = "member.phone"


def id_hash(number: str, *, keyring=None) -> str:
    """The keyed blind index of a normalised ID number (lookup and uniqueness)."""
    return crypto.blind_index(number, context=ID_CONTEXT, keyring=keyring)


def name_initials(name: str) -> str:
    """Pinyin initials of a name, for search (张伟 → zw)."""
    return "".join(_initial(ch) for ch in name)[:40]


@functools.lru_cache(maxsize=20000)
def _initial(ch: str) -> str:
    """The pinyin initial of one character (names reuse a few thousand characters)."""
    lazy_pinyin, first_letter = _pinyin()
    letters = lazy_pinyin(ch, style=first_letter)
    return letters[0][:1].lower() if letters and letters[0] else ""


@functools.cache
def _pinyin():
    """pypinyin, imported on first use. Initials are read one character at a time, so its phrase
    table (about 45 MB in every process that imports it) is never consulted: its documented
    switch PYPINYIN_NO_PHRASES keeps it unloaded. A process that never computes initials (a
    document or figures worker) does not load pypinyin at all."""
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin, Style.FIRST_LETTER


def personal_data_values(cleaned: dict, *, keyring=None, id_hash_value: str | None = None) -> dict:
    """The stored forms of the ID number and phone: encrypted, blind index, masked, tail."""
    values: dict = {}
    if "id_number" in cleaned:
        number = cleaned["id_number"]
        values["id_number_encrypted"] = crypto.encrypt(number, context=ID_CONTEXT, keyring=keyring)
        values["id_number_hash"] = id_hash_value or id_hash(number, keyring=keyring)
        values["id_number_masked"] = mask_id_number(number)
        values["id_county_unknown"] = cleaned.get("id_county_unknown", False)
    if "phone" in cleaned:
        phone = cleaned["phone"]
        values["phone_encrypted"] = (
            crypto.encrypt(phone, context=PHONE_CONTEXT, keyring=keyring) if phone else ""
        )
        values["phone_masked"] = mask_phone(phone) if phone else ""
        values["phone_tail"] = phone[-4:] if phone else ""
    return values
