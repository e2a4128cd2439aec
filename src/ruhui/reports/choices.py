"""The states and kinds of a 月报 (2015 plan: 「每月要向市总报告集中行动进展情况」)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", _("月报")
    YEAR_END = "year_end", _("年度专题报告")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    READ = "read", _("已阅")
    RETURNED = "returned", _("退回修改")


#: A report its own unit may still edit.
REPORT_EDITABLE = (ReportStatus.DRAFT, ReportStatus.RETURNED)
#: A report the city has (had) in hand: it counts as reported.
REPORT_SENT = (ReportStatus.SUBMITTED, ReportStatus.READ)

#: The narrative parts, in the order of the form: field → label.
NARRATIVE = {
    "progress": "工作进展",
    "experience": "典型经验和创新做法",
    "problems": "存在问题",
    "next_steps": "下月打算",
}
DEFAULT_DUE_DAY = 5


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已更正")


#: The three files of a bulletin (and the chart), kind → (label, file extension).
BULLETIN_FILES = {
    "docx": ("Word 文档", "docx"),
    "pdf": ("PDF", "pdf"),
    "xlsx": ("Excel 表格", "xlsx"),
    "png": ("图表", "png"),
}

#: What a bulletin event did, as the history shows it.
BULLETIN_ACTIONS = {
    "create": "建立草稿",
    "update": "修改",
    "render": "生成文件（已排队）",
    "rendered": "文件已生成",
    "render_failed": "生成文件失败",
    "publish": "发布",
    "correct": "建立更正稿",
    "corrected": "发起更正",
    "superseded": "被更正稿取代",
}
