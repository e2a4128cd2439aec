from django.urls import path

from ruhui.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("failed/", views.failed_tasks, name="failed"),
    path("<int:job_pk>/", views.job_detail, name="detail"),
    path("<int:job_pk>/status/", views.job_status, name="status"),
    path("<int:job_pk>/confirm/", views.job_confirm, name="confirm"),
    path("<int:job_pk>/decide/", views.job_decide, name="decide"),
    path("<int:job_pk>/result/", views.job_result, name="result"),
]
