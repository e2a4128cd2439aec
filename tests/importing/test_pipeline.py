"""The importer's database pipeline on PostgreSQL: writes in one thread on the import's own
connection, lookups (held memberships, member numbers, ids) on a side connection in another,
when the import's transaction is the outermost one (docs/decisions/0009-import-pipeline.md)."""

import pytest
from django.db import connection, transaction

from ruhui.core import bulk
from ruhui.importing import member_import
from ruhui.members.models import Member, MemberNumberSequence, MembershipEvent
from ruhui.members.services import MSG_ALREADY_MEMBER_ELSEWHERE
from tests.importing.test_member_import import good_row, roster, run
from tests.members.factories import join, make_id_number

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the side connection is PostgreSQL's")


@pytest.fixture
def side_connections(monkeypatch):
    """Counts the side connections the importer opens (and still opens them)."""
    opened = []
    original = bulk.side_connection

    def counting():
        side = original()
        opened.append(side)
        return side

    monkeypatch.setattr(member_import.bulk, "side_connection", counting)
    return opened


@pytest.mark.django_db(transaction=True)
def test_lookups_on_the_side_connection_give_the_same_results(
    postgres_only, world, tmp_path, side_connections, monkeypatch
):
    monkeypatch.setattr(member_import, "CHUNK", 2)  # several chunks in flight at once
    elsewhere, here = make_id_number(), make_id_number()
    join(world.sibling_admin, world.sibling_trade, id_number=elsewhere)
    existing = join(world.county_admin, world.county_trade, id_number=here, on="2019-05-01")
    rows = [good_row(), good_row(id=elsewhere), good_row(id=here), good_row(), good_row()]
    path = roster(tmp_path / "r.xlsx", rows)
    summary = run(world, path)
    assert len(side_connections) == 1 and side_connections[0].closed
    assert (summary.created, summary.updated, summary.rejected) == (3, 0, 2)
    messages = {e["row"]: e["message"] for e in summary.errors}
    assert messages[5] == str(MSG_ALREADY_MEMBER_ELSEWHERE) and "已是本工会会员" in messages[6]
    new = Member.objects.filter(union=world.county_trade, source="导入").order_by("id")
    # Numbers continue the union's sequence after the member who joined on the page.
    assert [m.member_number[-6:] for m in new] == ["000002", "000003", "000004"]
    assert MembershipEvent.objects.filter(member__in=new, change_type="1").count() == 3
    updated = run(
        world, roster(tmp_path / "u.xlsx", [good_row(id=here, group="保安员")]), update=True
    )
    assert (updated.created, updated.updated) == (0, 1)
    existing.refresh_from_db()
    assert existing.group == "08"


@pytest.mark.django_db(transaction=True)
def test_a_failed_import_writes_no_member_but_may_leave_a_gap_in_the_numbers(
    postgres_only, world, tmp_path, side_connections, monkeypatch
):
    """Numbers are taken in autocommit on the side connection (no lock held for the length of
    an import): like a sequence, a failed import leaves them used."""
    monkeypatch.setattr(member_import, "CHUNK", 2)
    original = member_import.bulk.run_insert
    calls = {"n": 0}

    def failing(insert):
        calls["n"] += 1
        if calls["n"] == 3:  # the second chunk's members
            raise RuntimeError("disk full")
        return original(insert)

    monkeypatch.setattr(member_import.bulk, "run_insert", failing)
    with pytest.raises(RuntimeError):
        run(world, roster(tmp_path / "r.xlsx", [good_row() for _ in range(5)]))
    assert Member.objects.count() == 0 and MembershipEvent.objects.count() == 0
    assert side_connections and side_connections[0].closed
    taken = MemberNumberSequence.objects.get(division="410481", year=2019).last
    assert taken >= 4
    member = join(world.county_admin, world.county_trade, on="2019-06-01")
    assert int(member.member_number[-6:]) == taken + 1  # no number is given out twice


