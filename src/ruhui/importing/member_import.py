"""The member roster importer: one streaming pass over a file, validated row by row, written
all-or-nothing.

Decisions (docs/decisions/0004-member-import.md):
- Every data row ends as exactly one of 新增 (created), 更新 (updated) or 未导入 (rejected), so
  rows in file = created + updated + rejected; blank rows and trailing notes rows are not data
  and are counted apart.
- Rejected rows do not block the commit: the valid rows are written in ONE transaction (all of
  them or none — a failure half-way rolls everything back), and the error report lists every
  rejected row with the reason, so the cadre fixes those rows and imports them again.
- A person who holds a membership in another union is rejected with that union's name (transfer,
  don't duplicate); a person already in the target union is updated only in update mode.
  Re-running the same file therefore never creates a duplicate.
- The same rules as everywhere: the cell cleaners, then `clean_member_fields`, the same
  encryption, blind index, masking, member numbers and 入会 events as `member_join`.
"""

import datetime
import sys
from array import array
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import chain, islice
from multiprocessing import get_context
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone

from ruhui.audit.services import Action, audit_record
from ruhui.core import bulk, crypto
from ruhui.core.changes import note_change
from ruhui.importing.headers import MEMBER_HEADER_ALIASES
from ruhui.importing.prepare import (
    PERSONAL_COLUMNS,
    Plan,
    Prepared,
    init_worker,
    prepare_in_worker,
    row_preparer,
    seal_personal,
)
from ruhui.members import services as member_services
from ruhui.members.codes import (
    UNCHECKED_VERIFICATIONS,
    MemberSource,
    Verification,
    verification_for,
)
from ruhui.members.models import (
    HELD_STATUSES,
    ChangeType,
    Member,
    MembershipEvent,
    MemberStatus,
)
from ruhui.members.numbers import allocate_member_number_blocks, member_number
from ruhui.members.personal import PHONE_CONTEXT
from ruhui.members.validation import LABELS
from ruhui.orgs.choices import ADMITTING_KINDS
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import jurisdiction_root
from ruhui.tabular.files import FileRejected
from ruhui.tabular.readers import read_table
from ruhui.tabular.report import Summary

CHUNK = 5000
#: `_KnownPeople` is loaded once the rows read reach a tenth of the registry, past this many.
KNOWN_MIN_ROWS = 20_000
KNOWN_RATIO = 10
POOL_AFTER_CHUNKS = 4  # rows beyond 4 × CHUNK go to the worker pool, when one is configured
AUDIT_LABELS = {
    "rows": "数据行",
    "created": "新增",
    "updated": "更新",
    "rejected": "未导入",
    "blank_rows": "空行",
    "notes_rows": "说明行",
}
EVENT_COLUMNS = [
    "member_id",
    "change_type",
    "reason",
    "effective_on",
    "union_id",
    "from_union_id",
    "to_union_id",
    "status_before",
    "status_after",
    "note",
    "actor_id",
    "created_at",
]
CREATED, UPDATED, REJECTED = "新增", "更新", "未导入"
#: Fields a roster may set on an existing member in update mode.
UPDATABLE = [f for f in member_services.EDITABLE if f not in ("id_number", "id_type")]
REQUIRED_COLUMNS = ("name", "id_number")
MSG_MISSING_COLUMNS = "文件缺少必需的列：{columns}。请使用导入模板，或在表头中加入这些列。"
MSG_DUPLICATE_IN_FILE = "证件号码与第 {row} 行重复：同一人在文件中只能出现一次。"
MSG_HELD_HERE = "此人已是本工会会员（会员号 {number}），未做更改；如需用文件中的信息更新，请选择“更新已有会员”。"
MSG_TRANSFERRING = "此人正在办理接转（会员号 {number}），请接转完成后再导入。"
MSG_JOINED_MEANWHILE = (
    "导入期间，文件中有人在其他工会办理了入会（一人一籍），本次导入没有写入任何数据；"
    "请重新导入，系统会在结果中列出此人及其所在工会。"
)
MSG_UNION_UNKNOWN = (
    "所属工会「{value}」不在「{root}」之下或不能直接吸收会员：请填写下级基层工会的名称或组织代码。"
)


class ImportConflict(FileRejected):
    """The import could not be written and nothing of it was (see MSG_JOINED_MEANWHILE)."""


