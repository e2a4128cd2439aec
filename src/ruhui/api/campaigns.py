"""Read endpoints for campaigns and their progress, scoped like the dashboards: a caller sees
the campaigns run by, above or below their organization, and the progress of their own subtree
(plus, for a union assisting groups, those groups' counts across the campaign)."""

from datetime import date, datetime

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from ruhui.api.errors import Area
from ruhui.api.schemas import errors
from ruhui.campaigns import selectors
from ruhui.campaigns.dashboard import UnitProgress, dashboard
from ruhui.orgs.scoping import NOT_FOUND

router = Router(tags=["集中行动"])


class CampaignOut(Schema):
    slug: str
    name: str
    year: int
    owner_code: str
    owner_name: str
    starts_on: date
    ends_on: date
    baseline_on: date | None
    goal_new_members: int | None
    goal_growth_pct: float | None
    goal_new_unions: int | None
    migrant_only: bool
    progress_at: datetime | None


class UnitProgressOut(Schema):
    unit_code: str
    unit_name: str
    target: int | None
    baseline_declared: int | None
    baseline_computed: int | None
    new_members: int
    pct_of_target: float | None
    growth_pct: float | None
    projection: int | None
    behind_pace: bool
    unions_founded: int
    enterprises: int
    enterprises_surveyed: int
    enterprises_unionised: int


class CheckOut(Schema):
    code: str
    level: str
    message: str
    unit_id: int | None
    figures: dict


class ProgressOut(Schema):
    campaign: CampaignOut
    elapsed_pct: float
    state: str
    total: UnitProgressOut
    units: list[UnitProgressOut]
    months: list[dict]
    groups: list[dict]
    checks: list[CheckOut]
    assisted_groups: list[dict]


class ProgressFilters(Schema):
    unit: int | None = Field(None, description="下级单位的组织 id（默认本单位）")


AREA = Area({"unit": "单位", "campaign_slug": "行动标识"})


def _campaign(c) -> dict:
    return {
        "slug": c.slug,
        "name": c.name,
        "year": c.year,
        "owner_code": c.owner.code,
        "owner_name": c.owner.name,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "baseline_on": c.baseline_on,
        "goal_new_members": c.goal_new_members,
        "goal_growth_pct": None if c.goal_growth_pct is None else float(c.goal_growth_pct),
        "goal_new_unions": c.goal_new_unions,
        "migrant_only": c.migrant_only,
        "progress_at": c.progress_at,
    }


def _number(value):
    return None if value is None else float(value)


def _row(row: UnitProgress) -> dict:
    return {
        "unit_code": row.unit.code,
        "unit_name": row.unit.name,
        "target": row.target,
        "baseline_declared": row.baseline_declared,
        "baseline_computed": row.baseline_computed,
        "new_members": row.new_members,
        "pct_of_target": _number(row.pct_of_target),
        "growth_pct": _number(row.growth_pct),
        "projection": row.projection,
        "behind_pace": row.behind_pace,
        "unions_founded": row.unions_founded,
        "enterprises": row.enterprises,
        "enterprises_surveyed": row.enterprises_surveyed,
        "enterprises_unionised": row.enterprises_unionised,
    }


@router.get("/campaigns", response={200: list[CampaignOut], **errors(401)}, summary="集中行动列表")
def list_campaigns(request: HttpRequest):
    return [_campaign(c) for c in selectors.campaign_list(user=request.user)]


@router.get(
    "/campaigns/{campaign_slug}/progress",
    response={200: ProgressOut, **errors(401, 404, 422)},
    summary="集中行动进度（默认本单位，可用 unit 指定下级单位的 id）",
)
def campaign_progress(
    request: HttpRequest,
    campaign_slug: str,
    filters: ProgressFilters = Query(...),  # noqa: B008
):
    if "\x00" in campaign_slug:  # no slug holds one, and PostgreSQL cannot compare it
        raise Http404(NOT_FOUND)
    campaign = selectors.campaign_get(user=request.user, slug=campaign_slug)
    if filters.unit is None:
        unit = selectors.default_unit(user=request.user, campaign=campaign)
    else:
        unit = selectors.unit_get(user=request.user, campaign=campaign, pk=filters.unit)
    board = dashboard(user=request.user, campaign=campaign, unit=unit)
    return {
        "campaign": _campaign(campaign),
        "elapsed_pct": float(board.timing.share),
        "state": board.timing.state,
        "total": _row(board.total),
        "units": [_row(r) for r in board.rows],
        "months": board.months,
        "groups": board.groups,
        "checks": [c.as_dict() for c in board.decomposition.checks],
        "assisted_groups": board.assisted,
    }
