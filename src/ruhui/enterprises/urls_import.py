"""Enterprise list and survey sheet import, template download and worklist export (scoped).
An import's check, confirm and result file are on the shared job pages (`jobs:`)."""

from django.urls import path

from ruhui.enterprises import views_import as views

app_name = "enterprise_import"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("template/<str:kind>/", views.template, name="template"),
    path("worklist/export/", views.worklist_export, name="worklist_export"),
]