class _Row:
    """One data row on its way through a chunk (slots: a million of them are made)."""

    __slots__ = ("action", "cells", "errors", "existing", "number", "prep", "union")

    def __init__(
        self, number: int, cells: list, errors: list, prep: Prepared, union: Organization | None
    ):
        self.number = number
        self.cells = cells
        self.errors = errors  # (column header, message)
        self.prep = prep
        self.union = union
        self.action = REJECTED
        self.existing: _Held | None = None  # the membership to update (update mode)


def _number_key(row: _Row) -> tuple[str, int]:
    """The (division, year) a new member's number is drawn from."""
    return row.union.division_code, row.prep.cleaned["joined_on"].year


class _Held(NamedTuple):
    """A membership someone in the file already holds, as the result messages need it."""

    id: int
    union_id: int
    union_name: str
    status: str
    member_number: str
    union_path: str
    # Update mode only: the stored phone, to keep its ciphertext when the file repeats it.
    phone_encrypted: str = ""
    phone_masked: str = ""


def _held_members(hashes: list[str], side=None, *, phones: bool = False) -> dict[str, _Held]:
    """{blind index: _Held} of the memberships these people hold now (with `phones`, their
    stored phone too)."""
    quote = connection.ops.quote_name
    member, org = quote(Member._meta.db_table), quote(Organization._meta.db_table)
    statuses = ", ".join(f"'{s}'" for s in HELD_STATUSES)  # fixed model constants
    extra = ", m.phone_encrypted, m.phone_masked" if phones else ""
    found = bulk.rows_where_in(
        f"m.id_number_hash, m.id, m.union_id, o.name, m.status, m.member_number, o.path{extra} "
        f"FROM {member} m JOIN {org} o ON o.id = m.union_id",
        "m.id_number_hash",
        hashes,
        where=f" AND m.status IN ({statuses})",
        side=side,
    )
    return {row[0]: _Held(*row[1:]) for row in found}


class _KnownPeople:
    """The first 64 bits of the blind index of every membership held when the import started,
    sorted (8 bytes each: 16 MB for two million members), for a large import to ask the
    database only about the people it may hold: a person not in it held no membership then.

    Someone who joins elsewhere while the import runs is not in it, as a lookup a moment
    before the write would not have seen them either: the database's one_membership_per_person
    then refuses the write and the import rolls back with `MSG_JOINED_MEANWHILE`."""

    def __init__(self):
        self.prefixes = array("Q")

    def load(self, side=None) -> None:
        quote = connection.ops.quote_name
        statuses = ", ".join(f"'{s}'" for s in HELD_STATUSES)  # fixed model constants
        with bulk.cursor_for(side) as cursor:
            # Fixed-length lowercase hex sorts as the numbers it spells: in index order,
            # 16 strings of prefixes (by first digit) instead of millions of rows.
            table = quote(Member._meta.db_table)
            prefixes = "string_agg(substr(id_number_hash, 1, 16), '' ORDER BY id_number_hash)"
            sql = f"SELECT substr(id_number_hash, 1, 1), {prefixes} FROM {table}"  # noqa: S608
            sql += f" WHERE status IN ({statuses}) GROUP BY 1 ORDER BY 1"
            cursor.execute(sql)
            for _digit, text in cursor.fetchall():
                self.prefixes.frombytes(bytes.fromhex(text))
        if sys.byteorder == "little":
            self.prefixes.byteswap()  # the hex is big-endian

    def may_hold(self, id_hash: str) -> bool:
        value = int(id_hash[:16], 16)
        at = bisect_left(self.prefixes, value)
        return at < len(self.prefixes) and self.prefixes[at] == value


@dataclass
class _Allocation:
    """Member numbers and ids taken for a chunk's new members: `last[key]` is the last number
    taken for `counts[key]` members of that (division, year); ids in the rows' order."""

    last: dict[tuple[str, int], int]
    counts: dict[tuple[str, int], int]
    ids: list[int]


