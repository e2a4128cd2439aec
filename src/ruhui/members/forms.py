"""Forms for the member pages. They only collect values: every rule (ID number, codes, dates,
one person one membership) is checked by the member services, whose Chinese messages the views
put back on these fields with `apply_validation_error`."""

import re
import unicodedata

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ruhui.core import idnumber
from ruhui.core.stale import FIELD as STAMP
from ruhui.core.stale import add_stamp
from ruhui.members import codes, validation
from ruhui.members.models import MemberStatus
from ruhui.members.services import MSG_DUES_DATE_REQUIRED, MSG_DUES_NONE
from ruhui.members.validation import LABELS, clean_member_fields
from ruhui.orgs.choices import OrgKind
from ruhui.orgs.forms import EMPTY_LABEL, OrgChoiceField
from ruhui.orgs.models import Organization
from ruhui.orgs.selectors import organization_choices

MSG_PHONE_TAIL = _("请填写手机号码后 4 位数字。")
MSG_ID_REQUIRED = _("请填写要查找的证件号码。")
MSG_UNION_REQUIRED = _("请选择会员所在的基层工会。")
MSG_UNION_NOT_FOUND = _(
    "没有找到代码或全称为「%(value)s」的有效工会：请向转入工会核实其组织代码，或留空由会员凭凭证到新单位工会办理。"
)
MSG_UNION_AMBIGUOUS = _("有多个名为「%(value)s」的工会，请改填组织代码。")
MSG_TWO_TARGETS = _("转入工会和属地工会只能选择一个。")
MSG_CODE_REQUIRED = _("请填写接转凭证上的凭证号。")
MSG_REJECT_REASON = _("请填写退回原因，转出工会和会员会看到它。")
MSG_DUES_BAD_SELECTION = _("勾选的会员无法识别，请刷新页面后重新勾选。")
MSG_DUES_DATE_INVALID = _("缴纳会费日期无法识别：请按 2026-05-01 的格式填写。")
KEEP_HINT = _("不修改请留空。")
RETYPE_HINT = _(
    "为保护个人信息，证件号码提交后不回显：请重新填写（修改会员信息时留空表示不修改）。"
)
DERIVED_HINT = _("使用居民身份证时可不填，系统按证件号码自动得出。")

#: The CodeSet behind each coded field of the member form (the validator's own table).
CODED_FIELDS = validation.CODED
#: Coded fields that always hold a value (the model has a default); no empty choice offered.
ALWAYS_SET = {name: value for name, value in validation.DEFAULTS.items() if name in CODED_FIELDS}
SECTIONS = (
    ("所在工会", ("union", "joined_on")),
    ("身份信息", ("name", "id_type", "id_number", "sex", "birth_date", "ethnicity")),
    (
        "联系与户籍",
        ("phone", "household_type", "household_division", "political_status", "education"),
    ),
    (
        "就业情况",
        (
            "employment_status",
            "employment_form",
            "employer_name",
            "employer_uscc",
            "technical_grade",
            "is_migrant_worker",
            "group",
            "new_employment_form",
        ),
    ),
    (
        "采集与核验",
        (
            "collection_method",
            "verification_status",
            "provincial_status",
            "provincial_entered_on",
            "last_dues_paid_on",
        ),
    ),
)
DATE_FIELDS = ("birth_date", "joined_on", "provincial_entered_on", "last_dues_paid_on")
BOOLEAN_FIELDS = ("is_migrant_worker", "new_employment_form")
HELP = {
    "name": _("与证件上的姓名一致；少数民族姓名可用间隔号“·”。"),
    "id_number": _("居民身份证为 18 位，最后一位可以是 X；15 位老证件号自动升级为 18 位。"),
    "phone": _("11 位手机号码，用于接转、服务通知。"),
    "household_division": _("6 位行政区划代码（GB/T 2260），如 410481（舞钢市）。"),
    "employer_uscc": _("18 位，选填；系统校验校验位。"),
    "group": _(
        "货车司机、快递员、护工护理员、家政服务员、商场信息员、网约送餐员、房产中介员、保安员。"
    ),
    "is_migrant_worker": _("户籍在农村、进城务工或在本地乡镇企业就业的人员。"),
    "new_employment_form": _("依托互联网平台就业，如网约送餐、网约车、快递。"),
    "joined_on": _("不填则为今天；不能早于本人年满 16 周岁。"),
    "collection_method": _("本人填写：会员本人填表或网上申请；他人代填：工会干部代为录入。"),
    "provincial_status": _("是否已录入省总工会会员实名制数据库。"),
}


