"""Login, logout, failed-login and lockout events go to the audit log (LOG-1)."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone

from ruhui.accounts import twofactor
from ruhui.accounts.middleware import SESSION_STARTED_KEY
from ruhui.accounts.sessions import record_login
from ruhui.audit.services import Action, audit_record


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STARTED_KEY] = int(timezone.now().timestamp())
        record_login(request)
        twofactor.note_login(request, user)
    audit_record(actor=user, action=Action.LOGIN, obj=None, object_repr=user.username)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action=Action.LOGOUT, object_repr=user.username)


def _known_user(username: str):
    return get_user_model().objects.filter(username=username).select_related("organization").first()


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    user = _known_user(username)
    # An unknown username is logged at the root (only the top admin sees it), no oracle.
    audit_record(
        actor=None,
        action=Action.LOGIN_FAILED,
        username=username,
        org_path=user.organization.path if user and user.organization else "",
        object_repr=username,
        result="failed",
    )


@receiver(user_locked_out)
def on_locked_out(sender, request, username, ip_address, **kwargs):
    user = _known_user(str(username or ""))
    audit_record(
        actor=None,
        action=Action.LOCKOUT,
        username=str(username or ""),
        org_path=user.organization.path if user and user.organization else "",
        object_repr=str(username or ""),
        result="locked",
    )


@receiver(pre_save, sender="accounts.User")
def stamp_first_password(sender, instance, **kwargs):
    """A user created with a password by any path (e.g. `ruhui createsuperuser`) starts the
    rotation clock (mlps profile) now; the services stamp every later change themselves."""
    adding = instance._state.adding and instance.password_changed_at is None
    if adding and instance.has_usable_password():
        instance.password_changed_at = timezone.now()
