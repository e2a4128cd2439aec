"""Every read of the service positions. The cadre pages start from the jurisdiction scope
(`orgs.scoping.scoped`: the positions whose running union lies in the user's subtree); the
public near-me page reads running positions only, and only the fields it shows."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ruhui.core import divisions
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import get_scoped_or_404, scoped, visible_organizations
from ruhui.positions.choices import PositionStatus
from ruhui.positions.models import PositionAward, PositionPhoto, ServicePosition

#: The fields the public page reads (nothing about who entered a position).
PUBLIC_FIELDS = (
    "pk",
    "name",
    "kind",
    "township",
    "address",
    "partner",
    "division_code",
    "latitude",
    "longitude",
    "hours",
    "open_24h",
    "facilities",
)


def position_list(
    *,
    user,
    kind: str = "",
    status: str = "",
    division: str = "",
    township: str = "",
    text: str = "",
) -> QuerySet[ServicePosition]:
    """The positions of the user's subtree by county, township and name, filtered by kind,
    status, division (a county's code, or a city's: its counties too), township and a text
    found in the name, address, partner or code."""
    positions = scoped(user, ServicePosition).select_related("running_union")
    if kind:
        positions = positions.filter(kind=kind)
    if status:
        positions = positions.filter(status=status)
    if division:
        code = division.rstrip("0") if division.endswith("00") else division
        positions = positions.filter(division_code__startswith=code)
    if township:
        positions = positions.filter(township__contains=township)
    if text:
        positions = positions.filter(
            Q(name__contains=text)
            | Q(address__contains=text)
            | Q(partner__contains=text)
            | Q(code__iexact=text)
        )
    return positions.order_by("division_code", "township", "name", "pk")


def position_get(*, user, pk) -> ServicePosition:
    """One position of the user's subtree with its groups, photos and awards, or the same 404."""
    queryset = ServicePosition.objects.select_related(
        "running_union", "park", "created_by"
    ).prefetch_related("groups", "photos", "awards")
    return get_scoped_or_404(user, queryset, pk=pk)


def photo_get(*, user, pk) -> PositionPhoto:
    """A photo of a position the user sees, or 404."""
    return get_scoped_or_404(
        user, PositionPhoto.objects.select_related("position__running_union"), pk=pk
    )


def award_get(*, user, pk) -> PositionAward:
    """An award of a position the user sees, or 404."""
    return get_scoped_or_404(
        user, PositionAward.objects.select_related("position__running_union"), pk=pk
    )


def running_unions(*, user) -> QuerySet[Organization]:
    """The active unions of the user's subtree that may run a position (the form's choices)."""
    return visible_organizations(user).filter(is_active=True).order_by("path")


def division_choices(*, user) -> list[tuple[str, str]]:
    """The county-level divisions (and the city's own code) the user's positions lie in, for
    the list's filter: the divisions of the user's subtree."""
    codes = (
        scoped(user, ServicePosition).order_by().values_list("division_code", flat=True).distinct()
    )
    return [(code, divisions.full_name(code) or code) for code in sorted(set(codes))]


def for_export(*, user, **filters) -> QuerySet[ServicePosition]:
    """The filtered positions of the list, with what the spreadsheet writes."""
    return position_list(user=user, **filters).select_related("park").prefetch_related("groups")


# --- the public near-me page ---------------------------------------------------------------


def public_counties() -> list[tuple[str, str]]:
    """The county-level divisions that have running positions: (code, name), in code order."""
    codes = (
        ServicePosition.objects.filter(status=PositionStatus.RUNNING)
        .order_by()
        .values_list("division_code", flat=True)
        .distinct()
    )
    found = []
    for code in sorted(set(codes)):
        division = divisions.get(code)
        found.append((code, division.name if division else code))
    return found


def public_positions(*, division: str = "") -> list[dict]:
    """The running positions that can be found on a map (with coordinates), of one county or of
    all, in township order then by name: plain dicts of the fields the page shows."""
    positions = ServicePosition.objects.filter(
        status=PositionStatus.RUNNING, latitude__isnull=False, longitude__isnull=False
    )
    if division:
        positions = positions.filter(division_code=division)
    return list(
        positions.order_by("division_code", "township", "name", "pk").values(*PUBLIC_FIELDS)
    )
