"""Role permissions for 月报 (jurisdiction, the reporting unit and the reviewing level are
checked by the services: `reports.services`)."""

import rules

from ruhui.accounts.rules import can_enter, can_review, is_admin, is_cadre

rules.add_perm("reports.view_report", is_cadre)
rules.add_perm("reports.edit_report", can_enter)
rules.add_perm("reports.review_report", can_review)
rules.add_perm("reports.edit_bulletin", can_review)
rules.add_perm("reports.publish_bulletin", is_admin)
rules.add_perm("reports.set_schedule", is_admin)
