"""The member table's indexes as the database holds them (not as the models say).

Every index is written once for each imported row, so the table carries only what reads use;
and "one person, one membership" must stay guarded by the database itself. Migration 0003
shows why this is read from the database: an AlterField on id_number_hash silently dropped the
partial unique index on PostgreSQL until the migration was ordered around it.
"""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from ruhui.members.models import (
    PROVENANCE_POINTERS,
    Member,
    MembershipEvent,
    MemberStatus,
    person_memberships,
)
from ruhui.members.personal import id_hash
from ruhui.members.selectors import member_find_by_id_number
from tests.members.factories import join, make_id_number

pytestmark = pytest.mark.django_db

#: Column lists of the member table's indexes besides the primary key.
EXPECTED_INDEXES = [
    ("id_number_hash",),  # one_membership_per_person: held memberships (partial, unique)
    ("id_number_hash",),  # member_id_hash_ended: ended memberships (partial)
    ("member_number",),  # unique
    ("union_id", "status"),  # every scoped list and count
    ("joined_on",),  # the member list's order
    ("name_initials",),  # the search by pinyin initials (prefix; a province's 10M members)
    ("phone_tail",),  # the search by the phone's last four digits
]


def _indexes(table: str) -> dict[str, dict]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {
        name: info
        for name, info in found.items()
        if (info["index"] or info["unique"]) and not info["primary_key"] and info["columns"]
    }


def test_member_table_holds_only_the_indexes_reads_use():
    indexes = _indexes(Member._meta.db_table)
    assert sorted(tuple(i["columns"]) for i in indexes.values()) == sorted(EXPECTED_INDEXES)
    # No LIKE-pattern twin of any index (PostgreSQL adds one for db_index/unique CharFields).
    assert not [name for name in indexes if name.endswith("_like")]


def test_one_membership_per_person_is_a_unique_index_in_the_database():
    indexes = _indexes(Member._meta.db_table)
    guard = indexes.get("one_membership_per_person")
    assert guard is not None, sorted(indexes)
    assert guard["unique"] and guard["columns"] == ["id_number_hash"]


def test_the_database_refuses_a_second_held_membership(world):
    """Past every service check: a raw second row for the same person is refused."""
    number = make_id_number()
    first = join(world.county_admin, world.county_enterprise, id_number=number)
    second = join(world.sibling_admin, world.sibling_trade)
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=second.pk).update(id_number_hash=first.id_number_hash)
    # A terminated membership of the same person may stand beside the held one.
    Member.objects.filter(pk=second.pk).update(
        id_number_hash=first.id_number_hash, status=MemberStatus.WITHDRAWN
    )


def test_a_person_is_found_in_every_status(world):
    """The blind index is split by status; the person lookup reads both halves."""
    number = make_id_number()
    old = join(world.county_admin, world.county_enterprise, id_number=number)
    Member.objects.filter(pk=old.pk).update(status=MemberStatus.WITHDRAWN)
    new = join(world.county_admin, world.county_trade, id_number=number)
    found = member_find_by_id_number(user=world.county_admin, number=number)
    assert {m.pk for m in found} == {old.pk, new.pk}


@pytest.mark.postgres
def test_the_person_lookup_uses_the_partial_indexes():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner")
    query = Member.objects.filter(person_memberships(id_hash("11010519491231002X")))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # an empty table: ask what it can use
        plan = query.explain()
    assert "one_membership_per_person" in plan and "member_id_hash_ended" in plan, plan


def _foreign_keys(table: str) -> set[str]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {info["columns"][0] for info in found.values() if info["foreign_key"]}


def test_the_registry_references_keep_their_foreign_keys():
    """A member's union and an event's member are guarded by the database; the provenance
    pointers (PROVENANCE_POINTERS) are not: each would be a trigger on every imported row."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's introspection does not list foreign keys as constraints here")
    assert _foreign_keys(Member._meta.db_table) == {"union_id"}
    assert _foreign_keys(MembershipEvent._meta.db_table) == {
        "member_id",
        "from_union_id",
        "to_union_id",
    }
    for model_name, field_name in PROVENANCE_POINTERS:
        model = {"Member": Member, "MembershipEvent": MembershipEvent}[model_name]
        assert not model._meta.get_field(field_name).db_constraint


def test_an_event_table_without_an_index_on_the_union():
    indexes = _indexes(MembershipEvent._meta.db_table)
    assert sorted(tuple(i["columns"]) for i in indexes.values()) == [
        ("change_type", "effective_on"),
        ("member_id", "effective_on", "id"),
    ]


def test_deleting_a_union_that_events_name_is_still_refused(world):
    """Without the constraint, Django's PROTECT still refuses the delete (and a union is only
    ever deactivated by the services)."""
    member = join(world.county_admin, world.county_enterprise)
    Member.objects.filter(pk=member.pk).update(union=world.county_trade)  # only events name it
    with pytest.raises(ProtectedError):
        world.county_enterprise.delete()
    assert MembershipEvent.objects.filter(union=world.county_enterprise).exists()
