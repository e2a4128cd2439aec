"""Forms of the 典型经验 pages. They collect what was typed; every rule (lengths, groups, the
personal-data check at publication) is the services' and comes back next to the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ruhui.cases.models import CaseStatus
from ruhui.members.codes import EIGHT_GROUP_CHOICES as GROUPS
from ruhui.web.forms import attachments_field

TEXT_HELP = _("按段落书写，段与段之间空一行。不要写入任何人的身份证号码、手机号码等个人信息。")


class CaseForm(forms.Form):
    campaign = forms.ChoiceField(label=_("集中行动"), required=False)
    title = forms.CharField(label=_("标题"), required=False, max_length=200)
    text = forms.CharField(
        label=_("正文"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=TEXT_HELP,
    )
    groups = forms.MultipleChoiceField(
        label=_("八大群体"), choices=GROUPS, required=False, widget=forms.CheckboxSelectMultiple
    )
    photos = attachments_field(
        _("照片"),
        accept=".jpg,.jpeg,.png",
        help_text=_(
            "可选，最多 6 张 JPG 或 PNG，每张不超过 10 MB；照片的拍摄信息和位置信息会被去除。"
        ),
    )

    def __init__(self, *args, campaigns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [("", "（不属于某次集中行动）")] + [
            (str(c.pk), c.name) for c in campaigns
        ]


class EditForm(forms.Form):
    title = forms.CharField(label=_("标题"), required=False, max_length=200)
    text = forms.CharField(
        label=_("正文"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=TEXT_HELP,
    )
    groups = forms.MultipleChoiceField(
        label=_("八大群体"), choices=GROUPS, required=False, widget=forms.CheckboxSelectMultiple
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("撤下原因"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", "全部"), *list(CaseStatus.choices)]
    )
    campaign = forms.ChoiceField(label=_("集中行动"), required=False)
    group = forms.ChoiceField(label=_("八大群体"), required=False, choices=[("", "全部"), *GROUPS])

    def __init__(self, *args, campaigns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [("", "全部")] + [(str(c.pk), c.name) for c in campaigns]
