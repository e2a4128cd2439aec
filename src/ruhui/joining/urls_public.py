"""Public pages of online joining (no login): join form, find my union, status, transfer, card."""

from django.urls import path

from ruhui.joining import views_public as views

app_name = "join"

urlpatterns = [
    path("j/<str:token>/", views.join_form, name="form"),
    path("j/<str:token>/transfer/", views.transfer, name="transfer"),
    path("join/", views.home, name="home"),
    path("join/privacy/", views.privacy, name="privacy"),
    path("join/submitted/", views.submitted, name="submitted"),
    path("join/find/", views.find, name="find"),
    path("join/status/", views.status, name="status"),
    path("join/status/withdraw/", views.withdraw, name="withdraw"),
    path("join/status/card/", views.status_card, name="status_card"),
    path("join/card/", views.card, name="card"),
    path("join/verify/<str:token>/", views.verify, name="verify"),
]
