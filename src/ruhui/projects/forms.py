"""Forms of the project pages. They collect what was typed, as typed; every rule (the campaign
window, the responsible unit's subtree, whole numbers, money) is the services' and comes back
on these forms as a Chinese message next to the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ruhui.members.codes import EIGHT_GROUP_CHOICES as GROUPS
from ruhui.orgs.forms import OrgChoiceField
from ruhui.orgs.models import Organization
from ruhui.projects.choices import (
    BuildType,
    InspectionKind,
    ProjectKind,
    ServiceCategory,
)
from ruhui.web.forms import attachments_field


def _date(label, required=False):
    return forms.CharField(
        label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
    )


def _text(label, rows=3, required=False):
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


def _count(label):
    return forms.CharField(
        label=label, required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )


class PlanHeaderForm(forms.Form):
    leader_name = forms.CharField(label=_("责任领导"), required=False, max_length=40)
    leader_title = forms.CharField(label=_("责任领导职务"), required=False, max_length=60)
    contact_name = forms.CharField(label=_("联系人"), required=False, max_length=40)
    contact_phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)
    scheme_submitted_on = _date(_("实施方案出台日期"))


class SchemeForm(forms.Form):
    file = forms.FileField(
        label=_("实施方案文件"),
        help_text=_("JPG、PNG、PDF、.docx 或 .xlsx，不超过 10 MB。"),
    )


class TaskForm(forms.Form):
    task = forms.CharField(label=_("工作任务"), required=False)
    owner = forms.CharField(label=_("责任人/责任部门"), required=False)
    due_on = _date(_("完成时限"))
    done_on = _date(_("完成日期"))


def _units(unit: Organization):
    return Organization.objects.filter(path__startswith=unit.path, is_active=True).order_by("path")


class ProjectForm(forms.Form):
    """One line of the plan: the fields of its kind are used, the others ignored."""

    kind = forms.ChoiceField(label=_("项目类型"), choices=ProjectKind.choices)
    build_type = forms.ChoiceField(
        label=_("建会入会类型"), required=False, choices=[("", "——"), *BuildType.choices]
    )
    category = forms.ChoiceField(
        label=_("服务类别"), required=False, choices=[("", "——"), *ServiceCategory.choices]
    )
    name = forms.CharField(label=_("项目名称 / 拟建工会名称"), required=False, max_length=120)
    division_code = forms.CharField(label=_("所在行政区划代码"), required=False, max_length=6)
    address = forms.CharField(label=_("地点"), required=False, max_length=200)
    planned_members = _count(_("拟发展会员数"))
    enterprises = forms.CharField(
        label=_("涉及企业"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("企业名录中的企业全称或统一社会信用代码，多家用“、”分隔。"),
    )
    existing_union = OrgChoiceField(
        label=_("已有工会"), required=False, queryset=Organization.objects.none()
    )
    responsible_unit = OrgChoiceField(
        label=_("责任单位 / 实施责任单位"), required=False, queryset=Organization.objects.none()
    )
    responsible_person = forms.CharField(label=_("责任人"), required=False, max_length=40)
    responsible_phone = forms.CharField(label=_("责任人电话"), required=False, max_length=20)
    due_on = _date(_("完成时间"))
    starts_on = _date(_("实施开始"))
    ends_on = _date(_("实施结束"))
    planned_coverage = _count(_("拟覆盖职工人数"))
    groups = forms.MultipleChoiceField(
        label=_("八大群体"), required=False, choices=GROUPS, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, unit: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["existing_union"].queryset = _units(unit)
        self.fields["responsible_unit"].queryset = _units(unit)

    @classmethod
    def initial_of(cls, project) -> dict:
        return {
            "kind": project.kind,
            "build_type": project.build_type,
            "category": project.category,
            "name": project.name,
            "division_code": project.division_code,
            "address": project.address,
            "planned_members": project.planned_members,
            "existing_union": project.existing_union_id,
            "responsible_unit": project.responsible_unit_id,
            "responsible_person": project.responsible_person,
            "responsible_phone": project.responsible_phone,
            "due_on": project.due_on.isoformat() if project.due_on else "",
            "starts_on": project.starts_on.isoformat() if project.starts_on else "",
            "ends_on": project.ends_on.isoformat() if project.ends_on else "",
            "planned_coverage": project.planned_coverage,
            "groups": [g.code for g in project.groups.all()],
            "enterprises": "、".join(e.name for e in project.enterprises.all()),
        }

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class OpinionForm(forms.Form):
    opinion = _text(_("意见"))


class UpdateForm(forms.Form):
    on = _date(_("日期"))
    text = _text(_("进展情况"), rows=4)
    files = attachments_field(_("附件（照片、文件）"))


class AssessmentForm(forms.Form):
    text = _text(_("自评情况"), rows=5)
    claimed_members = _count(_("自报发展会员数"))
    claimed_coverage = _count(_("自报覆盖职工人数"))
    files = attachments_field(_("绩效自评报告及佐证材料"))


class DecideForm(forms.Form):
    qualified = forms.ChoiceField(
        label=_("认定结果"),
        choices=[("yes", "合格，予以销账"), ("no", "不合格 / 限期整改")],
        widget=forms.RadioSelect,
    )
    opinion = _text(_("认定意见"))
    rectify_by = _date(_("整改期限（限期整改时填写）"))


class SubsidyApplyForm(forms.Form):
    amount = forms.CharField(label=_("申请金额（元）"), required=False)
    purpose = _text(_("资金用途"))


class CityReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("初审意见"),
        choices=[("recommend", "通过"), ("return", "退回修改"), ("reject", "不通过")],
        widget=forms.RadioSelect,
    )
    recommended_amount = forms.CharField(label=_("建议金额（元）"), required=False)
    opinion = _text(_("意见"))


class ProvinceReviewForm(forms.Form):
    approve = forms.ChoiceField(
        label=_("审核结果"),
        choices=[("yes", "批准立项"), ("no", "不予立项")],
        widget=forms.RadioSelect,
    )
    approved_amount = forms.CharField(label=_("批准金额（元）"), required=False)
    notice_number = forms.CharField(label=_("立项通知文号"), required=False, max_length=60)
    notice_on = _date(_("立项通知日期"))
    opinion = _text(_("意见"))


class DisbursementForm(forms.Form):
    amount = forms.CharField(label=_("拨付金额（元）"), required=False)
    paid_on = _date(_("拨付日期"))
    voucher_number = forms.CharField(label=_("凭证号"), required=False, max_length=60)


class InspectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("方式"), choices=InspectionKind.choices)
    on = _date(_("检查日期"))
    findings = _text(_("发现的问题"))
    rectification = _text(_("整改要求"))
    rectify_by = _date(_("整改期限"))
    files = attachments_field(_("检查记录附件"))


class FollowUpForm(forms.Form):
    follow_up = _text(_("整改落实情况"))
    closed_on = _date(_("整改完成日期"))


class UnionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        founded = f"，{obj.founded_on:%Y-%m-%d} 建会" if obj.founded_on else ""
        return f"{obj.name}（{obj.get_kind_display()}{founded}）"


class UnionLinkForm(forms.Form):
    """The union founded for the project; the view narrows the choices to the candidates."""

    union = UnionChoiceField(
        label=_("建成的工会"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label="（未建成 / 取消登记）",
        help_text=_("行动期间在责任单位或其下级新建的工会；所列企业已建的工会排在前面。"),
    )


class FilterForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("单位"), required=False, queryset=Organization.objects.none(), empty_label="全部"
    )
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", "全部"), *ProjectKind.choices]
    )
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[])
    group = forms.ChoiceField(label=_("群体"), required=False, choices=[("", "全部"), *GROUPS])
    overdue = forms.BooleanField(label=_("只看逾期整改"), required=False)

    def __init__(self, *args, units, **kwargs):
        from ruhui.projects.choices import ProjectStatus

        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["status"].choices = [("", "全部"), *ProjectStatus.choices]
