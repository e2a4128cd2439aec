"""Read endpoints for organizations, scoped to the caller's jurisdiction like every page."""

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Query, Router, Schema

from ruhui.api.schemas import ErrorOut, OrganizationOut, OrganizationPage
from ruhui.orgs import selectors
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import get_scoped_or_404, scoped

router = Router(tags=["组织体系"])
PAGE_SIZE = 100


class OrgFilters(Schema):
    q: str = ""
    kind: str = ""
    division: str = ""
    active: str = ""
    page: int = 1


def _serialize(orgs: list[Organization], user) -> list[dict]:
    """Rows with parent codes resolved in one scoped query (a parent outside scope → null)."""
    parent_paths = {o.path[: -Organization.steplen] for o in orgs if o.depth > 1}
    parents = dict(
        scoped(user, Organization).filter(path__in=parent_paths).values_list("path", "code")
    )
    return [
        {
            "id": o.pk,
            "code": o.code,
            "name": o.name,
            "short_name": o.short_name,
            "kind": o.kind,
            "kind_label": o.get_kind_display(),
            "division_code": o.division_code,
            "division_name": o.division_name,
            "parent_code": parents.get(o.path[: -Organization.steplen]),
            "depth": o.depth,
            "industry": o.industry,
            "groups": [g.name for g in o.groups.all()],
            "founded_on": o.founded_on,
            "chair_name": o.chair_name,
            "is_active": o.is_active,
            "admits_members": o.admits_members,
            "six_haves_met": o.six_haves_met,
        }
        for o in orgs
    ]


@router.get("/orgs", response=OrganizationPage, summary="组织列表（本辖区）")
def list_orgs(request: HttpRequest, filters: OrgFilters = Query(...)):  # noqa: B008
    qs = selectors.organization_list(
        user=request.user,
        q=filters.q,
        kind=filters.kind,
        division=filters.division,
        active=filters.active,
    )
    page = Paginator(qs.prefetch_related("groups"), PAGE_SIZE).get_page(filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": _serialize(list(page), request.user),
    }


@router.get(
    "/orgs/{int:org_id}", response={200: OrganizationOut, 404: ErrorOut}, summary="组织详情"
)
def get_org(request: HttpRequest, org_id: int):
    org = get_scoped_or_404(
        request.user, Organization.objects.prefetch_related("groups"), pk=org_id
    )
    return _serialize([org], request.user)[0]


@router.get(
    "/orgs/{int:org_id}/children",
    response={200: list[OrganizationOut], 404: ErrorOut},
    summary="直属下级组织",
)
def get_children(request: HttpRequest, org_id: int):
    org = get_scoped_or_404(request.user, Organization, pk=org_id)
    return _serialize(
        list(Organization.objects.get_children(org).prefetch_related("groups")), request.user
    )
