"""What the dashboard page shows besides the figures themselves: the links to the rows behind
each figure, the path from the campaign's organization down to the unit, and the charts' data
(read by campaigns/dashboard.js from a JSON block: no inline script under the CSP)."""

from urllib.parse import urlencode

from django.urls import reverse

from ruhui.campaigns.dashboard import Dashboard, UnitProgress
from ruhui.campaigns.models import Campaign
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import jurisdiction_root


def _url(name: str, campaign: Campaign, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name, args=[campaign.slug]) + (f"?{query}" if query else "")


def unit_links(campaign: Campaign, row: UnitProgress) -> dict:
    """Each figure of a unit's row linked to the rows behind it."""
    unit = row.unit
    responsible = {"responsible_unit": unit.pk}
    return {
        "dashboard": reverse("campaigns:unit", args=[campaign.slug, unit.pk]),
        "new_members": _url("campaigns:new_members", campaign, unit=unit.pk),
        "unions": _url("campaigns:new_unions", campaign, unit=unit.pk),
        "baseline": _url("campaigns:baseline_members", campaign, unit=unit.pk),
        "enterprises": f"{reverse('enterprises:list')}?{urlencode(responsible)}",
        "surveyed": f"{reverse('enterprises:list')}?{urlencode(responsible | {'surveyed': 1})}",
        "unionised": (
            f"{reverse('enterprises:list')}?{urlencode(responsible | {'union_status': 'built'})}"
        ),
    }


def drill_links(campaign: Campaign, board: Dashboard) -> dict:
    """Links for the whole page: the unit's own figures, its rows, months and groups."""
    for row in [board.total, *board.rows]:
        row.links = unit_links(campaign, row)
    unit = board.unit.pk
    for month in board.months:
        month["url"] = _url("campaigns:new_members", campaign, unit=unit, month=month["month"])
    for group in board.groups:
        group["url"] = _url("campaigns:new_members", campaign, unit=unit, group=group["code"])
    return {
        "export": reverse("campaigns:export", args=[campaign.slug]),
        "targets": reverse("campaigns:targets", args=[campaign.slug, unit]),
    }


def unit_trail(*, user, campaign: Campaign, unit: Organization) -> list[dict]:
    """The units from the campaign's organization down to `unit`, each linked to its dashboard
    when the user may open it (never above the user's own organization)."""
    root = jurisdiction_root(user)
    chain = [
        a
        for a in Organization.objects.get_ancestors(unit)
        if a.path.startswith(campaign.owner.path)
    ] + [unit]
    trail = []
    for org in chain:
        visible = root is not None and org.path.startswith(root.path)
        trail.append(
            {
                "name": org.name,
                "url": reverse("campaigns:unit", args=[campaign.slug, org.pk]) if visible else "",
            }
        )
    return [step for step in trail if step["url"] or step is trail[-1]]


def _num(value):
    return None if value is None else float(value)


def chart_data(board: Dashboard) -> dict:
    """The series the page's charts draw (all computed already; the script only draws)."""
    units = [
        {
            "name": row.unit.short_name or row.unit.name,
            "pct": _num(row.pct_of_target),
            "new": row.new_members,
            "unionised": _num(row.unionised_pct),
            "surveyed": _num(row.surveyed_pct),
        }
        for row in board.rows
    ]
    return {
        "units_have_data": any(u["pct"] is not None or u["surveyed"] is not None for u in units),
        "months": [
            {
                "month": m["month"],
                "new": m["new_members"],
                "running": m["running"],
                "pace": m["pace"],
            }
            for m in board.months
        ],
        "groups": [
            {"name": g["name"], "new": g["new_members"]} for g in board.groups if g["code"] != "99"
        ]
        + [{"name": g["name"], "new": g["new_members"]} for g in board.groups if g["code"] == "99"],
        "units": units,
        "elapsed": _num(board.timing.share),
        "assisted": [
            {
                "name": group["name"],
                "months": [m["new_members"] for m in group["months"]],
                "labels": [m["month"] for m in group["months"]],
            }
            for group in board.assisted
        ],
    }
