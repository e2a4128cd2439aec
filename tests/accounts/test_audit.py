"""The audit log (LOG-1..3): append-only in the model and, on PostgreSQL, in the database itself
(trigger of migration accounts/0002, which lets the retention purge delete rows older than 180
days); services write one row with exactly the changed fields; no row ever holds a password."""

import datetime as dt
import importlib
import json
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from ruhui.accounts import services
from ruhui.accounts.models import Role
from ruhui.audit.models import AuditEvent
from ruhui.audit.services import audit_record
from ruhui.orgs.models import Organization
from ruhui.orgs.services import organization_update
from tests.accounts.helpers import LOGIN_URL
from tests.factories import PASSWORD


def postgres_only(test):
    """The append-only trigger of migration 0002 exists on PostgreSQL only."""
    skip = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
    return pytest.mark.postgres(skip(test))


@pytest.fixture
def event(world):
    return audit_record(
        actor=world.county_admin, action=AuditEvent.Action.EXPORT, object_repr="会员名册"
    )


def aged(days: int) -> AuditEvent:
    return AuditEvent.objects.create(
        action=AuditEvent.Action.LOGIN,
        actor_username="old",
        at=timezone.now() - dt.timedelta(days=days),
    )


def raw(sql: str, params) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


# --- Append-only in the model ----------------------------------------------------------------


def test_saving_an_existing_event_raises(event):
    event.result = "forged"
    with pytest.raises(ValidationError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).result == "ok"


def test_deleting_an_event_raises(event):
    with pytest.raises(ValidationError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_new_event_can_be_saved(world):
    AuditEvent(action=AuditEvent.Action.EXPORT, actor_username="x").save()
    assert AuditEvent.objects.filter(actor_username="x").count() == 1


# --- Append-only in the database (PostgreSQL) ------------------------------------------------


@postgres_only
def test_raw_update_of_an_event_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE accounts_auditevent SET result = 'forged' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).result == "ok"


@postgres_only
def test_queryset_update_of_an_event_is_refused(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(result="forged")
    assert AuditEvent.objects.get(pk=event.pk).result == "ok"


@postgres_only
def test_raw_delete_of_a_recent_event_is_refused(event):
    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM accounts_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@postgres_only
def test_raw_delete_of_a_179_day_old_event_is_refused(db):
    row = aged(179)
    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM accounts_auditevent WHERE id = %s", [row.pk])
    assert AuditEvent.objects.filter(pk=row.pk).exists()


@postgres_only
def test_raw_delete_of_an_event_older_than_180_days_succeeds(db):
    row = aged(181)
    assert raw("DELETE FROM accounts_auditevent WHERE id = %s", [row.pk]) == 1
    assert not AuditEvent.objects.filter(pk=row.pk).exists()


@postgres_only
def test_raw_update_of_an_old_event_is_still_refused(db):
    row = aged(400)
    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE accounts_auditevent SET result = 'forged' WHERE id = %s", [row.pk])


def test_trigger_migration_sql_survives_driver_parameter_formatting():
    """The migration must apply on PostgreSQL: SQL executed with a params tuple (even empty) is
    %-formatted by the driver, so a bare '%' in the PL/pgSQL body breaks `ruhui migrate`."""
    migration = importlib.import_module("ruhui.accounts.migrations.0002_audit_append_only")
    sent = []

    def execute(sql, params=()):
        sent.append((sql, params))

    editor = SimpleNamespace(connection=SimpleNamespace(vendor="postgresql"), execute=execute)
    migration.forward(None, editor)

    assert len(sent) == 1
    sql, params = sent[0]
    try:
        executed = sql if params is None else sql % tuple(params)
    except (TypeError, ValueError) as exc:
        pytest.fail(f"the trigger SQL cannot be sent with params={params!r}: {exc}")
    assert "RAISE EXCEPTION 'audit log is append-only (% refused)', TG_OP;" in executed
    assert "FOR EACH ROW EXECUTE FUNCTION ruhui_audit_append_only()" in executed


# --- Services write one row with the changed fields ------------------------------------------


def update_rows():
    return AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE)


