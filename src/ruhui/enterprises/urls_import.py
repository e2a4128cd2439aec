"""Enterprise list and survey sheet import, template download and worklist export (scoped)."""

from django.urls import path

from ruhui.enterprises import views_import as views

app_name = "enterprise_import"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("runs/<str:run_id>/", views.run_detail, name="run"),
    path("runs/<str:run_id>/confirm/", views.confirm, name="confirm"),
    path("runs/<str:run_id>/report.xlsx", views.report, name="report"),
    path("template/<str:kind>/", views.template, name="template"),
    path("worklist.xlsx", views.worklist_export, name="worklist_export"),
]
