"""The 服务阵地与服务 panel of the campaign dashboard, added through `campaigns.dashboard.PANELS`
(campaigns imports nothing of positions). It reads the coverage selector for the dashboard's
unit since the campaign started: five queries (four with the members' count remembered)."""

from django.utils import timezone

from ruhui.campaigns.dashboard import PANELS
from ruhui.positions.coverage import coverage


def dashboard_panel(campaign, unit, user) -> tuple[str, dict]:
    """Positions, services, 六有 and consultations of the unit's subtree, by group; services and
    consultations from the campaign's start to its end or to today, whichever is later (a
    service recorded today shows on the dashboard of a drive that has ended)."""
    end = max(campaign.ends_on, timezone.localdate())
    figures = coverage(user=user, unit=unit, start=campaign.starts_on, end=end)
    return "positions/_panel.html", {"figures": figures, "unit": unit}


if dashboard_panel not in PANELS:
    PANELS.append(dashboard_panel)
