"""Which jobs a user may open, and which wait for their approval."""

from django.db.models import Q, QuerySet

from ruhui.accounts.rules import is_admin
from ruhui.jobs.kinds import private_kinds
from ruhui.jobs.models import Job, JobStatus
from ruhui.orgs.scoping import scoped


def jobs_visible(*, user) -> QuerySet[Job]:
    """The jobs in the user's jurisdiction they may open. A private kind's job (an export of
    personal data) only to its requester, its approver and, while it waits, the admins."""
    condition = ~Q(kind__in=private_kinds()) | Q(created_by=user) | Q(decided_by=user)
    if is_admin(user):
        condition |= Q(status=JobStatus.AWAITING_APPROVAL)
    return scoped(user, Job).filter(condition)


def jobs_awaiting_approval(*, user) -> QuerySet[Job]:
    """Jobs in the user's jurisdiction that wait for approval and the user may decide."""
    if not is_admin(user):
        return Job.objects.none()
    return (
        scoped(user, Job)
        .filter(status=JobStatus.AWAITING_APPROVAL)
        .exclude(created_by=user)
        .select_related("organization", "created_by")
    )


def recent_jobs(*, user, kinds: list[str] | None = None, own: bool = False) -> QuerySet[Job]:
    """The latest jobs a user may open, optionally of some kinds or their own only."""
    queryset = jobs_visible(user=user)
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    if own:
        queryset = queryset.filter(created_by=user)
    return queryset.select_related("organization", "created_by", "decided_by")
