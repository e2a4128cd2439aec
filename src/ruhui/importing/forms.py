"""Upload and export forms; union choices come from the user's jurisdiction."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ruhui.orgs.forms import OrgChoiceField
from ruhui.orgs.selectors import organization_choices


class ImportForm(forms.Form):
    union = OrgChoiceField(
        label=_("导入到"),
        queryset=None,
        help_text=_("会员将登记在这个工会；文件中有「所属工会」列时，按该列放到它下级的基层工会。"),
    )
    file = forms.FileField(
        label=_("花名册文件"),
        help_text=_("支持 .xlsx、.xls、.csv（UTF-8 或 GBK），表头上方可以有标题行。"),
    )
    update_existing = forms.BooleanField(label=_("更新本工会已有会员的信息"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = organization_choices(user=user)


class ExportForm(forms.Form):
    union = OrgChoiceField(label=_("导出范围"), queryset=None)
    fmt = forms.ChoiceField(
        help_text=_(
            "建议用 xlsx：证件号码和会员号按文本保存；csv 用 Excel 直接打开时长数字会丢位。"
        ),
        label=_("格式"),
        choices=[("xlsx", "Excel（.xlsx）"), ("csv", "CSV（.csv）")],
    )
    full = forms.BooleanField(
        label=_("导出完整证件号码和手机号码"),
        required=False,
        help_text=_("仅限有权限的角色；须填写事由，每次导出都记入审计日志。"),
    )
    reason = forms.CharField(label=_("导出事由"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = organization_choices(user=user)
        if not user.has_perm("members.reveal_personal_data"):
            del self.fields["full"]
            del self.fields["reason"]
        else:
            self.fields["full"].help_text = _(
                "仅限有权限的角色；须填写事由，每次导出都记入审计日志。超过 %(rows)s 人的，"
                "须由本单位或上级工会的另一位管理员审批后才开始导出。"
            ) % {"rows": settings.RUHUI_FULL_EXPORT_APPROVAL_ROWS}
