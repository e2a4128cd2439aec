"""The 月报 page's forms: the narrative with attachments, and the reviewer's opinion. The
services check everything again (they are also called by the demo)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ruhui.reports.choices import NARRATIVE
from ruhui.web.forms import attachments_field


def _text(label, rows=5):
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}))


class NarrativeForm(forms.Form):
    progress = _text(NARRATIVE["progress"], rows=6)
    experience = _text(NARRATIVE["experience"])
    problems = _text(NARRATIVE["problems"], rows=3)
    next_steps = _text(NARRATIVE["next_steps"], rows=3)
    files = attachments_field(_("附件（照片、文件）"))


class OpinionForm(forms.Form):
    opinion = forms.CharField(
        label=_("审阅意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回修改时必填，说明需要修改的地方。"),
    )


class BulletinForm(forms.Form):
    """通报: title and 文号 (and, when creating, the cut-off)."""

    cut_off = forms.DateField(
        label=_("数据截止日期"),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("数据截止日期应写成 2019-09-30 的形式（月末）。")},
        help_text=_("月末，如 2019-09-30；默认每两个月的月末（推进实施阶段起）。"),
    )
    title = forms.CharField(
        label=_("标题"), max_length=120, help_text=_("如：关于农民工入会集中行动推进情况的通报")
    )
    number = forms.CharField(label=_("文号"), max_length=30, help_text=_("如：平工组〔2019〕12号"))

    def __init__(self, *args, with_cut_off=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_cut_off:
            del self.fields["cut_off"]


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=_("更正原因"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "必填：更正了哪些内容、为什么更正。原通报保留，更正稿发布后原通报标为“已更正”。"
        ),
    )


class ScheduleForm(forms.Form):
    """When the campaign's 月报 are due; the service checks the values again."""

    due_day = forms.IntegerField(
        label=_("报送截止日（次月几号）"),
        min_value=1,
        max_value=28,
        error_messages={
            "invalid": _("报送截止日应为 1 到 28 之间的整数，如 5。"),
            "required": _("请填写报送截止日（次月几号），如 5。"),
            "min_value": _("报送截止日应为 1 到 28 之间的整数，如 5。"),
            "max_value": _("报送截止日应为 1 到 28 之间的整数（每个月都有的日子），如 5。"),
        },
        help_text=_("每月的月报于次月这一天前报送，如 5 表示次月 5 日前。"),
    )
    first_month = forms.CharField(
        label=_("首个报送月份"),
        required=False,
        max_length=7,
        help_text=_("从这个月起按月报送，写成 2019-06 的形式；留空表示从行动开始的月份起。"),
    )
