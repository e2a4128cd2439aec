"""Absolute session lifetime (12 h) on top of Django's 30-minute idle expiry (SESS-1), and the
first-login password change for accounts given a one-time password (AUTH-6). Under the mlps
password profile a password older than RUHUI_PASSWORD_ROTATION_DAYS takes the same path."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect

from ruhui.accounts import twofactor
from ruhui.accounts.validators import password_due

SESSION_STARTED_KEY = "ruhui_started"
PASSWORD_CHANGE_EXEMPT = ("/accounts/password/", "/accounts/logout/", "/static/", "/healthz")


class SessionLifetimeMiddleware:
    """Logs a user out once the session is older than RUHUI_SESSION_ABSOLUTE_SECONDS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            if started is None or time.time() - started > settings.RUHUI_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                if not request.path.startswith("/api/"):
                    return redirect_to_login(request.get_full_path())
            elif (
                (request.user.must_change_password or password_due(request.user))
                and not request.path.startswith(PASSWORD_CHANGE_EXEMPT)
                and not request.path.startswith("/api/")
            ):
                return redirect("accounts:password_change")
        return self.get_response(request)


#: Reached by every signed-in account, whatever its second factor.
TWO_FACTOR_OPEN = ("/accounts/logout/", "/accounts/login/", "/static/", "/healthz")
#: What an account that must enrol but has not may also reach (plus the password page while a
#: password change is due, which comes first).
ENROLMENT_PATH = "/accounts/2fa/"
MSG_ENROL_FIRST = (
    "您的账号须先启用两步验证：请在「两步验证」页（/accounts/2fa/）绑定认证应用后再使用系统。"
)
MSG_VERIFY_AGAIN = "登录已失效：您的账号已启用两步验证，请重新登录并填写动态验证码。"


class TwoFactorMiddleware:
    """RUHUI_REQUIRE_2FA (issue 19): an account that must use a second factor but has none
    reaches only the enrolment page (a session call to /api/ gets 403 JSON); a session of an
    account that had a confirmed device at sign-in but was not verified with it is logged out
    and sent to log in again (noted at login: no device query per request). API bearer tokens are a factor of their own and are
    not affected: a request carrying one is left to the API's token check."""

    def __init__(self, get_response):
        self.get_response = get_response
        # A wrong role or organization kind stops the server at start, naming the entry.
        twofactor.parse_requirement(settings.RUHUI_REQUIRE_2FA or "")

    def __call__(self, request):
        user = request.user
        path = request.path
        api = path.startswith("/api/")
        if (
            not user.is_authenticated
            or user.is_verified()
            or path.startswith(TWO_FACTOR_OPEN)
            or (api and request.headers.get("Authorization", "").lower().startswith("bearer"))
        ):
            return self.get_response(request)
        if twofactor.session_needs_device(request, user):
            # Signed in past the code (say, through another login form): sign in again.
            logout(request)
            if api:
                return JsonResponse({"detail": MSG_VERIFY_AGAIN}, status=401)
            return redirect_to_login(request.get_full_path())
        if (
            path.startswith(ENROLMENT_PATH)
            or (
                path.startswith(PASSWORD_CHANGE_EXEMPT[0])
                and (user.must_change_password or password_due(user))
            )
            or not twofactor.is_required(user)
        ):
            return self.get_response(request)
        if api:
            return JsonResponse({"detail": MSG_ENROL_FIRST}, status=403)
        return redirect("accounts:twofactor")