def _date_input(**attrs):
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


def _no_autocomplete(widget):
    widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
    return widget


class NoEchoTextInput(forms.TextInput):
    """A text box that never writes the submitted value back into the page (ID numbers)."""

    def format_value(self, value):
        return None


def normalize_document_number(raw: str) -> str:
    """The form a non-resident-ID document number is stored under (spaces removed, upper case)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw or "")).upper()


class MemberForm(forms.Form):
    """入会登记 / 修改会员信息. On edit there is no union and joined_on is not editable; the ID
    number and phone start empty (empty = unchanged), and for a resident ID sex and birth date
    are left out (they follow from the number)."""

    union = OrgChoiceField(
        label=_("所在工会"),
        queryset=Organization.objects.none(),
        error_messages={"required": MSG_UNION_REQUIRED},
        help_text=_("只列出您辖区内可直接吸收会员的基层工会、行业工会、联合工会及其分会、小组。"),
    )

    def __init__(self, *args, user, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        creating = member is None
        if creating:
            self.fields["union"].queryset = organization_choices(user=user, admitting_only=True)
        else:
            del self.fields["union"]
            add_stamp(self, member)
        for name, label in LABELS.items():
            if name == "joined_on" and not creating:
                continue
            if not creating and name in ("sex", "birth_date") and member.id_type == "1":
                continue
            self.fields[name] = self._field(name, label, creating=creating)
        if creating:
            for name, code in ALWAYS_SET.items():
                self.fields[name].initial = code
        else:
            self._fill_from(member)

    def sections(self) -> list[tuple[str, list]]:
        """The visible fields in titled groups, for a long form that reads top to bottom."""
        groups = []
        for title, names in SECTIONS:
            bound = [self[name] for name in names if name in self.fields]
            if bound:
                groups.append((title, bound))
        return groups

    def _field(self, name: str, label: str, *, creating: bool) -> forms.Field:
        help_text = HELP.get(name, "")
        if name in CODED_FIELDS:
            choices = CODED_FIELDS[name].choices
            if name not in ALWAYS_SET:
                choices = [("", EMPTY_LABEL), *choices]
            field = forms.ChoiceField(label=label, choices=choices, required=False)
            if name == "sex":
                field.help_text = DERIVED_HINT
            elif help_text:
                field.help_text = help_text
            return field
        if name in BOOLEAN_FIELDS:
            return forms.BooleanField(label=label, required=False, help_text=help_text)
        if name in DATE_FIELDS:
            help_text = DERIVED_HINT if name == "birth_date" else help_text
            # A text value: the service parses it and explains a bad date in Chinese.
            return forms.CharField(
                label=label, required=False, widget=_date_input(), help_text=help_text
            )
        if name in ("id_number", "phone"):
            # The ID number is never written back into the page, not even after a form error.
            widget = (NoEchoTextInput if name == "id_number" else forms.TextInput)(
                attrs={"inputmode": "tel" if name == "phone" else "text", "maxlength": 24}
            )
            if not creating:
                help_text = KEEP_HINT
            if name == "id_number" and (self.data.get(self.add_prefix(name)) or "").strip():
                help_text = RETYPE_HINT
            return forms.CharField(
                label=label,
                required=creating and name == "id_number",
                widget=_no_autocomplete(widget),
                help_text=help_text,
                error_messages={"required": f"{label}不能为空，请填写。"},
            )
        return forms.CharField(
            label=label,
            required=name == "name",
            max_length=120,
            help_text=help_text,
            error_messages={"required": f"{label}不能为空，请填写。"},
            widget=forms.TextInput(
                attrs={"maxlength": 6, "inputmode": "numeric"}
                if name == "household_division"
                else {}
            ),
        )

    def _fill_from(self, member) -> None:
        for name, field in self.fields.items():
            if name in ("id_number", "phone"):
                continue
            value = getattr(member, name)
            if name in DATE_FIELDS:
                value = value.isoformat() if value else ""
            field.initial = value

    def clean(self):
        """Run the registry's own field checks now, so one submit shows every problem (the
        service checks again when it writes, and is the authority)."""
        data = super().clean()
        _cleaned, errors = clean_member_fields(self.service_data(), partial=self.member is not None)
        for field, messages in errors.items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, messages)
            elif field not in self.fields:
                self.add_error(None, messages)
        return data

    def service_data(self) -> dict:
        """The values for member_join / member_update; on edit, an empty ID number or phone is
        left out so the stored one stays."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("union", STAMP)}
        if self.member is not None:
            for name in ("id_number", "phone"):
                if not (data.get(name) or "").strip():
                    data.pop(name, None)
        return data


