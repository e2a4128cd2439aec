"""Role permissions (`rules` predicates). Jurisdiction is separate: see ruhui.orgs.scoping."""

import rules

from ruhui.accounts.models import Role


@rules.predicate
def is_cadre(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.organization_id)


def _has_role(*roles):
    @rules.predicate(name=f"has_role_{'_'.join(roles)}")
    def predicate(user) -> bool:
        return is_cadre(user) and user.role in roles

    return predicate


is_admin = _has_role(Role.ADMIN)
can_enter = _has_role(Role.ADMIN, Role.REVIEWER, Role.CLERK)
can_review = _has_role(Role.ADMIN, Role.REVIEWER)

rules.add_perm("orgs.view_organization", is_cadre)
rules.add_perm("orgs.manage_organization", is_admin)
rules.add_perm("accounts.view_audit", is_admin)
rules.add_perm("accounts.manage_users", is_admin)
rules.add_perm("accounts.manage_own_tokens", is_cadre)