@pytest.mark.django_db
def test_inside_an_enclosing_transaction_lookups_stay_on_the_import_connection(
    postgres_only, world, tmp_path, side_connections
):
    """A side connection cannot see what the enclosing transaction has not committed: a person
    registered in it must still be found."""
    number = make_id_number()
    with transaction.atomic():
        join(world.county_admin, world.county_trade, id_number=number)
        summary = run(world, roster(tmp_path / "r.xlsx", [good_row(id=number), good_row()]))
    assert side_connections == []
    assert (summary.created, summary.rejected) == (1, 1)


@pytest.mark.django_db(transaction=True)
def test_a_large_import_asks_only_about_the_people_the_registry_may_hold(
    postgres_only, world, tmp_path, monkeypatch
):
    """Past a tenth of the registry, the importer loads the held memberships' blind-index
    prefixes once and looks up only the rows they may match: the same results."""
    monkeypatch.setattr(member_import, "CHUNK", 2)
    monkeypatch.setattr(member_import, "KNOWN_MIN_ROWS", 2)
    monkeypatch.setattr(member_import, "KNOWN_RATIO", 1000)
    here, elsewhere = make_id_number(), make_id_number()
    join(world.county_admin, world.county_trade, id_number=here)
    join(world.sibling_admin, world.sibling_trade, id_number=elsewhere)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE members_member")  # the registry's size, as the importer reads it
    asked = []
    original = member_import._held_members
    monkeypatch.setattr(
        member_import,
        "_held_members",
        lambda hashes, side=None: asked.append(len(hashes)) or original(hashes, side),
    )
    loads = []
    original_load = member_import._KnownPeople.load
    monkeypatch.setattr(
        member_import._KnownPeople,
        "load",
        lambda self, side=None: loads.append(1) or original_load(self, side),
    )
    rows = [good_row(), good_row(), good_row(id=here), good_row(), good_row(id=elsewhere)]
    summary = run(world, roster(tmp_path / "r.xlsx", rows))
    assert loads == [1]
    assert (summary.created, summary.rejected) == (3, 2)
    messages = {e["row"]: e["message"] for e in summary.errors}
    assert "已是本工会会员" in messages[6] and messages[8] == str(MSG_ALREADY_MEMBER_ELSEWHERE)
    # The first chunk was looked up in full; after the load only the two known people were.
    assert asked == [2, 1, 1]


@pytest.mark.django_db(transaction=True)
def test_known_people_hold_every_held_membership_and_nobody_else(postgres_only, world):
    held = [join(world.county_admin, world.county_trade) for _ in range(3)]
    ended = join(world.county_admin, world.county_trade)
    Member.objects.filter(pk=ended.pk).update(status="withdrawn")
    known = member_import._KnownPeople()
    known.load()
    assert len(known.prefixes) == 3
    assert all(known.may_hold(m.id_number_hash) for m in held)
    assert not known.may_hold(ended.id_number_hash)
    assert not known.may_hold("0" * 64) and not known.may_hold("f" * 64)


@pytest.mark.django_db(transaction=True)
def test_someone_who_joins_elsewhere_meanwhile_rolls_the_import_back_with_a_message(
    postgres_only, world, tmp_path, monkeypatch
):
    """The lookup missed them (they joined after it): the database's guard refuses the
    write, nothing is written, and the cadre is told why in Chinese."""
    number = make_id_number()
    join(world.sibling_admin, world.sibling_trade, id_number=number)
    monkeypatch.setattr(member_import, "_held_members", lambda hashes, side=None: {})
    with pytest.raises(member_import.ImportConflict) as refused:
        run(world, roster(tmp_path / "r.xlsx", [good_row(), good_row(id=number)]))
    assert str(refused.value) == member_import.MSG_JOINED_MEANWHILE
    assert Member.objects.filter(union=world.county_trade).count() == 0
