"""The fixed criteria of 考核评比 and the states of a result."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CriterionCode(models.TextChoices):
    TARGET_COMPLETION = "target_completion", _("目标完成率")
    GROWTH = "growth", _("较基数增长")
    CLOSEOUT_RATE = "closeout_rate", _("项目销账率")
    OVERDUE_RECTIFICATIONS = "overdue_rectifications", _("逾期整改")
    FINDINGS_CLOSED = "findings_closed", _("检查问题整改率")
    REALNAME_RATE = "realname_rate", _("实名录入率")
    REPORTS_ON_TIME = "reports_on_time", _("月报按时报送率")


#: The weights a new scheme starts with (they sum to 100).
DEFAULT_WEIGHTS = {
    CriterionCode.TARGET_COMPLETION: 30,
    CriterionCode.GROWTH: 15,
    CriterionCode.CLOSEOUT_RATE: 15,
    CriterionCode.OVERDUE_RECTIFICATIONS: 10,
    CriterionCode.FINDINGS_CLOSED: 10,
    CriterionCode.REALNAME_RATE: 10,
    CriterionCode.REPORTS_ON_TIME: 10,
}


class AssessmentResult(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    FINAL = "final", _("已定稿")


class EventKind(models.TextChoices):
    COMPUTE = "compute", _("计算得分")
    ADJUST = "adjust", _("调整得分")
    DECIDE = "decide", _("评定结果")
    FINALIZE = "finalize", _("定稿")
