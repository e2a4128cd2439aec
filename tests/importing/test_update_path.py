"""Update mode's set-based path (issue 14 item 6): existing members are written by one UPDATE …
FROM a scratch table per chunk (binary COPY into it on PostgreSQL), on the same ordered writer
thread as the inserts. It must store exactly what the model-based path before it stored —
kept here, and only here, as the reference (`reference_writes`) — and keep every rule:
reconciliation, all-or-nothing, a dry run that writes nothing and counts the same."""

import threading
from itertools import count

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ruhui.core import bulk, crypto
from ruhui.importing import member_import
from ruhui.importing.member_import import CREATED, UPDATABLE, UPDATED, MemberImporter
from ruhui.members import services as member_services
from ruhui.members.models import Member, MembershipEvent
from ruhui.members.personal import ID_CONTEXT, PHONE_CONTEXT
from tests.importing.test_member_import import good_row, roster, run
from tests.members.factories import join, make_id_number, make_phone

HEADER = [
    "序号",
    "会员姓名",
    "公民身份号码",
    "手机号码",
    "民族",
    "是否农民工",
    "八大群体",
    "入会时间",
    "学历",
    "最近缴纳会费日期",
]
NAMES = ["王伟", "李娜", "欧阳娜娜", "张三丰"]
ETHNIC = ["汉族", "回族", ""]  # blank: the default (汉族)
MIGRANT = ["是", "否"]
GROUPS = ["快递员", "货车司机", "网约送餐员", "非八大群体"]
EDUCATION = ["本科", "高中", ""]  # blank: no value, the field is not set
PAID = ["2024年3月1日", "2025年1月15日", ""]  # blank: not set
REGIONS = ["410481", "410499"]  # a known county, and one whose code is unknown (待人工核查)

_files = count()


def reference_writes(self, chunk, allocation):
    """`MemberImporter._writes` as it was before the set-based update: the reference."""
    creates = [r for r in chunk if r.action == CREATED]
    updates = [r for r in chunk if r.action == UPDATED]
    inserts = self._creates(creates, allocation) if creates else ()

    def write() -> None:
        for insert in inserts:
            bulk.run_insert(insert)
        if updates:
            reference_update(self, updates)

    return write


def reference_update(self, rows) -> None:
    """The model-based update of existing members the importer used before (verbatim, but for
    `row.existing` now being the held membership rather than its id)."""
    changed_fields: set[str] = set()
    members = []
    current = Member.objects.in_bulk([row.existing.id for row in rows])
    for row in rows:
        member = current[row.existing.id]
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


def person(data=None, **fixed):
    """One roster row's values (a dict, so that a change is one key)."""
    values = {
        "name": NAMES[0],
        "id": make_id_number(),
        "phone": make_phone(),
        "ethnic": ETHNIC[0],
        "migrant": MIGRANT[0],
        "group": GROUPS[0],
        "joined": "2019年5月1日",
        "education": EDUCATION[0],
        "paid": PAID[0],
    }
    return values | fixed


def cells(values: dict) -> list:
    row = good_row(**{k: v for k, v in values.items() if k not in ("education", "paid")})
    return [*row, values["education"], values["paid"]]


def write_roster(tmp_path, people: list[dict]):
    return roster(tmp_path / f"u{next(_files)}.xlsx", [cells(p) for p in people], header=HEADER)


def stored_state() -> tuple[dict, list]:
    """Every member column as stored, the ciphertexts decrypted (their nonces differ from one
    encryption to the next), keyed by the blind index (new members' ids differ from run to
    run on PostgreSQL: sequences do not roll back); and every event."""
    members = {}
    for values in Member.objects.values():
        values = dict(values)
        for name in ("id", "created_at", "updated_at"):
            values.pop(name)
        values["id_number"] = crypto.decrypt(values.pop("id_number_encrypted"), context=ID_CONTEXT)
        sealed = values.pop("phone_encrypted")
        values["phone"] = crypto.decrypt(sealed, context=PHONE_CONTEXT) if sealed else ""
        members[values["id_number_hash"]] = values
    hashes = dict(Member.objects.values_list("id", "id_number_hash"))
    events = sorted(
        (
            hashes[e["member_id"]],
            *(repr(e[k]) for k in sorted(e) if k not in ("id", "member_id", "created_at")),
        )
        for e in MembershipEvent.objects.values()
    )
    return members, events


