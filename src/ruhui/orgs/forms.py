"""Forms for the organization pages; choices always come from the user's jurisdiction."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ruhui.core import divisions
from ruhui.orgs.models import Organization, WorkerGroup
from ruhui.orgs.selectors import organization_choices
from ruhui.orgs.services import EDITABLE_FIELDS

EMPTY_LABEL = "——请选择——"


class OrgChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", EMPTY_LABEL)
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Organization) -> str:
        indent = "　" * max(obj.depth - 1, 0)
        return f"{indent}{obj.name}（{obj.get_kind_display()}）"


class OrganizationForm(forms.ModelForm):
    """Create/edit form. On create it also asks for the parent (上级组织)."""

    division_code = forms.ChoiceField(label=_("所在行政区划"))
    groups = forms.ModelMultipleChoiceField(
        label=_("覆盖群体"),
        queryset=WorkerGroup.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Organization
        fields = EDITABLE_FIELDS
        widgets = {"founded_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, user, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = divisions.choices("41")
        current = self.instance.division_code if self.instance.pk else None
        if current and current not in dict(choices):
            choices = [(current, divisions.full_name(current) or current), *choices]
        self.fields["division_code"].choices = [("", EMPTY_LABEL), *choices]
        for name in ("kind", "industry"):
            field = self.fields[name]
            field.choices = [(v, EMPTY_LABEL if v == "" else label) for v, label in field.choices]
        if creating:
            self.fields = {
                "parent": OrgChoiceField(
                    label=_("上级组织"),
                    queryset=organization_choices(user=user),
                    help_text=_("新组织设在哪个工会之下（只列出您管辖范围内的有效组织）。"),
                ),
                **self.fields,
            }
        else:
            self.fields["groups"].initial = self.instance.groups.all()

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        label=_("撤销原因"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如：企业注销、合并到其他工会。"),
    )


class MoveForm(forms.Form):
    new_parent = OrgChoiceField(label=_("新的上级组织"), queryset=Organization.objects.none())

    def __init__(self, *args, user, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = organization_choices(user=user).exclude(
            path__startswith=organization.path
        )
