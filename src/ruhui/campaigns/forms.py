"""Forms of the campaign pages. They collect values; the rules (windows, the responsibility map,
who may be given a target) are the services' and come back on these forms as Chinese messages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ruhui.campaigns.models import Campaign
from ruhui.campaigns.services import MilestoneData, PhaseData
from ruhui.members.codes import EIGHT_GROUPS
from ruhui.orgs.choices import LEADING_KINDS
from ruhui.orgs.forms import EMPTY_LABEL, OrgChoiceField
from ruhui.orgs.models import Organization, WorkerGroup
from ruhui.web.fields import CountField, CountInput

GROUPS = [(code, label) for code, label in EIGHT_GROUPS.items if code != "99"]


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _count_field(label, required=False, unit="人"):
    """A count typed as people type it (3500, 3,500, 3，500, ３５００…: ruhui.core.counts)."""
    return CountField(
        label=label, required=required, unit=unit, widget=CountInput(attrs={"size": 8})
    )


class CampaignForm(forms.ModelForm):
    """A campaign's goals and window; its number only when it is created."""

    goal_new_members = _count_field(Campaign._meta.get_field("goal_new_members").verbose_name)
    goal_new_unions = _count_field(
        Campaign._meta.get_field("goal_new_unions").verbose_name, unit="个"
    )
    focus_groups = forms.ModelMultipleChoiceField(
        label=_("重点群体"),
        queryset=WorkerGroup.objects.exclude(code="99").order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "year",
            "starts_on",
            "ends_on",
            "baseline_on",
            "goal_new_members",
            "goal_growth_pct",
            "goal_new_unions",
            "migrant_only",
            "focus_groups",
            "goal_statement",
            "focus_sectors",
            "slug",  # last: secondary, made from the organization and the year when left empty
        ]
        widgets = {
            "starts_on": _date_input(),
            "ends_on": _date_input(),
            "baseline_on": _date_input(),
            "goal_statement": forms.Textarea(attrs={"rows": 3}),
            "focus_sectors": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, creating: bool, suggested_slug: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["slug"]
            return
        slug = self.fields["slug"]
        slug.required = False
        slug.label = _("编号（可不填）")
        slug.help_text = _(
            "链接和命令行里用它指明这次行动。不填即按组织代码和年度生成，如 %(example)s；"
            "自己填写时只能用小写字母、数字和连字符。"
        ) % {"example": suggested_slug or "pds-2026"}
        if suggested_slug:
            slug.widget.attrs["placeholder"] = suggested_slug

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("slug", "focus_groups")}
        return data


class PhaseForm(forms.Form):
    name = forms.CharField(label=_("阶段"), max_length=40)
    starts_on = forms.DateField(label=_("开始"), widget=_date_input())
    ends_on = forms.DateField(label=_("结束"), widget=_date_input())
    tasks = forms.CharField(label=_("主要任务"), required=False, max_length=2000)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("事项"), max_length=120)
    due_on = forms.DateField(label=_("截止日期"), widget=_date_input())
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class AssignmentForm(forms.Form):
    group = forms.ChoiceField(label=_("群体"), choices=[("", EMPTY_LABEL), *GROUPS])
    unit = OrgChoiceField(label=_("协助推动单位"), queryset=Organization.objects.none())

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units


PhaseFormSet = forms.formset_factory(PhaseForm, extra=1, can_delete=True)
MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=1, can_delete=True)
AssignmentFormSet = forms.formset_factory(AssignmentForm, extra=1, can_delete=True)