class MemberImporter:
    """Import a member roster into a union's subtree (see the module docstring)."""

    def __init__(
        self,
        *,
        actor,
        union: Organization,
        update_existing: bool = False,
        dry_run: bool = True,
        progress: Callable[[int, int], None] | None = None,
        max_errors_listed: int = 100_000,
    ):
        self.actor = actor
        # Whose jurisdiction the result messages answer to: the cadre's, or for a command run
        # without one, the union imported into.
        root = jurisdiction_root(actor) if actor is not None else union
        self._root_path = root.path if root is not None else None
        self.union = union
        self.update_existing = update_existing
        self.dry_run = dry_run
        self.progress = progress or (lambda done, total: None)
        self.max_errors_listed = max_errors_listed
        self.summary = Summary(dry_run=dry_run)
        self.today = timezone.localdate()
        self._seen: dict[str, int] = {}
        self._unions = self._admitting_unions()
        self._union_memo: dict[object, tuple[Organization | None, tuple | None]] = {}
        fields = [f for f in Member._meta.concrete_fields if not f.primary_key]
        # Each new member is one list in column order, its id first: the defaults, then
        # what the row sets.
        self._member_columns = [Member._meta.pk.column, *(f.column for f in fields)]
        self._member_template = [None, *(f.get_default() for f in fields)]
        self._position = {column: i for i, column in enumerate(self._member_columns)}
        self._date_positions = [
            self._position[f.column] for f in fields if f.get_internal_type() == "DateField"
        ]
        self._keyring = crypto.current_keyring()  # read once: keys cannot change mid-import
        self._db: _DatabaseThread | _Inline | None = None
        self._update_layouts: dict[tuple, _UpdateLayout] = {}

    # --- public -----------------------------------------------------------------------

    def run(self, path: Path, kind: str, *, report: Callable | None = None) -> Summary:
        """Read, validate and (unless a dry run) write; `report(headers, rows_iter, summary)`
        receives every row with its result as the pass goes (the error report writer)."""
        table = read_table(path, kind, header_aliases=MEMBER_HEADER_ALIASES)
        fields = {f for _i, _h, f in table.columns if f}
        missing = [LABELS.get(f, f) for f in REQUIRED_COLUMNS if f not in fields]
        if missing:
            raise FileRejected(MSG_MISSING_COLUMNS.format(columns="、".join(missing)))
        self.summary.header_row = table.header_row
        self.summary.unknown_headers = list(table.unknown_headers)
        self._columns = table.columns
        self._plan = Plan(
            columns=tuple(table.columns),
            header_of={f: h for _i, h, f in table.columns if f},
            today=self.today,
            keys=dict(self._keyring.keys),
            current_key_id=self._keyring.current_id,
            index_key=self._keyring.blind_index_key,
        )
        self._header_of = {f: h for _i, h, f in table.columns if f}
        headers = [h for _i, h, _f in table.columns]
        bulk.fresh_statistics(Member._meta.db_table)
        bulk.load_column_types(Member._meta.db_table)  # before a thread shares the connection
        # Lookups may go to a second connection only if nothing uncommitted can matter to
        # them: when the import's transaction is the outermost one.
        self._outermost = not connection.in_atomic_block
        self._listing = report is not None
        chunks = self._results(table)
        if self.dry_run:
            self._drain(headers, chunks, report)
            return self.summary
        try:
            with transaction.atomic(), bulk.import_session():
                self._drain(headers, chunks, report)
                audit_record(
                    actor=self.actor,
                    action=Action.IMPORT,
                    obj=None,
                    org_path=self.union.path,
                    object_repr=str(path.name)[:200],
                    changes={
                        label: [None, getattr(self.summary, key)]
                        for key, label in AUDIT_LABELS.items()
                    },
                )
                if self.summary.created or self.summary.updated:
                    note_change(None)  # the campaigns' figures, once the import commits
        except IntegrityError as exc:
            # Someone in the file joined elsewhere after the import looked them up: the
            # database's guard refused the write, and the whole import rolled back.
            if "one_membership_per_person" not in str(exc):
                raise
            raise ImportConflict(MSG_JOINED_MEANWHILE) from exc
        return self.summary

    # --- the pass -----------------------------------------------------------------------

    def _drain(self, headers, chunks: Iterator, report) -> None:
        try:
            if report is not None:
                report(headers, chain.from_iterable(chunks), self.summary)
            else:
                for _chunk in chunks:
                    pass
        finally:
            # Whatever failed, the writer has finished before the transaction ends.
            chunks.close()

    def _results(self, table) -> Iterator[list[tuple[int, list, str, str]]]:
        """Every data row with its result, in file order, a chunk at a time.

        The database work of a chunk comes in two jobs (PostgreSQL, `_DatabaseThread`): its
        lookup (who already holds a membership; member numbers and ids for the new ones) and
        its writes, each run in order by a thread of its own while this thread cleans and
        validates the next chunk and builds the rows of the one before, so the servers always
        have the next statement queued and this thread waits only when they are the slower.
        A large import loads the registry's `_KnownPeople` once and looks up only the people
        it may hold. SQLite runs inside this process, so there each chunk's jobs run at once,
        in order (`_Inline`)."""
        self._known: _KnownPeople | None = None
        self._seen_rows = 0
        if connection.vendor == "postgresql":
            self._registry = bulk.estimated_rows(Member._meta.db_table)
            self._db = _DatabaseThread(side=self._outermost)
        else:
            self._db = _Inline()
        try:
            pending = None
            for raw, prepared in self._prepared_chunks(table):
                rows = self._rows(raw, prepared)
                if self._known is None and self._known_pays_off():
                    self._known = _KnownPeople()
                    self._db.lookup(self._known.load)
                lookup = self._db.lookup(self._lookup(rows))
                if not self._db.pipelined:
                    yield self._finish(rows, lookup)
                    continue
                if pending is not None:
                    yield self._finish(*pending)
                pending = (rows, lookup)
            if pending is not None:
                yield self._finish(*pending)
            self._db.drain()
        finally:
            self._db.close()
        self.progress(self.summary.rows, 0)
        # Known only once the reader has gone through the whole sheet.
        self.summary.blank_rows = table.skipped_blank
        self.summary.notes_rows = len(table.notes_rows)

    def _prepared_chunks(self, table):
        """Chunks of (row number, cells) with their database-free work done, in file order.

        With RUHUI_IMPORT_WORKERS = N > 1, N processes share the work: this one reads the
        file and writes to the database while N - 1 spawned helper processes clean and
        validate the chunks ahead of it (on 2 cores: one helper, the two halves overlap).
        The first chunks are done here while the helpers start (about a second each)."""
        raw = ((row.number, row.cells) for row in table.rows)
        helpers = int(getattr(settings, "RUHUI_IMPORT_WORKERS", 1)) - 1
        preparer = row_preparer(self._plan, self._keyring)
        # Small files never pay for starting helper processes.
        for _ in range(1 if helpers < 1 else POOL_AFTER_CHUNKS):
            chunk = list(islice(raw, CHUNK))
            if not chunk:
                return
            yield chunk, preparer(chunk)
        if helpers < 1:
            while chunk := list(islice(raw, CHUNK)):
                yield chunk, preparer(chunk)
            return
        pending: deque = deque()
        with ProcessPoolExecutor(
            max_workers=helpers,
            mp_context=get_context("spawn"),
            initializer=init_worker,
            initargs=(self._plan,),
        ) as pool:
            while True:
                while len(pending) <= helpers:
                    chunk = list(islice(raw, CHUNK))
                    if not chunk:
                        break
                    pending.append((chunk, pool.submit(prepare_in_worker, chunk)))
                if not pending:
                    return
                chunk, future = pending.popleft()
                yield chunk, future.result()

    def _rows(self, raw: list, prepared: list) -> list[_Row]:
        """The chunk's rows so far: the prepared work, the union, and in-file duplicates."""
        resolve, seen = self._resolve_union, self._seen
        id_header = self._header_of.get("id_number", "")
        rows = []
        for (number, cells), prep in zip(raw, prepared, strict=True):
            errors = prep.errors
            union, union_error = resolve(prep.union_value)
            if union_error is not None:
                errors = [*errors, union_error]
            row = _Row(number, cells, errors, prep, union)
            rows.append(row)
            if errors:  # a row without errors always has its cleaned fields
                continue
            first = seen.get(prep.id_hash)
            if first is not None:
                row.errors = [(id_header, MSG_DUPLICATE_IN_FILE.format(row=first))]
            else:
                seen[prep.id_hash] = number
        return rows

    def _finish(self, chunk: list[_Row], lookup: Future) -> list[tuple[int, list, str, str]]:
        """A chunk's rows with their results, once its lookup is back; its writes queued.
        The (row number, cells, result, message) list is built only for a report."""
        held, allocation = lookup.result()
        self._match_existing(chunk, held)
        if allocation is not None:
            self._db.write(self._writes(chunk, allocation))
        summary = self.summary
        errors = summary.errors
        results: list[tuple[int, list, str, str]] = []
        listed = self._listing
        created = updated = 0
        for row in chunk:
            action = row.action
            if action == CREATED:
                created += 1
                if listed:
                    results.append((row.number, row.cells, action, ""))
                continue
            if action == UPDATED:
                updated += 1
                if listed:
                    results.append((row.number, row.cells, action, ""))
                continue
            for header, message in row.errors:
                if len(errors) < self.max_errors_listed:
                    errors.append({"row": row.number, "field": header, "message": message})
            if listed:
                message = "；".join(f"{h}：{m}" if h else m for h, m in row.errors)
                results.append((row.number, row.cells, action, message))
        summary.rows += len(chunk)
        summary.created += created
        summary.updated += updated
        summary.rejected += len(chunk) - created - updated
        self.progress(summary.rows, 0)
        return results

    def _resolve_union(self, value) -> tuple[Organization | None, tuple | None]:
        """(union, None) or (None, error) for a 所属工会 cell; rosters repeat a few values."""
        key = value if value.__class__ is str or value is None else repr(value)
        hit = self._union_memo.get(key)
        if hit is None:
            hit = self._union_memo[key] = self._find_union(value)
        return hit

    def _find_union(self, value) -> tuple[Organization | None, tuple | None]:
        text = "" if value is None else str(value).strip()
        if not text:
            if self.union.pk in self._unions["pk"]:
                return self.union, None
            return None, (
                "所属工会",
                MSG_UNION_UNKNOWN.format(value="（空）", root=self.union.name),
            )
        found = self._unions["code"].get(text.upper()) or self._unions["name"].get(text)
        if found is None:
            return None, ("所属工会", MSG_UNION_UNKNOWN.format(value=text, root=self.union.name))
        return found, None

    def _admitting_unions(self) -> dict:
        unions = list(
            Organization.objects.filter(
                path__startswith=self.union.path, is_active=True, kind__in=ADMITTING_KINDS
            )
        )
        return {
            "pk": {u.pk for u in unions},
            "code": {u.code.upper(): u for u in unions},
            "name": {u.name: u for u in unions},
        }

    def _known_pays_off(self) -> bool:
        """Whether loading `_KnownPeople` now costs less than the lookups it saves: once the
        rows read reach a tenth of the registry (loading costs well under a tenth of a lookup
        per held membership), and never for a small file. PostgreSQL only: SQLite's lookups
        run in this process and cost little."""
        if connection.vendor != "postgresql":
            return False
        return self._seen_rows >= KNOWN_MIN_ROWS and self._registry <= KNOWN_RATIO * self._seen_rows

    def _lookup(self, chunk: list[_Row]) -> Callable[..., tuple[dict, _Allocation | None]]:
        """The chunk's lookup job: {blind index: _Held} for the people in it who already hold
        a membership, and (unless a dry run) member numbers and ids for the others, who are
        exactly the rows `_match_existing` will mark new. Runs on the side connection when
        there is one (`job(side)`), else on Django's."""
        candidates = [r for r in chunk if not r.errors]
        self._seen_rows += len(chunk)
        dry_run = self.dry_run
        known = self._known
        phones = self.update_existing and not dry_run

        def lookup(side=None) -> tuple[dict, _Allocation | None]:
            hashes = [r.prep.id_hash for r in candidates]
            if known is not None:  # loaded by the job before this one on the same thread
                hashes = [h for h in hashes if known.may_hold(h)]
            if not hashes:
                held = {}
            elif phones:  # update mode: the stored phones too
                held = _held_members(hashes, side, phones=True)
            else:
                held = _held_members(hashes, side)
            if dry_run:
                return held, None
            new = [r for r in candidates if r.prep.id_hash not in held]
            counts: dict[tuple[str, int], int] = {}
            for row in new:
                key = _number_key(row)
                counts[key] = counts.get(key, 0) + 1
            if counts and side is not None:
                with side.cursor() as cursor:
                    last = allocate_member_number_blocks(counts, cursor=cursor)
            else:
                last = allocate_member_number_blocks(counts) if counts else {}
            return held, _Allocation(
                last=last,
                counts=counts,
                ids=bulk.next_ids(Member._meta.db_table, len(new), side),
            )

        return lookup

    def _match_existing(self, rows: list[_Row], held: dict[str, _Held]) -> None:
        header = self._header_of.get("id_number", "")
        for row in rows:
            if row.errors:
                continue
            existing = held.get(row.prep.id_hash)
            if existing is None:
                row.action = CREATED
            elif existing.status == MemberStatus.TRANSFERRING:
                message = (
                    MSG_TRANSFERRING.format(number=existing.member_number)
                    if self._covers(existing)
                    else str(member_services.MSG_TRANSFERRING_ELSEWHERE)
                )
                row.errors = [(header, message)]
            elif existing.union_id != row.union.pk:
                # The same words as a single registration gets (one rule, one message): the
                # union and number only when the importer's jurisdiction covers them.
                message = member_services.held_elsewhere_message(
                    root_path=self._root_path,
                    union_path=existing.union_path,
                    union_name=existing.union_name,
                    number=existing.member_number,
                )
                row.errors = [(header, message)]
            elif not self.update_existing:
                row.errors = [(header, MSG_HELD_HERE.format(number=existing.member_number))]
            else:
                row.action, row.existing = UPDATED, existing

    def _covers(self, existing: _Held) -> bool:
        return self._root_path is not None and existing.union_path.startswith(self._root_path)

    # --- writing ------------------------------------------------------------------------

    def _writes(self, chunk: list[_Row], allocation: _Allocation) -> Callable[[], None]:
        """The chunk's writes job: its rows encoded here, so that the database thread only
        hands them to the server and waits."""
        creates = [r for r in chunk if r.action == CREATED]
        updates = [r for r in chunk if r.action == UPDATED]
        inserts = self._creates(creates, allocation) if creates else ()
        changes = self._updates(updates) if updates else ()

        def write() -> None:
            for insert in inserts:
                bulk.run_insert(insert)
            for change in changes:
                bulk.run_update(change)

        return write

    def _creates(
        self, rows: list[_Row], allocation: _Allocation
    ) -> tuple[bulk.Insert, bulk.Insert]:
        """New members and their 入会 events as plain rows for the bulk path (binary COPY on
        PostgreSQL): the same stored forms as `member_join`, without an ORM object per row;
        member numbers and ids were taken for the whole chunk by its lookup job."""
        actor_id = getattr(self.actor, "pk", None)
        now = bulk.db_datetime(timezone.now())
        position = self._position
        # The values every new member of this chunk shares, set once in its template.
        template = self._member_template.copy()
        for column, value in (
            ("source", MemberSource.IMPORTED.value),
            ("collected_by_id", actor_id),
            ("status", MemberStatus.ACTIVE),
            ("created_at", now),
            ("updated_at", now),
        ):
            template[position[column]] = value
        personal_at = [position[c] for c in PERSONAL_COLUMNS]
        verification = position["verification_status"]
        county_unknown = position["id_county_unknown"]
        union_at, origin_at = position["union_id"], position["origin_union_id"]
        initials_at, joined_at = position["name_initials"], position["joined_on"]
        number_at = position["member_number"]
        # Numbers in file order within each (division, year), as one allocation per key gave.
        last = allocation.last
        taken = {key: last[key] - count for key, count in allocation.counts.items()}
        # Rows of a file clean to the same fields: their positions are worked out once per
        # set of field names.
        layouts: dict[tuple, list[int | None]] = {}
        records = []
        sealed = seal_personal([row.prep for row in rows], self._keyring)
        for row, pk, personal in zip(rows, allocation.ids, sealed, strict=True):
            prep = row.prep
            cleaned = prep.cleaned
            names = tuple(cleaned)
            layout = layouts.get(names)
            if layout is None:
                layout = layouts[names] = [position.get(name) for name in names]
            record = template.copy()
            for i, value in zip(layout, cleaned.values(), strict=True):
                if i is not None:
                    record[i] = value
            for i, value in zip(personal_at, personal, strict=True):
                record[i] = value
            record[verification] = verification_for(
                county_unknown=record[county_unknown], current=record[verification]
            )
            record[union_at] = record[origin_at] = row.union.pk
            record[initials_at] = prep.initials
            key = _number_key(row)
            number = taken[key] + 1
            taken[key] = number
            record[number_at] = member_number(key[0], key[1], number)
            record[0] = pk
            records.append(record)
        if bulk.dates_as_text():
            dates = self._date_positions
            for record in records:
                for i in dates:
                    value = record[i]
                    if value is not None:
                        record[i] = value.isoformat()
        members = bulk.prepare_insert(Member._meta.db_table, self._member_columns, records)
        join, active = str(ChangeType.JOIN), str(MemberStatus.ACTIVE)
        events = [
            (
                record[0],
                join,
                "",
                record[joined_at],
                record[union_at],
                None,
                None,
                "",
                active,
                "批量导入",
                actor_id,
                now,
            )
            for record in records
        ]
        return members, bulk.prepare_insert(MembershipEvent._meta.db_table, EVENT_COLUMNS, events)

    def _updates(self, rows: list[_Row]) -> list[bulk.Update]:
        """Existing members' new values as plain rows for the set-based update (COPY into a
        scratch table and one UPDATE … FROM on PostgreSQL), one per layout — the fields the
        rows set; a file's rows nearly always share one.

        The same stored result as the model-based update before it: every updatable field the
        row carries, the phone (its stored forms) only when the cell is filled, with the
        待人工核查 rule of `apply_personal_data` for an ID whose county code is unknown; the
        name's initials and `updated_at` on every row, no event. The phone is encrypted only
        when it changed: the ciphertext the row work already made is used, the stored one is
        kept when it decrypts to the same number (decrypted only when the masks agree, all of
        a chunk's at once); only the phones that changed are encrypted, in one batch."""
        now = bulk.db_datetime(timezone.now())
        as_text = bulk.dates_as_text()
        keyring = self._keyring
        layouts = self._update_layouts
        groups: dict[tuple, list[list]] = {}
        # Stored phones whose masks agree with the file's: decrypted in one batch.
        candidates = [
            row.existing.phone_encrypted
            for row in rows
            if row.prep.cleaned.get("phone") and row.existing.phone_masked == row.prep.personal[5]
        ]
        stored = iter(crypto.decrypt_many(candidates, context=PHONE_CONTEXT, keyring=keyring))
        to_seal: list[tuple[list, int, str]] = []  # a changed phone: (values, slot, phone)
        for row in rows:
            prep, held = row.prep, row.existing
            cleaned = prep.cleaned
            phone = cleaned.get("phone")
            key = (tuple(cleaned), bool(phone))
            layout = layouts.get(key)
            if layout is None:
                layout = layouts[key] = _update_layout(cleaned, phone=bool(phone))
            values = [held.id]
            for name in layout.names:
                value = cleaned[name]
                if as_text and isinstance(value, datetime.date):
                    value = value.isoformat()
                values.append(value)
            if phone:
                masked, tail = prep.personal[5:7]
                if held.phone_masked == masked and next(stored) == phone:
                    values += (held.phone_encrypted, masked, tail)
                else:
                    to_seal.append((values, len(values), phone))
                    values += (None, masked, tail)
            if layout.initials:
                values.append(prep.initials)
            values.append(now)
            groups.setdefault(key, []).append(values)
        if to_seal:
            sealed = crypto.encrypt_many(
                [phone for _values, _slot, phone in to_seal], context=PHONE_CONTEXT, keyring=keyring
            )
            for (values, slot, _phone), token in zip(to_seal, sealed, strict=True):
                values[slot] = token
        return [
            bulk.prepare_update(
                Member._meta.db_table,
                layouts[key].columns,
                values,
                computed=layouts[key].computed,
            )
            for key, values in groups.items()
        ]


