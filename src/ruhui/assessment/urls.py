"""考核评比 pages (at /assessment/); every one is scoped (tests/walk.py has samples)."""

from django.urls import path

from ruhui.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.index, name="index"),
    path("files/<int:file_pk>/", views.attachment, name="attachment"),
    path("<slug:slug>/", views.ranking, name="ranking"),
    path("<slug:slug>/scheme/", views.scheme, name="scheme"),
    path("<slug:slug>/ranking.xlsx", views.export_xlsx, name="export_xlsx"),
    path("<slug:slug>/ranking.docx", views.export_docx, name="export_docx"),
    path("<slug:slug>/units/<int:unit_pk>/", views.unit, name="unit"),
]
