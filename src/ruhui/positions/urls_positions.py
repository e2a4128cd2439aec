"""URL patterns of the service positions' cadre pages (see positions/urls.py)."""

from django.urls import path

from ruhui.positions import views

urlpatterns = [
    path("", views.position_list, name="list"),
    path("new/", views.position_create, name="create"),
    path("export.xlsx", views.position_export, name="export"),
    path("import/", views.position_import, name="import"),
    path("<int:position_pk>/", views.position_detail, name="detail"),
    path("<int:position_pk>/edit/", views.position_edit, name="edit"),
    path("photos/<int:position_photo_pk>/", views.position_photo, name="photo"),
]
