"""The public 典型经验 pages (no login; published cases only): /cases/ and /cases/<slug>/."""

from django.urls import path

from ruhui.cases import views_public as views

app_name = "cases_public"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("<slug:case_slug>/", views.case_detail, name="detail"),
    path("<slug:case_slug>/photos/<int:photo_pk>/", views.case_photo, name="photo"),
]
