"""Every read of the member registry, starting from the jurisdiction scope.

The count selectors are the definitions every report uses:
- members at a date: the latest event of each membership on or before the date says where it
  stood (`union`) and in what status; 在籍, 保留 and 接转中 count (a pending transfer still counts
  at the outgoing union, not yet at the incoming one, so totals stay constant);
- new members in a period: 入会 events only (转入 is not new), each person once however often
  they joined in the period.
"""

import datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ruhui.members.models import (
    HELD_STATUSES,
    ChangeType,
    Member,
    MembershipEvent,
    Transfer,
    TransferStatus,
    person_memberships,
)
from ruhui.members.personal import id_hash
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import jurisdiction_root, scoped, under


def search_condition(q: str) -> Q:
    """The member list's search box: letters are pinyin initials (张伟 → zw; a name in Latin
    letters is its own initials), letters and digits a member number, anything else part of a
    name or a member number. Each form reads one index on a province's ten million members
    instead of scanning them for all three at once."""
    q = q.strip()
    if q.isascii() and q.isalpha():
        return Q(name_initials__startswith=q.lower())
    if q.isascii() and q.isalnum():
        return Q(member_number=q)
    return Q(name__icontains=q) | Q(member_number=q)


def member_list(
    *,
    user,
    union: Organization | None = None,
    q: str = "",
    group: str = "",
    migrant: str = "",
    status: str = "",
    joined_from=None,
    joined_to=None,
    provincial_status: str = "",
    phone_tail: str = "",
) -> QuerySet[Member]:
    """Members in the user's jurisdiction (optionally one union's subtree), filtered."""
    qs = scoped(user, Member).select_related("union")
    if union is not None:
        qs = qs.filter(union__path__startswith=union.path)
    if q:
        qs = qs.filter(search_condition(q))
    if phone_tail:
        qs = qs.filter(phone_tail=phone_tail)
    if group:
        qs = qs.filter(group=group)
    if migrant in ("1", "0"):
        qs = qs.filter(is_migrant_worker=(migrant == "1"))
    if status == "held":
        qs = qs.filter(status__in=HELD_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if joined_from:
        qs = qs.filter(joined_on__gte=joined_from)
    if joined_to:
        qs = qs.filter(joined_on__lte=joined_to)
    if provincial_status:
        qs = qs.filter(provincial_status=provincial_status)
    return qs.order_by("-joined_on", "-id")


def member_find_by_id_number(*, user, number: str) -> QuerySet[Member]:
    """Exact lookup by ID number through its blind index (the number is never stored in clear)."""
    return scoped(user, Member).select_related("union").filter(person_memberships(id_hash(number)))


def member_events(*, member: Member) -> QuerySet[MembershipEvent]:
    """A membership's full history, oldest first (the member was fetched through the scope)."""
    return member.events.select_related("union", "from_union", "to_union", "actor").order_by(
        "effective_on", "id"
    )


def transfers_outgoing(*, user, status: str = TransferStatus.PENDING) -> QuerySet[Transfer]:
    """Transfers issued by unions in the user's jurisdiction."""
    root = jurisdiction_root(user)
    if root is None:
        return Transfer.objects.none()
    qs = Transfer.objects.filter(from_union__path__startswith=root.path)
    return _transfer_rows(qs, status)


def transfers_incoming(*, user, status: str = TransferStatus.PENDING) -> QuerySet[Transfer]:
    """Transfers addressed to unions in the user's jurisdiction."""
    root = jurisdiction_root(user)
    if root is None:
        return Transfer.objects.none()
    qs = Transfer.objects.filter(to_union__path__startswith=root.path)
    return _transfer_rows(qs, status)


def _transfer_rows(qs, status):
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("member", "from_union", "to_union").order_by("-issued_on", "-id")


def _subtree(user, root: Organization | None) -> str | None:
    """The path to count under: the given union if inside the jurisdiction, else the user's root.
    No user: `root`'s subtree, a figure recomputed in the background for the subtree a user's
    page scoped (core.changes.remembered_figure)."""
    if user is None:
        return root.path if root is not None else None
    top = jurisdiction_root(user)
    if top is None:
        return None
    if root is None:
        return top.path
    if not root.path.startswith(top.path):
        return None
    return root.path


def members_at(*, user, on: datetime.date, root: Organization | None = None) -> QuerySet[Member]:
    """Memberships held on a date in a subtree, placed by where they stood on that date."""
    path = _subtree(user, root)
    if path is None:
        return Member.objects.none()
    latest = MembershipEvent.objects.filter(member=OuterRef("pk"), effective_on__lte=on).order_by(
        "-effective_on", "-id"
    )
    return Member.objects.annotate(
        path_at=Subquery(latest.values("union__path")[:1]),
        status_at=Subquery(latest.values("status_after")[:1]),
    ).filter(path_at__startswith=path, status_at__in=HELD_STATUSES)


def member_count_at(
    *,
    user,
    on: datetime.date,
    root: Organization | None = None,
    group: str = "",
    migrant: bool | None = None,
) -> int:
    """How many memberships were held on a date in a subtree (by group, 农民工)."""
    qs = members_at(user=user, on=on, root=root)
    if group:
        qs = qs.filter(group=group)
    if migrant is not None:
        qs = qs.filter(is_migrant_worker=migrant)
    return qs.count()


def new_member_events(
    *, user, start: datetime.date, end: datetime.date, root: Organization | None = None
) -> QuerySet[MembershipEvent]:
    """入会 events in [start, end] at unions of a subtree (转入 excluded)."""
    path = _subtree(user, root)
    if path is None:
        return MembershipEvent.objects.none()
    return MembershipEvent.objects.filter(
        change_type=ChangeType.JOIN,
        effective_on__gte=start,
        effective_on__lte=end,
        union__path__startswith=path,
    )


def new_member_count(
    *,
    user,
    start: datetime.date,
    end: datetime.date,
    root: Organization | None = None,
    group: str = "",
    migrant: bool | None = None,
) -> int:
    """New members in a period: distinct persons with a 入会 event in it (rejoiners once)."""
    qs = new_member_events(user=user, start=start, end=end, root=root)
    if group:
        qs = qs.filter(member__group=group)
    if migrant is not None:
        qs = qs.filter(member__is_migrant_worker=migrant)
    return qs.values("member__id_number_hash").distinct().count()


def member_counts_by_status(*, user, root: Organization | None = None) -> dict[str, int]:
    """Current memberships per status in the user's jurisdiction (for the workbench); with no
    user, in `root`'s subtree (the workbench's figure recomputed in the background)."""
    members = scoped(user, Member) if user is not None else under(root, Member)
    rows = members.values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def dues_lapse_candidates(*, user, today: datetime.date | None = None) -> QuerySet[Member]:
    """Active members with no dues recorded for six months: candidates only — a person decides
    whether to treat them as withdrawn (视为自动退会)."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=183)
    return (
        scoped(user, Member)
        .filter(status="active")
        .filter(
            Q(last_dues_paid_on__lt=cutoff)
            | Q(last_dues_paid_on__isnull=True, joined_on__lt=cutoff)
        )
        .select_related("union")
        .order_by("last_dues_paid_on", "joined_on")
    )


def members_selected(*, user, ids) -> QuerySet[Member]:
    """The members ticked in a list, as far as they lie in the user's jurisdiction (a page of a
    batch action shows them; the service decides whether the batch may go ahead)."""
    return scoped(user, Member).filter(pk__in=ids).select_related("union").order_by("name", "pk")


def transfer_for_code(user, code: str) -> Transfer | None:
    """The pending transfer a certificate code names, as this user may see it: one of its two
    unions lies in the user's jurisdiction, or it names no destination (an open certificate,
    which whichever union the member goes to accepts). Any other code answers exactly as an
    unknown one, so a code is no window into another county's transfers."""
    code = (code or "").strip().upper().replace(" ", "")
    if not code or jurisdiction_root(user) is None:
        return None
    pending = Transfer.objects.select_related("member", "from_union", "to_union").filter(
        code=code, status=TransferStatus.PENDING
    )
    return scoped(user, pending).first() or pending.filter(to_union__isnull=True).first()


def held_membership(number: str) -> Member | None:
    """The membership a person currently holds (active, retained or in transfer), if any.

    Unscoped by design: one person, one membership is checked across the whole registry; the
    callers decide what the asker may learn of it (services.held_elsewhere_message)."""
    return (
        Member.objects.select_related("union")
        .filter(id_number_hash=id_hash(number), status__in=HELD_STATUSES)
        .first()
    )
