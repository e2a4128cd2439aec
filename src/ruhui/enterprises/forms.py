"""Forms of the enterprise survey pages. They collect values only: every rule (credit code,
de-duplication, the five 清, 建会) is checked by the enterprise services, whose Chinese messages
the views put back on these fields. Choices always come from the user's jurisdiction."""

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ruhui.core import divisions
from ruhui.core.stale import add_stamp
from ruhui.enterprises import selectors
from ruhui.enterprises.choices import (
    ATTITUDES,
    FLAG_FIELDS,
    FLAGS,
    NEXT_ACTIONS,
    REASONS,
    ParkKind,
    ProjectScale,
    UnionStatus,
)
from ruhui.enterprises.models import Enterprise, Park, Survey
from ruhui.enterprises.services import BUILD_KINDS
from ruhui.enterprises.validation import (
    ENTERPRISE_LABELS,
    SURVEY_LABELS,
    clean_survey_fields,
)
from ruhui.enterprises.validation import MAX_COUNT as MAX_HEADCOUNT
from ruhui.members.codes import EIGHT_GROUP_CHOICES as GROUPS
from ruhui.members.validation import parse_date
from ruhui.orgs.choices import Industry, OrgKind
from ruhui.orgs.forms import EMPTY_LABEL, OrgChoiceField
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import jurisdiction_root, scoped
from ruhui.orgs.selectors import organization_choices
from ruhui.web.fields import CountField, CountInput
from ruhui.web.widgets import FastSelect

ALL = _("全部")
NONE = "none"  # the 「不在园区」「未填行业」「未标注群体」 lines of the coverage table
MSG_PARENT_REQUIRED = _("新建工会时请选择上级组织。")
MSG_UNION_REQUIRED = _("纳入已有工会时请选择工会。")
MSG_DAY = _("%(label)s「%(value)s」无法识别：请按 2026-05-01 的格式填写。")
UNION_STATUS_FILTER = [
    ("", ALL),
    ("not_built", _("未建会（含筹建中）")),
    *UnionStatus.choices,
]


def _date_input(**attrs):
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


def _headcount(label):
    """A head count typed as people type it (3500, 3,500, 3，500, ３５００, 3500人: see
    ruhui.core.counts), up to the survey's limit. No `pattern`: it would refuse the comma."""
    return CountField(
        label=label,
        required=False,
        max_value=MAX_HEADCOUNT,
        widget=CountInput(attrs={"maxlength": 16}),
    )


def division_prefix(user) -> str:
    """The code prefix of the divisions in the user's jurisdiction (province 41, city 4104…)."""
    root = jurisdiction_root(user)
    code = (root.division_code or "") if root is not None else ""
    if not code:
        return "41"
    if code.endswith("0000"):
        return code[:2]
    return code[:4] if code.endswith("00") else code


def county_choices(user, current: str = "") -> list[tuple[str, str]]:
    """Counties (县、市、区) in the user's jurisdiction, plus `current` when outside it."""
    result = [
        (code, name)
        for code, name in divisions.choices(division_prefix(user))
        if not code.endswith("00") and divisions.is_known_county(code)
    ]
    if current and current not in dict(result):
        result.insert(0, (current, divisions.full_name(current) or current))
    return result


class UnitChoiceField(OrgChoiceField):
    """A unit picked by its name only (filters)."""

    def label_from_instance(self, obj) -> str:
        return obj.name


# --- the enterprise list --------------------------------------------------------------------


