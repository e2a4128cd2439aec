"""An application's trail is its own append-only table (ApplicationEvent), not a read-back of
the audit log; and an online transfer follows its registry transfer the moment that transfer is
closed, wherever it was closed — no page has to be opened for it (no GET writes)."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ruhui.accounts.models import UserSession
from ruhui.joining import selectors, services
from ruhui.joining.models import ApplicationEvent, ApplicationStatus, ApplicationStep
from ruhui.members import services as member_services
from tests.joining.test_review_detail import submit, url
from tests.members.factories import join

pytestmark = pytest.mark.django_db

migration = importlib.import_module("ruhui.joining.migrations.0002_application_events")


def trail(application):
    return [(e.step, e.status, e.actor_name) for e in selectors.application_history(application)]


def test_a_join_leaves_submitted_then_approved(world):
    application = submit(world.county_trade, name="李小龙")
    services.application_approve(actor=world.county_admin, application=application)
    name = world.county_admin.display_name
    assert trail(application) == [
        (ApplicationStep.SUBMITTED, ApplicationStatus.PENDING, "申请人（网上）"),
        (ApplicationStep.APPROVED, ApplicationStatus.APPROVED, name),
    ]


def test_events_are_append_only(world):
    application = submit(world.county_trade)
    event = application.events.get()
    event.note = "改过"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert application.events.get().note != "改过"


def _waiting_transfer(world):
    member = join(world.sibling_admin, world.sibling_trade, name="钱多")
    application = services.transfer_request_submit(
        member=member, to_union=world.county_trade, link=None, consent=True
    )
    services.application_approve(actor=world.sibling_admin, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.AWAITING_IN
    return application


def test_accepted_on_the_registry_pages_the_application_completes_at_once(world):
    application = _waiting_transfer(world)
    member_services.transfer_accept(
        actor=world.county_admin, code=application.transfer.code, union=world.county_trade
    )
    application.refresh_from_db()  # no page opened in between
    assert application.status == ApplicationStatus.COMPLETED
    assert application.decided_by == world.county_admin
    assert [step for step, _status, _who in trail(application)] == [
        ApplicationStep.SUBMITTED,
        ApplicationStep.TRANSFER_OUT,
        ApplicationStep.COMPLETED,
    ]


def test_returned_or_cancelled_on_the_registry_pages_the_application_is_refused(world):
    returned = _waiting_transfer(world)
    member_services.transfer_reject(
        actor=world.county_admin, transfer=returned.transfer, reason="查无此人"
    )
    returned.refresh_from_db()
    assert returned.status == ApplicationStatus.REJECTED
    assert returned.decision_reason == "查无此人"
    assert trail(returned)[-1][0] == ApplicationStep.REJECTED


def test_accepting_through_the_application_records_one_step_not_two(world):
    application = _waiting_transfer(world)
    services.application_approve(actor=world.county_admin, application=application)
    steps = [step for step, _status, _who in trail(application)]
    assert steps.count(ApplicationStep.COMPLETED) == 1


def test_opening_the_review_page_writes_nothing(world, as_user):
    # The old page moved an application whose transfer had been closed elsewhere when it was
    # opened (a GET that wrote); now the close itself moved it.
    application = _waiting_transfer(world)
    member_services.transfer_accept(
        actor=world.county_admin, code=application.transfer.code, union=world.county_trade
    )
    client = as_user(world.county_admin)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("joining:detail", application))
    assert response.status_code == 200
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and UserSession._meta.db_table not in q["sql"]  # the session is saved every request
    ]
    assert writes == []


def test_the_migration_rebuilds_old_trails_from_the_audit_log(world):
    # Applications from before the table: their trail was in the audit log only.
    application = _waiting_transfer(world)
    services.application_approve(actor=world.county_admin, application=application)
    before = trail(application)
    ApplicationEvent.objects.filter(application=application)._raw_delete(connection.alias)
    migration.backfill_trails(apps, None)
    after = trail(application)
    assert [(step, status) for step, status, _who in after] == [
        (step, status) for step, status, _who in before
    ]