def filled(formset) -> list[dict]:
    """The rows of a valid formset that are filled in and not marked for deletion."""
    return [
        f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


def phases_of(formset) -> list[PhaseData]:
    return [
        PhaseData(d["name"], d["starts_on"], d["ends_on"], d.get("tasks", ""))
        for d in filled(formset)
    ]


def milestones_of(formset) -> list[MilestoneData]:
    return [MilestoneData(d["title"], d["due_on"], d.get("note", "")) for d in filled(formset)]


def assignments_of(formset) -> list[tuple[WorkerGroup, Organization]]:
    groups = {g.code: g for g in WorkerGroup.objects.all()}
    return [(groups[d["group"]], d["unit"]) for d in filled(formset)]


def assisting_units(owner: Organization):
    """Unions that may assist a group across a campaign: the leading unions of its subtree."""
    return Organization.objects.filter(
        path__startswith=owner.path, kind__in=LEADING_KINDS, is_active=True
    ).order_by("path")


class DecompositionForm(forms.Form):
    """A unit's decomposition: for every sub-unit its declared baseline, target and note, and
    the totals the table's 合计 row declares. Counts are read as people type them (3,500 …);
    a cell that is refused is named by its row and column in `cell_errors()`."""

    #: The name of the 合计 row in the messages (its cells are labelled like the columns).
    TOTALS_ROW = _("合计（分解表申报）")

    declared_baseline_total = _count_field(_("基数"))
    declared_target_total = _count_field(_("新增任务数"))

    def __init__(self, *args, units: list[Organization], **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        for unit in units:
            self.fields[f"baseline_{unit.pk}"] = _count_field(_("基数"))
            self.fields[f"target_{unit.pk}"] = _count_field(_("新增任务数"))
            self.fields[f"note_{unit.pk}"] = forms.CharField(
                label=_("备注"), required=False, max_length=200
            )
            for column in ("baseline", "target", "note"):  # the cell's row, for screen readers
                field = self.fields[f"{column}_{unit.pk}"]
                field.widget.attrs["aria-label"] = f"{unit.name} {field.label}"
        for name in ("declared_baseline_total", "declared_target_total"):
            field = self.fields[name]
            field.widget.attrs["aria-label"] = f"{self.TOTALS_ROW} {field.label}"

    def rows(self):
        """(unit, baseline field, target field, note field) for the template."""
        return [
            (unit, self[f"baseline_{unit.pk}"], self[f"target_{unit.pk}"], self[f"note_{unit.pk}"])
            for unit in self.units
        ]

    def cell_errors(self) -> list[tuple[str, str]]:
        """The table's refused cells in table order (rows, then the 合计 row), one per cell as
        (the input's id, 「row · message」): the banner links each to its cell. A message that
        does not begin with the column's name gets it: 「row · column：message」."""
        cells = [
            (unit.name, self[f"{column}_{unit.pk}"])
            for unit in self.units
            for column in ("baseline", "target", "note")
        ]
        cells += [
            (self.TOTALS_ROW, self["declared_baseline_total"]),
            (self.TOTALS_ROW, self["declared_target_total"]),
        ]
        result = []
        for row, cell in cells:
            if not cell.errors:
                continue
            label = str(cell.label)
            texts = [
                f"{row} · {e}" if str(e).startswith(label) else f"{row} · {label}：{e}"
                for e in cell.errors
            ]
            result.append((cell.auto_id, "；".join(texts)))
        return result

    def lines(self):
        """The filled lines as (unit, baseline, target, note)."""
        result = []
        for unit in self.units:
            baseline = self.cleaned_data.get(f"baseline_{unit.pk}")
            target = self.cleaned_data.get(f"target_{unit.pk}")
            note = self.cleaned_data.get(f"note_{unit.pk}", "")
            if baseline is None and target is None and not note:
                continue
            result.append((unit, baseline, target, note))
        return result


class TargetUploadForm(forms.Form):
    """The table to check; what it holds is shown on the job page, saved only once confirmed."""

    file = forms.FileField(
        label=_("任务分解表"),
        help_text=_(
            "xlsx、xls、csv 或从 Word 复制出的文本（txt）。表头应有“单位名称”和基数、新增任务数两列之一，"
            "可带“合计”行。"
        ),
    )
