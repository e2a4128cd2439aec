"""Every read of the services ledger, the people served, the consultations and the social
workers. Each starts from the user's jurisdiction (`orgs.scoping.scoped`); one object outside it
answers the same 404 as a missing one. Who may see the people 帮扶/法律援助 served is decided
here (`recipients_visible`), not in the templates."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from ruhui.enterprises.models import Enterprise
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import get_scoped_or_404, scoped
from ruhui.positions.choices import SENSITIVE_KINDS
from ruhui.positions.models import (
    Consultation,
    ConsultationFile,
    ServiceActivity,
    ServicePosition,
    ServiceRecipient,
    SocialWorker,
)
from ruhui.projects.choices import ProjectKind
from ruhui.projects.models import Project


def activity_list(
    *,
    user,
    kind: str = "",
    union_id=None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    group: str = "",
    position_id=None,
) -> QuerySet[ServiceActivity]:
    """The ledger of the user's subtree, newest first. `union_id` takes that union's subtree;
    the dates keep the entries that overlap the range; `group` the entries that served it."""
    activities = scoped(user, ServiceActivity).select_related("union", "position", "project")
    if kind:
        activities = activities.filter(kind=kind)
    if union_id:
        union = scoped(user, Organization).filter(pk=union_id).first()
        if union is None:
            return ServiceActivity.objects.none()
        activities = activities.filter(union__path__startswith=union.path)
    if since:
        activities = activities.filter(Q(ends_on__gte=since) | Q(starts_on__gte=since))
    if until:
        activities = activities.filter(starts_on__lte=until)
    if group:
        activities = activities.filter(group_counts__has_key=group)
    if position_id:
        activities = activities.filter(position_id=position_id)
    return activities.order_by("-starts_on", "-pk")


def activity_totals(activities: QuerySet[ServiceActivity]) -> dict:
    """The entries, workers served and spending of a (filtered) ledger, in one query."""
    totals = activities.aggregate(
        entries=Count("pk"),
        workers=Coalesce(Sum("workers_served"), 0),
        spent=Sum("amount"),
    )
    if totals["spent"] is not None:  # in 元 to the 分, whatever the database's sum gives
        totals["spent"] = Decimal(totals["spent"]).quantize(Decimal("0.01"))
    return totals


def activity_get(*, user, pk) -> ServiceActivity:
    """One entry of the user's subtree, or the same 404."""
    queryset = ServiceActivity.objects.select_related(
        "union", "position", "project__plan__unit", "created_by"
    )
    return get_scoped_or_404(user, queryset, pk=pk)


def recipients_visible(user, activity: ServiceActivity) -> bool:
    """Whether the user may see who an activity served: anyone who sees the entry, except for
    帮扶 and 法律援助, whose people only reviewers and admins see (clerks see the count)."""
    if activity.kind in SENSITIVE_KINDS:
        return user.has_perm("positions.view_sensitive_recipients")
    return user.has_perm("positions.view_activity")


def recipient_counts(activity: ServiceActivity) -> dict:
    """How many people are listed, of them members and non-members, in one query."""
    counts = ServiceRecipient.objects.filter(activity=activity).aggregate(
        listed=Count("pk"), members=Count("pk", filter=Q(is_member=True))
    )
    counts["others"] = counts["listed"] - counts["members"]
    return counts


def recipient_list(*, user, activity: ServiceActivity) -> list[ServiceRecipient]:
    """The people an activity served, for a user allowed to see them (else nothing)."""
    if not recipients_visible(user, activity):
        return []
    return list(ServiceRecipient.objects.filter(activity=activity).order_by("pk"))


def recipient_get(*, user, pk) -> ServiceRecipient:
    return get_scoped_or_404(
        user, ServiceRecipient.objects.select_related("activity__union"), pk=pk
    )


def union_choices(*, user) -> QuerySet[Organization]:
    """The unions a ledger entry, consultation or social worker may belong to."""
    return scoped(user, Organization).filter(is_active=True).order_by("path")


def position_choices(*, user) -> QuerySet[ServicePosition]:
    return scoped(user, ServicePosition).select_related("running_union").order_by("name")


def project_choices(*, user) -> QuerySet[Project]:
    """The 维护服务 projects of the plans of the user's subtree (newest campaigns first)."""
    return (
        scoped(user, Project)
        .filter(kind=ProjectKind.SERVICE)
        .select_related("plan__unit", "plan__campaign")
        .order_by("-plan__campaign__year", "plan__unit__path", "name")
    )


def recorded_coverage(project_ids) -> dict[int, int]:
    """{project id: workers served by the ledger entries linked to it} — the recorded coverage
    a 维护服务 project's close-out shows beside its planned coverage (projects.figures)."""
    rows = (
        ServiceActivity.objects.filter(project_id__in=list(project_ids))
        .values("project_id")
        .annotate(served=Sum("workers_served"))
    )
    return {row["project_id"]: row["served"] or 0 for row in rows}


# --- consultations -------------------------------------------------------------------------


def consultation_list(
    *, user, level: str = "", topic: str = "", union_id=None, year=None
) -> QuerySet[Consultation]:
    """The consultations of the user's subtree, newest first."""
    items = (
        scoped(user, Consultation)
        .select_related("union", "employer")
        .prefetch_related("groups")
        .annotate(file_count=Count("files"))
    )
    if level:
        items = items.filter(level=level)
    if topic:
        # The codes are plain words in a JSON list: matched quoted (SQLite has no JSON contains).
        items = items.filter(topics__icontains=f'"{topic}"')
    if union_id:
        union = scoped(user, Organization).filter(pk=union_id).first()
        if union is None:
            return Consultation.objects.none()
        items = items.filter(union__path__startswith=union.path)
    if year:
        items = items.filter(held_on__year=year)
    return items.order_by("-held_on", "-pk")


def consultation_get(*, user, pk) -> Consultation:
    queryset = Consultation.objects.select_related("union", "employer").prefetch_related(
        "groups", "files"
    )
    return get_scoped_or_404(user, queryset, pk=pk)


def consultation_file_get(*, user, pk) -> ConsultationFile:
    queryset = ConsultationFile.objects.select_related("consultation")
    return get_scoped_or_404(user, queryset, pk=pk)


def employer_choices(*, user) -> QuerySet[Enterprise]:
    return scoped(user, Enterprise).order_by("name")


# --- social workers ------------------------------------------------------------------------


def social_worker_list(*, user, current: str = "", union_id=None) -> QuerySet[SocialWorker]:
    """The social workers of the user's subtree; `current` "yes" keeps those still assigned
    today, "no" those whose assignment ended."""
    from django.utils import timezone

    today = timezone.localdate()
    workers = scoped(user, SocialWorker).select_related("union")
    if current == "yes":
        workers = workers.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    elif current == "no":
        workers = workers.filter(ends_on__lt=today)
    if union_id:
        union = scoped(user, Organization).filter(pk=union_id).first()
        if union is None:
            return SocialWorker.objects.none()
        workers = workers.filter(union__path__startswith=union.path)
    return workers.order_by("union__path", "-starts_on", "pk")


def social_worker_get(*, user, pk) -> SocialWorker:
    return get_scoped_or_404(user, SocialWorker.objects.select_related("union"), pk=pk)
