from django.urls import path

from ruhui.importing import views

app_name = "importing"
urlpatterns = [
    path("", views.import_upload, name="upload"),
    path("template.xlsx", views.import_template, name="template"),
    path("jobs/<int:import_pk>/", views.import_job, name="job"),
    path("jobs/<int:import_pk>/status/", views.import_job_status, name="job_status"),
    path("jobs/<int:import_pk>/confirm/", views.import_job_confirm, name="job_confirm"),
    path("jobs/<int:import_pk>/report.xlsx", views.import_job_report, name="job_report"),
    path("exports/", views.export_start, name="export"),
    path("exports/<int:export_pk>/", views.export_job, name="export_job"),
    path("exports/<int:export_pk>/decide/", views.export_decide, name="export_decide"),
    path("exports/<int:export_pk>/download/", views.export_download, name="export_download"),
]
