"""Every read of the organization tree, starting from the jurisdiction-scoped queryset."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from ruhui.orgs.choices import ADMITTING_KINDS
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import jurisdiction_root, scoped


def organization_list(
    *, user, q: str = "", kind: str = "", division: str = "", active: str = "", base: str = ""
) -> QuerySet[Organization]:
    """The user's organizations, filtered by text, form, division prefix, status, base unions."""
    qs = scoped(user, Organization).order_by("path")
    if base == "1":
        qs = qs.filter(kind__in=ADMITTING_KINDS)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__iexact=q))
    if kind:
        qs = qs.filter(kind=kind)
    if division:
        qs = qs.filter(division_code__startswith=division.rstrip("0") or division)
    if active == "1":
        qs = qs.filter(is_active=True)
    elif active == "0":
        qs = qs.filter(is_active=False)
    return qs


@dataclass
class TreeNode:
    org: Organization
    children: list["TreeNode"] = field(default_factory=list)


def organization_tree(*, user, include_inactive: bool = True) -> list[TreeNode]:
    """The user's subtree as nested nodes, built from one ordered query."""
    qs = scoped(user, Organization).order_by("path").prefetch_related("groups")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    by_path: dict[str, TreeNode] = {}
    roots: list[TreeNode] = []
    steplen = Organization.steplen
    for org in qs:
        node = TreeNode(org)
        by_path[org.path] = node
        parent = by_path.get(org.path[:-steplen])
        (parent.children if parent else roots).append(node)
    return roots


def organization_choices(
    *, user, admitting_only: bool = False, active_only: bool = True
) -> QuerySet[Organization]:
    """Organizations a user may pick in a form (as a parent, a target, a filter)."""
    qs = scoped(user, Organization).order_by("path")
    if active_only:
        qs = qs.filter(is_active=True)
    if admitting_only:
        qs = qs.filter(kind__in=ADMITTING_KINDS)
    return qs


def organization_ancestors_in_scope(*, user, organization: Organization) -> list[Organization]:
    """The breadcrumb of an organization, from the user's root down (never above it)."""
    root = jurisdiction_root(user)
    if root is None:
        return []
    return [
        a for a in Organization.objects.get_ancestors(organization) if a.path.startswith(root.path)
    ]


def organization_summary(*, user) -> dict:
    """Counts for the home page, from records: organizations by status in the user's subtree."""
    qs = scoped(user, Organization)
    return {
        "total": qs.filter(is_active=True).count(),
        "base": qs.filter(is_active=True, kind__in=ADMITTING_KINDS).count(),
        "inactive": qs.filter(is_active=False).count(),
    }
