"""Account pages: users of the admin's subtree, the audit log, own password and API tokens."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ruhui.accounts import selectors, services
from ruhui.accounts.forms import AuditFilterForm, PasswordChangeForm, TokenForm, UserForm
from ruhui.accounts.models import User
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
        request, "accounts/user_form.html", {"form": form, "creating": False, "target": target}
    )


@require_POST
@cadre_required
def user_reset_password(request, user_pk: int):
    target = get_scoped_or_404(request.user, User, pk=user_pk)
    require_perm(request.user, "accounts.manage_users")
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
    return render(request, "accounts/password_change.html", {"form": form})


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
