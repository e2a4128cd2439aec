"""Import and export jobs: what was asked, by whom, how far it got, and what came out."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MSG_APPROVER_OUTSIDE = _("这项导出不在您的管辖范围内。")
MSG_APPROVE_OWN = _("不能审批自己发起的导出，请由本单位或上级工会的另一位管理员审批。")
MSG_APPROVER_ROLE = _("只有管理员可以审批完整证件号码导出。")


class JobStatus(models.TextChoices):
    # Only exports wait for approval or get rejected (a large full-ID export, PI-4).
    AWAITING_APPROVAL = "awaiting", _("待审批")
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")
    REJECTED = "rejected", _("已驳回")


#: States a job never leaves: its files may be purged once the retention period has passed.
FINISHED_STATUSES = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.REJECTED)


class ImportJob(models.Model):
    """One run of the member importer over one uploaded file (a dry run or a commit)."""

    scope_field = "union__path"

    union = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("导入到")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    original_name = models.CharField(_("文件名"), max_length=200)
    stored_path = models.CharField(max_length=500, editable=False)
    kind = models.CharField(max_length=8, editable=False)
    dry_run = models.BooleanField(_("仅检查"), default=True)
    update_existing = models.BooleanField(_("更新已有会员"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    report_path = models.CharField(max_length=500, blank=True, editable=False)
    error = models.TextField(_("失败原因"), blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="the dry run this commit confirms",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: Set by the retention purge, which also clears stored_path and report_path.
    files_purged_at = models.DateTimeField(_("文件清除时间"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")

    def __str__(self) -> str:
        return f"{self.original_name}（{self.get_status_display()}）"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class ExportJob(models.Model):
    """One export of a scoped member list to a file."""

    scope_field = "union__path"

    union = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("导出范围")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    fmt = models.CharField(_("格式"), max_length=4)
    full = models.BooleanField(_("完整证件号"), default=False)
    reason = models.CharField(_("导出事由"), max_length=200, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    #: Members in scope when a full export was asked for (what the approver is shown).
    rows_requested = models.PositiveIntegerField(_("申请导出行数"), default=0)
    rows = models.PositiveIntegerField(default=0)
    file_path = models.CharField(max_length=500, blank=True, editable=False)
    error = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: Set by the retention purge, which also clears file_path.
    files_purged_at = models.DateTimeField(_("文件清除时间"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")

    def __str__(self) -> str:
        return f"{self.union} · {self.fmt}（{self.get_status_display()}）"

    def approval_refusal(self, user) -> str | None:
        """Why a user may not approve or reject this export, or None if they may: another
        admin (never the requester) whose jurisdiction covers the exported union."""
        from ruhui.accounts.rules import is_admin
        from ruhui.orgs.scoping import in_jurisdiction

        if not in_jurisdiction(user, self.union):
            return str(MSG_APPROVER_OUTSIDE)
        if self.created_by_id is not None and self.created_by_id == user.pk:
            return str(MSG_APPROVE_OWN)
        if not is_admin(user):
            return str(MSG_APPROVER_ROLE)
        return None

    def can_decide(self, user) -> bool:
        """Whether the export waits for approval and this user may give it."""
        return self.status == JobStatus.AWAITING_APPROVAL and self.approval_refusal(user) is None
