"""Account pages: users of the admin's subtree, the audit log, own password and API tokens."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ruhui.accounts import selectors, services, sessions, twofactor
from ruhui.accounts.forms import AuditFilterForm, PasswordChangeForm, TokenForm, UserForm
from ruhui.accounts.models import ApiToken, User
from ruhui.accounts.rules import may_administer
from ruhui.accounts.validators import password_due, rotation_days
from ruhui.audit.presenting import present_events
from ruhui.orgs.scoping import get_scoped_or_404
from ruhui.web.access import cadre_required, require_perm
from ruhui.web.forms import apply_validation_error, querystring_without_page


@require_GET
@cadre_required
def audit_list(request):
    require_perm(request.user, "accounts.view_audit")
    form = AuditFilterForm(request.GET)
    qs = selectors.audit_events(user=request.user, **form.filters())
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit_list.html",
        {
            "form": form,
            "page_obj": page,
            "events": present_events(page.object_list),
            "query": querystring_without_page(request),
        },
    )


@require_GET
@cadre_required
def user_list(request):
    require_perm(request.user, "accounts.manage_users")
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.user_list(user=request.user, q=q), 50).get_page(
        request.GET.get("page")
    )
    for u in page.object_list:
        u.administrable = may_administer(request.user, u)
    return render(
        request,
        "accounts/user_list.html",
        {"page_obj": page, "q": q, "query": querystring_without_page(request)},
    )


@require_http_methods(["GET", "POST"])
@cadre_required
def user_create(request):
    require_perm(request.user, "accounts.manage_users")
    form = UserForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            new_user, password = services.user_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return render(
                request,
                "accounts/user_password.html",
                {"target": new_user, "password": password, "created": True},
            )
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@require_http_methods(["GET", "POST"])
@cadre_required
def user_edit(request, user_pk: int):
    target = get_scoped_or_404(request.user, User, pk=user_pk)
    require_perm(request.user, "accounts.manage_users")
    if not may_administer(request.user, target):
        raise PermissionDenied(services.MSG_OFFICER)
    initial = {
        "username": target.username,
        "full_name": target.full_name,
        "organization": target.organization,
        "role": target.role,
        "is_active": target.is_active,
    }
    form = UserForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "username"}
        try:
            services.user_update(actor=request.user, user=target, **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"已保存账号「{target.username}」。")
            return redirect("accounts:users")
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "creating": False,
            "target": target,
            "can_security": request.user.has_perm("accounts.manage_security"),
        },
    )


@require_POST
@cadre_required
def user_reset_password(request, user_pk: int):
    target = get_scoped_or_404(request.user, User, pk=user_pk)
    require_perm(request.user, "accounts.manage_users")
    if not may_administer(request.user, target):
        raise PermissionDenied(services.MSG_OFFICER)
    password = services.user_reset_password(actor=request.user, user=target)
    return render(
        request,
        "accounts/user_password.html",
        {"target": target, "password": password, "created": False},
    )


@require_http_methods(["GET", "POST"])
@cadre_required
def password_change(request):
    form = PasswordChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_change_password(
                user=request.user, new_password=form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改。")
            return redirect("workbench:home")
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "rotation_due": password_due(request.user),
            "rotation_days": rotation_days(),
            "sessions": sessions.active_sessions(request.user, request.session.session_key),
        },
    )


@require_POST
@cadre_required
def session_revoke(request):
    """End one of the user's own other sessions (the form carries its public id)."""
    try:
        services.session_revoke(
            actor=request.user,
            sid=request.POST.get("sid", "")[:32],
            current_key=request.session.session_key,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "已结束该会话，那台设备须重新登录。")
    return redirect("accounts:password_change")


@require_GET
@cadre_required
def security_list(request):
    """安全管理: the accounts of the actor's subtree with their lockout and token state."""
    require_perm(request.user, "accounts.manage_security")
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.user_list(user=request.user, q=q), 50).get_page(
        request.GET.get("page")
    )
    rows = selectors.security_rows(list(page.object_list))
    return render(
        request,
        "accounts/security_list.html",
        {
            "page_obj": page,
            "rows": rows,
            "q": q,
            "query": querystring_without_page(request),
            "locked": selectors.locked_users(user=request.user),
        },
    )


@require_GET
@cadre_required
def user_security(request, user_pk: int):
    """One account's lockout, API tokens and sessions, with the security actions."""
    target = get_scoped_or_404(request.user, User, pk=user_pk)
    require_perm(request.user, "accounts.manage_security")
    return render(
        request,
        "accounts/user_security.html",
        {
            "target": target,
            "lockout": services.lockout_state(target),
            "tokens": selectors.user_tokens(user=request.user, owner=target),
            "sessions": sessions.active_sessions(target),
            "has_2fa": twofactor.has_confirmed_device(target),
        },
    )


@require_POST
@cadre_required
def user_unlock(request, user_pk: int):
    target = get_scoped_or_404(request.user, User, pk=user_pk)
    require_perm(request.user, "accounts.manage_security")
    services.lockout_release(actor=request.user, user=target)
    messages.success(request, f"已解除账号「{target.username}」的登录锁定。")
    return redirect("accounts:user_security", user_pk=target.pk)


@require_POST
@cadre_required
def user_token_revoke(request, user_pk: int):
    target = get_scoped_or_404(request.user, User, pk=user_pk)
    require_perm(request.user, "accounts.manage_security")
    raw_pk = request.POST.get("token", "")
    token = get_scoped_or_404(
        request.user,
        ApiToken.objects.filter(user=target),
        pk=int(raw_pk) if raw_pk.isdigit() else 0,
    )
    services.token_revoke_for(actor=request.user, user=target, token=token)
    messages.success(request, f"已停用「{target.username}」的令牌「{token.name}」。")
    return redirect("accounts:user_security", user_pk=target.pk)


@require_POST
@cadre_required
def user_sessions_revoke(request, user_pk: int):
    """End every session of a user in scope (admins; the security administrator)."""
    target = get_scoped_or_404(request.user, User, pk=user_pk)
    require_perm(request.user, "accounts.revoke_sessions")
    count = services.sessions_revoke_all(actor=request.user, user=target)
    messages.success(request, f"已结束账号「{target.username}」的 {count} 个会话。")
    if request.user.has_perm("accounts.manage_security"):
        return redirect("accounts:user_security", user_pk=target.pk)
    return redirect("accounts:user_edit", user_pk=target.pk)


@require_POST
@cadre_required
def user_twofactor_reset(request, user_pk: int):
    """Reset a user's second factor (they enrol again at next login): the security admin."""
    target = get_scoped_or_404(request.user, User, pk=user_pk)
    require_perm(request.user, "accounts.manage_security")
    services.twofactor_reset(actor=request.user, user=target)
    messages.success(
        request, f"已重置账号「{target.username}」的两步验证，其下次登录前须重新绑定。"
    )
    return redirect("accounts:user_security", user_pk=target.pk)


@require_http_methods(["GET", "POST"])
@cadre_required
def token_list(request):
    require_perm(request.user, "accounts.manage_own_tokens")
    form = TokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        _token, raw = services.token_create(actor=request.user, **form.cleaned_data)
        form = TokenForm()
    return render(
        request,
        "accounts/token_list.html",
        {"form": form, "tokens": selectors.own_tokens(user=request.user), "raw": raw},
    )


@require_POST
@cadre_required
def token_revoke(request, token_pk: int):
    token = get_scoped_or_404(request.user, selectors.own_tokens(user=request.user), pk=token_pk)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, f"已停用令牌「{token.name}」。")
    return redirect("accounts:tokens")
