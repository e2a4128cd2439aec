"""Jurisdiction: the one door in front of every query.

A cadre belongs to one organization and sees its subtree, nothing else. Every selector, view,
export and API endpoint starts from `scoped(user, Model)`; an object outside answers 404.
Each scoped model names, in `scope_field`, the lookup of the tree path it belongs under
(`path` on Organization, `organization__path` on User, `union__path` on Member, …), or a tuple
of lookups when a record belongs to two places at once (a transfer: the outgoing and the
incoming union) — then it is visible from either. A model that sets `scope_reaches_down = True`
is also visible from inside its organization's subtree (a campaign set by the city is seen by
every county under it, each on its own part of it).
"""

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from ruhui.orgs.models import Organization

NOT_FOUND = "页面不存在，或不在您的管辖范围内。"


def jurisdiction_root(user) -> Organization | None:
    """The organization whose subtree the user may see, or None for no access at all."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if getattr(user, "organization_id", None) is None:
        return None
    return user.organization


def visible_organizations(user) -> QuerySet[Organization]:
    """The organizations a user may see: its own organization's subtree."""
    return scoped(user, Organization)


def scoped(user, model_or_queryset: type[Model] | QuerySet) -> QuerySet:
    """The rows of a model (or a narrower queryset) that lie inside the user's jurisdiction."""
    queryset, model = _queryset(model_or_queryset)
    _scope_field(model)
    root = jurisdiction_root(user)
    if root is None:
        return queryset.none()
    return under(root, queryset)


def under(root: Organization, model_or_queryset: type[Model] | QuerySet) -> QuerySet:
    """The rows of a model (or a narrower queryset) that lie in `root`'s subtree, by the
    model's `scope_field`: what `scoped` gives a user whose organization is `root` (used where
    the subtree is a unit's rather than the user's, such as a plan's unit)."""
    queryset, model = _queryset(model_or_queryset)
    field = _scope_field(model)
    if getattr(model, "scope_reaches_down", False):
        return queryset.filter(
            Q(**{f"{field}__startswith": root.path}) | Q(**{f"{field}__in": ancestor_paths(root)})
        )
    if isinstance(field, tuple):
        condition = Q()
        for lookup in field:
            condition |= Q(**{f"{lookup}__startswith": root.path})
        return queryset.filter(condition)
    return queryset.filter(**{f"{field}__startswith": root.path})


def _scope_field(model: type[Model]) -> str | tuple[str, ...]:
    field = getattr(model, "scope_field", None)
    if not field:
        raise ImproperlyConfigured(f"{model.__name__} has no scope_field; it cannot be scoped.")
    return field


def _queryset(model_or_queryset) -> tuple[QuerySet, type[Model]]:
    if isinstance(model_or_queryset, QuerySet):
        return model_or_queryset, model_or_queryset.model
    return model_or_queryset._default_manager.all(), model_or_queryset


def ancestor_paths(organization: Organization) -> list[str]:
    """The tree paths of an organization's ancestors, nearest last (no query)."""
    step = Organization.steplen
    return [organization.path[:end] for end in range(step, len(organization.path), step)]


def get_scoped_or_404(user, model_or_queryset, **lookup):
    """Fetch one object for a user: missing or outside the jurisdiction → the same 404."""
    queryset = scoped(user, model_or_queryset)
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None


def in_jurisdiction(user, organization: Organization) -> bool:
    """Whether an organization lies in the user's subtree (no query)."""
    root = jurisdiction_root(user)
    return root is not None and organization.path.startswith(root.path)
