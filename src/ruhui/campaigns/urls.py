from django.urls import path

from ruhui.campaigns import views, views_manage

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views_manage.campaign_create, name="create"),
    path("<slug:campaign_slug>/", views.dashboard, name="dashboard"),
    path("<slug:campaign_slug>/units/<int:org_pk>/", views.unit_dashboard, name="unit"),
    path("<slug:campaign_slug>/edit/", views_manage.campaign_edit, name="edit"),
    path("<slug:campaign_slug>/targets/<int:org_pk>/", views_manage.targets, name="targets"),
    path(
        "<slug:campaign_slug>/targets/<int:org_pk>/import/",
        views_manage.targets_import,
        name="targets_import",
    ),
    path("<slug:campaign_slug>/members/", views.new_members, name="new_members"),
    path("<slug:campaign_slug>/unions/", views.new_unions, name="new_unions"),
    path("<slug:campaign_slug>/baseline/", views.baseline_members, name="baseline_members"),
    path("<slug:campaign_slug>/export/", views.export, name="export"),
    path("<slug:campaign_slug>/refresh/", views.refresh, name="refresh"),
    path("<slug:campaign_slug>/progress-state/", views.progress_state, name="progress_state"),
]
