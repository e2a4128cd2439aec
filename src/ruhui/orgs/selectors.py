"""Every read of the organization tree, starting from the jurisdiction-scoped queryset."""

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr

from ruhui.orgs.choices import ADMITTING_KINDS, STANDARD_GROUPS, Standard, StandardGroup
from ruhui.orgs.models import Organization, StandardEvidence, StandardItem, standards_prefetch
from ruhui.orgs.scoping import ancestor_paths, get_scoped_or_404, jurisdiction_root, scoped


def organization_list(
    *, user, q: str = "", kind: str = "", division: str = "", active: str = "", base: str = ""
) -> QuerySet[Organization]:
    """The user's organizations, filtered by text, form, division prefix, status, base unions;
    each row's met standard items come in one query for the page (`six_haves_met`)."""
    qs = scoped(user, Organization).order_by("path").prefetch_related(standards_prefetch())
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
    """One organization in the tree page: how many children it has (as shown: active only unless
    the inactive ones are asked for) and, when its branch is open, those children; `children` is
    None for a collapsed branch, whose children are fetched when it is opened."""

    org: Organization
    child_count: int = 0
    children: list["TreeNode"] | None = None

    @property
    def is_open(self) -> bool:
        return self.children is not None


def organization_tree(
    *, user, open_org: Organization | None = None, include_inactive: bool = False
) -> TreeNode | None:
    """The user's own unit with its children; deeper branches stay collapsed except the way
    down to `open_org` (a unit of the jurisdiction), which is open with its children. Three
    queries (nodes, their groups, their children's counts) whatever the size of the tree."""
    root = jurisdiction_root(user)
    if root is None:
        return None
    step = Organization.steplen
    target = open_org.path if open_org and open_org.path.startswith(root.path) else root.path
    opened = [target[:end] for end in range(len(root.path), len(target) + 1, step)]
    below = Q()
    for path in opened:
        below |= Q(path__startswith=path, depth=len(path) // step + 1)
    if not include_inactive:
        below &= Q(is_active=True)
    # The user's own unit is shown even when it is inactive and inactive units are hidden.
    rows = scoped(user, Organization).filter(Q(path=root.path) | below)
    nodes: dict[str, TreeNode] = {}
    for org in rows.order_by("path").prefetch_related("groups"):
        parent = nodes.get(org.path[:-step])
        if org.path != root.path and (parent is None or parent.children is None):
            continue  # under a unit hidden as inactive: not reachable from the top
        node = nodes[org.path] = TreeNode(org, children=[] if org.path in opened else None)
        if parent is not None:
            parent.children.append(node)
    top = nodes[root.path]
    _count_children(
        _tree_rows(user, include_inactive), [n for n in nodes.values() if n.children is None]
    )
    for node in nodes.values():
        if node.children is not None:
            node.child_count = len(node.children)
    return top


def organization_children(
    *, user, organization: Organization, include_inactive: bool = False
) -> list[TreeNode]:
    """A branch opened in the tree: the organization's children in the user's jurisdiction, each
    with how many children it has. Three queries whatever the size of the tree."""
    qs = _tree_rows(user, include_inactive)
    children = [
        TreeNode(org)
        for org in qs.filter(path__startswith=organization.path, depth=organization.depth + 1)
        .order_by("path")
        .prefetch_related("groups")
    ]
    _count_children(qs, children)
    return children


def _tree_rows(user, include_inactive: bool) -> QuerySet[Organization]:
    qs = scoped(user, Organization)
    return qs if include_inactive else qs.filter(is_active=True)


def _count_children(qs: QuerySet[Organization], nodes: list[TreeNode]) -> None:
    """Set each node's child count from one grouped query over the nodes' children. The nodes
    are the children of a few parents (a branch, or the way down to an open one): the query
    names those parents, not each node, so a branch of a thousand units is one condition."""
    if not nodes:
        return
    step = Organization.steplen
    below = Q()
    for parent_path, depth in {(n.org.path[:-step], n.org.depth) for n in nodes}:
        below |= Q(path__startswith=parent_path, depth=depth + 1)
    rows = (
        qs.filter(below)
        .order_by()
        .annotate(parent_path=Substr("path", 1, (F("depth") - 1) * step))
        .values("parent_path")
        .annotate(n=Count("pk"))
        .values_list("parent_path", "n")
    )
    counts = dict(rows)
    for node in nodes:
        node.child_count = counts.get(node.org.path, 0)


#: How many matches the tree's search shows (a name typed in full narrows it to a few).
SEARCH_LIMIT = 50


@dataclass
class SearchHit:
    org: Organization
    #: The organizations above it, from the user's own unit down (never above the jurisdiction).
    ancestors: list[Organization]


@dataclass
class TreeSearch:
    hits: list[SearchHit]
    more: bool  # more than SEARCH_LIMIT matched: the user should type more of the name


def organization_search(
    *, user, q: str, include_inactive: bool = False, limit: int = SEARCH_LIMIT
) -> TreeSearch:
    """Organizations of the user's jurisdiction whose name, short name or code contains the
    text, each with its path from the user's unit down. Two queries whatever the tree's size."""
    q = (q or "").strip()
    root = jurisdiction_root(user)
    if not q or root is None:
        return TreeSearch(hits=[], more=False)
    qs = _tree_rows(user, include_inactive)
    found = list(
        qs.filter(
            Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__icontains=q)
        ).order_by("path")[: limit + 1]
    )
    more = len(found) > limit
    found = found[:limit]
    paths = {path for org in found for path in ancestor_paths(org) if path.startswith(root.path)}
    above = scoped(user, Organization).filter(path__in=paths).in_bulk(field_name="path")
    hits = [
        SearchHit(
            org=org,
            ancestors=[above[p] for p in sorted(paths) if org.path.startswith(p) and p in above],
        )
        for org in found
    ]
    return TreeSearch(hits=hits, more=more)


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