class _UpdateLayout(NamedTuple):
    """The columns of an update, for rows that clean to the same fields."""

    names: tuple[str, ...]  # the updatable fields the rows set (the phone apart)
    initials: bool
    columns: tuple[str, ...]  # id, the fields' columns, the phone's, name_initials, updated_at
    computed: dict[str, str]


def _update_layout(cleaned: dict, *, phone: bool) -> _UpdateLayout:
    """The update's columns for rows that clean to these fields."""
    names = tuple(n for n in cleaned if n in UPDATABLE and n != "phone")
    meta = Member._meta
    columns = [meta.pk.column, *(meta.get_field(n).column for n in names)]
    computed = {}
    if phone:
        columns += ["phone_encrypted", "phone_masked", "phone_tail"]
        # apply_personal_data: setting the phone of a member whose ID has an unknown county
        # code leaves it 待人工核查 unless verified.
        status = "t" if "verification_status" in names else "m"
        status += ".verification_status"  # the file's value, else the stored one
        # codes.verification_for in SQL: fixed model constants, no user input
        unchecked = ", ".join(f"'{code}'" for code in UNCHECKED_VERIFICATIONS)
        computed["verification_status"] = (
            f"CASE WHEN m.id_county_unknown AND {status} IN ({unchecked}) "
            f"THEN '{Verification.PENDING_CHECK.value}' ELSE {status} END"
        )
    initials = "name" in names  # always: the name is a required column
    if initials:
        columns.append("name_initials")
    columns.append("updated_at")
    return _UpdateLayout(names, initials, tuple(columns), computed)


