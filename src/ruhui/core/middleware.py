"""Request context and security headers applied to every response."""

from django.conf import settings
from django.utils.cache import add_never_cache_headers

from ruhui.core.context import reset_client_ip, set_client_ip

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # Inline style attributes carry computed widths (progress bars); no inline scripts.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
#: Sent on every page: no page may use the camera, the microphone or the location. A view that
#: truly needs one sets its own Permissions-Policy header, which the middleware then leaves
#: alone — only the public near-me page does (the one below, /join/stations/).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=()"
PERMISSIONS_POLICY_GEOLOCATION_SELF = "camera=(), microphone=(), geolocation=(self)"


def request_ip(request) -> str | None:
    """The client address, honouring X-Forwarded-For only behind a configured number of proxies."""
    proxies = settings.AXES_IPWARE_PROXY_COUNT
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    """Makes the client IP available to the audit log for the duration of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_client_ip(request_ip(request))
        try:
            return self.get_response(request)
        finally:
            reset_client_ip(token)


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and related headers (CFG-3); Django sets the rest.

    Every response to a signed-in user (session or API token) is `no-store`: rosters, dashboards
    and API bodies must not stay in a shared browser's or a proxy's cache (PI-7).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if _signed_in(request) and "no-store" not in response.headers.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response
