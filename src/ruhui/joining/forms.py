"""Forms of the cadre pages of online joining: the queue's filters, the reject reason, the links'
search. The public forms live with the public views."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ruhui.joining.models import ApplicationKind, ApplicationStatus
from ruhui.joining.services import MSG_REASON_REQUIRED

#: The queue's pseudo-statuses: `open` is the 待办 tab (waiting for this user's units).
OPEN = "open"
ALL = "all"
KIND_SHORT = {ApplicationKind.JOIN: _("入会"), ApplicationKind.TRANSFER: _("转会")}


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[(OPEN, _("待我办理")), (ALL, _("全部状态")), *ApplicationStatus.choices],
    )
    kind = forms.ChoiceField(
        label=_("类型"),
        required=False,
        choices=[("", _("全部类型")), *((k, v) for k, v in KIND_SHORT.items())],
    )
    q = forms.CharField(label=_("姓名或申请编号"), required=False, max_length=40)

    def filters(self) -> dict:
        """Selector arguments; an invalid or missing value falls back to the 待办 tab."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        status = data.get("status") or OPEN
        return {
            "status": "" if status == ALL else status,
            "kind": data.get("kind") or "",
            "q": " ".join((data.get("q") or "").split()),
        }


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("不予通过的原因"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 200}),
        help_text=_("申请人在查询页面能看到这段话，请写清原因和下一步怎么办。"),
        error_messages={
            "required": MSG_REASON_REQUIRED,
            "max_length": _("原因不能超过 200 个字，请简写。"),
        },
    )

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError(MSG_REASON_REQUIRED)
        return reason


class LinkFilterForm(forms.Form):
    q = forms.CharField(label=_("工会名称"), required=False, max_length=40)
