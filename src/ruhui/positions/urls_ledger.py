"""The services ledger, the consultations and the social workers (see positions/urls.py);
every page is scoped (tests/walk.py has samples of each parameter)."""

from django.urls import path

from ruhui.positions import ledger_register_views as registers
from ruhui.positions import ledger_views as ledger

urlpatterns = [
    path("activities/", ledger.activity_list, name="activities"),
    path("activities/export.xlsx", ledger.activity_export, name="activities_export"),
    path("activities/new/", ledger.activity_create, name="activity_create"),
    path("activities/<int:activity_pk>/", ledger.activity, name="activity"),
    path("activities/<int:activity_pk>/edit/", ledger.activity_edit, name="activity_edit"),
    path(
        "activities/<int:activity_pk>/import/",
        ledger.recipient_import,
        name="recipient_import",
    ),
    path(
        "recipients/<int:recipient_pk>/remove/",
        ledger.recipient_remove,
        name="recipient_remove",
    ),
    path("consultations/", registers.consultation_list, name="consultations"),
    path("consultations/new/", registers.consultation_create, name="consultation_create"),
    path("consultations/<int:consultation_pk>/", registers.consultation, name="consultation"),
    path(
        "consultations/<int:consultation_pk>/edit/",
        registers.consultation_edit,
        name="consultation_edit",
    ),
    path(
        "consultations/files/<int:consultation_file_pk>/",
        registers.consultation_file,
        name="consultation_file",
    ),
    path("social-workers/", registers.worker_list, name="social_workers"),
    path("social-workers/new/", registers.worker_create, name="social_worker_create"),
    path("social-workers/<int:worker_pk>/", registers.worker_edit, name="social_worker_edit"),
    path("social-workers/<int:worker_pk>/end/", registers.worker_end, name="social_worker_end"),
]
