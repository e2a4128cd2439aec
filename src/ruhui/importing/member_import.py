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

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing import get_context
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from ruhui.accounts.audit import Action, audit_record
from ruhui.core import crypto
from ruhui.importing import bulk
from ruhui.importing.files import FileRejected
from ruhui.importing.headers import MEMBER_HEADER_ALIASES
from ruhui.importing.prepare import (
    PERSONAL_COLUMNS,
    Plan,
    Prepared,
    init_worker,
    prepare_in_worker,
    row_preparer,
)
from ruhui.importing.readers import read_table
from ruhui.members import services as member_services
from ruhui.members.models import (
    HELD_STATUSES,
    ChangeType,
    Member,
    MembershipEvent,
    MemberStatus,
)
from ruhui.members.numbers import allocate_member_number_blocks
from ruhui.members.validation import LABELS
from ruhui.orgs.choices import ADMITTING_KINDS
from ruhui.orgs.models import Organization

CHUNK = 5000
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
MSG_UNION_UNKNOWN = (
    "所属工会「{value}」不在「{root}」之下或不能直接吸收会员：请填写下级基层工会的名称或组织代码。"
)


@dataclass
class Summary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    blank_rows: int = 0
    notes_rows: int = 0
    header_row: int = 0
    unknown_headers: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    dry_run: bool = True

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "rejected": self.rejected,
            "blank_rows": self.blank_rows,
            "notes_rows": self.notes_rows,
            "header_row": self.header_row,
            "unknown_headers": self.unknown_headers,
            "dry_run": self.dry_run,
            "errors": self.errors,
        }

    @property
    def reconciles(self) -> bool:
        return self.rows == self.created + self.updated + self.rejected


