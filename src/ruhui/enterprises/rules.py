"""Role permissions for the enterprise survey (jurisdiction is checked separately)."""

import rules

from ruhui.accounts.rules import can_enter, can_review, is_cadre

rules.add_perm("enterprises.view_enterprise", is_cadre)
rules.add_perm("enterprises.add_enterprise", can_enter)
rules.add_perm("enterprises.change_enterprise", can_enter)
rules.add_perm("enterprises.add_survey", can_enter)
rules.add_perm("enterprises.manage_parks", can_review)
rules.add_perm("enterprises.build_union", can_review)
