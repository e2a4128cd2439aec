"""Forms of the service positions' pages. They collect what was typed; every rule (coordinates
inside China, swapped coordinates, the division code, facilities from the list, the running
union within the jurisdiction) is the services' and comes back next to the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ruhui.members.codes import EIGHT_GROUP_CHOICES as GROUPS
from ruhui.positions.choices import FACILITIES, STATION_STANDARD, PositionKind, PositionStatus
from ruhui.web.forms import attachments_field

COORD_HELP = _(
    "GCJ-02 坐标，即高德地图上显示的坐标，保留 6 位小数。在高德地图上长按站点位置即可看到；"
    "纬度在前（平顶山约 33–34），经度在后（约 112–114）。"
)


class PositionForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=PositionKind.choices)
    name = forms.CharField(label=_("名称"), required=False, max_length=200)
    code = forms.CharField(label=_("站点编号"), required=False, max_length=60)
    # A plain value (not a ChoiceField): a union outside the list is the service's refusal.
    running_union = forms.CharField(label=_("运营工会"), required=False, widget=forms.Select)
    partner = forms.CharField(
        label=_("合作单位"),
        required=False,
        max_length=200,
        help_text=_("如银行网点、加油站、企业；工会自建的不填。"),
    )
    status = forms.ChoiceField(label=_("状态"), choices=PositionStatus.choices)
    division_code = forms.CharField(
        label=_("所在行政区划"),
        required=False,
        max_length=20,
        help_text=_("6 位 GB/T 2260 代码，如 410481（舞钢市）。"),
    )
    township = forms.CharField(label=_("乡镇（街道）"), required=False, max_length=80)
    address = forms.CharField(label=_("地址"), required=False, max_length=400)
    latitude = forms.CharField(label=_("纬度"), required=False, max_length=30, help_text=COORD_HELP)
    longitude = forms.CharField(label=_("经度"), required=False, max_length=30)
    hours = forms.CharField(
        label=_("开放时间"), required=False, max_length=120, help_text=_("如 8:00-20:00")
    )
    open_24h = forms.BooleanField(label=_("24 小时开放"), required=False)
    groups = forms.MultipleChoiceField(
        label=_("服务群体"), choices=GROUPS, required=False, widget=forms.CheckboxSelectMultiple
    )
    facilities = forms.MultipleChoiceField(
        label=_("设施"), choices=FACILITIES, required=False, widget=forms.CheckboxSelectMultiple
    )
    opened_on = forms.CharField(
        label=_("启用日期"),
        required=False,
        max_length=20,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, unions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["running_union"].widget.choices = [("", "（请选择）")] + [
            (str(u.pk), u.name) for u in unions
        ]
        for field, label in STATION_STANDARD:
            self.fields[field] = forms.BooleanField(label=label, required=False)


class PhotoForm(forms.Form):
    photos = attachments_field(
        _("照片"),
        accept=".jpg,.jpeg,.png",
        help_text=_("JPG 或 PNG，每张不超过 10 MB；照片的拍摄信息和位置信息会被去除。"),
    )


class AwardForm(forms.Form):
    name = forms.CharField(label=_("荣誉名称"), required=False, max_length=200)
    awarded_by = forms.CharField(label=_("授予单位"), required=False, max_length=200)
    year = forms.CharField(label=_("年度"), required=False, max_length=10)


class FilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", "全部"), *PositionKind.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", "全部"), *PositionStatus.choices]
    )
    division = forms.ChoiceField(label=_("县（市、区）"), required=False)
    township = forms.CharField(label=_("乡镇（街道）"), required=False, max_length=40)
    q = forms.CharField(label=_("名称、地址或合作单位"), required=False, max_length=60)

    def __init__(self, *args, divisions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = [("", "全部"), *divisions]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("阵地清单文件"),
        help_text=_("xlsx、xls 或 csv；表头与「导出」的表格相同。先检查，确认后才写入。"),
    )
