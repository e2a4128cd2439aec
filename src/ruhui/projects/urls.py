"""项目清单+责任制 pages (at /projects/); every one is scoped (tests/walk.py has their samples)."""

from django.urls import path

from ruhui.projects import views, views_documents, views_project

app_name = "projects"

urlpatterns = [
    path("", views.index, name="index"),
    path("queue/", views.queue, name="queue"),
    path("items/<int:project_pk>/", views_project.project, name="project"),
    path("files/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("<slug:slug>/", views.consolidated, name="consolidated"),
    path("<slug:slug>/plans/<int:unit_pk>/", views.plan, name="plan"),
    path(
        "<slug:slug>/plans/<int:unit_pk>/export.xlsx", views_documents.plan_xlsx, name="plan_xlsx"
    ),
    path(
        "<slug:slug>/plans/<int:unit_pk>/export.docx", views_documents.plan_docx, name="plan_docx"
    ),
    path(
        "<slug:slug>/consolidated.xlsx", views_documents.consolidated_xlsx, name="consolidated_xlsx"
    ),
    path(
        "<slug:slug>/plans/<int:unit_pk>/import/", views_documents.plan_import, name="plan_import"
    ),
]