class _Row:
    """One data row on its way through a chunk (slots: a million of them are made)."""

    __slots__ = ("action", "cells", "errors", "existing", "number", "prep", "union")

    def __init__(self, number: int, cells: list, errors: list, prep: Prepared):
        self.number = number
        self.cells = cells
        self.errors = errors  # (column header, message)
        self.prep = prep
        self.union: Organization | None = None
        self.action = REJECTED
        self.existing: Member | None = None


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
        self._writer: _Writer | _InlineWriter | None = None

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
        rows = self._results(table)
        if self.dry_run:
            self._drain(headers, rows, report)
        else:
            with transaction.atomic(), bulk.import_session():
                self._drain(headers, rows, report)
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
        return self.summary

    # --- the pass -----------------------------------------------------------------------

    def _drain(self, headers, rows: Iterator, report) -> None:
        try:
            if report is not None:
                report(headers, rows, self.summary)
            else:
                for _row in rows:
                    pass
        finally:
            # Whatever failed, the writer has finished before the transaction ends.
            rows.close()

    def _results(self, table) -> Iterator[tuple[int, list, str, str]]:
        if self.dry_run:
            self._writer = None
        elif connection.vendor == "postgresql":
            self._writer = _Writer()
        else:
            self._writer = _InlineWriter()
        try:
            for chunk, prepared in self._prepared_chunks(table):
                yield from self._chunk(chunk, prepared)
            if self._writer is not None:
                self._writer.wait()
        finally:
            if self._writer is not None:
                self._writer.close()
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

    def _chunk(self, raw: list, prepared: list) -> Iterator[tuple[int, list, str, str]]:
        chunk = [
            self._row(number, cells, prep)
            for (number, cells), prep in zip(raw, prepared, strict=True)
        ]
        if self._writer is not None:
            self._writer.wait()  # the connection is free again: the last chunk is written
        self.progress(self.summary.rows, 0)
        self._match_existing([r for r in chunk if not r.errors])
        if self._writer is not None:
            self._writer.submit(self._writes(chunk))
        summary = self.summary
        errors = summary.errors
        for row in chunk:
            summary.rows += 1
            action = row.action
            if action == CREATED:
                summary.created += 1
                yield row.number, row.cells, action, ""
                continue
            if action == UPDATED:
                summary.updated += 1
                yield row.number, row.cells, action, ""
                continue
            summary.rejected += 1
            for header, message in row.errors:
                if len(errors) < self.max_errors_listed:
                    errors.append({"row": row.number, "field": header, "message": message})
            message = "；".join(f"{h}：{m}" if h else m for h, m in row.errors)
            yield row.number, row.cells, action, message

    def _row(self, number: int, cells: list, prep: Prepared) -> _Row:
        """A row's result so far: the prepared work, its union, and in-file duplicates."""
        errors = prep.errors
        union, union_error = self._resolve_union(prep.union_value)
        if union_error is not None:
            errors = [*errors, union_error]
        row = _Row(number, cells, errors, prep)
        row.union = union
        if errors:  # a row without errors always has its cleaned fields
            return row
        first = self._seen.get(prep.id_hash)
        if first is not None:
            row.errors = [(self._header_of["id_number"], MSG_DUPLICATE_IN_FILE.format(row=first))]
            return row
        self._seen[prep.id_hash] = number
        return row

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

    def _match_existing(self, rows: list[_Row]) -> None:
        if not rows:
            return
        found = bulk.held_member_ids(
            Member._meta.db_table, [r.prep.id_hash for r in rows], tuple(HELD_STATUSES)
        )
        if not found:
            for row in rows:
                row.action = CREATED
            return
        held = {
            m.id_number_hash: m
            for m in Member.objects.select_related("union").filter(pk__in=found.values())
        }
        header = self._header_of["id_number"]
        for row in rows:
            existing = held.get(row.prep.id_hash)
            if existing is None:
                row.action = CREATED
            elif existing.status == MemberStatus.TRANSFERRING:
                row.errors = [(header, MSG_TRANSFERRING.format(number=existing.member_number))]
            elif existing.union_id != row.union.pk:
                message = (
                    # The same words as a single registration gets (one rule, one message).
                    str(member_services.MSG_ALREADY_MEMBER)
                    % {"union": existing.union.name, "number": existing.member_number}
                )
                row.errors = [(header, message)]
            elif not self.update_existing:
                row.errors = [(header, MSG_HELD_HERE.format(number=existing.member_number))]
            else:
                row.action, row.existing = UPDATED, existing

    # --- writing ------------------------------------------------------------------------

    def _writes(self, chunk: list[_Row]) -> Callable[[], None]:
        """The chunk's writes, made ready here (this thread may use the connection now) and
        returned as one call for the writer, which then only waits on the database."""
        creates = [r for r in chunk if r.action == CREATED]
        updates = [r for r in chunk if r.action == UPDATED]
        inserts = self._creates(creates) if creates else ()

        def write() -> None:
            for insert in inserts:
                bulk.run_insert(insert)
            if updates:
                self._update(updates)

        return write

    def _creates(self, rows: list[_Row]) -> tuple[bulk.Insert, bulk.Insert]:
        """New members and their 入会 events as plain rows for the bulk path (binary COPY on
        PostgreSQL): the same stored forms as `member_join`, without an ORM object per row;
        member numbers for the whole chunk in one statement, ids known before the insert."""
        actor_id = getattr(self.actor, "pk", None)
        now = bulk.db_datetime(timezone.now())
        position = self._position
        template = self._member_template
        personal_at = [position[c] for c in PERSONAL_COLUMNS]
        at = position.get
        verification = position["verification_status"]
        county_unknown = position["id_county_unknown"]
        fixed = [
            (position[c], v)
            for c, v in (
                ("source", "导入"),
                ("collected_by_id", actor_id),
                ("status", MemberStatus.ACTIVE),
                ("created_at", now),
                ("updated_at", now),
            )
        ]
        union_at, origin_at = position["union_id"], position["origin_union_id"]
        initials_at, joined_at = position["name_initials"], position["joined_on"]
        number_at = position["member_number"]
        records = []
        counts: dict[tuple[str, int], int] = {}
        keys = []
        for row in rows:
            prep = row.prep
            record = template.copy()
            for name, value in prep.cleaned.items():
                i = at(name)
                if i is not None:
                    record[i] = value
            for i, value in zip(personal_at, prep.personal, strict=True):
                record[i] = value
            if record[county_unknown] and record[verification] in ("", "0"):
                record[verification] = "3"  # 待人工核查
            for i, value in fixed:
                record[i] = value
            record[union_at] = record[origin_at] = row.union.pk
            record[initials_at] = prep.initials
            key = (row.union.division_code, record[joined_at].year)
            counts[key] = counts.get(key, 0) + 1
            keys.append(key)
            records.append(record)
        last = allocate_member_number_blocks(counts)
        # Numbers in file order within each (division, year), as one allocation per key gave.
        taken = {key: last[key] - count for key, count in counts.items()}
        for record, key in zip(records, keys, strict=True):
            taken[key] += 1
            record[number_at] = f"{key[0]}{key[1]:04d}{taken[key]:06d}"
        ids = bulk.next_ids(Member._meta.db_table, len(records))
        for record, pk in zip(records, ids, strict=True):
            record[0] = pk
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

    def _update(self, rows: list[_Row]) -> None:
        changed_fields: set[str] = set()
        members = []
        for row in rows:
            member = row.existing
            data = row.prep.cleaned
            for name, value in data.items():
                if name in UPDATABLE and name != "phone" and getattr(member, name) != value:
                    setattr(member, name, value)
                    changed_fields.add(name)
            if data.get("phone"):
                member_services.apply_personal_data(
                    member, {"phone": data["phone"]}, keyring=self._keyring
                )
                changed_fields.update({"phone_encrypted", "phone_masked", "phone_tail"})
            member.name_initials = member_services.name_initials(member.name)
            members.append(member)
        changed_fields.add("name_initials")
        changed_fields.add("updated_at")
        now = timezone.now()
        for member in members:
            member.updated_at = now
        Member.objects.bulk_update(members, sorted(changed_fields), batch_size=1000)


