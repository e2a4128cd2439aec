"""Account forms; organization choices come from the admin's jurisdiction."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _

from ruhui.accounts import twofactor
from ruhui.accounts.models import Role
from ruhui.accounts.rules import assignable_roles
from ruhui.audit.models import AuditEvent
from ruhui.audit.presenting import object_type_choices
from ruhui.orgs.forms import OrgChoiceField
from ruhui.orgs.selectors import organization_choices

MSG_PASSWORD_MISMATCH = _("两次输入的新密码不一致，请重新输入。")
MSG_OLD_PASSWORD = _("当前密码不正确，请重新输入。")


class UserForm(forms.Form):
    username = forms.RegexField(
        label=_("用户名"),
        max_length=150,
        regex=r"^[A-Za-z0-9_.-]{3,150}$",
        error_messages={"invalid": _("用户名只能由 3 位以上字母、数字、下划线、点或连字符组成。")},
    )
    full_name = forms.CharField(label=_("姓名"), max_length=40)
    organization = OrgChoiceField(label=_("所属组织"), queryset=None)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organization_choices(user=user)
        # 三员分立: with duties separated an admin offers business roles only (accounts.rules).
        self.fields["role"].choices = assignable_roles(user)
        if editing:
            self.fields["username"].disabled = True
        else:
            del self.fields["is_active"]


MSG_AUDIT_DATES = _("截止日期（%(to)s）不能早于起始日期（%(start)s），请核对。")
MSG_AUDIT_OBJECT_ID = _("请同时选择对象类型：编号只在同一类对象中唯一。")


class AuditFilterForm(forms.Form):
    """The audit page's filter bar (GET). An invalid entry is named and left out; the others
    still apply."""

    object_type = forms.ChoiceField(
        label=_("对象类型"),
        required=False,
        choices=lambda: [("", "全部"), *object_type_choices()],
    )
    object_id = forms.CharField(
        label=_("对象编号"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"size": 8, "inputmode": "numeric"}),
    )
    object_text = forms.CharField(
        label=_("对象名称"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "名称中的字词"}),
    )
    actor = forms.CharField(
        label=_("操作人"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"placeholder": "账号或姓名"}),
    )
    action = forms.ChoiceField(
        label=_("操作"), required=False, choices=[("", "全部"), *AuditEvent.Action.choices]
    )
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error(
                "date_to",
                forms.ValidationError(
                    MSG_AUDIT_DATES, params={"to": f"{end:%Y-%m-%d}", "start": f"{start:%Y-%m-%d}"}
                ),
            )
        if data.get("object_id") and not data.get("object_type"):
            self.add_error("object_id", MSG_AUDIT_OBJECT_ID)
        return data

    def filters(self) -> dict:
        """The valid filters as keyword arguments for selectors.audit_events."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("当前密码"), widget=forms.PasswordInput)
    new_password1 = forms.CharField(
        label=_("新密码"),
        widget=forms.PasswordInput,
        help_text=password_validators_help_text_html(),
    )
    new_password2 = forms.CharField(label=_("再次输入新密码"), widget=forms.PasswordInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(MSG_OLD_PASSWORD)
        return value

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", MSG_PASSWORD_MISMATCH)
        return data


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("用途"),
        max_length=60,
        help_text=_("例如：省库数据同步。令牌只显示一次，请妥善保存。"),
    )
    days = forms.IntegerField(label=_("有效天数"), min_value=1, max_value=365, initial=90)


# --- Login with the second factor (issue 19) -------------------------------------------------

#: One answer for a wrong password, an unknown user, an inactive account and a wrong code.
MSG_LOGIN_INVALID = _(
    "请输入一个正确的用户名和密码；已启用两步验证的账号还须填写正确的动态验证码。注意区分大小写。"
)


class CodeInput(forms.TextInput):
    """A text box that never echoes what was typed (a code is not shown back)."""

    def format_value(self, value):
        return None


class LoginForm(AuthenticationForm):
    """Username, password and, for an account with a confirmed TOTP device, its current code
    or an unused recovery code. A wrong code is a failed login like a wrong password: the same
    message and form, a `user_login_failed` signal (django-axes counts it toward the lockout,
    the audit log records it)."""

    otp_token = forms.CharField(
        label=_("动态验证码（已启用两步验证的账号填写）"),
        required=False,
        max_length=20,
        widget=CodeInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_("认证应用显示的 6 位数字；手机不在身边时可填一个恢复码。"),
    )
    error_messages = {**AuthenticationForm.error_messages, "invalid_login": MSG_LOGIN_INVALID}

    def clean(self):
        cleaned = super().clean()
        user = self.user_cache
        if user is not None and twofactor.has_confirmed_device(user):
            device = twofactor.verify_second_factor(user, cleaned.get("otp_token", ""))
            if device is None:
                self.user_cache = None
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": cleaned.get("username", "")},
                    request=self.request,
                )
                raise self.get_invalid_login_error()
            # django_otp marks the session verified when auth's login() sees this attribute.
            user.otp_device = device
        return cleaned
