"""Member factories: valid, unique resident ID numbers and phones."""

import datetime
import itertools

from ruhui.core import idnumber
from ruhui.members import services

_serial = itertools.count(1)


def make_id_number(
    region: str = "410481", born: datetime.date | None = None, sex: str = "1"
) -> str:
    """A valid ID number, unique per call: the sequence digits come from a counter, and
    without an explicit birth date the day moves on every 500 numbers."""
    n = next(_serial)
    seq = n % 500 * 2 + (1 if sex == "1" else 0)
    day = born or datetime.date(1990, 5, 1) + datetime.timedelta(days=n // 500)
    first17 = f"{region}{day:%Y%m%d}{seq:03d}"
    return first17 + idnumber.checksum_char(first17)


def make_phone() -> str:
    return f"139{next(_serial):08d}"


def join(actor, union, *, on=None, **fields):
    """Register a member through the service (the only way members come to exist)."""
    data = {"name": "张伟", "id_number": make_id_number(), "phone": make_phone()} | fields
    return services.member_join(actor=actor, union=union, data=data, joined_on=on)
