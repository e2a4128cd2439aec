"""Absolute session lifetime (12 h) on top of Django's 30-minute idle expiry (SESS-1), and the
first-login password change for accounts given a one-time password (AUTH-6). Under the mlps
password profile a password older than RUHUI_PASSWORD_ROTATION_DAYS takes the same path."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect

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
