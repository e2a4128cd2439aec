"""URL patterns of coverage, the 空壳 risk list and the social workers' 倾斜 list (see
positions/urls.py)."""

from django.urls import path

from ruhui.positions import coverage_views as views

urlpatterns = [
    path("coverage/", views.coverage, name="coverage"),
    path("shells/", views.shell_list, name="shells"),
    path("priority/", views.priority_list, name="priority"),
]