def touched() -> dict[str, object]:
    return dict(Member.objects.values_list("id_number_hash", "updated_at"))


def counts(summary) -> tuple:
    return (summary.rows, summary.created, summary.updated, summary.rejected)


change = st.fixed_dictionaries(
    {},
    optional={
        "name": st.sampled_from(NAMES),
        "phone": st.sampled_from(["new", ""]),
        "ethnic": st.sampled_from(ETHNIC),
        "migrant": st.sampled_from(MIGRANT),
        "group": st.sampled_from(GROUPS),
        "education": st.sampled_from(EDUCATION),
        "paid": st.sampled_from(PAID),
    },
)
initial = st.fixed_dictionaries(
    {
        "name": st.sampled_from(NAMES),
        "ethnic": st.sampled_from(ETHNIC),
        "education": st.sampled_from(EDUCATION),
        "region": st.sampled_from(REGIONS),
        "phone": st.booleans(),
    }
)
mix = st.fixed_dictionaries(
    {
        # (how the member starts, what the file changes — empty: the row repeats them)
        "existing": st.lists(st.tuples(initial, change), max_size=8),
        "absent": st.integers(0, 2),  # members not in the file
        "new": st.lists(st.sampled_from(REGIONS), max_size=4),
        "held_elsewhere": st.booleans(),
        "bad_phone": st.booleans(),
        "chunk": st.sampled_from([2, 3, 5000]),
        "order": st.randoms(use_true_random=False),
    }
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mix)
def test_update_path_stores_what_the_reference_path_stored(world, tmp_path, mix):
    before, changed = [], []
    for start, diff in mix["existing"]:
        values = person(
            id=make_id_number(start["region"]),
            name=start["name"],
            ethnic=start["ethnic"],
            education=start["education"],
            phone=make_phone() if start["phone"] else "",
        )
        before.append(values)
        if diff.get("phone") == "new":
            diff = diff | {"phone": make_phone()}
        changed.append(values | diff)
    before += [person() for _ in range(mix["absent"])]
    changed += [person(id=make_id_number(region)) for region in mix["new"]]
    if mix["bad_phone"]:
        changed.append(person(phone="123"))
    if mix["held_elsewhere"]:
        number = make_id_number()
        join(world.sibling_admin, world.sibling_trade, id_number=number)
        changed.append(person(id=number))
    mix["order"].shuffle(changed)
    results = {}
    with pytest.MonkeyPatch.context() as patch, transaction.atomic():
        patch.setattr(member_import, "CHUNK", mix["chunk"])
        if before:
            run(world, write_roster(tmp_path, before))
        start, stamps = stored_state(), touched()
        update = write_roster(tmp_path, changed)
        for label in ("reference", "set-based"):
            if label == "reference":
                patch.setattr(MemberImporter, "_writes", reference_writes)
            else:
                patch.undo()
                patch.setattr(member_import, "CHUNK", mix["chunk"])
            with transaction.atomic():
                dry = run(world, update, update=True, dry_run=True)
                assert stored_state() == start  # a dry run writes nothing …
                summary = run(world, update, update=True)
                assert counts(dry) == counts(summary)  # … and counts the same
                assert summary.reconciles
                refreshed = {h for h, at in touched().items() if h in stamps and at != stamps[h]}
                results[label] = (counts(summary), stored_state(), refreshed)
                transaction.set_rollback(True)
        transaction.set_rollback(True)
    assert results["set-based"] == results["reference"]
    (rows, created, updated, rejected), _state, refreshed = results["set-based"]
    assert (rows, created) == (len(changed), len(mix["new"]))
    assert rejected == mix["bad_phone"] + mix["held_elsewhere"]
    assert updated == len(mix["existing"]) == len(refreshed)  # updated_at on every updated row


