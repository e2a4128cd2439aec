"""Role permissions for 典型经验 (which unit may select and publish is checked by the model
guards: `Case.can_review`)."""

import rules

from ruhui.accounts.rules import can_enter, can_review, is_cadre

rules.add_perm("cases.view_case", is_cadre)
rules.add_perm("cases.submit_case", can_enter)
rules.add_perm("cases.review_case", can_review)
