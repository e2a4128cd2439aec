"""Project URLs. Every cadre page is scoped (tests/test_jurisdiction_walk.py walks them all)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from ruhui.accounts.urls import auth_urlpatterns
from ruhui.api.api import api
from ruhui.api.errors import unknown_path

admin.site.site_header = "入会 · 系统管理（仅限超级管理员）"
# Django admin is for superusers only (AC-7); cadres work through the scoped pages.
admin.site.has_permission = lambda request: bool(
    request.user.is_active and request.user.is_superuser
)

urlpatterns = [
    *auth_urlpatterns,
    path("", include("ruhui.workbench.urls")),
    path("", include("ruhui.web.urls")),
    path("orgs/", include("ruhui.orgs.urls")),
    path("members/", include("ruhui.members.urls")),
    path("imports/", include("ruhui.importing.urls")),
    path("jobs/", include("ruhui.jobs.urls")),
    path("joining/", include("ruhui.joining.urls")),
    path("enterprises/import/", include("ruhui.enterprises.urls_import")),
    path("enterprises/", include("ruhui.enterprises.urls")),
    path("campaigns/", include("ruhui.campaigns.urls")),
    path("projects/", include("ruhui.projects.urls")),
    path("reports/", include("ruhui.reports.urls")),
    path("assessment/", include("ruhui.assessment.urls")),
    path("positions/", include("ruhui.positions.urls")),
    path("cases/manage/", include("ruhui.cases.urls")),
    path("cases/", include("ruhui.cases.urls_public")),
    path("join/", include("ruhui.positions.urls_public")),  # /join/stations/, before join/
    path("", include("ruhui.joining.urls_public")),
    path("accounts/", include("ruhui.accounts.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/", unknown_path),  # JSON 404, never an HTML page, for the API's clients
    path(settings.RUHUI_ADMIN_PATH, admin.site.urls),
]

handler400 = "ruhui.web.errors.bad_request"
handler403 = "ruhui.web.errors.permission_denied"
handler404 = "ruhui.web.errors.page_not_found"
handler500 = "ruhui.web.errors.server_error"
