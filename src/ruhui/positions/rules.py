"""Role permissions of 服务阵地与服务 (jurisdiction is checked by the scoped selectors and the
services). Recipients of 帮扶 and 法律援助 are for reviewers and admins only."""

import rules

from ruhui.accounts.rules import can_enter, can_review, is_cadre

rules.add_perm("positions.view_position", is_cadre)
rules.add_perm("positions.edit_position", can_enter)
rules.add_perm("positions.view_activity", is_cadre)
rules.add_perm("positions.edit_activity", can_enter)
rules.add_perm("positions.view_sensitive_recipients", can_review)
rules.add_perm("positions.view_consultation", is_cadre)
rules.add_perm("positions.edit_consultation", can_enter)
rules.add_perm("positions.view_social_worker", is_cadre)
rules.add_perm("positions.edit_social_worker", can_review)
