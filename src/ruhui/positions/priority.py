"""The social workers' 倾斜 list (issue 18, item 5; the 2019 plan's 「选派社会化工会工作者时，对八大
群体行业工会和吸纳八大群体入会人数较多的乡镇（街道）、社区工会给予重点倾斜」): the eight-group
trade unions (行业工会 and 产业工会 covering one of the eight groups) and the township and
community unions that have no social worker now, ranked by the new eight-group members they
recruited in a campaign (its stored `UnitTally` rows of the group dimension). Four queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, Sum
from django.http import Http404
from django.utils import timezone

from ruhui.campaigns.models import Campaign, UnitTally
from ruhui.orgs.choices import WORKER_GROUPS, OrgKind
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import NOT_FOUND, in_jurisdiction, jurisdiction_root, scoped, under
from ruhui.positions.models import SocialWorker

#: Codes of the eight groups (其他 aside).
EIGHT_CODES = tuple(code for code, _name in WORKER_GROUPS if code != "99")
#: Unions that cover a group by their kind of work (行业工会, 产业工会).
TRADE_KINDS = (OrgKind.TRADE, OrgKind.INDUSTRY_UNION)
#: Unions of a place (乡镇（街道）工会, 村（社区）工会).
PLACE_KINDS = (OrgKind.TOWNSHIP, OrgKind.COMMUNITY)


@dataclass
class PriorityRow:
    rank: int
    union: Organization
    kind_label: str
    groups: list[str]
    recruited: int


def campaigns_for(user) -> list[Campaign]:
    """The campaigns a user can choose from, the latest first."""
    return list(scoped(user, Campaign).order_by("-starts_on", "-pk"))


def priority_list(
    *,
    user,
    campaign: Campaign | None,
    unit: Organization | None = None,
    today: datetime.date | None = None,
) -> list[PriorityRow]:
    """The eight-group trade unions and township/community unions of the scope without a
    current social worker, by the campaign's new eight-group members (most first, then tree
    order)."""
    root = unit if unit is not None else jurisdiction_root(user)
    if root is None or not in_jurisdiction(user, root):
        raise Http404(NOT_FOUND)
    today = today or timezone.localdate()
    eligible = Q(kind__in=PLACE_KINDS) | Q(kind__in=TRADE_KINDS, groups__code__in=EIGHT_CODES)
    unions: dict[int, Organization] = {}
    covered: dict[int, list[str]] = {}
    for union in (
        under(root, Organization)
        .filter(eligible, is_active=True)
        .distinct()
        .only("pk", "name", "code", "kind", "path", "division_code")
    ):
        unions[union.pk] = union
    names = dict(WORKER_GROUPS)
    for union_id, code in Organization.groups.through.objects.filter(
        organization_id__in=list(unions), workergroup__code__in=EIGHT_CODES
    ).values_list("organization_id", "workergroup__code"):
        covered.setdefault(union_id, []).append(code)
    staffed = set(
        SocialWorker.objects.filter(union_id__in=list(unions), starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .values_list("union_id", flat=True)
    )
    recruited: dict[int, int] = {}
    if campaign is not None:
        recruited = dict(
            UnitTally.objects.filter(
                campaign=campaign,
                unit_id__in=list(unions),
                dimension=UnitTally.Dimension.GROUP,
                key__in=EIGHT_CODES,
            )
            .values_list("unit_id")
            .annotate(n=Sum("new_members"))
            .order_by()
        )
    chosen = sorted(
        (u for pk, u in unions.items() if pk not in staffed),
        key=lambda u: (-recruited.get(u.pk, 0), u.path),
    )
    return [
        PriorityRow(
            rank=n,
            union=union,
            kind_label=str(union.get_kind_display()),
            groups=[str(names[code]) for code in sorted(covered.get(union.pk, []))],
            recruited=recruited.get(union.pk, 0),
        )
        for n, union in enumerate(chosen, start=1)
    ]
