"""Read endpoints for organizations, scoped to the caller's jurisdiction like every page."""

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from ruhui.api.errors import Area, choices_text
from ruhui.api.schemas import NO_NUL, OrganizationOut, OrganizationPage, choice, errors
from ruhui.orgs import selectors
from ruhui.orgs.choices import OrgKind
from ruhui.orgs.models import Organization, standards_prefetch
from ruhui.orgs.scoping import get_scoped_or_404, scoped

router = Router(tags=["组织体系"])
PAGE_SIZE = 100


MSG_KIND = "组织形式「{value}」无效：请填写 {choices}。"
MSG_ACTIVE = "是否有效（active）「{value}」无效：请填写 1（有效）或 0（已撤销）。"
MSG_DIVISION = "行政区划代码（division）「{value}」的格式不对：请填写 2–6 位数字，如 410481。"
ACTIVE = {"true": "1", "false": "0", "是": "1", "否": "0"}

AREA = Area(
    {"kind": "组织形式", "active": "是否有效", "org_id": "组织编号"},
    {
        "kind": lambda value: MSG_KIND.format(value=value, choices=choices_text(OrgKind)),
        "active": lambda value: MSG_ACTIVE.format(value=value),
        "division": lambda value: MSG_DIVISION.format(value=value),
    },
)


class OrgFilters(Schema):
    q: str = Field("", pattern=NO_NUL, description="名称、简称或组织代码")
    kind: choice(OrgKind.values) = Field(None, description="组织形式")
    division: str = Field(
        "", pattern=r"^([0-9]{2,6})?$", description="行政区划代码（前缀），如 4104 或 410481"
    )
    active: choice(("1", "0"), normalize=lambda v: ACTIVE.get(v.lower())) = Field(
        None, description="1 有效，0 已撤销"
    )
    page: int = Field(1, ge=1)


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


@router.get(
    "/orgs", response={200: OrganizationPage, **errors(401, 422)}, summary="组织列表（本辖区）"
)
def list_orgs(request: HttpRequest, filters: OrgFilters = Query(...)):  # noqa: B008
    qs = selectors.organization_list(
        user=request.user,
        q=filters.q,
        kind=filters.kind or "",
        division=filters.division,
        active=filters.active or "",
    )
    page = Paginator(qs.prefetch_related("groups"), PAGE_SIZE).get_page(filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": _serialize(list(page), request.user),
    }


@router.get(
    "/orgs/{int:org_id}", response={200: OrganizationOut, **errors(401, 404)}, summary="组织详情"
)
def get_org(request: HttpRequest, org_id: int):
    org = get_scoped_or_404(
        request.user,
        Organization.objects.prefetch_related("groups", standards_prefetch()),
        pk=org_id,
    )
    return _serialize([org], request.user)[0]


@router.get(
    "/orgs/{int:org_id}/children",
    response={200: list[OrganizationOut], **errors(401, 404)},
    summary="直属下级组织",
)
def get_children(request: HttpRequest, org_id: int):
    org = get_scoped_or_404(request.user, Organization, pk=org_id)
    return _serialize(
        list(
            Organization.objects.get_children(org).prefetch_related("groups", standards_prefetch())
        ),
        request.user,
    )
