"""The 两步验证 page: one's own enrolment, recovery codes and turning the factor off (issue 19).
The security administrator's reset of another user's factor is on the user's 安全 page
(views.user_twofactor_reset → twofactor.reset). Secrets and codes are shown in a response only
(never logged, never in a URL) and the page is `no-store`."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from ruhui.accounts import sessions, twofactor
from ruhui.web.access import cadre_required

MSG_UNKNOWN_ACTION = "请求的操作无法识别，请在页面上点按钮提交。"
MSG_NO_PENDING = "请先用认证应用扫描本页的二维码，再输入应用显示的验证码。"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="验证码",
        max_length=20,
        error_messages={"required": "请填写验证码：认证应用当前显示的 6 位数字。"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 12}
        ),
    )


def _codes_page(request, codes, *, fresh: bool):
    return render(request, "accounts/twofactor_codes.html", {"codes": codes, "fresh": fresh})


@never_cache
@require_http_methods(["GET", "POST"])
@cadre_required
def twofactor_page(request):
    """Enrolment while no device is confirmed; afterwards the status with two actions:
    new recovery codes, or turning the factor off — each after a current code."""
    user = request.user
    device = twofactor.confirmed_device(user)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = CodeForm(request.POST if request.method == "POST" else None)
    if device is None:
        # A POST never creates the secret: it confirms the one the page has shown.
        pending = twofactor.find_pending_device(user)
        if request.method == "POST":
            if action != "confirm":
                form.add_error(None, MSG_UNKNOWN_ACTION)
            elif pending is None:
                messages.error(request, MSG_NO_PENDING)
                return redirect("accounts:twofactor")
            elif form.is_valid():
                try:
                    codes = twofactor.confirm_enrolment(
                        user=user, device=pending, token=form.cleaned_data["code"]
                    )
                except ValidationError as exc:
                    form.add_error("code", exc)
                else:
                    pending.refresh_from_db()
                    otp_login(request, pending)  # this session is verified with the new device
                    request.session[twofactor.DEVICE_AT_LOGIN] = True
                    # Sessions signed in with the password alone sign in again, with a code.
                    sessions.end_other_sessions(user, request.session.session_key)
                    return _codes_page(request, codes, fresh=True)
        if pending is None:
            pending = twofactor.pending_device(user)
        return render(
            request,
            "accounts/twofactor_setup.html",
            {
                "form": form,
                "qr_svg": twofactor.qr_svg(pending),
                "secret": twofactor.secret_base32(pending),
                "required": twofactor.is_required(user),
            },
        )
    if request.method == "POST":
        if action not in ("regenerate", "disable"):
            form.add_error(None, MSG_UNKNOWN_ACTION)
        elif form.is_valid():
            try:
                if action == "regenerate":
                    codes = twofactor.regenerate_recovery_codes(
                        user=user, token=form.cleaned_data["code"]
                    )
                    return _codes_page(request, codes, fresh=False)
                twofactor.disable(user=user, token=form.cleaned_data["code"])
                request.session[twofactor.DEVICE_AT_LOGIN] = False
            except ValidationError as exc:
                form.add_error("code", exc)
            else:
                messages.success(request, "已停用两步验证，恢复码已作废。")
                return redirect("accounts:twofactor")
    return render(
        request,
        "accounts/twofactor_manage.html",
        {
            "form": form,
            "action": action,
            "device": device,
            "unused": twofactor.unused_recovery_codes(user),
            "required": twofactor.is_required(user),
        },
    )
