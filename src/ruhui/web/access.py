"""Access helpers every cadre view uses: login, cadre status, role permission (403)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

MSG_NO_ORG = _("您的账号未分配所属组织，暂时不能使用系统，请联系上级工会管理员。")
MSG_NO_PERM = _("您的角色没有此项操作的权限，如需办理请联系本单位管理员。")


def cadre_required(view):
    """Login required; the user must be an active cadre attached to an organization."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.organization_id:
            raise PermissionDenied(MSG_NO_ORG)
        return view(request, *args, **kwargs)

    return wrapper


def require_perm(user, perm: str, obj=None) -> None:
    """Raise 403 when the user's role lacks a permission (jurisdiction is checked before)."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied(MSG_NO_PERM)