class EnterpriseFilterForm(forms.Form):
    """The list's filters; the location cascades division → township → park without a map."""

    q = forms.CharField(label=_("名称或信用代码"), required=False, max_length=60)
    division = forms.ChoiceField(label=_("县(市、区)"), required=False)
    township = forms.ChoiceField(label=_("乡镇(街道)"), required=False)
    park = forms.ChoiceField(label=_("园区"), required=False)
    industry = forms.ChoiceField(label=_("行业"), required=False)
    group = forms.ChoiceField(label=_("用工群体"), required=False)
    union_status = forms.ChoiceField(
        label=_("建会情况"), required=False, choices=UNION_STATUS_FILTER
    )
    flag = forms.ChoiceField(label=_("企业类型"), required=False)
    responsible_unit = UnitChoiceField(
        label=_("责任单位"), queryset=None, required=False, empty_label=ALL
    )
    # Drill-down from the coverage table (hidden: set by its links).
    exact_unit = forms.BooleanField(required=False, widget=forms.HiddenInput)
    surveyed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    complete = forms.BooleanField(required=False, widget=forms.HiddenInput)
    linked = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        data = self.data if self.is_bound else {}
        division = (data.get("division") or "").strip()
        mine = scoped(user, Enterprise)
        known = dict(county_choices(user))
        for code in mine.order_by().values_list("division_code", flat=True).distinct():
            if code not in known:  # an enterprise seen through its union, in another county
                known[code] = divisions.full_name(code) or code
        self.fields["division"].choices = [("", ALL), *sorted(known.items())]
        self.fields["division"].widget = FastSelect(choices=self.fields["division"].choices)
        towns = mine.exclude(township="")
        if division:
            towns = towns.filter(division_code=division)
        self.fields["township"].choices = [
            ("", ALL),
            *(
                (t, t)
                for t in towns.order_by("township").values_list("township", flat=True).distinct()
            ),
        ]
        parks = scoped(user, Park)
        if division:
            parks = parks.filter(division_code=division)
        self.fields["park"].choices = [
            ("", ALL),
            (NONE, _("不在园区")),
            *((str(p.pk), p.name) for p in parks.order_by("name")),
        ]
        self.fields["industry"].choices = [("", ALL), (NONE, _("未填行业")), *Industry.choices]
        self.fields["group"].choices = [("", ALL), (NONE, _("未标注群体")), *GROUPS]
        self.fields["flag"].choices = [("", ALL), *FLAGS]
        # The units responsible for enterprises in view, and the units above them (a filter
        # on a unit takes its whole subtree: the campaign dashboards link a county or the city).
        units = organization_choices(user=user, active_only=False)
        paths = set(
            units.filter(pk__in=mine.values("responsible_unit")).values_list("path", flat=True)
        )
        above = {
            p[:end]
            for p in paths
            for end in range(Organization.steplen, len(p), Organization.steplen)
        }
        self.fields["responsible_unit"].queryset = units.filter(path__in=paths | above)

    def queryset(self) -> QuerySet[Enterprise]:
        """The selector with these filters; an invalid filter is left out (and reported)."""
        data = {}
        if self.is_bound:
            self.is_valid()
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        park = data.get("park") or ""
        industry = data.get("industry") or ""
        group = data.get("group") or ""
        unit = data.get("responsible_unit")
        qs = selectors.enterprise_list(
            user=self.user,
            q=data.get("q") or "",
            division=data.get("division") or "",
            township=data.get("township") or "",
            park=int(park) if park.isdigit() else None,
            industry="" if industry == NONE else industry,
            group="" if group == NONE else group,
            union_status=data.get("union_status") or "",
            responsible_unit=None if data.get("exact_unit") else unit,
            flags=[data["flag"]] if data.get("flag") else [],
        )
        extra = Q()
        if park == NONE:
            extra &= Q(park__isnull=True)
        if industry == NONE:
            extra &= Q(industry="")
        if group == NONE:
            extra &= Q(groups__isnull=True)
        if unit is not None and data.get("exact_unit"):
            extra &= Q(responsible_unit=unit)
        if data.get("surveyed"):
            extra &= Q(last_surveyed_on__isnull=False)
        if data.get("complete"):
            extra &= Q(latest_survey__is_complete=True)
        if data.get("linked"):
            extra &= Q(union__isnull=False)
        return qs.filter(extra)


# --- one enterprise -------------------------------------------------------------------------

HELP = {
    "uscc": _("18 位，营业执照上的代码；系统校验校验位。没有的可留空，填原注册号。"),
    "legacy_registration_number": _("无统一社会信用代码时填写：15 位工商注册号或其他旧证照号码。"),
    "township": _("如：垭口街道、尹集镇。与园区至少填一项，排查“所处区域清”才算齐全。"),
    "park": _("只列出您辖区内园区名录中的园区；园区须与企业在同一县(市、区)。"),
    "project_scale": _("仅在建项目填写：大中型项目单独建会，小型项目纳入联合工会。"),
    "groups": _("企业用工涉及的八大群体；排查时发现的群体会自动加入。"),
    "responsible_unit": _("负责排查和推动建会的县区总工会或产业工会（只列出您辖区内的组织）。"),
}


