"""Role permissions for 项目清单+责任制 (jurisdiction and the reviewing level are checked by the
services: `projects.services`)."""

import rules

from ruhui.accounts.rules import can_enter, can_review, is_admin, is_cadre

rules.add_perm("projects.view_plan", is_cadre)
rules.add_perm("projects.edit_plan", can_enter)
rules.add_perm("projects.review_plan", can_review)
rules.add_perm("projects.review_subsidy", can_review)
rules.add_perm("projects.record_disbursement", is_admin)
rules.add_perm("projects.record_inspection", can_review)