class _DatabaseThread:
    """Runs the importer's database jobs in threads of their own (PostgreSQL): writes in the
    order given on the importer's own connection, lookups in the order given on a side
    connection when the import's transaction is the outermost one (else on the importer's
    connection too, after the writes queued before them).

    The write thread uses the importer's connection inside its transaction (Django's thread
    sharing, as its live test server does); the importer's own thread never touches the
    database while the jobs may (every query of the import is a job). Jobs have little Python
    work — the rows arrive encoded (`bulk.prepare_insert`) — so the threads mostly wait on the
    servers, which releases Python's lock: the writing server process, the looking-up one
    and the next chunk's row work overlap. The side connection sees committed data only,
    which is all a lookup needs: the rows this import wrote are new people, and a person
    appears once in a file (`MSG_DUPLICATE_IN_FILE`). At most `MAX_QUEUED_WRITES` writes wait
    (each holds a chunk's encoded rows); an error in a job is raised by the next `write` or
    `drain`, and the transaction rolls everything back.
    """

    pipelined = True
    MAX_QUEUED_WRITES = 2

    def __init__(self, *, side: bool):
        self.connection = connections[DEFAULT_DB_ALIAS]
        self.connection.inc_thread_sharing()
        self.writer = ThreadPoolExecutor(max_workers=1, initializer=self._adopt)
        self.side = bulk.side_connection() if side else None
        self.reader = ThreadPoolExecutor(max_workers=1) if side else self.writer
        self.writes: deque[Future] = deque()

    def _adopt(self) -> None:
        connections[DEFAULT_DB_ALIAS] = self.connection

    def lookup(self, job: Callable) -> Future:
        return self.reader.submit(job, self.side)

    def write(self, job: Callable) -> Future:
        while self.writes and (self.writes[0].done() or len(self.writes) >= self.MAX_QUEUED_WRITES):
            self.writes.popleft().result()  # raises a failed write's error here
        future = self.writer.submit(job)
        self.writes.append(future)
        return future

    def drain(self) -> None:
        while self.writes:
            self.writes.popleft().result()

    def close(self) -> None:
        """Let the jobs in flight finish (their errors, if any, are dropped: another is on its
        way up), then stop the threads and close the side connection."""
        self.writer.shutdown(wait=True, cancel_futures=True)
        if self.side is not None:
            self.reader.shutdown(wait=True, cancel_futures=True)
            self.side.close()
        self.connection.dec_thread_sharing()


