"""API authentication: bearer tokens (for integrators) and the browser session (for pages)."""

from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from ruhui.accounts.models import ApiToken

#: last_used_at is written at most this often, so reads stay reads.
TOUCH_INTERVAL = timezone.timedelta(minutes=5)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer rh_…`; only the token's SHA-256 digest is stored."""

    def authenticate(self, request, token: str):
        found = (
            ApiToken.objects.select_related("user", "user__organization")
            .filter(digest=ApiToken.digest_of(token))
            .first()
        )
        if found is None or not found.is_usable():
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > TOUCH_INTERVAL:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


AUTH = [TokenAuth(), django_auth]


def require_perm(request, perm: str, message: str) -> None:
    """403 with a Chinese message when the caller's role lacks a permission (every endpoint)."""
    if not request.user.has_perm(perm):
        raise HttpError(403, message)
