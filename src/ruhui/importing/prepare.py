"""The per-row work of an import that needs no database: clean the cells, validate the fields,
compute the blind index, the encrypted and masked forms and the pinyin initials.

The importer runs it in its own process for small files and, past the first chunk of a large
one, in a pool of worker processes. Workers are *spawned* (not forked), so they share no
database connection with the importer; they get the keys they need as arguments.
"""

import datetime
from dataclasses import dataclass

from ruhui.core.crypto import KeyRing
from ruhui.importing.cleaning import clean_row
from ruhui.members.personal import id_hash, name_initials, personal_data_values
from ruhui.members.validation import LABELS, clean_member_fields

#: Columns the roster may carry that the system issues itself: never imported.
IGNORED_FIELDS = ("member_number", "status")


@dataclass(frozen=True)
class Plan:
    """What the row work needs to know about one import (picklable, sent to workers)."""

    columns: tuple[tuple[int, str, str | None], ...]
    header_of: dict[str, str]
    today: datetime.date
    keys: dict[int, bytes]
    current_key_id: int
    index_key: bytes

    def keyring(self) -> KeyRing:
        return KeyRing(self.keys, self.current_key_id, self.index_key)


@dataclass(slots=True)
class Prepared:
    """One row after the database-free work."""

    errors: list[tuple[str, str]]
    cleaned: dict | None
    union_value: object
    id_hash: str = ""
    personal: dict | None = None
    initials: str = ""


def prepare_rows(plan: Plan, keyring: KeyRing, rows: list[tuple[int, list]]) -> list[Prepared]:
    """Clean and validate rows of (row number, cells); valid rows also get their stored forms."""
    return [_prepare(plan, keyring, cells) for _number, cells in rows]


def _prepare(plan: Plan, keyring: KeyRing, cells: list) -> Prepared:
    by_field = {}
    for index, _header, name in plan.columns:
        if name:
            by_field[name] = cells[index] if index < len(cells) else None
    union_value = by_field.pop("union", None)
    union_code = by_field.pop("union_code", None)
    if union_value is None or str(union_value).strip() == "":
        union_value = union_code  # 所属工会代码 when the name column is absent or empty
    for ignored in IGNORED_FIELDS:
        by_field.pop(ignored, None)
    errors: list[tuple[str, str]] = []
    values, cell_errors = clean_row(by_field)
    for name, message in cell_errors.items():
        errors.append((plan.header_of.get(name, LABELS.get(name, name)), message))
        values.pop(name, None)
    if not values.get("joined_on"):
        values["joined_on"] = plan.today  # before validation: the age check needs it
    cleaned, field_errors = clean_member_fields(values, today=plan.today)
    for name, messages in field_errors.items():
        if name in cell_errors:
            continue
        for message in messages:
            errors.append((plan.header_of.get(name, LABELS.get(name, name)), message))
    if errors:
        return Prepared(errors, None, union_value)
    digest = id_hash(cleaned["id_number"], keyring=keyring)
    return Prepared(
        errors,
        cleaned,
        union_value,
        digest,
        personal_data_values(cleaned, keyring=keyring, id_hash_value=digest),
        name_initials(cleaned.get("name", "")),
    )


# --- worker processes ---------------------------------------------------------------------

_worker: dict = {}


def init_worker(plan: Plan) -> None:
    """Pool initializer: Django's settings (translations) and this import's plan and keys."""
    import django

    django.setup()
    _worker["plan"] = plan
    _worker["keyring"] = plan.keyring()


def prepare_in_worker(rows: list[tuple[int, list]]) -> list[Prepared]:
    return prepare_rows(_worker["plan"], _worker["keyring"], rows)
