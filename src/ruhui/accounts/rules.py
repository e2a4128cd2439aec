"""Role permissions (`rules` predicates). Jurisdiction is separate: see ruhui.orgs.scoping.

Separation of duties (三员分立, issue 19): with `settings.RUHUI_SEPARATION_OF_DUTIES` on (the
production profile), the system administrator (管理员) manages users and the organization tree
but cannot read the audit log; only the audit administrator (审计管理员) reads it; the security
administrator (安全管理员) manages lockouts, second factors, others' API tokens and sessions.
With it off (demo, tests), an admin also reads the audit log and manages security. In both
modes the security and audit administrators change no business data: data entry and review
(`can_enter`, `can_review`) never include them. The setting is read at call time."""

import rules
from django.conf import settings

from ruhui.accounts.models import Role

#: Roles that run the system itself and never touch business data (members, enterprises…).
OFFICER_ROLES = (Role.SECURITY, Role.AUDITOR)
#: Roles that do the union's work (what the user form offers an admin with the setting on).
BUSINESS_ROLES = (Role.ADMIN, Role.REVIEWER, Role.CLERK, Role.READONLY)


def separation_of_duties() -> bool:
    return bool(getattr(settings, "RUHUI_SEPARATION_OF_DUTIES", False))


@rules.predicate
def is_cadre(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.organization_id)


def _has_role(*roles):
    @rules.predicate(name=f"has_role_{'_'.join(roles)}")
    def predicate(user) -> bool:
        return is_cadre(user) and user.role in roles

    return predicate


is_admin = _has_role(Role.ADMIN)
is_security = _has_role(Role.SECURITY)
is_auditor = _has_role(Role.AUDITOR)
can_enter = _has_role(Role.ADMIN, Role.REVIEWER, Role.CLERK)
can_review = _has_role(Role.ADMIN, Role.REVIEWER)


@rules.predicate
def separated(user) -> bool:
    return separation_of_duties()


#: Audit log: the auditor always; an admin only while duties are not separated.
can_view_audit = is_auditor | (is_admin & ~separated)
#: Lockouts, second factors, others' API tokens: the security administrator always; an admin
#: only while duties are not separated.
can_manage_security = is_security | (is_admin & ~separated)
#: Ending all sessions of a user in scope: admins (they manage the accounts) and the security
#: administrator, in both modes.
can_revoke_sessions = is_admin | is_security

rules.add_perm("orgs.view_organization", is_cadre)
rules.add_perm("orgs.manage_organization", is_admin)
rules.add_perm("accounts.view_audit", can_view_audit)
rules.add_perm("accounts.manage_users", is_admin)
rules.add_perm("accounts.manage_security", can_manage_security)
rules.add_perm("accounts.revoke_sessions", can_revoke_sessions)
rules.add_perm("accounts.manage_own_tokens", is_cadre)


def assignable_roles(actor) -> list[tuple[str, str]]:
    """The roles the user form offers `actor`. With duties separated an admin assigns business
    roles only: security and audit administrators are created by a superuser
    (`ruhui create_officer`, or the Django admin), so an admin cannot make an auditor account
    and sign in as it. Without separation every role is offered (one office, one person)."""
    if separation_of_duties() and not actor.is_superuser:
        return [(value, label) for value, label in Role.choices if value in BUSINESS_ROLES]
    return list(Role.choices)


def may_administer(actor, target) -> bool:
    """Whether `actor` may edit `target`'s account or reset its password: with duties separated
    an admin leaves security and audit administrators alone (only a superuser manages them)."""
    if separation_of_duties() and not actor.is_superuser:
        return target.role not in OFFICER_ROLES
    return True
