"""Role permissions for 考核评比 (which unit may review is checked by the model guards:
`AssessmentScheme.can_manage`, `UnitSelfAssessment` belongs to its own unit)."""

import rules

from ruhui.accounts.rules import can_enter, can_review, is_cadre

rules.add_perm("assessment.view_assessment", is_cadre)
rules.add_perm("assessment.submit_self", can_enter)
rules.add_perm("assessment.manage_assessment", can_review)
