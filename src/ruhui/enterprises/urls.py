"""Enterprise survey pages (scoped): list, detail, survey entry, worklist, coverage, parks."""

from django.urls import path

from ruhui.enterprises import views

app_name = "enterprises"

urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("new/", views.enterprise_create, name="create"),
    path("worklist/", views.worklist, name="worklist"),
    path("alerts/", views.alerts, name="alerts"),
    path("coverage/", views.coverage, name="coverage"),
    path("parks/", views.park_list, name="parks"),
    path("parks/new/", views.park_create, name="park_create"),
    path("parks/<int:park_pk>/edit/", views.park_edit, name="park_edit"),
    path("<int:enterprise_pk>/", views.enterprise_detail, name="detail"),
    path("<int:enterprise_pk>/edit/", views.enterprise_edit, name="edit"),
    path("<int:enterprise_pk>/survey/", views.survey_create, name="survey"),
    path("<int:enterprise_pk>/build/", views.union_build, name="build"),
]
