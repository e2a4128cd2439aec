"""The public near-me page (no login): /join/stations/. Included by ruhui/urls.py before the
joining app's public pages, under /join/."""

from django.urls import path

from ruhui.positions import views_public

app_name = "stations"

urlpatterns = [
    path("stations/", views_public.stations, name="list"),
]
