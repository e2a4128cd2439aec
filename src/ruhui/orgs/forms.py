"""Forms for the organization pages; choices always come from the user's jurisdiction."""

import re
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ruhui.core import divisions
from ruhui.core.stale import add_stamp
from ruhui.orgs.choices import DETAIL_ITEMS, FUNDS_WAYS
from ruhui.orgs.models import Organization, StandardItem, WorkerGroup
from ruhui.orgs.selectors import organization_choices
from ruhui.orgs.services import EDITABLE_FIELDS, standard_date_label
from ruhui.web.forms import attachments_field

EMPTY_LABEL = "——请选择——"


#: "名称（代码）", as the search box shows and suggests an organization.
CODE_IN_LABEL = re.compile(r"[（(]\s*([A-Za-z0-9][A-Za-z0-9_-]{1,31})\s*[）)]\s*$")
MSG_ORG_UNKNOWN = "「%(text)s」不是可选的组织：请输入组织代码或全称，或从输入时出现的提示中选择。"
MSG_ORG_AMBIGUOUS = "名称为「%(text)s」的组织不止一个：请从提示中选择，或输入组织代码。"


def search_label(org: Organization) -> str:
    return f"{org.name}（{org.code}）"


class OrgPicker(forms.Select):
    """A drop-down list of the field's organizations while they are few
    (settings.RUHUI_ORG_SELECT_MAX); above that a search box: the organization's code or name
    typed, suggestions from `orgs:suggest` as the user types (htmx fills a <datalist>), the
    choice shown as "名称（代码）". The field accepts either."""

    search_template_name = "orgs/widgets/org_search.html"

    def searching(self) -> bool:
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None:
            return False
        limit = settings.RUHUI_ORG_SELECT_MAX
        return queryset[: limit + 1].count() > limit

    def render(self, name, value, attrs=None, renderer=None):
        if not self.searching():
            return super().render(name, value, attrs, renderer)
        attrs = self.build_attrs(self.attrs, attrs)
        attrs.pop("required", None)  # an empty box gets the field's own Chinese message
        list_id = f"{attrs.get('id') or 'id_' + name}-suggestions"
        context = {
            "name": name,
            "value": self._shown(value),
            "attrs": flatatt(attrs),
            "list_id": list_id,
            "url": f"{reverse('orgs:suggest')}?{urlencode(self._suggest_params(name))}",
        }
        return render_to_string(self.search_template_name, context)

    def _suggest_params(self, name: str) -> dict[str, str]:
        """The suggestions' parameters: the box's own name, and the kinds of organization the
        field offers (a member's union is never a federation), so that what is suggested can
        be chosen."""
        kinds = sorted(set(self.choices.queryset.order_by().values_list("kind", flat=True)))
        return {"field": name, "kinds": ",".join(kinds)}

    def _shown(self, value) -> str:
        """The box's text: the chosen organization as "名称（代码）", or what was typed."""
        if value in (None, ""):
            return ""
        if isinstance(value, Organization):
            return search_label(value)
        try:
            org = self.choices.field.to_python(value)
        except ValidationError:
            return str(value)
        return search_label(org) if org is not None else ""


class OrgChoiceField(forms.ModelChoiceField):
    """A choice of organization from the field's queryset (always the user's jurisdiction).
    Accepts the drop-down's value (the id, also what links like ?union=<id> carry) and the
    search box's text: "名称（代码）", a code, or a full name that is unique."""

    widget = OrgPicker

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", EMPTY_LABEL)
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Organization) -> str:
        indent = "　" * max(obj.depth - 1, 0)
        return f"{indent}{obj.name}（{obj.get_kind_display()}）"

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if "\x00" in text:  # no name or code holds it (and PostgreSQL refuses it in a query)
            raise ValidationError(MSG_ORG_UNKNOWN % {"text": text.replace("\x00", "")[:60]})
        if text.isdigit():
            org = self.queryset.filter(pk=int(text)).first()
            if org is not None:
                return org
        match = CODE_IN_LABEL.search(text)
        code = match.group(1) if match else text
        org = self.queryset.filter(code__iexact=code).first()
        if org is not None:
            return org
        named = list(self.queryset.filter(name=text)[:2])
        if len(named) == 1:
            return named[0]
        message = MSG_ORG_AMBIGUOUS if named else MSG_ORG_UNKNOWN
        raise ValidationError(message % {"text": text[:60]}, code="invalid_choice")


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
            add_stamp(self, self.instance)

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


class StandardItemForm(forms.Form):
    """One item of a union's standard on the checklist page (prefixed by the item's code, so
    every item has its own form on one page)."""

    met = forms.BooleanField(label=_("已达标"), required=False)
    checked_on = forms.DateField(
        label=_("检查日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    detail = forms.CharField(
        label=_("拨缴方式"),
        max_length=100,
        required=False,
        help_text="例如：" + "、".join(FUNDS_WAYS) + "。",
    )
    note = forms.CharField(
        label=_("说明"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    files = attachments_field(_("佐证材料"))

    def __init__(self, *args, item: str, record: StandardItem | None = None, **kwargs):
        if record is not None and not args:
            kwargs.setdefault(
                "initial",
                {
                    "met": record.met,
                    "checked_on": record.checked_on,
                    "detail": record.detail,
                    "note": record.note,
                },
            )
        super().__init__(*args, prefix=item, **kwargs)
        self.item = item
        self.fields["checked_on"].label = standard_date_label(item)
        if item not in DETAIL_ITEMS:
            del self.fields["detail"]

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "met": data["met"],
            "checked_on": data["checked_on"],
            "note": data["note"],
            "detail": data.get("detail", ""),
        }
