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
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing import get_context
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ruhui.accounts.audit import Action, audit_record
from ruhui.core import crypto
from ruhui.importing import bulk
from ruhui.importing.files import FileRejected
from ruhui.importing.headers import MEMBER_HEADER_ALIASES
from ruhui.importing.prepare import Plan, init_worker, prepare_in_worker, prepare_rows
from ruhui.importing.readers import read_table
from ruhui.members import services as member_services
from ruhui.members.models import (
    HELD_STATUSES,
    ChangeType,
    Member,
    MembershipEvent,
    MemberStatus,
)
from ruhui.members.numbers import allocate_member_numbers
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


@dataclass
class _Row:
    number: int
    cells: list
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column header, message)
    data: dict | None = None
    union: Organization | None = None
    id_hash: str = ""
    action: str = REJECTED
    existing: Member | None = None
    personal: dict | None = None
    initials: str = ""


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
        fields = [f for f in Member._meta.concrete_fields if not f.primary_key]
        self._member_columns = [f.column for f in fields]
        self._member_attnames = set(self._member_columns)
        self._member_defaults = {f.column: f.get_default() for f in fields}
        self._keyring = (
            crypto.current_keyring()
        )  # read once: the keys cannot change during one import

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
        rows = self._results(table)
        if self.dry_run:
            self._drain(headers, rows, report)
        else:
            with transaction.atomic():
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
        if report is not None:
            report(headers, rows, self.summary)
        else:
            for _row in rows:
                pass

    def _results(self, table) -> Iterator[tuple[int, list, str, str]]:
        for chunk, prepared in self._prepared_chunks(table):
            yield from self._chunk(chunk, prepared)
        # Known only once the reader has gone through the whole sheet.
        self.summary.blank_rows = table.skipped_blank
        self.summary.notes_rows = len(table.notes_rows)

    def _prepared_chunks(self, table):
        """Chunks of (row number, cells) with their database-free work done, in file order.
        The first chunk is done here; the rest of a larger file goes to a pool of spawned
        worker processes, a few chunks ahead of the database writes."""
        raw = ((row.number, row.cells) for row in table.rows)
        workers = int(getattr(settings, "RUHUI_IMPORT_WORKERS", 1))
        # Small files never pay for starting worker processes (about a second each).
        for _ in range(1 if workers < 2 else POOL_AFTER_CHUNKS):
            chunk = list(islice(raw, CHUNK))
            if not chunk:
                return
            yield chunk, prepare_rows(self._plan, self._keyring, chunk)
        if workers < 2:
            while chunk := list(islice(raw, CHUNK)):
                yield chunk, prepare_rows(self._plan, self._keyring, chunk)
            return
        pending: deque = deque()
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=get_context("spawn"),
            initializer=init_worker,
            initargs=(self._plan,),
        ) as pool:
            while True:
                while len(pending) <= workers:
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
        self._match_existing([r for r in chunk if r.data is not None])
        if not self.dry_run:
            self._write(chunk)
        for row in chunk:
            self.summary.rows += 1
            if row.action == CREATED:
                self.summary.created += 1
            elif row.action == UPDATED:
                self.summary.updated += 1
            else:
                self.summary.rejected += 1
                for header, message in row.errors:
                    if len(self.summary.errors) < self.max_errors_listed:
                        self.summary.errors.append(
                            {"row": row.number, "field": header, "message": message}
                        )
            message = "；".join(f"{h}：{m}" if h else m for h, m in row.errors)
            yield row.number, row.cells, row.action, message
        self.progress(self.summary.rows, 0)

    def _row(self, number: int, cells: list, prep) -> _Row:
        """A row's result so far: the prepared work, its union, and in-file duplicates."""
        row = _Row(number=number, cells=cells, errors=list(prep.errors))
        row.union = self._resolve_union(prep.union_value, row)
        if row.errors or prep.cleaned is None:
            return row
        first = self._seen.get(prep.id_hash)
        if first is not None:
            row.errors.append(
                (self._header_of["id_number"], MSG_DUPLICATE_IN_FILE.format(row=first))
            )
            return row
        self._seen[prep.id_hash] = number
        row.data, row.id_hash = prep.cleaned, prep.id_hash
        row.personal, row.initials = prep.personal, prep.initials
        return row

    def _resolve_union(self, value, row: _Row) -> Organization | None:
        text = "" if value is None else str(value).strip()
        if not text:
            if self.union.pk in self._unions["pk"]:
                return self.union
            row.errors.append(
                ("所属工会", MSG_UNION_UNKNOWN.format(value="（空）", root=self.union.name))
            )
            return None
        found = self._unions["code"].get(text.upper()) or self._unions["name"].get(text)
        if found is None:
            row.errors.append(
                ("所属工会", MSG_UNION_UNKNOWN.format(value=text, root=self.union.name))
            )
        return found

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
            Member._meta.db_table, [r.id_hash for r in rows], tuple(HELD_STATUSES)
        )
        held = (
            {
                m.id_number_hash: m
                for m in Member.objects.select_related("union").filter(pk__in=found.values())
            }
            if found
            else {}
        )
        for row in rows:
            existing = held.get(row.id_hash)
            header = self._header_of["id_number"]
            if existing is None:
                row.action = CREATED
            elif existing.status == MemberStatus.TRANSFERRING:
                row.errors.append((header, MSG_TRANSFERRING.format(number=existing.member_number)))
            elif existing.union_id != row.union.pk:
                row.errors.append(
                    (
                        header,
                        # The same words as a single registration gets (one rule, one message).
                        str(member_services.MSG_ALREADY_MEMBER)
                        % {"union": existing.union.name, "number": existing.member_number},
                    )
                )
            elif not self.update_existing:
                row.errors.append((header, MSG_HELD_HERE.format(number=existing.member_number)))
            else:
                row.action, row.existing = UPDATED, existing
            if row.errors:
                row.action, row.data = REJECTED, None

    # --- writing ------------------------------------------------------------------------

    def _write(self, chunk: list[_Row]) -> None:
        creates = [r for r in chunk if r.action == CREATED]
        updates = [r for r in chunk if r.action == UPDATED]
        if creates:
            self._create(creates)
        if updates:
            self._update(updates)

    def _create(self, rows: list[_Row]) -> None:
        """New members and their 入会 events as plain rows through the bulk path (COPY on
        PostgreSQL): the same stored forms as `member_join`, without an ORM object per row."""
        actor_id = getattr(self.actor, "pk", None)
        now = bulk.db_datetime(timezone.now())
        records = []
        for row in rows:
            data = row.data
            record = dict(self._member_defaults)
            for name, value in data.items():
                if name in self._member_attnames:
                    record[name] = value
            record.update(row.personal)
            if record["id_county_unknown"] and record["verification_status"] in ("", "0"):
                record["verification_status"] = "3"  # 待人工核查
            record.update(
                name_initials=row.initials,
                union_id=row.union.pk,
                origin_union_id=row.union.pk,
                source="导入",
                collected_by_id=actor_id,
                status=MemberStatus.ACTIVE,
                created_at=now,
                updated_at=now,
            )
            records.append((row.union.division_code, record))
        by_key: dict[tuple[str, int], list[dict]] = {}
        for division, record in records:
            by_key.setdefault((division, record["joined_on"].year), []).append(record)
        for (division, year), group in by_key.items():
            numbers = allocate_member_numbers(division=division, year=year, count=len(group))
            for record, number in zip(group, numbers, strict=True):
                record["member_number"] = number
        columns = self._member_columns
        # Dates go to the driver as date objects (psycopg and sqlite3 both adapt them).
        bulk.insert_rows(
            Member._meta.db_table, columns, [tuple([r[c] for c in columns]) for _d, r in records]
        )
        ids = bulk.ids_by_key(
            Member._meta.db_table, "member_number", [r["member_number"] for _d, r in records]
        )
        events = [
            (
                ids[r["member_number"]],
                ChangeType.JOIN,
                "",
                r["joined_on"],
                r["union_id"],
                None,
                None,
                "",
                MemberStatus.ACTIVE,
                "批量导入",
                actor_id,
                now,
            )
            for _d, r in records
        ]
        bulk.insert_rows(MembershipEvent._meta.db_table, EVENT_COLUMNS, events)

    def _update(self, rows: list[_Row]) -> None:
        changed_fields: set[str] = set()
        members = []
        for row in rows:
            member = row.existing
            for name, value in row.data.items():
                if name in UPDATABLE and name != "phone" and getattr(member, name) != value:
                    setattr(member, name, value)
                    changed_fields.add(name)
            if row.data.get("phone"):
                member_services.apply_personal_data(
                    member, {"phone": row.data["phone"]}, keyring=self._keyring
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
