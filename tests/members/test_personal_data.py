"""Personal data: never in clear in the database; masked on pages; revealed only with audit."""

import pytest
from django.db import connection

from ruhui.core import crypto
from ruhui.members import services
from tests.members.factories import join, make_id_number, make_phone


def dump_database() -> str:
    """Every value of every table, as text (what a database dump would hold)."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            parts.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(parts)


def test_database_holds_no_id_number_or_phone_in_clear(world):
    number, phone = make_id_number(), make_phone()
    member = join(world.county_admin, world.county_trade, id_number=number, phone=phone)
    services.reveal_personal_data(actor=world.county_admin, member=member)
    services.member_update(actor=world.county_admin, member=member, data={"phone": make_phone()})
    dump = dump_database()
    assert member.member_number in dump  # the dump is real
    assert number not in dump
    assert phone not in dump
    assert number[6:14] + number[14:] not in dump  # not even the birth date + sequence run


def test_stored_forms(world):
    number, phone = make_id_number(), make_phone()
    member = join(world.county_admin, world.county_trade, id_number=number, phone=phone)
    assert member.id_number_masked == number[:6] + "********" + number[14:]
    assert member.phone_masked == phone[:3] + "****" + phone[7:]
    assert crypto.decrypt(member.id_number_encrypted, context="member.id_number") == number
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(member.id_number_encrypted, context="member.phone")
    assert len(member.id_number_hash) == 64 and number not in member.id_number_hash


def test_reveal_needs_the_permission_and_is_audited(world):
    from django.core.exceptions import PermissionDenied

    from ruhui.audit.models import AuditEvent

    number = make_id_number()
    member = join(world.county_admin, world.county_trade, id_number=number)
    with pytest.raises(PermissionDenied):
        services.reveal_personal_data(actor=world.county_viewer, member=member)
    with pytest.raises(PermissionDenied):
        services.reveal_personal_data(actor=world.sibling_admin, member=member)
    assert not AuditEvent.objects.filter(action="reveal").exists()
    assert (
        services.reveal_personal_data(actor=world.county_admin, member=member)["id_number"]
        == number
    )
    event = AuditEvent.objects.get(action="reveal")
    assert event.actor == world.county_admin and event.object_id == str(member.pk)
    assert number not in str(event.changes) + event.object_repr
