"""Forms of the services ledger, the consultations and the social workers. They collect what
was typed (text for dates, amounts and counts); every rule is the services' and comes back next
to its field. The choices (unions, positions, projects, enterprises) are the user's scope."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ruhui.members.codes import EIGHT_GROUPS
from ruhui.members.group_counts import FIELD as GROUP_COUNTS
from ruhui.positions.choices import TOPICS, ActivityKind, ConsultationLevel
from ruhui.positions.ledger_registers import CONSULTATION_LABELS, WORKER_LABELS
from ruhui.positions.ledger_services import ACTIVITY_LABELS
from ruhui.web.forms import attachments_field

ALL = _("全部")
#: Every group a count may be typed for: the eight groups and 其他 (code 99).
COUNT_GROUPS = [(code, label if code != "99" else "其他职工") for code, label in EIGHT_GROUPS.items]
GROUP_CHOICES = [(code, label) for code, label in EIGHT_GROUPS.items if code != "99"]


def _date(label, *, required=False):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return forms.CharField(label=label, required=required, widget=widget)


def _count(label, *, help_text=""):
    return forms.CharField(
        label=label,
        required=False,
        max_length=20,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6}),
    )


NONE_CHOSEN = _("（不选）")


def _pairs(queryset, label=str, empty=NONE_CHOSEN):
    return [("", empty)] + [(str(o.pk), label(o)) for o in queryset]


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=ACTIVITY_LABELS["kind"])
    title = forms.CharField(
        label=ACTIVITY_LABELS["title"],
        required=False,
        max_length=100,
        help_text=_("不填时以服务类别为名称，如“夏送清凉”。"),
    )
    union = forms.ChoiceField(label=ACTIVITY_LABELS["union"])
    starts_on = _date(ACTIVITY_LABELS["starts_on"], required=True)
    ends_on = _date(ACTIVITY_LABELS["ends_on"])
    position = forms.ChoiceField(label=ACTIVITY_LABELS["position"], required=False)
    amount = forms.CharField(
        label=_("支出金额（元）"),
        required=False,
        max_length=20,
        help_text=_("以元为单位，最多两位小数；没有支出的留空。"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    workers_served = _count(
        ACTIVITY_LABELS["workers_served"],
        help_text=_("不填时按下面各群体人数之和；填写时不能少于各群体人数之和。"),
    )
    project = forms.ChoiceField(
        label=ACTIVITY_LABELS["project"],
        required=False,
        help_text=_("属于某个维护服务项目的活动，关联后项目销账核验会显示台账记录的覆盖人数。"),
    )
    note = forms.CharField(
        label=ACTIVITY_LABELS["note"], required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, unions=(), positions=(), projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.group_errors: list[str] = []
        self.fields["kind"].choices = [("", "——"), *ActivityKind.choices]
        self.fields["union"].choices = _pairs(unions, lambda o: o.name, empty="——")
        self.fields["position"].choices = _pairs(positions, lambda o: o.name)
        self.fields["project"].choices = _pairs(
            projects, lambda p: f"{p.plan.campaign.name} · {p.plan.unit.name} · {p.name}"
        )
        for code, label in COUNT_GROUPS:
            self.fields[f"g{code}"] = _count(label)

    def group_fields(self):
        return [self[f"g{code}"] for code, _label in COUNT_GROUPS]

    def main_fields(self):
        return [self[name] for name in self.base_fields]

    def service_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self.base_fields}
        data[GROUP_COUNTS] = {
            code: self.cleaned_data[f"g{code}"]
            for code, _label in COUNT_GROUPS
            if (self.cleaned_data.get(f"g{code}") or "").strip()
        }
        return data

    def apply_error(self, exc) -> None:
        """A service's ValidationError next to its field; the group counts' under the grid."""
        for field, errors in exc.message_dict.items():
            if field == GROUP_COUNTS:
                self.group_errors.extend(errors)
            else:
                self.add_error(field if field in self.fields else None, errors)

    @staticmethod
    def initial_for(activity=None, *, user, params=None) -> dict:
        """What the form starts with: an entry's values, or today, the user's union and any
        ?kind=…&group=… the link carried (e.g. 夏送清凉 for 快递员)."""
        if activity is not None:
            initial = {
                name: getattr(activity, name)
                for name in ("kind", "title", "note", "workers_served", "amount")
            }
            initial |= {
                "union": activity.union_id,
                "position": activity.position_id or "",
                "project": activity.project_id or "",
                "starts_on": activity.starts_on.isoformat(),
                "ends_on": activity.ends_on.isoformat() if activity.ends_on else "",
            }
            for code, count in (activity.group_counts or {}).items():
                initial[f"g{code}"] = count
            return initial
        params = params or {}
        initial = {"starts_on": timezone.localdate().isoformat(), "union": user.organization_id}
        if params.get("kind") in ActivityKind.values:
            initial["kind"] = params["kind"]
        group = EIGHT_GROUPS.code_for(params.get("group") or "") if params.get("group") else None
        if group:
            initial["focus_group"] = group
        return initial


class RecipientForm(forms.Form):
    id_number = forms.CharField(
        label=_("身份证号"),
        required=False,
        max_length=24,
        help_text=_("会员按身份证号与会员名册比对，只保存会员关联和打码的姓名；非会员只计人数。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    name = forms.CharField(
        label=_("姓名"),
        required=False,
        max_length=40,
        help_text=_("选填，用于核对；不会保存。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    group = forms.ChoiceField(label=_("群体"), required=False, choices=[("", "——"), *COUNT_GROUPS])


class RecipientImportForm(forms.Form):
    file = forms.FileField(
        label=_("服务对象名单"),
        help_text=_("xlsx、xls 或 csv，表头含 姓名、身份证号、群体；先检查，确认后写入。"),
    )


class ActivityFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("服务类别"), required=False)
    union = forms.ChoiceField(label=_("组织工会"), required=False)
    since = forms.DateField(label=_("起"), required=False, widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(label=_("止"), required=False, widget=forms.DateInput({"type": "date"}))
    group = forms.ChoiceField(label=_("群体"), required=False)
    position = forms.ChoiceField(label=_("服务阵地"), required=False)

    def __init__(self, *args, unions=(), positions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", ALL), *ActivityKind.choices]
        self.fields["union"].choices = _pairs(unions, lambda o: o.name, empty=ALL)
        self.fields["group"].choices = [("", ALL), *COUNT_GROUPS]
        self.fields["position"].choices = _pairs(positions, lambda o: o.name, empty=ALL)


class ConsultationForm(forms.Form):
    level = forms.ChoiceField(label=CONSULTATION_LABELS["level"])
    industry = forms.CharField(label=CONSULTATION_LABELS["industry"], required=False)
    union = forms.ChoiceField(label=CONSULTATION_LABELS["union"])
    employer = forms.ChoiceField(
        label=CONSULTATION_LABELS["employer"],
        required=False,
        help_text=_("企业集体协商选择企业；行业性、区域性协商在下一项填写行业协会名称。"),
    )
    employer_association = forms.CharField(
        label=CONSULTATION_LABELS["employer_association"], required=False
    )
    topics = forms.MultipleChoiceField(
        label=CONSULTATION_LABELS["topics"],
        choices=TOPICS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    held_on = _date(CONSULTATION_LABELS["held_on"], required=True)
    agreed = forms.BooleanField(label=CONSULTATION_LABELS["agreed"], required=False)
    term_from = _date(CONSULTATION_LABELS["term_from"])
    term_to = _date(CONSULTATION_LABELS["term_to"])
    workers_covered = _count(CONSULTATION_LABELS["workers_covered"])
    groups = forms.MultipleChoiceField(
        label=CONSULTATION_LABELS["groups"],
        choices=GROUP_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    congress_on = _date(CONSULTATION_LABELS["congress_on"])
    note = forms.CharField(
        label=CONSULTATION_LABELS["note"], required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    files = attachments_field(
        _("签订文本"),
        help_text=_("签字盖章的协议文本或会议纪要：PDF、JPG、PNG 或 .docx，每个不超过 10 MB。"),
    )

    def __init__(self, *args, unions=(), employers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", "——"), *ConsultationLevel.choices]
        self.fields["union"].choices = _pairs(unions, lambda o: o.name, empty="——")
        self.fields["employer"].choices = _pairs(employers, lambda o: o.name)

    @staticmethod
    def initial_for(item=None, *, user) -> dict:
        if item is None:
            return {"union": user.organization_id, "held_on": timezone.localdate().isoformat()}
        initial = {
            name: getattr(item, name)
            for name in ("level", "industry", "employer_association", "topics", "agreed")
        }
        initial |= {"workers_covered": item.workers_covered, "note": item.note}
        initial |= {"union": item.union_id, "employer": item.employer_id or ""}
        for name in ("held_on", "term_from", "term_to", "congress_on"):
            value = getattr(item, name)
            initial[name] = value.isoformat() if value else ""
        initial["groups"] = [g.code for g in item.groups.all()]
        return initial


class ConsultationFilterForm(forms.Form):
    level = forms.ChoiceField(
        label=_("协商层级"), required=False, choices=[("", ALL), *ConsultationLevel.choices]
    )
    topic = forms.ChoiceField(label=_("协商内容"), required=False, choices=[("", ALL), *TOPICS])
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)


class SocialWorkerForm(forms.Form):
    name = forms.CharField(label=WORKER_LABELS["name"], max_length=40)
    phone = forms.CharField(
        label=WORKER_LABELS["phone"],
        required=False,
        max_length=20,
        help_text=_("列表和详情中只显示打码后的号码。"),
    )
    union = forms.ChoiceField(label=WORKER_LABELS["union"])
    starts_on = _date(WORKER_LABELS["starts_on"], required=True)
    ends_on = _date(WORKER_LABELS["ends_on"])

    def __init__(self, *args, unions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].choices = _pairs(unions, lambda o: o.name, empty="——")


class SocialWorkerEndForm(forms.Form):
    ends_on = _date(_("结束日期"), required=True)


class SocialWorkerFilterForm(forms.Form):
    current = forms.ChoiceField(
        label=_("派驻状态"),
        required=False,
        choices=[("", ALL), ("yes", _("在岗")), ("no", _("已结束"))],
    )
    union = forms.ChoiceField(label=_("派驻工会"), required=False)

    def __init__(self, *args, unions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].choices = _pairs(unions, lambda o: o.name, empty=ALL)
