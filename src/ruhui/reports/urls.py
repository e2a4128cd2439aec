"""月报 and 通报 pages (at /reports/); every one is scoped (tests/walk.py has their samples)."""

from django.urls import path

from ruhui.reports import bulletin_views, views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("files/<int:report_attachment_pk>/", views.attachment, name="attachment"),
    path("<slug:slug>/matrix/", views.matrix, name="matrix"),
    path("<slug:slug>/schedule/", views.schedule, name="schedule"),
    path("<slug:slug>/bulletins/", bulletin_views.bulletin_list, name="bulletins"),
    path("<slug:slug>/bulletins/new/", bulletin_views.bulletin_new, name="bulletin_new"),
    path("<slug:slug>/bulletins/<int:bulletin_pk>/", bulletin_views.bulletin, name="bulletin"),
    path(
        "<slug:slug>/bulletins/<int:bulletin_pk>/<str:file_kind>/",
        bulletin_views.bulletin_file,
        name="bulletin_file",
    ),
    path("<slug:slug>/<int:unit_pk>/year-end/", views.year_end, name="year_end"),
    path("<slug:slug>/<int:unit_pk>/<str:month>/", views.report, name="report"),
]
