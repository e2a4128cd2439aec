"""Role permissions for the member registry (jurisdiction is checked separately)."""

import rules

from ruhui.accounts.rules import can_enter, can_review, is_cadre

rules.add_perm("members.view_member", is_cadre)
rules.add_perm("members.add_member", can_enter)
rules.add_perm("members.change_member", can_enter)
rules.add_perm("members.manage_membership", can_review)
rules.add_perm("members.manage_transfers", can_review)
rules.add_perm("members.reveal_personal_data", can_review)
