from django.urls import path

from ruhui.workbench import views

app_name = "workbench"
urlpatterns = [
    path("", views.home, name="home"),
    path("figures/state/", views.figures_state, name="figures_state"),
]
