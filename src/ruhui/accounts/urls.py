from django.contrib.auth import views as auth_views
from django.urls import path

from ruhui.accounts import views, views_twofactor
from ruhui.accounts.forms import LoginForm

app_name = "accounts"
urlpatterns = [
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_pk>/edit/", views.user_edit, name="user_edit"),
    path(
        "users/<int:user_pk>/reset-password/", views.user_reset_password, name="user_reset_password"
    ),
    path("users/<int:user_pk>/security/", views.user_security, name="user_security"),
    path("users/<int:user_pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:user_pk>/tokens/revoke/", views.user_token_revoke, name="user_token_revoke"),
    path(
        "users/<int:user_pk>/sessions/revoke/",
        views.user_sessions_revoke,
        name="user_sessions_revoke",
    ),
    path("users/<int:user_pk>/reset-2fa/", views.user_twofactor_reset, name="user_twofactor_reset"),
    path("security/", views.security_list, name="security"),
    path("sessions/revoke/", views.session_revoke, name="session_revoke"),
    path("2fa/", views_twofactor.twofactor_page, name="twofactor"),
    path("audit/", views.audit_list, name="audit"),
    path("password/", views.password_change, name="password_change"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:token_pk>/revoke/", views.token_revoke, name="token_revoke"),
]

# Login and logout are Django's own views with our templates, mounted at the project level.
auth_urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=LoginForm
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
