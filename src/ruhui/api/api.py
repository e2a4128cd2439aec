"""The REST API under /api/v1/ (django-ninja), with its OpenAPI document at /api/v1/openapi.json.

Every answer is the one its operation declares: errors are JSON in the shapes of
ruhui.api.errors (401 for a missing or bad credential whatever the method, 422 per field in
Chinese), and tests/api/test_contract.py runs schemathesis against the document to keep it so.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, JsonResponse
from ninja import NinjaAPI

from ruhui.api import (
    assessment,
    campaigns,
    cases,
    enterprises,
    errors,
    joining,
    members,
    orgs,
    positions,
    projects,
    reports,
)
from ruhui.api.auth import AUTH, TokenAuth, has_bearer
from ruhui.api.schemas import MeOut
from ruhui.api.schemas import errors as declared


def docs_login_required(view):
    """In production the Swagger page and the document need a logged-in cadre (or, for the
    document, an API token): an anonymous visitor is sent to the login page (the page) or gets
    a 401 (the JSON)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not settings.PRODUCTION or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.path.endswith("/openapi.json"):
            if has_bearer(request):
                try:
                    TokenAuth()(request)
                except errors.InvalidToken:
                    pass
                else:
                    return view(request, *args, **kwargs)
            return JsonResponse(
                {"detail": errors.MSG_UNAUTHENTICATED},
                status=401,
                json_dumps_params={"ensure_ascii": False},
            )
        return redirect_to_login(request.get_full_path())

    return wrapper


api = NinjaAPI(
    title="入会 API",
    version="1",
    description="工会建会入会信息系统接口。所有数据按调用者所属组织的管辖范围过滤；"
    "认证方式：Bearer 令牌（在「API 令牌」页面创建）或已登录的浏览器会话"
    "（带 Bearer 请求头时只认令牌）。出错时返回 JSON：422 为 "
    '`{"detail": [{"field", "label", "message"}]}`，逐项说明字段和改法；'
    '其他错误为 `{"detail": "中文说明"}`（401 未登录或令牌无效，403 无权限，404 不存在或不在'
    "管辖范围内，409 与现有记录冲突）。",
    auth=AUTH,
    urls_namespace="api",
    docs_decorator=docs_login_required,
)
errors.install(api)
errors.AREAS.update(
    {
        "members": members.AREA,
        "orgs": orgs.AREA,
        "joining": joining.AREA,
        "enterprises": enterprises.AREA,
        "campaigns": campaigns.AREA,
        "projects": projects.AREA,
        "cases": cases.AREA,
        "reports": reports.AREA,
        "assessment": assessment.AREA,
        "positions": positions.AREA,
    }
)


@api.get("/me", response={200: MeOut, **declared(401)}, summary="当前账号", tags=["账号"])
def me(request: HttpRequest):
    user = request.user
    org = user.organization
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "organization_code": org.code if org else "",
        "organization_name": org.name if org else "",
    }


api.add_router("/", orgs.router)
api.add_router("/", members.router)
api.add_router("/", joining.router)
api.add_router("/", enterprises.router)
api.add_router("/", campaigns.router)
api.add_router("/", projects.router)
api.add_router("/", cases.router)
api.add_router("/", reports.router)
api.add_router("/", assessment.router)
api.add_router("/", positions.router)
