"""The projects panel of the campaign dashboard (projects per unit by status), added through
`campaigns.dashboard.PANELS` so that campaigns needs no import of projects."""

from ruhui.campaigns.dashboard import PANELS
from ruhui.projects import selectors
from ruhui.projects.choices import ProjectStatus


def dashboard_panel(campaign, unit, user) -> tuple[str, dict]:
    """The plans' projects of the dashboard's unit and those below it, counted by status."""
    rows = selectors.panel_rows(user=user, campaign=campaign, unit=unit)
    return "projects/_panel.html", {
        "campaign": campaign,
        "rows": rows,
        "statuses": ProjectStatus.choices,
    }


if dashboard_panel not in PANELS:
    PANELS.append(dashboard_panel)