#: Suggestions offered by the organization search box.
SUGGESTIONS = 20


def organization_suggestions(*, user, text: str, kinds=()) -> list[Organization]:
    """Active organizations in the user's jurisdiction (of `kinds`, if given) whose code starts
    with, or whose name contains, the typed text: the suggestions of a form's organization
    search box."""
    text = text.replace("\x00", "").strip()  # PostgreSQL refuses NUL in a query's text
    if not text:
        return []
    qs = scoped(user, Organization).filter(is_active=True)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    qs = qs.filter(Q(code__istartswith=text) | Q(name__contains=text))
    return list(qs.order_by("depth", "path")[:SUGGESTIONS])


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


@dataclass
class StandardRow:
    """One item of a union's standard as the pages show it; `record` is None when the item has
    never been set (not met). `form` is the page's edit form for it, when the user may edit."""

    code: str
    label: str
    record: StandardItem | None
    form: object = None

    @property
    def met(self) -> bool:
        return bool(self.record and self.record.met)

    @property
    def evidence(self) -> list[StandardEvidence]:
        return list(self.record.evidence.all()) if self.record else []


@dataclass
class StandardSection:
    code: str
    label: str
    rows: list[StandardRow]

    @property
    def met_count(self) -> int:
        return sum(1 for row in self.rows if row.met)


def standard_checklist(*, union: Organization) -> list[StandardSection]:
    """A union's standard by group (六有, internal systems, funds), every item listed whether
    set or not. Two queries (items with their checkers, their evidence)."""
    records = {
        r.item: r
        for r in union.standard_items.select_related("checked_by").prefetch_related("evidence")
    }
    return [
        StandardSection(
            code=group,
            label=StandardGroup(group).label,
            rows=[StandardRow(code, Standard(code).label, records.get(code)) for code in codes],
        )
        for group, codes in STANDARD_GROUPS
    ]


def standard_evidence_get(*, user, union: Organization, pk) -> StandardEvidence:
    """An evidence file of a union's item, for a user who sees the union (else 404)."""
    return get_scoped_or_404(user, StandardEvidence, pk=pk, item__union=union)
