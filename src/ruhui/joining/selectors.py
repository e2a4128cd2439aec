"""Every read of online joining: the cadres' review queue (scoped) and, for the public pages,
"find my union" — which unions admit a group of workers in a place.

Where to join (domain.md c3, the 2019 plan): a union that serves the group directly (a trade or
joint union, a regional federation, an enterprise union that lists the group) first; then the
township (street) and village (community) unions of the place, where flexible workers join at
their household-registration or residence township.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from ruhui.core import divisions
from ruhui.joining.models import (
    Application,
    ApplicationEvent,
    ApplicationKind,
    ApplicationStatus,
    JoinLink,
)
from ruhui.orgs.choices import ADMITTING_KINDS, OrgKind
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import jurisdiction_root, scoped

DIRECT_KINDS = (OrgKind.TRADE, OrgKind.JOINT, OrgKind.REGIONAL_FEDERATION, OrgKind.ENTERPRISE)
PLACE_KINDS = (OrgKind.TOWNSHIP, OrgKind.COMMUNITY)
FIND_LIMIT = 60


def _admitting() -> QuerySet[Organization]:
    return Organization.objects.filter(is_active=True, kind__in=ADMITTING_KINDS)


def find_divisions() -> list[tuple[str, str]]:
    """(code, name) of the counties that have at least one active admitting union."""
    codes = sorted(
        set(_admitting().exclude(division_code="").values_list("division_code", flat=True))
    )
    return [(code, divisions.full_name(code) or code) for code in codes]


def find_townships(division: str) -> QuerySet[Organization]:
    """The township (street) unions of a county, for narrowing the place."""
    return _admitting().filter(kind=OrgKind.TOWNSHIP, division_code=division).order_by("name")


@dataclass(frozen=True)
class FoundUnion:
    union: Organization
    token: str
    reason: str


def find_unions(
    *, group: str, division: str, township: Organization | None = None
) -> list[FoundUnion]:
    """Unions that admit workers of `group` in county `division`, each with its join link.

    Direct first (unions that list the group: 「并可直接吸纳」), then the township and community
    unions of the place (the chosen township's subtree when one is given)."""
    if not division:
        return []
    direct = (
        _admitting()
        .filter(kind__in=DIRECT_KINDS, division_code=division, groups__code=group)
        .distinct()
        .order_by("kind", "name")[:FIND_LIMIT]
    )
    place = _admitting().filter(kind__in=PLACE_KINDS, division_code=division)
    if township is not None:
        place = place.filter(path__startswith=township.path)
    place = place.order_by("path")[:FIND_LIMIT]
    rows = [(u, "直接吸纳该群体入会") for u in direct] + [
        (u, "属地入会：户籍地或居住地、工作地的乡镇（街道）、村（社区）工会") for u in place
    ]
    links = active_links([union for union, _reason in rows])
    return [
        FoundUnion(union=union, token=links[union.pk].token, reason=reason)
        for union, reason in rows
        if union.pk in links
    ]


def active_links(unions) -> dict[int, JoinLink]:
    """{union pk: active join link} for many unions, in one query (a read: every admitting union
    gets its link when it is saved, services.ensure_join_link)."""
    return {
        link.union_id: link
        for link in JoinLink.objects.filter(union__in=list(unions), is_active=True)
    }


def active_link(union: Organization) -> JoinLink | None:
    """A union's active join link, if it has one."""
    return JoinLink.objects.filter(union=union, is_active=True).first()


# --- cadre side -----------------------------------------------------------------------------


def application_queue(*, user, status: str = "open", kind: str = "") -> QuerySet[Application]:
    """Applications in the user's jurisdiction: `open` = those waiting for this user's units
    (a join or 转入 waiting at a union in the subtree, a 转出 waiting at the member's union)."""
    root = jurisdiction_root(user)
    queryset = scoped(user, Application).select_related("union", "from_union", "transfer")
    if root is None:
        return queryset.none()
    if kind:
        queryset = queryset.filter(kind=kind)
    if status == "open":
        mine = root.path
        return queryset.filter(
            Q(
                status=ApplicationStatus.PENDING,
                kind=ApplicationKind.JOIN,
                union__path__startswith=mine,
            )
            | Q(
                status=ApplicationStatus.PENDING,
                kind=ApplicationKind.TRANSFER,
                from_union__path__startswith=mine,
            )
            | Q(status=ApplicationStatus.AWAITING_IN, union__path__startswith=mine)
        ).order_by("created_at", "id")
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def open_count(*, user) -> int:
    return application_queue(user=user).count()


def same_person_applications(*, user, application: Application) -> QuerySet[Application]:
    """Other applications of the same person that the user may see (duplicates to reject)."""
    return (
        scoped(user, Application)
        .filter(id_number_hash=application.id_number_hash)
        .exclude(pk=application.pk)
    )


def join_links(*, user) -> QuerySet[JoinLink]:
    """Active join links of the unions in the user's jurisdiction."""
    return scoped(user, JoinLink).filter(is_active=True).select_related("union")


def admitting_unions(*, user) -> QuerySet[Organization]:
    """The unions in the user's jurisdiction that can have a join link."""
    return (
        scoped(user, Organization).filter(is_active=True, kind__in=ADMITTING_KINDS).order_by("path")
    )


def application_history(application: Application) -> QuerySet[ApplicationEvent]:
    """An application's trail, oldest first. The application was fetched through the scoped
    door, so its whole trail belongs to it, even a step decided by the other union of a
    transfer."""
    return application.events.select_related("actor").order_by("at", "id")
