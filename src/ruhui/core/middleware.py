"""Request context and security headers applied to every response; the 503 page while the
database is unavailable."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

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
    try:
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated)
    except DB_OUTAGE_ERRORS:  # the session or user could not be read: the 503 page, headers kept
        return False


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


logger = logging.getLogger("ruhui.outage")

#: What a lost or refused database connection raises (server stopped, restarted, unreachable).
DB_OUTAGE_ERRORS = (OperationalError, InterfaceError)
#: Seconds a client is asked to wait before trying again (the Retry-After header).
OUTAGE_RETRY_AFTER = 30
MSG_OUTAGE = _("系统繁忙，请稍后重试。")
HELP_OUTAGE = _(
    "系统暂时无法读写数据，通常几十秒内恢复。请稍后刷新本页；如长时间无法访问，请联系系统管理员。"
)
MSG_OUTAGE_JOIN = _("系统繁忙，请稍后重试，您填写的内容未提交。")
#: When the database failed after the page had done its work (the session is written last), the
#: application may have been accepted: never say it was not. A retry is safe either way (the
#: same person's resubmission returns the pending application, joining.services).
MSG_OUTAGE_JOIN_UNSURE = _("系统繁忙，请稍后重试。刚才的提交可能已经受理，也可能没有。")
HELP_OUTAGE_JOIN = _(
    "请不要关闭本页：稍后点浏览器的“后退”回到表单，再点一次“提交”即可；同一人重复提交只算一份申请。"
)
#: The public join pages (the form behind the poster's QR code, find / status / transfer).
PUBLIC_JOIN_PREFIXES = ("/j/", "/join/")


def is_db_outage(exc: BaseException | None) -> bool:
    """A lost database, raised as is or behind what Django made of it: the session store turns
    a failed UPDATE into UpdateError, the session middleware that into a 400 (SessionInterrupted)."""
    for _depth in range(5):
        if exc is None:
            return False
        if isinstance(exc, DB_OUTAGE_ERRORS):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def outage_response(request, exception: BaseException) -> HttpResponse:
    """A generic 503 (no traceback, no detail of the error) with Retry-After. A post of the
    public join form is told its content was not submitted; API clients get the API's JSON.
    Rendered without the request: the context processors would need the database. Logged
    here in one line, and only here (Django's request log skips a response marked logged)."""
    # Several middleware layers may meet the same outage in one request: one line per request.
    if not getattr(request, "_outage_logged", False):
        request._outage_logged = True
        logger.warning(
            "数据库不可用，已答复 503：%s %s（%s）", request.method, request.path,
            type(exception).__name__,
        )  # fmt: skip
    join_post = request.method == "POST" and request.path.startswith(PUBLIC_JOIN_PREFIXES)
    message = MSG_OUTAGE
    if join_post:
        # In the view its transaction rolled back; before the view nothing was written.
        in_view = getattr(request, "_outage_in_view", False)
        after_view = getattr(request, "_outage_view_started", False) and not in_view
        message = MSG_OUTAGE_JOIN_UNSURE if after_view else MSG_OUTAGE_JOIN
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": str(message)}, status=503, json_dumps_params={"ensure_ascii": False}
        )
    else:
        context = {
            "message": message,
            "help_text": HELP_OUTAGE_JOIN if join_post else HELP_OUTAGE,
            "retry_url": request.path,
        }
        body = loader.get_template("core/503.html").render(context)
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(OUTAGE_RETRY_AFTER)
    add_never_cache_headers(response)
    response._has_been_logged = True
    return response


class DatabaseOutageMiddleware:
    """Answers OperationalError / InterfaceError with the 503 page and logs it once, in one line.

    A view's error reaches process_exception here. The session and authentication middleware
    touch the database before the view (and the session is saved after it): Django turns their
    errors into the 500 handler's response, so ruhui.web.errors.server_error hands a database
    error to `outage_response` too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        request._outage_view_started = True

    def process_exception(self, request, exception):
        if not is_db_outage(exception):
            return None
        request._outage_in_view = True
        return outage_response(request, exception)
