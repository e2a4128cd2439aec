"""The shard simulation's classifier (bench/shards.py, docs/decisions/0016): statements of the
shapes Django and the importer send, routed as Citus's router planner would route them."""

from bench.shards import (
    CONTROL,
    COORDINATOR,
    MULTI,
    REFERENCE,
    REFERENCE_WRITE,
    SINGLE,
    Layout,
    classify,
    copy_route,
    shard_of,
)

MEMBER_OF = {"17": "hash-a", "18": "hash-b"}

LAYOUT = Layout(
    distributed={
        "members_member": ("person", {"id_number_hash": None, "id": MEMBER_OF.get}),
        "members_membershipevent": ("person", {"person_hash": None, "member_id": MEMBER_OF.get}),
        "enterprises_enterprise": ("enterprise", {"id": None}),
    },
    reference=frozenset({"orgs_organization"}),
    known=frozenset({"accounts_user", "django_session", "accounts_auditevent"}),
)


def route(sql, shards=16):
    return classify(sql, LAYOUT, shards, nodes=4)


def test_an_equality_on_the_blind_index_is_one_shard():
    found = route(
        'SELECT "members_member"."id" FROM "members_member" '
        'WHERE ("members_member"."id_number_hash" = \'hash-a\' '
        "AND \"members_member\".\"status\" IN ('active', 'retained'))"
    )
    assert (found.kind, found.fanout) == (SINGLE, 1)


def test_a_subtree_count_goes_to_every_shard():
    found = route(
        'SELECT COUNT(*) FROM "members_member" INNER JOIN "orgs_organization" '
        'ON ("members_member"."union_id" = "orgs_organization"."id") '
        'WHERE "orgs_organization"."path"::text LIKE \'00010001%\''
    )
    assert (found.kind, found.fanout, found.unpinned) == (MULTI, 16, ("members_member",))


def test_a_join_on_routing_columns_carries_the_pin_to_the_co_located_table():
    sql = (
        'SELECT * FROM "members_membershipevent" INNER JOIN "members_member" '
        'ON ("members_membershipevent"."member_id" = "members_member"."id") '
        'WHERE "members_membershipevent"."member_id" = 17'
    )
    assert route(sql).kind == SINGLE
    # Joined on a column that does not route (the union), the member is not pinned.
    unrouted = sql.replace('"members_member"."id")', '"members_member"."union_id")')
    assert route(unrouted).kind == MULTI


def test_tables_of_two_co_location_groups_are_not_one_shard():
    found = route(
        'SELECT 1 FROM "members_member" U0, "enterprises_enterprise" U1 '
        'WHERE U0."id_number_hash" = \'hash-a\' AND U1."id" = 5'
    )
    assert found.kind == MULTI


def test_in_lists_and_arrays_touch_the_shards_of_their_values():
    hashes = [f"h{i}" for i in range(40)]
    listed = ", ".join(f"'{h}'" for h in hashes)
    found = route(
        f'SELECT 1 FROM "members_member" WHERE "members_member"."id_number_hash" IN ({listed})',  # noqa: S608 (classified, never run)
        4,
    )
    assert found.fanout == len({shard_of(h, 4) for h in hashes}) == 4
    array = "{" + ",".join(hashes[:1]) + "}"
    lookup = route(
        'SELECT m.id FROM "members_member" m JOIN "orgs_organization" o ON o.id = m.union_id '  # noqa: S608
        f"WHERE m.id_number_hash = ANY('{array}'::text[]) AND m.status IN ('active')"
    )
    assert (lookup.kind, lookup.fanout) == (SINGLE, 1)


def test_an_insert_is_routed_by_the_value_it_writes():
    found = route(
        'INSERT INTO "members_membershipevent" ("member_id", "change_type") VALUES (18, \'1\') '
        'RETURNING "members_membershipevent"."id"'
    )
    assert (found.kind, found.write) == (SINGLE, True)


def test_a_literal_that_looks_like_sql_does_not_pin():
    found = route(
        'SELECT 1 FROM "members_member" WHERE "members_member"."name" = \'"id_number_hash" = 1\''
    )
    assert found.kind == MULTI


def test_reference_coordinator_and_control_statements():
    assert route('SELECT * FROM "orgs_organization" WHERE "orgs_organization"."id" = 3').kind == (
        REFERENCE
    )
    write = route(
        'UPDATE "orgs_organization" SET "name" = \'x\' WHERE "orgs_organization"."id" = 3'
    )
    assert (write.kind, write.fanout) == (REFERENCE_WRITE, 4)
    session = route('SELECT 1 FROM "django_session" WHERE "django_session"."session_key" = \'k\'')
    assert session.kind == COORDINATOR
    assert route('SAVEPOINT "s1"').kind == CONTROL


def test_a_copy_spreads_over_the_shards_of_its_rows():
    rows = [(f"h{i}", "张伟") for i in range(200)]
    found = copy_route("members_member", ["id_number_hash", "name"], rows, LAYOUT, 16)
    assert (found.kind, found.fanout) == (MULTI, 16)
    one = copy_route("members_member", ["id_number_hash", "name"], rows[:1], LAYOUT, 16)
    assert (one.kind, one.fanout) == (SINGLE, 1)
