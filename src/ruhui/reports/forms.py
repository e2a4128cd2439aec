"""The 月报 page's forms: the narrative with attachments, and the reviewer's opinion. The
services check everything again (they are also called by the demo)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ruhui.projects.forms import MultipleFileField, MultipleFileInput
from ruhui.reports.choices import NARRATIVE


def _text(label, rows=5):
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}))


class NarrativeForm(forms.Form):
    progress = _text(NARRATIVE["progress"], rows=6)
    experience = _text(NARRATIVE["experience"])
    problems = _text(NARRATIVE["problems"], rows=3)
    next_steps = _text(NARRATIVE["next_steps"], rows=3)
    files = MultipleFileField(
        label=_("附件（照片、文件）"),
        required=False,
        widget=MultipleFileInput(),
        help_text=_("可选多个文件：JPG、PNG、PDF、.docx 或 .xlsx，每个不超过 10 MB。"),
    )


class OpinionForm(forms.Form):
    opinion = forms.CharField(
        label=_("审阅意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回修改时必填，说明需要修改的地方。"),
    )
