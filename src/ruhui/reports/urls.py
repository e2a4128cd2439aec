"""月报 pages (at /reports/); every one is scoped (tests/walk.py has their samples)."""

from django.urls import path

from ruhui.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("files/<int:report_attachment_pk>/", views.attachment, name="attachment"),
    path("<slug:slug>/matrix/", views.matrix, name="matrix"),
    path("<slug:slug>/<int:unit_pk>/year-end/", views.year_end, name="year_end"),
    path("<slug:slug>/<int:unit_pk>/<str:month>/", views.report, name="report"),
]
