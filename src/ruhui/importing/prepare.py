"""The per-row work of an import that needs no database: clean the cells, validate the fields,
compute the blind index, the encrypted and masked forms and the pinyin initials.

The importer runs it in its own process for small files and, past the first chunk of a large
one, in a pool of worker processes. Workers are *spawned* (not forked), so they share no
database connection with the importer; they get the keys they need as arguments.

Speed: a row is a plain tuple (`Prepared`), cheap to build and to pickle to and from workers;
the cell cleaners are compiled once per file (`cleaning.row_cleaner`), and the stored forms are
computed for a whole chunk at once (one call for all the nonces, the blind-index key set up
once). The results are the same as `clean_row`, `clean_member_fields` and
`personal_data_values` give row by row (tests/importing/test_speed_paths.py).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from ruhui.core import crypto
from ruhui.core.crypto import KeyRing
from ruhui.core.masking import mask_id_number, mask_phone
from ruhui.importing.cleaning import row_cleaner
from ruhui.members.personal import ID_CONTEXT, PHONE_CONTEXT, name_initials
from ruhui.members.validation import LABELS, member_fields_cleaner

#: Columns the roster may carry that the system issues itself: never imported.
IGNORED_FIELDS = ("member_number", "status")
#: The stored forms of the ID number and phone, in the order `Prepared.personal` holds them.
PERSONAL_COLUMNS = (
    "id_number_encrypted",
    "id_number_hash",
    "id_number_masked",
    "id_county_unknown",
    "phone_encrypted",
    "phone_masked",
    "phone_tail",
)


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


class Prepared(NamedTuple):
    """One row after the database-free work (a tuple: built and pickled cheaply)."""

    errors: list[tuple[str, str]]  # (column header, message)
    cleaned: dict | None  # None when the row is rejected
    union_value: object
    id_hash: str = ""
    personal: tuple = ()  # PERSONAL_COLUMNS
    initials: str = ""


def prepare_rows(plan: Plan, keyring: KeyRing, rows: list[tuple[int, list]]) -> list[Prepared]:
    """Clean and validate rows of (row number, cells); valid rows also get their stored forms."""
    return _Preparer(plan, keyring).rows(rows)


def row_preparer(plan: Plan, keyring: KeyRing) -> Callable[[list], list[Prepared]]:
    """`prepare_rows` for this plan with the per-file set-up done once."""
    return _Preparer(plan, keyring).rows


class _Preparer:
    """`prepare_rows` compiled for one plan: the column lookups done once."""

    def __init__(self, plan: Plan, keyring: KeyRing):
        self.plan = plan
        self.keyring = keyring
        self.width = len(plan.columns)
        self.clean = row_cleaner(list(plan.columns), skip=("union", "union_code", *IGNORED_FIELDS))
        index = {name: i for i, _h, name in plan.columns if name}
        self.union_index = index.get("union")
        self.union_code_index = index.get("union_code")
        self.label = {name: plan.header_of.get(name, LABELS.get(name, name)) for name in LABELS}
        self.validate = member_fields_cleaner(today=plan.today)

    def _label(self, name: str) -> str:
        label = self.label.get(name)
        if label is None:
            label = self.plan.header_of.get(name, LABELS.get(name, name))
        return label

    def rows(self, rows: list[tuple[int, list]]) -> list[Prepared]:
        results = [self.row(cells) for _number, cells in rows]
        valid = [i for i, result in enumerate(results) if result.cleaned is not None]
        if valid:
            self.stored_forms(results, valid)
        return results

    def row(self, cells: list) -> Prepared:
        if len(cells) < self.width:
            cells = [*cells, *[None] * (self.width - len(cells))]
        union_value = None if self.union_index is None else cells[self.union_index]
        if union_value is None or str(union_value).strip() == "":
            # 所属工会代码 when the name column is absent or empty
            union_value = None if self.union_code_index is None else cells[self.union_code_index]
        values, cell_errors = self.clean(cells)
        errors: list[tuple[str, str]] = []
        if cell_errors:
            for name, message in cell_errors.items():
                errors.append((self._label(name), message))
                values.pop(name, None)
        today = self.plan.today
        if not values.get("joined_on"):
            values["joined_on"] = today  # before validation: the age check needs it
        cleaned, field_errors = self.validate(values)
        for name, messages in field_errors.items():
            if name in cell_errors:
                continue
            label = self._label(name)
            for message in messages:
                errors.append((label, message))
        if errors:
            return Prepared(errors, None, union_value)
        return Prepared(errors, cleaned, union_value)

    def stored_forms(self, results: list[Prepared], valid: list[int]) -> None:
        """The blind index, masks and initials of the valid rows, in one batch (the same values
        `personal_data_values` and `name_initials` give). The ciphertexts are left to the rows
        that are written (`seal_personal`): a check writes nothing, and a member who is already
        registered keeps their stored ID ciphertext, and their phone's when it is unchanged."""
        keyring = self.keyring
        cleaned = [results[i].cleaned for i in valid]
        numbers = [c["id_number"] for c in cleaned]
        hashes = [crypto.blind_index(n, context=ID_CONTEXT, keyring=keyring) for n in numbers]
        for k, i in enumerate(valid):
            row = cleaned[k]
            number, phone = numbers[k], row.get("phone", "")
            personal = (
                None,  # sealed when written
                hashes[k],
                mask_id_number(number),
                row.get("id_county_unknown", False),
                None if phone else "",  # sealed when written
                mask_phone(phone) if phone else "",
                phone[-4:] if phone else "",
            )
            results[i] = Prepared(
                results[i].errors,
                row,
                results[i].union_value,
                hashes[k],
                personal,
                name_initials(row.get("name", "")),
            )


def seal_personal(rows: list[Prepared], keyring: KeyRing) -> list[tuple]:
    """The stored forms of rows about to be inserted, their ID number and phone encrypted in
    one batch each (`Prepared.personal` with its two ciphertexts filled in)."""
    ids = crypto.encrypt_many(
        [row.cleaned["id_number"] for row in rows], context=ID_CONTEXT, keyring=keyring
    )
    phones = [row.cleaned.get("phone", "") for row in rows]
    sealed_phones = iter(
        crypto.encrypt_many([p for p in phones if p], context=PHONE_CONTEXT, keyring=keyring)
    )
    return [
        (sealed, *row.personal[1:4], next(sealed_phones) if phone else "", *row.personal[5:])
        for row, sealed, phone in zip(rows, ids, phones, strict=True)
    ]


# --- worker processes ---------------------------------------------------------------------

_worker: dict = {}


def init_worker(plan: Plan) -> None:
    """Pool initializer: Django's settings (translations) and this import's plan and keys."""
    import django

    django.setup()
    _worker["preparer"] = _Preparer(plan, plan.keyring())


def prepare_in_worker(rows: list[tuple[int, list]]) -> list[Prepared]:
    return _worker["preparer"].rows(rows)
