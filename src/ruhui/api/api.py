"""The REST API under /api/v1/ (django-ninja), with its OpenAPI document at /api/v1/openapi.json."""

from django.http import HttpRequest
from ninja import NinjaAPI

from ruhui.api.auth import AUTH
from ruhui.api.campaigns import router as campaigns_router
from ruhui.api.enterprises import router as enterprises_router
from ruhui.api.joining import router as joining_router
from ruhui.api.members import router as members_router
from ruhui.api.orgs import router as orgs_router
from ruhui.api.schemas import MeOut

api = NinjaAPI(
    title="入会 API",
    version="1",
    description="工会建会入会信息系统接口。所有数据按调用者所属组织的管辖范围过滤；"
    "认证方式：Bearer 令牌（在「API 令牌」页面创建）或已登录的浏览器会话。",
    auth=AUTH,
    urls_namespace="api",
)


@api.get("/me", response=MeOut, summary="当前账号", tags=["账号"])
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


api.add_router("/", orgs_router)
api.add_router("/", members_router)
api.add_router("/", joining_router)
api.add_router("/", enterprises_router)
api.add_router("/", campaigns_router)