class MemberFilterForm(forms.Form):
    """The member list's filter bar (GET). Invalid entries are simply not applied."""

    q = forms.CharField(label=_("姓名 / 拼音首字母 / 会员号"), required=False, max_length=40)
    phone_tail = forms.RegexField(
        label=_("手机尾号"),
        regex=r"^\d{4}$",
        required=False,
        error_messages={"invalid": MSG_PHONE_TAIL},
    )
    union = OrgChoiceField(
        label=_("所在工会"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label="全部",
    )
    group = forms.ChoiceField(
        label=_("八大群体"), choices=[("", "全部"), *codes.EIGHT_GROUPS.choices], required=False
    )
    migrant = forms.ChoiceField(
        label=_("农民工"), choices=[("", "全部"), ("1", "是"), ("0", "否")], required=False
    )
    status = forms.ChoiceField(
        label=_("会籍状态"),
        choices=[("", "全部"), ("held", "在册（在籍+保留+接转中）"), *MemberStatus.choices],
        required=False,
    )
    joined_from = forms.DateField(label=_("入会日期"), required=False, widget=_date_input())
    joined_to = forms.DateField(label=_("至"), required=False, widget=_date_input())
    provincial_status = forms.ChoiceField(
        label=_("省库录入"),
        choices=[("", "全部"), *codes.PROVINCIAL_ENTRY_STATUSES.choices],
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = organization_choices(user=user, admitting_only=True)

    def filters(self) -> dict:
        """The valid filters as keyword arguments for selectors.member_list."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class IdNumberLookupForm(forms.Form):
    """按身份证号精确查找: POSTed, never echoed back into the page."""

    id_number = forms.CharField(
        label=_("证件号码"),
        max_length=30,
        error_messages={"required": MSG_ID_REQUIRED},
        widget=_no_autocomplete(
            NoEchoTextInput(attrs={"placeholder": "18 位证件号码", "size": 22})
        ),
    )

    def clean_id_number(self) -> str:
        """The number as stored: a resident ID normalised (15 → 18 digits, x → X), any other
        document number without spaces in upper case."""
        raw = self.cleaned_data["id_number"]
        try:
            return idnumber.parse(raw).number
        except idnumber.IdNumberError:
            return normalize_document_number(raw)


class MembershipChangeForm(forms.Form):
    """保留会籍 / 退会 / 除名: reason, date, note."""

    reason = forms.ChoiceField(
        label=_("会籍变化原因"),
        choices=[("", EMPTY_LABEL), *codes.MEMBERSHIP_CHANGE_REASONS.choices],
        required=False,
    )
    on = forms.DateField(label=_("办理日期"), widget=_date_input(), help_text=_("不能晚于今天。"))
    note = forms.CharField(
        label=_("说明"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("选填，记入会籍变动记录，最多 200 字。"),
    )

    def __init__(self, *args, default_reason: str = "", default_note: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].initial = default_reason
        self.fields["on"].initial = timezone.localdate()
        self.fields["note"].initial = default_note


class MemberIdsField(forms.Field):
    """The members ticked in a list (`members` checkboxes): their ids, checked by the service."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"required": MSG_DUES_NONE, "invalid": MSG_DUES_BAD_SELECTION}

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        try:
            return sorted({int(v) for v in value})
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class DuesRecordForm(forms.Form):
    """记录会费 for the members ticked on the roster or the 会费候选 page: the date, then confirm."""

    members = MemberIdsField(label=_("会员"))
    paid_on = forms.DateField(
        label=_("缴纳会费日期"),
        widget=_date_input(),
        error_messages={"required": MSG_DUES_DATE_REQUIRED, "invalid": MSG_DUES_DATE_INVALID},
        help_text=_("不能晚于今天；会员已有同日或更晚的缴费记录时保持不变。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["paid_on"].initial = today
        self.fields["paid_on"].widget.attrs["max"] = today.isoformat()


class DuesImportForm(forms.Form):
    """导入会费缴纳表: the unit whose members the sheet lists, and the file."""

    union = OrgChoiceField(
        label=_("会员范围"),
        queryset=Organization.objects.none(),
        help_text=_("在这个组织及其全部下级工会的会员中按会员号查找。"),
    )
    file = forms.FileField(
        label=_("会费缴纳表"),
        help_text=_(
            "支持 .xlsx、.xls、.csv（UTF-8 或 GBK），表头上方可以有标题行。须有「会员号」和"
            "「缴纳会费日期」两列，可另加「姓名」列用于核对。"
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = organization_choices(user=user)


class TransferIssueForm(forms.Form):
    """办理转出: where the member goes (a union found by code or full name, a residence union,
    or nobody yet — the worker takes the certificate to the new employer's union)."""

    to_union_code = forms.CharField(
        label=_("转入工会"),
        required=False,
        max_length=120,
        help_text=_(
            "填写转入工会的组织代码或全称（可向对方工会询问）；不知道时留空，"
            "由会员凭接转凭证到新单位工会办理。"
        ),
    )
    hold_at_residence = forms.BooleanField(
        label=_("属地保留"),
        required=False,
        help_text=_("新单位未建工会时，会籍转到居住地（或户籍地）的乡镇（街道）、村（社区）工会。"),
    )
    residence_union = OrgChoiceField(
        label=_("属地工会"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_(
            "属地保留时选择本辖区的乡镇（街道）、村（社区）工会；辖区外的请在上面填写代码。"
        ),
    )
    new_employer = forms.CharField(label=_("新工作单位"), required=False, max_length=120)
    reason = forms.ChoiceField(
        label=_("会籍变化原因"), choices=codes.MEMBERSHIP_CHANGE_REASONS.choices, initial="1"
    )
    on = forms.DateField(label=_("转出日期"), widget=_date_input())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["residence_union"].queryset = organization_choices(user=user).filter(
            kind__in=(OrgKind.TOWNSHIP, OrgKind.COMMUNITY)
        )
        self.fields["on"].initial = timezone.localdate()

    def clean_to_union_code(self):
        value = " ".join(self.cleaned_data["to_union_code"].split())
        if not value:
            return None
        matches = list(
            Organization.objects.filter(is_active=True).filter(Q(code=value) | Q(name=value))[:2]
        )
        by_code = [o for o in matches if o.code == value]
        if by_code:
            return by_code[0]
        if not matches:
            raise forms.ValidationError(MSG_UNION_NOT_FOUND, params={"value": value})
        if len(matches) > 1:
            raise forms.ValidationError(MSG_UNION_AMBIGUOUS, params={"value": value})
        return matches[0]

    def clean(self):
        data = super().clean()
        if data.get("to_union_code") and data.get("residence_union"):
            raise forms.ValidationError(MSG_TWO_TARGETS)
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        residence = data.get("residence_union")
        return {
            "to_union": residence or data.get("to_union_code"),
            "hold_at_residence": bool(data.get("hold_at_residence") or residence),
            "reason": data["reason"],
            "new_employer": data.get("new_employer", ""),
            "on": data["on"],
        }


class TransferAcceptForm(forms.Form):
    """凭证接收: the certificate code and the union that takes the member in."""

    code = forms.CharField(
        label=_("接转凭证号"),
        max_length=20,
        error_messages={"required": MSG_CODE_REQUIRED},
        help_text=_("凭证上以 ZJ 开头的 12 位号码；扫描凭证上的二维码会自动填入。"),
        widget=_no_autocomplete(forms.TextInput(attrs={"autocapitalize": "characters"})),
    )
    union = OrgChoiceField(
        label=_("转入工会"),
        queryset=Organization.objects.none(),
        error_messages={"required": MSG_UNION_REQUIRED},
        help_text=_("会员转入后所在的基层工会。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = organization_choices(user=user, admitting_only=True)


class TransferRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("退回原因"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": MSG_REJECT_REASON},
        help_text=_("例如：本单位查无此人、凭证信息与本人不符。"),
    )


class TransferCancelForm(forms.Form):
    note = forms.CharField(
        label=_("撤销说明"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("选填，例如：会员未离职、凭证填写有误。"),
    )
