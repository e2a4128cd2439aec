from django.urls import path

from ruhui.importing import views

app_name = "importing"
urlpatterns = [
    path("", views.import_upload, name="upload"),
    path("template.xlsx", views.import_template, name="template"),
    path("exports/", views.export_start, name="export"),
]
