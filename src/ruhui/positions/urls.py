"""/positions/: the cadre pages of 服务阵地与服务, one module per part (positions; the services
ledger, consultations and social workers; coverage and the 空壳/倾斜 lists). The public near-me
page is /join/stations/ (ruhui/urls.py)."""

from django.urls import include, path

app_name = "positions"

urlpatterns = [
    path("", include("ruhui.positions.urls_positions")),
    path("", include("ruhui.positions.urls_ledger")),
    path("", include("ruhui.positions.urls_coverage")),
]
