"""Cadre pages of online joining: the review queue and the join links (scoped)."""

from django.urls import path

from ruhui.joining import views

app_name = "joining"

urlpatterns = [
    path("", views.application_queue, name="queue"),
    path("<int:application_pk>/", views.application_detail, name="detail"),
    path("<int:application_pk>/approve/", views.application_approve, name="approve"),
    path("<int:application_pk>/reject/", views.application_reject, name="reject"),
    path("links/", views.link_list, name="links"),
    path("links/<int:org_pk>/poster.png", views.poster_png, name="poster_png"),
    path("links/<int:org_pk>/poster.pdf", views.poster_pdf, name="poster_pdf"),
    path("links/<int:org_pk>/regenerate/", views.link_regenerate, name="regenerate"),
]
