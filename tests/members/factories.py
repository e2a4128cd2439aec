"""Member factories: valid, unique resident ID numbers and phones."""

import datetime
import itertools

from ruhui.members import idnumber, services

_serial = itertools.count(1)


def make_id_number(
    region: str = "410481", born: datetime.date = datetime.date(1990, 5, 1), sex: str = "1"
) -> str:
    """A valid ID number, unique per call (the sequence digits come from a counter)."""
    n = next(_serial)
    seq = n % 1000 // 2 * 2 + (1 if sex == "1" else 0)
    day = born + datetime.timedelta(days=n // 500)
    first17 = f"{region}{day:%Y%m%d}{seq:03d}"
    return first17 + idnumber.checksum_char(first17)


def make_phone() -> str:
    return f"139{next(_serial):08d}"


def join(actor, union, *, on=None, **fields):
    """Register a member through the service (the only way members come to exist)."""
    data = {"name": "张伟", "id_number": make_id_number(), "phone": make_phone()} | fields
    return services.member_join(actor=actor, union=union, data=data, joined_on=on)