def test_organization_update_writes_one_row_with_the_changed_field(world):
    Organization.objects.filter(pk=world.county_trade.pk).update(chair_name="张三")
    organization_update(
        actor=world.county_admin, organization=world.county_trade, data={"chair_name": "李四"}
    )
    assert update_rows().count() == 1
    row = update_rows().get()
    assert row.changes == {"chair_name": ["张三", "李四"]}
    assert row.actor == world.county_admin
    assert row.object_type == "orgs.organization"
    assert row.object_id == str(world.county_trade.pk)
    assert row.org_path == world.county_trade.path


def test_organization_update_lists_only_the_fields_that_changed(world):
    Organization.objects.filter(pk=world.county_trade.pk).update(chair_name="张三")
    organization_update(
        actor=world.county_admin,
        organization=world.county_trade,
        data={"chair_name": "张三", "address": "舞钢市垭口路 1 号"},
    )
    assert update_rows().get().changes == {"address": ["", "舞钢市垭口路 1 号"]}


def test_an_update_that_changes_nothing_writes_no_row(world):
    Organization.objects.filter(pk=world.county_trade.pk).update(chair_name="张三")
    organization_update(
        actor=world.county_admin, organization=world.county_trade, data={"chair_name": "张三"}
    )
    assert not update_rows().exists()


def test_user_update_writes_one_row_with_the_changed_role(world):
    v = world.county_viewer
    services.user_update(
        actor=world.county_admin,
        user=v,
        full_name=v.full_name,
        organization=v.organization,
        role=Role.CLERK,
        is_active=True,
    )
    assert update_rows().count() == 1
    assert update_rows().get().changes == {"role": [Role.READONLY, Role.CLERK]}
    assert update_rows().get().org_path == world.county.path


def test_user_update_without_change_writes_no_row(world):
    v = world.county_viewer
    services.user_update(
        actor=world.county_admin,
        user=v,
        full_name=v.full_name,
        organization=v.organization,
        role=v.role,
        is_active=True,
    )
    assert not update_rows().exists()


def test_the_ip_of_the_request_is_recorded(world, client):
    client.post(
        LOGIN_URL, {"username": "county_admin", "password": PASSWORD}, REMOTE_ADDR="198.51.100.23"
    )
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGIN).ip == "198.51.100.23"


def test_an_event_outside_a_request_has_no_ip(world):
    organization_update(
        actor=world.county_admin, organization=world.county_trade, data={"chair_name": "王五"}
    )
    assert update_rows().get().ip is None


# --- No password, ever -----------------------------------------------------------------------


def test_audit_rows_never_contain_a_password(world):
    typed_wrong = "Typed-wrong-secret-91"
    new_own = "Gongren-ruhui-2026"
    created, one_time = services.user_create(
        actor=world.county_admin,
        username="wg_clerk",
        full_name="舞钢录入员",
        organization=world.county_trade,
        role=Role.CLERK,
    )
    reset = services.user_reset_password(actor=world.county_admin, user=world.county_viewer)
    services.user_change_password(user=world.county_admin, new_password=new_own)
    browser = Client()
    browser.post(LOGIN_URL, {"username": "county_viewer", "password": typed_wrong})
    browser.post(LOGIN_URL, {"username": "county_viewer", "password": reset})
    browser.post(LOGIN_URL, {"username": "wg_clerk", "password": one_time})

    rows = list(AuditEvent.objects.values())
    dump = json.dumps(rows, cls=DjangoJSONEncoder, ensure_ascii=False)
    actions = {row["action"] for row in rows}
    assert {"create", "update", "login", "login_failed"} <= actions
    created.refresh_from_db()
    world.county_viewer.refresh_from_db()
    world.county_admin.refresh_from_db()
    for secret in (
        one_time,
        reset,
        new_own,
        typed_wrong,
        PASSWORD,
        created.password,
        world.county_viewer.password,
        world.county_admin.password,
    ):
        assert secret not in dump
