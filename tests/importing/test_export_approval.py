"""Approval of large full-ID exports (PI-4): another admin of the jurisdiction decides."""

import pytest
from django.test import Client
from django.urls import reverse

from ruhui.audit.models import AuditEvent
from ruhui.jobs.models import Job, JobStatus
from ruhui.jobs.services import job_run
from tests.factories import UserFactory
from tests.members.factories import join

REASON = "报送省总工会实名制数据库"


@pytest.fixture
def roster(world, settings):
    """Three members in county A, and an approval threshold of two rows."""
    settings.RUHUI_FULL_EXPORT_APPROVAL_ROWS = 2
    for name in ("审批甲", "审批乙", "审批丙"):
        join(world.county_admin, world.county_trade, name=name)
    return world


@pytest.fixture
def request_full(as_user, django_capture_on_commit_callbacks):
    """`request_full(user, union)` → the export job a full-export request created."""

    def ask(user, union):
        with django_capture_on_commit_callbacks(execute=True):
            response = as_user(user).post(
                reverse("importing:export"),
                {"union": union.pk, "fmt": "csv", "full": "on", "reason": REASON},
            )
        assert response.status_code == 302, response.content.decode()
        return Job.objects.filter(kind="member_export").latest("id")

    return ask


@pytest.fixture
def decide(as_user, django_capture_on_commit_callbacks):
    def post(user, job, decision="approve", note="同意报送"):
        with django_capture_on_commit_callbacks(execute=True):
            return as_user(user).post(
                reverse("jobs:decide", args=[job.pk]),
                {"decision": decision, "note": note},
            )

    return post


def export_events():
    return AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT)


def test_full_export_over_the_threshold_waits_and_does_not_run(roster, request_full, as_user):
    job = request_full(roster.county_admin, roster.county)
    assert job.status == JobStatus.AWAITING_APPROVAL and job.rows_requested == 3
    assert job.result_path == "" and not export_events().exists()
    # Even a task that reached the worker does nothing while the export waits.
    assert job_run(job.pk) == {}
    job.refresh_from_db()
    assert job.status == JobStatus.AWAITING_APPROVAL
    page = as_user(roster.county_admin).get(reverse("jobs:detail", args=[job.pk]))
    assert "待审批" in page.content.decode()
    assert reverse("jobs:decide", args=[job.pk]) not in page.content.decode()


def test_under_the_threshold_runs_without_approval(roster, request_full, settings):
    settings.RUHUI_FULL_EXPORT_APPROVAL_ROWS = 3
    job = request_full(roster.county_admin, roster.county)
    assert job.status == JobStatus.SUCCEEDED and job.rows == 3
    assert export_events().count() == 1


def test_masked_export_never_needs_approval(roster, as_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        as_user(roster.county_admin).post(
            reverse("importing:export"), {"union": roster.county.pk, "fmt": "csv"}
        )
    assert Job.objects.filter(kind="member_export").get().status == JobStatus.SUCCEEDED


def test_requester_cannot_approve_their_own_export(roster, request_full, decide):
    job = request_full(roster.county_admin, roster.county)
    response = decide(roster.county_admin, job)
    assert response.status_code == 403
    job.refresh_from_db()
    assert job.status == JobStatus.AWAITING_APPROVAL


def test_a_sibling_county_admin_gets_404(roster, request_full, decide, as_user):
    job = request_full(roster.county_admin, roster.county)
    assert decide(roster.sibling_admin, job).status_code == 404
    page = as_user(roster.sibling_admin).get(reverse("jobs:detail", args=[job.pk]))
    assert page.status_code == 404
    listing = as_user(roster.sibling_admin).get(reverse("importing:export")).content.decode()
    assert "待我审批" not in listing
    job.refresh_from_db()
    assert job.status == JobStatus.AWAITING_APPROVAL


def test_a_read_only_user_cannot_approve(roster, request_full, decide):
    job = request_full(roster.county_admin, roster.county)
    assert decide(roster.county_viewer, job).status_code == 403
    job.refresh_from_db()
    assert job.status == JobStatus.AWAITING_APPROVAL


def test_an_admin_below_the_export_union_cannot_approve(roster, request_full, decide):
    # An admin of a grassroots union does not cover the whole county's export: 404.
    below = UserFactory(organization=roster.county_trade)
    job = request_full(roster.county_admin, roster.county)
    assert decide(below, job).status_code == 404


def test_approval_runs_the_export_for_the_requester(roster, request_full, decide, as_user):
    job = request_full(roster.county_admin, roster.county)
    listing = as_user(roster.city_admin).get(reverse("importing:export")).content.decode()
    assert "待我审批" in listing and reverse("jobs:detail", args=[job.pk]) in listing
    page = as_user(roster.city_admin).get(reverse("jobs:detail", args=[job.pk]))
    assert reverse("jobs:decide", args=[job.pk]) in page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()

    response = decide(roster.city_admin, job, note="同意，按期报送")

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.rows == 3
    assert job.decided_by == roster.city_admin and job.decision_note == "同意，按期报送"
    decision = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(job.pk))
    assert decision.actor == roster.city_admin
    assert decision.changes["状态"] == ["待审批", "已批准"]
    assert decision.changes["审批意见"] == [None, "同意，按期报送"]
    export = export_events().get()
    assert export.actor == roster.county_admin
    assert export.changes["审批人"] == [None, roster.city_admin.username]
    # The file is the requester's alone.
    download = reverse("jobs:result", args=[job.pk])
    assert as_user(roster.city_admin).get(download).status_code == 403
    body = b"".join(as_user(roster.county_admin).get(download).streaming_content)
    assert "审批甲" in body.decode("utf-8-sig")
    # A second decision is refused, and not audited again.
    decide(roster.city_admin, job, decision="reject", note="重复")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).count() == 1


def test_rejection_does_not_run_it(roster, request_full, decide, as_user):
    colleague = UserFactory(organization=roster.county)
    job = request_full(roster.county_admin, roster.county)
    response = decide(colleague, job, decision="reject", note="事由不充分")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.REJECTED and job.result_path == "" and job.finished_at
    assert not export_events().exists()
    assert job_run(job.pk) == {}
    decision = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(job.pk))
    assert decision.changes["状态"] == ["待审批", "已驳回"]
    page = as_user(roster.county_admin).get(reverse("jobs:detail", args=[job.pk]))
    assert "事由不充分" in page.content.decode() and "驳回" in page.content.decode()


def test_a_decision_needs_a_note(roster, request_full, decide, client):
    job = request_full(roster.county_admin, roster.county)
    response = decide(roster.city_admin, job, note="  ")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.AWAITING_APPROVAL
    page = client.get(response["Location"]).content.decode()  # still the approver
    assert "请填写审批意见" in page
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).exists()


def test_deciding_needs_the_csrf_token(roster, request_full):
    job = request_full(roster.county_admin, roster.county)
    client = Client(enforce_csrf_checks=True)
    client.force_login(roster.city_admin)
    response = client.post(
        reverse("jobs:decide", args=[job.pk]), {"decision": "approve", "note": "同意"}
    )
    assert response.status_code == 403
    job.refresh_from_db()
    assert job.status == JobStatus.AWAITING_APPROVAL


def test_the_requester_does_not_see_their_own_request_as_one_to_approve(
    roster, request_full, as_user
):
    request_full(roster.county_admin, roster.county)
    listing = as_user(roster.county_admin).get(reverse("importing:export")).content.decode()
    assert "待我审批" not in listing and "待审批" in listing
