"""典型经验 cadre pages (at /cases/manage/); every one is scoped (tests/walk.py has samples)."""

from django.urls import path

from ruhui.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.index, name="manage"),
    path("submit/", views.submit, name="submit"),
    path("from-report/<int:report_pk>/", views.from_report, name="from_report"),
    path("export.docx", views.export_docx, name="export_docx"),
    path("<int:case_pk>/", views.case, name="case"),
    path("photos/<int:photo_pk>/", views.photo, name="photo"),
]