class _Writer:
    """Runs a chunk's database writes in a thread of its own while the importer prepares the
    next chunk (PostgreSQL).

    The thread uses the importer's own database connection, inside its transaction (Django's
    thread sharing, as its live test server does); the importer touches the database only
    after `wait()`, so the two never use the connection at once. The thread has no Python work
    of its own — the rows arrive encoded (`bulk.prepare_insert`) — it hands them to the
    server and waits, which releases Python's lock: the server's work (COPY, indexes, foreign
    keys) and the next chunk's row work overlap on two cores. An error in a write is raised by
    the next `wait()`, and the transaction rolls everything back as before.
    """

    def __init__(self):
        self.connection = connections[DEFAULT_DB_ALIAS]
        self.connection.inc_thread_sharing()
        self.pool = ThreadPoolExecutor(max_workers=1, initializer=self._adopt)
        self.pending: Future | None = None

    def _adopt(self) -> None:
        connections[DEFAULT_DB_ALIAS] = self.connection

    def submit(self, write: Callable[[], None]) -> None:
        self.wait()
        self.pending = self.pool.submit(write)

    def wait(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        """Let a write in flight finish (its error, if any, is dropped: another is on its way
        up), then stop the thread."""
        self.pool.shutdown(wait=True)
        self.connection.dec_thread_sharing()


class _InlineWriter:
    """Runs the writes at once, in the importer's thread (SQLite).

    SQLite works inside this process: its inserts hold Python's lock to bind each row and let
    it go only for the few microseconds of each step, so a writer thread would wait up to the
    interpreter's 5 ms switch interval for the lock after every row while the importer's
    thread computes (measured: 100,000 rows 19.5 s with the thread, 12.7 s without)."""

    def submit(self, write: Callable[[], None]) -> None:
        write()

    def wait(self) -> None:
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
        from ruhui.importing.report import build_error_report

        def report(headers, rows, summary):
            build_error_report(report_path, headers=headers, rows=rows, summary=summary)

    return importer.run(Path(path), kind, report=report)