class _Inline:
    """Runs each database job at once, in the importer's thread (SQLite).

    SQLite works inside this process: its inserts hold Python's lock to bind each row and let
    it go only for the few microseconds of each step, so a thread would wait up to the
    interpreter's 5 ms switch interval for the lock after every row while the importer's
    thread computes (measured: 100,000 rows 19.5 s with a thread, 12.7 s without). In order,
    too: `bulk.next_ids` on SQLite counts on the previous chunk being written."""

    pipelined = False

    def lookup(self, job: Callable) -> Future:
        return self.write(job)

    def write(self, job: Callable) -> Future:
        future: Future = Future()
        future.set_result(job())
        return future

    def drain(self) -> None:
        pass

    def close(self) -> None:
        pass


def import_members(
    *,
    actor,
    union: Organization,
    path: Path,
    kind: str,
    dry_run: bool,
    update_existing: bool = False,
    report_path: Path | None = None,
    progress=None,
) -> Summary:
    """Run the importer once; with `report_path`, also write the result workbook."""
    importer = MemberImporter(
        actor=actor,
        union=union,
        update_existing=update_existing,
        dry_run=dry_run,
        progress=progress,
    )
    report = None
    if report_path is not None:
        from ruhui.tabular.report import build_error_report

        def report(headers, rows, summary):
            build_error_report(report_path, headers=headers, rows=rows, summary=summary)

    return importer.run(Path(path), kind, report=report)
