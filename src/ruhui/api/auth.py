"""API authentication: bearer tokens (for integrators) and the browser session (for pages).

A request that carries `Authorization: Bearer …` is judged by its token alone: a bad token is a
401 whatever the method, and the session cookie beside it is not looked at. A request without
one is a browser call: it needs a logged-in session, and a write needs the CSRF token as on
every page (an anonymous request is a 401 before any CSRF check).
"""

from django.conf import settings
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from ruhui.accounts.models import ApiToken
from ruhui.api.errors import InvalidToken

#: last_used_at is written at most this often, so reads stay reads.
TOUCH_INTERVAL = timezone.timedelta(minutes=5)

MSG_CSRF = (
    "CSRF 校验失败：浏览器会话调用须在 X-CSRFToken 请求头中带上 CSRF 令牌；"
    "接口对接请改用 API 令牌（Authorization: Bearer rh_…）。"
)


def has_bearer(request) -> bool:
    scheme = request.headers.get("Authorization", "").split(" ", 1)[0]
    return scheme.lower() == "bearer"


class TokenAuth(HttpBearer):
    """`Authorization: Bearer rh_…`; only the token's SHA-256 digest is stored."""

    def authenticate(self, request, token: str):
        found = (
            ApiToken.objects.select_related("user", "user__organization")
            .filter(digest=ApiToken.digest_of(token.strip()))
            .first()
        )
        if found is None or not found.is_usable():
            raise InvalidToken()  # a 401 now: the session must not be tried instead
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > TOUCH_INTERVAL:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class BrowserSession(APIKeyCookie):
    """The logged-in browser session, CSRF-checked on writes; skipped when a bearer is sent."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request):
        if has_bearer(request) or not request.user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, MSG_CSRF)
        return request.user

    def _get_key(self, request):  # pragma: no cover - __call__ does not use it
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):  # pragma: no cover - __call__ does not use it
        return request.user if request.user.is_authenticated else None


AUTH = [TokenAuth(), BrowserSession()]


def require_perm(request, perm: str, message: str) -> None:
    """403 with a Chinese message when the caller's role lacks a permission (every endpoint)."""
    if not request.user.has_perm(perm):
        raise HttpError(403, message)
