"""Role permissions for campaigns (jurisdiction is checked separately)."""

import rules

from ruhui.accounts.rules import can_review, is_admin, is_cadre

rules.add_perm("campaigns.view_campaign", is_cadre)
rules.add_perm("campaigns.manage_campaign", is_admin)
rules.add_perm("campaigns.set_targets", is_admin)
rules.add_perm("campaigns.refresh_progress", can_review)