class EnterpriseForm(forms.Form):
    """登记企业 / 修改企业信息. The services validate; this form only shapes the values."""

    name = forms.CharField(label=_("企业名称"), max_length=120)
    uscc = forms.CharField(label=_("统一社会信用代码"), required=False, max_length=40)
    legacy_registration_number = forms.CharField(label=_("原注册号"), required=False, max_length=40)
    responsible_unit = OrgChoiceField(label=_("责任单位"), queryset=None)
    division_code = forms.ChoiceField(label=_("所在县(市、区)"))
    township = forms.CharField(label=_("乡镇(街道)"), required=False, max_length=40)
    park = forms.ModelChoiceField(
        label=_("所在园区"), queryset=None, required=False, empty_label=_("不在园区")
    )
    address = forms.CharField(label=_("地址"), required=False, max_length=200)
    industry = forms.ChoiceField(label=_("所属行业"), required=False)
    flags = forms.MultipleChoiceField(
        label=_("企业类型"),
        required=False,
        choices=FLAGS,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("可多选。在建项目须同时选择下面的项目规模。"),
    )
    project_scale = forms.ChoiceField(
        label=_("项目规模"), required=False, choices=[("", "——"), *ProjectScale.choices]
    )
    groups = forms.MultipleChoiceField(
        label=_("用工群体"), required=False, choices=GROUPS, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, user, enterprise: Enterprise | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprise = enterprise
        self.fields["responsible_unit"].queryset = organization_choices(user=user)
        current = enterprise.division_code if enterprise else ""
        self.fields["division_code"].choices = [("", EMPTY_LABEL), *county_choices(user, current)]
        self.fields["division_code"].widget = FastSelect(
            choices=self.fields["division_code"].choices
        )
        self.fields["park"].queryset = scoped(user, Park).order_by("division_code", "name")
        self.fields["industry"].choices = [("", EMPTY_LABEL), *Industry.choices]
        for name, text in HELP.items():
            self.fields[name].help_text = text
        for name in ("name", "division_code", "responsible_unit"):
            label = self.fields[name].label
            self.fields[name].error_messages["required"] = _("%(label)s不能为空，请填写。") % {
                "label": label
            }
        self.fields["uscc"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        if enterprise is not None:
            add_stamp(self, enterprise)
        if enterprise is not None and not self.is_bound:
            self.initial |= {
                name: getattr(enterprise, name)
                for name in ENTERPRISE_LABELS
                if name in self.fields and name != "groups"
            }
            self.initial |= {
                "flags": [name for name in FLAG_FIELDS if getattr(enterprise, name)],
                "park": enterprise.park_id,
                "responsible_unit": enterprise.responsible_unit_id,
                "groups": list(enterprise.groups.values_list("code", flat=True)),
            }
        elif not self.is_bound:
            self.initial.setdefault("flags", ["is_non_public"])

    def service_data(self) -> dict:
        data = self.cleaned_data
        result = {name: data[name] for name in ENTERPRISE_LABELS if name in data}
        result |= {name: name in (data.get("flags") or ()) for name in FLAG_FIELDS}
        result["groups"] = list(data.get("groups") or [])
        return result


class ParkForm(forms.Form):
    name = forms.CharField(label=_("园区名称"), max_length=120)
    kind = forms.ChoiceField(label=_("园区类型"), choices=[("", EMPTY_LABEL), *ParkKind.choices])
    division_code = forms.ChoiceField(label=_("所在县(市、区)"))
    responsible_unit = OrgChoiceField(
        label=_("责任单位"),
        queryset=None,
        help_text=_("负责园区排查、建会的县区总工会或产业工会。"),
    )
    union = OrgChoiceField(
        label=_("园区工会"),
        queryset=None,
        required=False,
        empty_label=_("尚未建立"),
        help_text=_(
            "园区已建立工会（园区工会联合会、联合工会等）时选择；有工会的园区计入园区覆盖率。"
        ),
    )
    notes = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, *args, user, park: Park | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        current = park.division_code if park else ""
        self.fields["division_code"].choices = [("", EMPTY_LABEL), *county_choices(user, current)]
        self.fields["responsible_unit"].queryset = organization_choices(user=user)
        self.fields["union"].queryset = organization_choices(user=user)
        if park is not None:
            self.fields["responsible_unit"].disabled = True
            self.fields["responsible_unit"].help_text = _("园区的责任单位不在此修改。")
            self.initial["responsible_unit"] = park.responsible_unit_id
            if not self.is_bound:
                self.initial |= {
                    "name": park.name,
                    "kind": park.kind,
                    "division_code": park.division_code,
                    "responsible_unit": park.responsible_unit_id,
                    "union": park.union_id,
                    "notes": park.notes,
                }

    def service_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("name", "kind", "division_code", "notes")}


# --- the survey (五清一推进), on a phone --------------------------------------------------------


class SurveyForm(forms.Form):
    """One 五清 survey; prefilled from the latest survey, saved as a new record."""

    surveyed_on = forms.CharField(label=_("排查日期"), widget=_date_input())
    surveyor_name = forms.CharField(label=_("排查人"), required=False, max_length=40)
    union_status = forms.ChoiceField(
        label=_("建会情况"), choices=UnionStatus.choices, widget=forms.RadioSelect
    )
    reason = forms.ChoiceField(label=_("未建会原因"), required=False)
    reason_text = forms.CharField(label=_("原因说明"), required=False, max_length=200)
    legal_rep_attitude = forms.ChoiceField(
        label=_("法人态度"), required=False, widget=forms.RadioSelect
    )
    attitude_notes = forms.CharField(
        label=_("法人思想动态"),
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    employees_total = _headcount(_("职工人数"))
    migrant_workers = _headcount(_("农民工人数"))
    next_action = forms.ChoiceField(label=_("推进措施"), required=False)
    next_action_text = forms.CharField(label=_("推进措施说明"), required=False, max_length=200)
    next_action_due = forms.CharField(label=_("完成时限"), required=False, widget=_date_input())
    next_action_owner_name = forms.CharField(label=_("责任人"), required=False, max_length=40)

    #: The fields of each part of the page (the group counts come between 职工人数 and 一推进).
    SECTIONS = (
        (_("基本"), ("surveyed_on", "surveyor_name")),
        (_("建会情况与原因"), ("union_status", "reason", "reason_text")),
        (_("法人思想动态"), ("legal_rep_attitude", "attitude_notes")),
        (_("职工人数"), ("employees_total", "migrant_workers")),
    )
    PUSH = ("next_action", "next_action_text", "next_action_due", "next_action_owner_name")

    def __init__(self, *args, actor, latest: Survey | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.group_errors: list[str] = []
        self.fields["reason"].choices = [("", "——"), *REASONS.choices]
        self.fields["legal_rep_attitude"].choices = ATTITUDES.choices
        self.fields["next_action"].choices = [("", "——"), *NEXT_ACTIONS.choices]
        for code, label in GROUPS:
            self.fields[f"g{code}"] = _headcount(label)
        for name, label in SURVEY_LABELS.items():
            if name in self.fields:
                self.fields[name].label = label
        self.fields["surveyed_on"].error_messages["required"] = _(
            "排查日期不能为空，请填写实地排查的日期。"
        )
        self.fields["union_status"].error_messages["required"] = _(
            "建会情况不能为空：请选择已建会、未建会或筹建中。"
        )
        if not self.is_bound:
            self.initial |= {
                "surveyed_on": timezone.localdate().isoformat(),
                "surveyor_name": getattr(actor, "display_name", ""),
            }
            if latest is not None:
                self.initial |= {
                    name: getattr(latest, name)
                    for name in SURVEY_LABELS
                    if name in self.fields and name not in ("surveyed_on", "surveyor_name")
                }
                # A due date already past is not carried over: it would precede today's survey.
                due = latest.next_action_due
                self.initial["next_action_due"] = (
                    due.isoformat() if due and due >= timezone.localdate() else ""
                )
                for code, count in (latest.group_counts or {}).items():
                    self.initial[f"g{code}"] = count

    def sections(self):
        return [(title, [self[n] for n in names]) for title, names in self.SECTIONS]

    def group_fields(self):
        return [self[f"g{code}"] for code, _label in GROUPS]

    def group_fields_with_errors(self):
        """The group counts refused here (each message names its group), under the grid."""
        return [field for field in self.group_fields() if field.errors]

    def push_fields(self):
        return [self[n] for n in self.PUSH]

    def service_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in SURVEY_LABELS if name in self.fields}
        data["group_counts"] = {
            code: self.cleaned_data[f"g{code}"]
            for code, _label in GROUPS
            if self.cleaned_data.get(f"g{code}") is not None
        }
        return data

    def clean(self):
        """When a count is refused here, the services' checks of everything else run too, so
        the page shows every mistake at once (not the counts first, the rest on the next try)."""
        data = super().clean()
        if any(
            isinstance(self.fields[name], CountField) for name in self.errors if name in self.fields
        ):
            # What was refused here is left out: it is not checked again, nor against the rest.
            raw = {name: data[name] for name in SURVEY_LABELS if name in data}
            raw["group_counts"] = {
                code: data[f"g{code}"]
                for code, _label in GROUPS
                if data.get(f"g{code}") is not None
            }
            _cleaned, errors = clean_survey_fields(raw, today=timezone.localdate())
            for field, messages in errors.items():
                if field == "group_counts":
                    self.group_errors.extend(messages)
                elif field in self.fields and field not in self.errors:
                    self.add_error(field, messages)
        return data

    def apply_error(self, exc) -> None:
        """A service's ValidationError next to its field; the group counts' under the grid."""
        for field, errors in exc.message_dict.items():
            if field == "group_counts":
                self.group_errors.extend(errors)
            else:
                self.add_error(field if field in self.fields else None, errors)


# --- 建会 ------------------------------------------------------------------------------------

NEW, ATTACH = "new", "attach"


class UnionBuildForm(forms.Form):
    """「建会」: a new grassroots union under a parent, or attach to an existing admitting union."""

    mode = forms.ChoiceField(
        label=_("建会方式"),
        choices=[(NEW, _("新建基层工会")), (ATTACH, _("纳入已有工会（联合工会、行业工会等）"))],
        widget=forms.RadioSelect,
        initial=NEW,
    )
    parent = OrgChoiceField(
        label=_("上级组织"),
        queryset=None,
        required=False,
        help_text=_("新工会设在哪个组织之下（只列出您辖区内的有效组织）。"),
    )
    name = forms.CharField(label=_("工会名称"), required=False, max_length=120)
    kind = forms.ChoiceField(label=_("组织形式"), required=False)
    founded_on = forms.CharField(
        label=_("建会日期"),
        required=False,
        widget=_date_input(),
        help_text=_("新建基层工会时填写：工会成立（会员大会选举）的日期。"),
    )
    union = OrgChoiceField(
        label=_("纳入的工会"),
        queryset=None,
        required=False,
        help_text=_("纳入已有工会时选择；一个联合工会、行业工会可以覆盖多家企业。"),
    )
    on = forms.CharField(
        label=_("纳入日期"),
        required=False,
        widget=_date_input(),
        help_text=_("纳入已有工会时填写，不能早于该工会的建会日期。"),
    )

    def __init__(self, *args, user, enterprise: Enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = organization_choices(user=user)
        self.fields["union"].queryset = organization_choices(user=user, admitting_only=True)
        self.fields["kind"].choices = [(k.value, k.label) for k in OrgKind if k in BUILD_KINDS]
        if not self.is_bound:
            today = timezone.localdate().isoformat()
            self.initial |= {
                "name": f"{enterprise.name}工会",
                "kind": OrgKind.ENTERPRISE,
                "founded_on": today,
                "on": today,
                "parent": enterprise.responsible_unit_id,
            }

    def _clean_day(self, name: str) -> str:
        text = (self.cleaned_data.get(name) or "").strip()
        if text and parse_date(text) is None:
            raise forms.ValidationError(MSG_DAY % {"label": self.fields[name].label, "value": text})
        return text

    def clean_founded_on(self) -> str:
        return self._clean_day("founded_on")

    def clean_on(self) -> str:
        return self._clean_day("on")

    def clean(self):
        data = super().clean()
        if data.get("mode") == NEW and not data.get("parent"):
            self.add_error("parent", MSG_PARENT_REQUIRED)
        if data.get("mode") == ATTACH and not data.get("union"):
            self.add_error("union", MSG_UNION_REQUIRED)
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        if data["mode"] == ATTACH:
            return {"union": data["union"], "on": _day(data["on"])}
        union_data = {"kind": data["kind"] or OrgKind.ENTERPRISE}
        if data["name"].strip():
            union_data["name"] = data["name"].strip()
        day = _day(data["founded_on"])
        if day:
            union_data["founded_on"] = day
        return {"parent": data["parent"], "union_data": union_data}


def _day(text: str):
    return parse_date(text) if (text or "").strip() else None


# --- worklist and coverage ------------------------------------------------------------------


class WorklistFilterForm(forms.Form):
    unit = UnitChoiceField(label=_("责任单位"), queryset=None, required=False, empty_label=ALL)
    overdue_first = forms.BooleanField(label=_("逾期的排在前面"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = organization_choices(user=user, active_only=False).filter(
            pk__in=scoped(user, Enterprise).values("responsible_unit")
        )

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {"unit": data.get("unit"), "overdue_first": bool(data.get("overdue_first"))}


COVERAGE_BY = (
    ("division", _("按县(市、区)")),
    ("park", _("按园区")),
    ("industry", _("按行业")),
    ("group", _("按用工群体")),
    ("responsible_unit", _("按责任单位")),
)
