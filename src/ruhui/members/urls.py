from django.urls import path

from ruhui.members import views, views_dues

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("find/", views.member_find, name="find"),
    path("new/", views.member_create, name="create"),
    path("dues/", views_dues.dues_candidates, name="dues"),
    path("dues/record/", views_dues.dues_record, name="dues_record"),
    path("dues/import/", views_dues.dues_import, name="dues_import"),
    path("<int:member_pk>/", views.member_detail, name="detail"),
    path("<int:member_pk>/edit/", views.member_edit, name="edit"),
    path("<int:member_pk>/reveal/", views.member_reveal, name="reveal"),
    path("<int:member_pk>/retain/", views.member_retain, name="retain"),
    path("<int:member_pk>/withdraw/", views.member_withdraw, name="withdraw"),
    path("<int:member_pk>/expel/", views.member_expel, name="expel"),
    path("<int:member_pk>/transfer/", views.transfer_issue, name="transfer_issue"),
    path("transfers/", views.transfer_list, name="transfers"),
    path("transfers/accept/", views.transfer_accept, name="transfer_accept"),
    path(
        "transfers/<int:transfer_pk>/certificate/",
        views.transfer_certificate,
        name="transfer_certificate",
    ),
    path("transfers/<int:transfer_pk>/reject/", views.transfer_reject, name="transfer_reject"),
    path("transfers/<int:transfer_pk>/cancel/", views.transfer_cancel, name="transfer_cancel"),
]
