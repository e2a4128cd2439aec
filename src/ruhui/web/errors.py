"""Error pages in Chinese, on the site's layout, each with a way back (settings.py and urls.py
point Django's handlers here).

A signed-in cadre sees the page inside the cadre layout with its navigation; anyone else the public
layout. The 404 page says the same for 'missing' and 'outside your jurisdiction', whatever the
exception carried (no oracle; Django's own 404 carries the URL patterns it tried). The 500 page is a
static template rendered without context: the database or the request may be what failed. Paths
under /api/v1/ get the API's JSON error shape instead of a page.
"""

import sys
from urllib.parse import urlsplit

from django.core.exceptions import DisallowedHost
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from ruhui.core.middleware import is_db_outage, outage_response

API_PREFIX = "/api/v1/"

TITLE_400 = _("请求有误")
MSG_400 = _("系统无法处理这个请求。")
HELP_400 = _("网址或提交的内容不完整、格式不对或过大。请返回重新操作，或从下面的入口重新进入。")

TITLE_403 = _("无权进行此操作")
MSG_403 = _("您的角色没有此项操作的权限。如确需办理，请联系本单位或上级工会的系统管理员。")

TITLE_404 = _("页面不存在")
#: Identical to orgs.scoping.NOT_FOUND (tests/web/test_error_pages.py): the same words for a
#: missing page and for one outside the jurisdiction.
MSG_404 = _("页面不存在，或不在您的管辖范围内。")
HELP_404 = _("请检查网址是否正确，或从下面的入口重新进入。")

TITLE_CSRF = _("页面已过期，提交没有成功")
MSG_CSRF = _(
    "这个页面打开的时间太久、您已在其他窗口退出或重新登录，或者浏览器禁用了 Cookie，"
    "所以刚才的提交没有被受理，也没有保存任何内容。"
)
HELP_CSRF = _("请返回上一页，刷新后重新提交；如仍不成功，请确认浏览器允许本网站使用 Cookie。")

MSG_500 = _("系统出错，请稍后再试。")


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def _back_url(request) -> str | None:
    """The page the visitor came from, when it is on this site and not this very page (a refused
    form post comes from its own address: going back to the form is right then)."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:  # the 400 for a foreign Host header: no way back to guess
        return None
    if not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(referer)
    back = parts.path + (f"?{parts.query}" if parts.query else "")
    if not back or (request.method == "GET" and back == request.get_full_path()):
        return None
    return back


def _page(request, *, status: int, title: str, message: str, help_text: str = ""):
    # request.user is missing when the error came before the authentication middleware (a 400
    # for a foreign Host header); the cadre layout also needs an organization (its navigation).
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    cadre = signed_in and bool(getattr(user, "organization_id", None))
    context = {
        "layout": "web/base.html" if cadre else "web/public_base.html",
        "cadre": cadre,
        "signed_in": signed_in,
        "status": status,
        "title": title,
        "message": message,
        "help_text": help_text,
        "back_url": _back_url(request),
    }
    return render(request, "web/error.html", context, status=status)


def _json(status: int, message: str) -> JsonResponse:
    return JsonResponse(
        {"detail": str(message)}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def bad_request(request, exception=None):
    # The session middleware answers a session it could not write with a 400 (SessionInterrupted);
    # when the database was the reason, that is the outage page.
    if is_db_outage(exception):
        return outage_response(request, exception)
    if _is_api(request):
        return _json(400, MSG_400)
    return _page(request, status=400, title=TITLE_400, message=MSG_400, help_text=HELP_400)


def permission_denied(request, exception=None):
    # Our services and access helpers raise with a Chinese reason worth showing; anything else
    # (Django's own, empty or English) gets the general one.
    reason = str(exception) if exception is not None else ""
    message = reason if _chinese(reason) else MSG_403
    if _is_api(request):
        return _json(403, message)
    return _page(request, status=403, title=TITLE_403, message=message)


def page_not_found(request, exception=None):
    if _is_api(request):
        return _json(404, MSG_404)
    return _page(request, status=404, title=TITLE_404, message=MSG_404, help_text=HELP_404)


def csrf_failure(request, reason=""):
    """settings.CSRF_FAILURE_VIEW: Django's reason is English and for developers; not shown."""
    if _is_api(request):
        return _json(403, TITLE_CSRF)
    return _page(request, status=403, title=TITLE_CSRF, message=MSG_CSRF, help_text=HELP_CSRF)


def server_error(request):
    # A database outage met in the session or auth middleware (outside any view) ends here:
    # the 503 page with Retry-After, as DatabaseOutageMiddleware answers it for views.
    error = sys.exc_info()[1]
    if is_db_outage(error):
        return outage_response(request, error)
    if _is_api(request):
        return _json(500, MSG_500)
    # No context processors, no request: the database may be the thing that failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
