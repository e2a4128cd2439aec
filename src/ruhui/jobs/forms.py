"""The approval form of a job that waits for another admin."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DecisionForm(forms.Form):
    """An admin's decision on a job waiting for approval (the button pressed)."""

    decision = forms.ChoiceField(
        choices=[("approve", _("批准")), ("reject", _("驳回"))],
        error_messages={
            "required": _("请选择批准或驳回。"),
            "invalid_choice": _("请选择批准或驳回。"),
        },
    )
    note = forms.CharField(
        label=_("审批意见"),
        max_length=200,
        error_messages={"required": _("请填写审批意见。")},
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("批准或驳回都须填写，记入审计日志；驳回时申请人会看到。"),
    )
