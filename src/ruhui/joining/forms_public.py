"""Forms of the public pages. They render the fields for a phone (labels, keyboards, autofill,
length limits); the joining services validate what is typed, and their Chinese messages are
put back next to the fields with `add_service_errors`."""

import functools

from django import forms
from django.core.exceptions import ValidationError

from ruhui.core import divisions
from ruhui.joining import selectors, services
from ruhui.members import codes
from ruhui.members.forms import NoEchoTextInput
from ruhui.web.widgets import FastSelect

PLEASE_CHOOSE = "请选择"
MSG_RETYPE = "为保护您的个人信息，页面不回显已填写的号码，请重新填写。"
#: Never written back into the page after an error (the page must not carry a full number).
NO_ECHO_FIELDS = ("id_number", "phone")
YES_NO = [("1", "是"), ("0", "否")]
#: Server-side caps on what a tampered request may send; the widgets' maxlength is the real limit.
HARD_LIMIT = 200


def _text(label, *, required=False, help_text="", **attrs):
    """A text field the service validates; `required` only marks the label and the widget."""
    attrs = {"maxlength": "40", **attrs}
    if required:
        attrs["required"] = True
    field = forms.CharField(
        label=label,
        required=False,
        max_length=HARD_LIMIT,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs),
    )
    field.marked_required = required
    return field


def _select(label, choices, *, required=False, help_text="", widget=FastSelect):
    """A select whose value the service checks against the code set (with a Chinese message)."""
    field = forms.CharField(
        label=label,
        required=False,
        max_length=HARD_LIMIT,
        help_text=help_text,
        widget=widget(choices=choices, attrs={"required": True} if required else {}),
    )
    field.marked_required = required
    return field


def _with_blank(choices):
    return [("", PLEASE_CHOOSE), *choices]


@functools.cache
def household_choices() -> list:
    """Henan's counties grouped by city (as a phone's select shows them), then other provinces.

    Workers from another province pick the province: the registry accepts any GB/T 2260 code of
    county level or above, and a long national list would not fit a cheap phone's screen."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, _full in divisions.choices("41"):
        division = divisions.get(code)
        if division is None or division.level != "county":
            continue
        prefecture = divisions.get(division.prefecture_code)
        placeholder = prefecture is None or prefecture.is_placeholder
        group = "河南省直辖" if placeholder else prefecture.name
        groups.setdefault(group, []).append((code, division.name))
    provinces = [
        (code, name)
        for code, name in divisions.choices("")
        if code.endswith("0000") and not code.startswith("41")
    ]
    return [
        ("", PLEASE_CHOOSE),
        *((f"河南省 · {group}", options) for group, options in groups.items()),
        ("外省户籍（选择省份）", provinces),
    ]


class PublicForm(forms.Form):
    """Common behaviour: the services' errors go next to the fields they name; the ID number and
    phone are not written back into the page, and a re-shown form asks for them again."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in NO_ECHO_FIELDS:
            field = self.fields.get(name)
            if field is None:
                continue
            widget = NoEchoTextInput(attrs=field.widget.attrs)
            widget.input_type = field.widget.input_type
            field.widget = widget
            if self.is_bound and (self.data.get(self.add_prefix(name)) or "").strip():
                field.help_text = MSG_RETYPE

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            self.add_error(field if field in self.fields else None, errors)

    def require_consent(self) -> bool:
        """Whether consent was ticked; if not, say so next to the checkbox (PI-6)."""
        if self.cleaned_data.get("consent"):
            return True
        if "consent" not in self.errors:
            self.add_error("consent", services.MSG_CONSENT)
        return False


class ConsentMixin(forms.Form):
    consent = forms.BooleanField(
        label=(
            "我已阅读并同意《个人信息保护告知》，同意工会为办理入会处理上述个人信息"
            "（含身份证号码等敏感个人信息）"
        ),
        required=False,
    )


def _id_number(**extra):
    return _text(
        "身份证号",
        required=True,
        help_text="18 位居民身份证号码，最后一位可能是 X。",
        maxlength="22",
        autocomplete="off",
        autocapitalize="characters",
        spellcheck="false",
        **extra,
    )


def _phone(help_text="用于查询申请进度，工会也会用它联系您。"):
    return _text(
        "手机号",
        required=True,
        help_text=help_text,
        type="tel",
        inputmode="numeric",
        maxlength="14",
        autocomplete="tel",
    )


