"""One record for every background job of every feature: an import's check and its commit, an
export, a generated file. What the job does is its `kind` (registered by the feature, see
`jobs.kinds`); everything else — who asked, for which unit, how far it got, what came out,
who approved it — is the same for all of them, and so is the page that shows it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    # Only a job whose kind needs approval waits for it or gets rejected (a large full-ID
    # export, PI-4).
    AWAITING_APPROVAL = "awaiting", _("待审批")
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")
    REJECTED = "rejected", _("已驳回")


#: States a job never leaves: its files may be purged once the retention period has passed.
FINISHED_STATUSES = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.REJECTED)


class Job(models.Model):
    """One run of one kind of background work for one unit (and the units below it)."""

    scope_field = "organization__path"

    kind = models.CharField(_("任务类型"), max_length=40, db_index=True)
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    #: A check (试导入) that writes nothing; confirming it queues the commit (a child job).
    dry_run = models.BooleanField(_("仅检查"), default=False)
    #: The kind's own parameters (update existing rows, export format and filters, campaign…).
    options = models.JSONField(default=dict, blank=True)
    original_name = models.CharField(_("文件名"), max_length=200, blank=True)
    upload_path = models.CharField(max_length=500, blank=True, editable=False)
    #: What the upload checks found it to be: xlsx, xls or csv.
    file_kind = models.CharField(max_length=8, blank=True, editable=False)
    #: The file the job wrote: a result workbook or an export.
    result_path = models.CharField(max_length=500, blank=True, editable=False)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    #: Counts, the first errors, a preview and whatever else the kind's page shows.
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commits",
        help_text="the check this commit confirms",
    )
    #: Members in scope when a full export was asked for (what the approver is shown).
    rows_requested = models.PositiveIntegerField(_("申请导出行数"), default=0)
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
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: Set by the retention purge, which also clears upload_path and result_path.
    files_purged_at = models.DateTimeField(_("文件清除时间"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        indexes = [models.Index(fields=["status", "finished_at"], name="jobs_status_finished")]

    def __str__(self) -> str:
        return f"{self.kind_label}：{self.original_name or self.organization_id}（{self.get_status_display()}）"

    @property
    def kind_label(self) -> str:
        from ruhui.jobs.kinds import kind_or_none

        kind = kind_or_none(self.kind)
        return str(kind.label) if kind else self.kind

    @property
    def step_label(self) -> str:
        """检查 for a check, else the kind's verb (导入, 导出)."""
        from ruhui.jobs.kinds import kind_or_none

        if self.dry_run:
            return "检查"
        kind = kind_or_none(self.kind)
        return kind.verb if kind else "执行"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def counted(self) -> int:
        """Rows an import would write (or wrote): created + updated."""
        return int(self.summary.get("created", 0)) + int(self.summary.get("updated", 0))
