"""Personal data that must never reach the public case pages: resident ID numbers (18 digits,
the last may be X, also grouped 6-8-4; or the old 15 digits) and mainland mobile numbers
(1[3-9] and nine more digits, also written with spaces or hyphens, or after +86).
`find_personal(text)` returns the first one found, masked by `core.masking`, so a refusal can
quote it without repeating it.

The text is read after NFKC normalization, so full-width digits （１３８…） count as digits too.
A digit run is matched whole: a number inside a longer run of digits is not a phone number.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ruhui.core.masking import mask_id_number, mask_phone

#: 18 digits (the last may be X), also grouped 6-8-4 with spaces or hyphens; or the old 15.
ID_RE = re.compile(
    r"(?<![0-9])(?:[0-9]{6}[ \-]?[0-9]{8}[ \-]?[0-9]{3}[0-9Xx]|[0-9]{15})(?![0-9Xx])"
)
#: 1[3-9] and nine digits, separators allowed between digits, with or without +86 in front.
PHONE_RE = re.compile(r"(?<![0-9])(?:\+?86[ \-]?)?(1[3-9][0-9](?:[ \-]?[0-9]){8})(?![0-9])")
SEPARATORS = re.compile(r"[ \-]")


@dataclass(frozen=True)
class Found:
    kind: str  # "id" or "phone"
    masked: str

    @property
    def label(self) -> str:
        return "身份证号码" if self.kind == "id" else "手机号码"


def find_personal(text: str) -> Found | None:
    """The first ID number or mobile number in `text`, masked; None if there is none."""
    normal = unicodedata.normalize("NFKC", text or "")
    match = ID_RE.search(normal)
    if match:
        return Found("id", mask_id_number(SEPARATORS.sub("", match.group()).upper()))
    match = PHONE_RE.search(normal)
    if match:
        digits = SEPARATORS.sub("", match.group(1))
        return Found("phone", mask_phone(digits))
    return None
