"""Forms of the 考核评比 pages. They collect what was typed; every rule (weights summing to 100,
a reason for an adjustment …) is the services' and comes back next to the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ruhui.assessment.choices import AssessmentResult, CriterionCode
from ruhui.web.forms import attachments_field


class SchemeForm(forms.Form):
    """One weight per criterion, saved as a whole."""

    def __init__(self, *args, weights=None, **kwargs):
        super().__init__(*args, **kwargs)
        weights = weights or {}
        for code, label in CriterionCode.choices:
            self.fields[code] = forms.CharField(
                label=label,
                required=False,
                initial=weights.get(code, 0),
                widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
            )


class SelfAssessmentForm(forms.Form):
    text = forms.CharField(
        label=_("自评报告"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("写明本单位项目实施情况、取得的成效、存在的问题和改进措施；按段落书写。"),
    )
    files = attachments_field(
        _("附件"), help_text=_("可选，最多 6 个：JPG、PNG、PDF、.docx 或 .xlsx，每个不超过 10 MB。")
    )


class AdjustForm(forms.Form):
    adjustment = forms.CharField(
        label=_("调整分"),
        required=False,
        help_text=_("加分写正数，减分写负数，如 -2.5；填 0 取消调整。"),
        widget=forms.TextInput(attrs={"size": 8}),
    )
    reason = forms.CharField(
        label=_("调整理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecideForm(forms.Form):
    result = forms.ChoiceField(
        label=_("考核结果"),
        required=False,
        choices=[("", "（请选择）"), *AssessmentResult.choices],
    )
    recommended = forms.BooleanField(label=_("推荐评先"), required=False)
