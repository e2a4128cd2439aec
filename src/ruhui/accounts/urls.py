from django.contrib.auth import views as auth_views
from django.urls import path

from ruhui.accounts import views

app_name = "accounts"
urlpatterns = [
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_pk>/edit/", views.user_edit, name="user_edit"),
    path(
        "users/<int:user_pk>/reset-password/", views.user_reset_password, name="user_reset_password"
    ),
    path("audit/", views.audit_list, name="audit"),
    path("password/", views.password_change, name="password_change"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:token_pk>/revoke/", views.token_revoke, name="token_revoke"),
]

# Login and logout are Django's own views with our templates, mounted at the project level.
auth_urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