def test_an_unchanged_phone_keeps_its_ciphertext_and_a_new_one_is_encrypted(world, tmp_path):
    same, moved = person(), person()
    run(world, write_roster(tmp_path, [same, moved]))
    stored = dict(Member.objects.values_list("id_number_hash", "phone_encrypted"))
    new_phone = make_phone()
    summary = run(
        world,
        write_roster(tmp_path, [same | {"group": "货车司机"}, moved | {"phone": new_phone}]),
        update=True,
    )
    assert (summary.updated, summary.reconciles) == (2, True)
    after = {m.id_number_hash: m for m in Member.objects.all()}
    kept = [h for h, sealed in stored.items() if after[h].phone_encrypted == sealed]
    assert len(kept) == 1 and after[kept[0]].group == "01"
    changed = next(m for h, m in after.items() if h not in kept)
    assert crypto.decrypt(changed.phone_encrypted, context=PHONE_CONTEXT) == new_phone
    assert (changed.phone_masked, changed.phone_tail) == (
        f"{new_phone[:3]}****{new_phone[-4:]}",
        new_phone[-4:],
    )
    assert MembershipEvent.objects.count() == 2  # the two 入会 events, no event for an update


def test_the_phone_of_an_unknown_county_id_leaves_it_pending_check(world, tmp_path):
    """apply_personal_data's rule, as before: a phone set on a member whose ID's county code is
    unknown leaves 核查状态 at 待人工核查 (3) unless it says verified."""
    values = person(id=make_id_number("410499"))
    run(world, write_roster(tmp_path, [values]))
    member = Member.objects.get()
    assert (member.id_county_unknown, member.verification_status) == (True, "3")
    run(world, write_roster(tmp_path, [values | {"phone": ""}]), update=True)
    assert Member.objects.get().verification_status == "0"  # the file's default, no phone
    run(world, write_roster(tmp_path, [values | {"phone": make_phone()}]), update=True)
    assert Member.objects.get().verification_status == "3"


@pytest.mark.django_db(transaction=True)
def test_all_or_nothing_when_an_update_fails_half_way(world, tmp_path, monkeypatch):
    """The outermost transaction (PostgreSQL: lookups on the side connection, writes on the
    writer thread): an update failing in the third chunk leaves nothing of the import."""
    monkeypatch.setattr(member_import, "CHUNK", 2)
    people = [person() for _ in range(4)]
    run(world, write_roster(tmp_path, people))
    start = stored_state()
    rows = [people[0] | {"group": "货车司机"}, person(), people[1] | {"name": "李娜"}, person()]
    rows += [people[2] | {"phone": make_phone()}, people[3]]
    calls = []
    original = bulk.run_update

    def failing(update):
        calls.append(threading.current_thread())
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return original(update)

    monkeypatch.setattr(member_import.bulk, "run_update", failing)
    with pytest.raises(RuntimeError):
        run(world, write_roster(tmp_path, rows), update=True)
    assert len(calls) == 3
    assert stored_state() == start
    monkeypatch.setattr(member_import.bulk, "run_update", original)
    summary = run(world, write_roster(tmp_path, rows), update=True)
    assert (summary.created, summary.updated, summary.rejected) == (2, 4, 0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_updates_run_on_the_writer_thread_with_binary_copy(world, tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the writer thread and COPY are PostgreSQL's")
    monkeypatch.setattr(member_import, "CHUNK", 2)
    people = [person() for _ in range(3)]
    run(world, write_roster(tmp_path, people))
    seen = []
    original = bulk.run_update

    def watching(update):
        seen.append((threading.current_thread() is threading.main_thread(), update.load.payload))
        return original(update)

    monkeypatch.setattr(member_import.bulk, "run_update", watching)
    summary = run(
        world, write_roster(tmp_path, [p | {"group": "保安员"} for p in people]), update=True
    )
    assert (summary.updated, summary.reconciles) == (3, True)
    assert len(seen) == 2 and all(not main and payload for main, payload in seen)
    assert set(Member.objects.values_list("group", flat=True)) == {"08"}
