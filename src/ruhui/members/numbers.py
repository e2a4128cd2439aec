"""Member numbers (会员号): <6-digit division code of the joining union><4-digit join year>
<6-digit sequence>, e.g. 4104812019000123. The number is the member's portable credential: it
stays the same through transfers (凭证接转); a person who rejoins after leaving gets a new one."""

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from ruhui.members.models import MemberNumberSequence


def member_number(division: str, year: int, sequence: int) -> str:
    """The one spelling of a member number: division, year and sequence, 16 digits."""
    return f"{division}{year:04d}{sequence:06d}"


def allocate_member_number(*, division: str, year: int) -> str:
    """Take the next number for (division, year); safe under concurrent transactions."""
    return allocate_member_numbers(division=division, year=year, count=1)[0]


def allocate_member_numbers(*, division: str, year: int, count: int) -> list[str]:
    """Take `count` consecutive numbers for (division, year) at once (the importer's path)."""
    if count <= 0:
        return []
    for _attempt in range(3):
        updated = MemberNumberSequence.objects.filter(division=division, year=year).update(
            last=F("last") + count
        )
        if not updated:
            try:
                with transaction.atomic():
                    MemberNumberSequence.objects.create(division=division, year=year, last=count)
            except IntegrityError:
                continue
        last = MemberNumberSequence.objects.get(division=division, year=year).last
        return [member_number(division, year, n) for n in range(last - count + 1, last + 1)]
    raise RuntimeError("could not allocate member numbers")


def allocate_member_number_blocks(
    counts: dict[tuple[str, int], int], *, cursor=None
) -> dict[tuple[str, int], int]:
    """Take counts[(division, year)] consecutive numbers for every key in ONE statement (the
    importer's path); returns the last sequence number taken per key, so a key's numbers are
    last - count + 1 … last. The same rows and the same concurrency safety as
    `allocate_member_numbers` (an upsert locks each sequence row until the transaction ends);
    keys are taken in a fixed order so two imports cannot deadlock on them. `cursor` may be
    another connection's (the importer's side connection, in autocommit: the numbers are then
    taken at once and the rows not held locked while the import runs; a failed import leaves
    a gap in the numbers, as a sequence does)."""
    keys = sorted(key for key, count in counts.items() if count > 0)
    if not keys:
        return {}
    quote = connection.ops.quote_name
    table = quote(MemberNumberSequence._meta.db_table)
    division, year, last = quote("division"), quote("year"), quote("last")
    rows = ", ".join(["(%s, %s, %s)"] * len(keys))
    params = [part for key in keys for part in (key[0], key[1], counts[key])]
    sql = (
        # Table and column names come from the model, never from input.
        f"INSERT INTO {table} ({division}, {year}, {last}) VALUES {rows} "  # noqa: S608
        f"ON CONFLICT ({division}, {year}) DO UPDATE "
        f"SET {last} = {table}.{last} + excluded.{last} "
        f"RETURNING {division}, {year}, {last}"
    )
    if cursor is None:
        with connection.cursor() as own:
            own.execute(sql, params)
            return {(row[0], int(row[1])): row[2] for row in own.fetchall()}
    cursor.execute(sql, params)
    return {(row[0], int(row[1])): row[2] for row in cursor.fetchall()}