def _employer(help_text="如：顺丰速运舞钢营业部、美团外卖、某某家政公司。"):
    return _text(
        "工作单位或平台", help_text=help_text, maxlength="120", autocomplete="organization"
    )


def _location():
    return _text(
        "工作地点",
        help_text="写到街道、园区或站点即可，如：舞钢市垭口街道。",
        maxlength="120",
        autocomplete="off",
    )


class JoinForm(ConsentMixin, PublicForm):
    """The worker's data for 入会: only the fields the registry needs (PI-5)."""

    name = _text("姓名", required=True, autocomplete="name")
    id_number = _id_number()
    phone = _phone()
    ethnicity = _select("民族", _with_blank(codes.ETHNICITIES.choices))
    education = _select("学历", _with_blank(codes.EDUCATION_LEVELS.choices))
    household_division = _select(
        "户籍所在地",
        (),
        help_text="户口所在的县（市、区）；户口不在河南的，请在最后选择省份。",
    )
    is_migrant_worker = _select(
        "是否农民工",
        YES_NO,
        widget=forms.RadioSelect,
        help_text="户口在农村、在城镇务工的，请选“是”。",
    )
    group = _select("八大群体类别", _with_blank(codes.EIGHT_GROUPS.choices), required=True)
    employment_status = _select("就业状况", _with_blank(codes.EMPLOYMENT_STATUSES.choices))
    employment_form = _select("用工形式", _with_blank(codes.EMPLOYMENT_FORMS.choices))
    employer_name = _employer()
    work_location = _location()

    BASIC = ("name", "id_number", "phone", "ethnicity", "education", "household_division")
    WORK = ("is_migrant_worker", "group", "employment_status", "employment_form")
    PLACE = ("employer_name", "work_location")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household_division"].widget.choices = household_choices()

    def sections(self):
        """(title, bound fields) in the order the page shows them."""
        return [
            ("基本信息", [self[name] for name in self.BASIC]),
            ("工作情况", [self[name] for name in self.WORK + self.PLACE]),
        ]

    def data_for_service(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in services.JOIN_FIELDS}


class IdentityForm(PublicForm):
    """The identity check in front of self-service transfer and the card: all three must match."""

    id_number = _id_number()
    phone = _phone(help_text="在工会登记的手机号码。")
    member_number = _text(
        "会员号",
        required=True,
        help_text="16 位数字，在入会审核通过后的查询页面或会员卡上；忘记了请问所在工会。",
        inputmode="numeric",
        maxlength="20",
        autocomplete="off",
    )

    def identity(self) -> dict:
        return {
            name: self.cleaned_data.get(name, "")
            for name in ("id_number", "phone", "member_number")
        }


class TransferForm(ConsentMixin, IdentityForm):
    """Identity check plus where the member works now."""

    employer_name = _employer(help_text="新的工作单位或平台。")
    work_location = _location()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = self.fields["consent"].label.replace("办理入会", "办理转会")


class LookupForm(PublicForm):
    number = _text(
        "申请编号",
        required=True,
        help_text="提交申请后页面上显示的编号，以 SQ 开头。",
        maxlength="16",
        autocomplete="off",
        autocapitalize="characters",
        spellcheck="false",
    )
    phone_tail = _text(
        "手机号后四位",
        required=True,
        help_text="申请时填写的手机号码的最后四位。",
        inputmode="numeric",
        maxlength="4",
        autocomplete="off",
        pattern="[0-9]{4}",
    )


class FindForm(forms.Form):
    """Find my union: the group and the place (a GET form: no personal data)."""

    group = forms.ChoiceField(
        label="您属于哪类职工", choices=_with_blank(codes.EIGHT_GROUPS.choices)
    )
    division = forms.ChoiceField(label="工作或居住的县（市、区）")
    township = forms.TypedChoiceField(
        label="乡镇（街道）", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = _with_blank(
            (code, name.removeprefix("河南省")) for code, name in selectors.find_divisions()
        )
        division = self.data.get("division") or ""
        self.townships = {
            township.pk: township for township in selectors.find_townships(division[:6])
        }
        self.fields["township"].choices = [("", "全部（不限乡镇、街道）")] + [
            (pk, township.name) for pk, township in self.townships.items()
        ]
        chosen = self.data.get("township") or ""
        if chosen and chosen not in {str(pk) for pk in self.townships}:
            self.data = self.data.copy()  # the county changed: the old township no longer applies
            self.data["township"] = ""

    def chosen_township(self):
        return self.townships.get(self.cleaned_data.get("township"))
