from django.urls import path

from ruhui.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.org_list, name="list"),
    path("tree/", views.org_tree, name="tree"),
    path("suggest/", views.org_suggest, name="suggest"),
    path("new/", views.org_create, name="create"),
    path("<int:org_pk>/", views.org_detail, name="detail"),
    path("<int:org_pk>/children/", views.org_children, name="children"),
    path("<int:org_pk>/edit/", views.org_edit, name="edit"),
    path("<int:org_pk>/deactivate/", views.org_deactivate, name="deactivate"),
    path("<int:org_pk>/reactivate/", views.org_reactivate, name="reactivate"),
    path("<int:org_pk>/move/", views.org_move, name="move"),
    path("<int:org_pk>/standards/", views.org_standards, name="standards"),
    path(
        "<int:org_pk>/standards/evidence/<int:evidence_pk>/",
        views.standard_evidence,
        name="standard_evidence",
    ),
]
