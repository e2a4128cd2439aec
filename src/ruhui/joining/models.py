"""Online joining (网上入会) and self-service transfer (网上转会): join links behind the posters'
QR codes, and the applications workers submit from their phones.

An application never makes anyone a member by itself: only a cadre of the base union approves
(会籍管理办法 第五条), and approval goes through the registry's services (`member_join`,
`transfer_issue`, `transfer_accept`), so one person still holds one membership.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ruhui.members import codes
from ruhui.members.models import Member, Transfer
from ruhui.orgs.models import Organization


class JoinLink(models.Model):
    """The unguessable token in a union's join link and poster; regenerating retires it."""

    scope_field = "union__path"

    union = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="join_links", verbose_name=_("工会")
    )
    token = models.CharField(_("链接令牌"), max_length=32, unique=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("入会链接")
        verbose_name_plural = _("入会链接")
        constraints = [
            models.UniqueConstraint(
                fields=["union"], condition=Q(is_active=True), name="one_active_join_link"
            )
        ]

    def __str__(self) -> str:
        return f"{self.union.name}（{'有效' if self.is_active else '已停用'}）"


class ApplicationKind(models.TextChoices):
    JOIN = "join", _("入会申请")
    TRANSFER = "transfer", _("转会申请")


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    AWAITING_IN = "awaiting_in", _("待新工会接收")
    APPROVED = "approved", _("已批准")
    COMPLETED = "completed", _("已转入")
    CONVERTED = "converted", _("已转为转会办理")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


#: Statuses that end an application; the retention purge removes the rejected and withdrawn ones.
CLOSED_STATUSES = (
    ApplicationStatus.APPROVED,
    ApplicationStatus.COMPLETED,
    ApplicationStatus.CONVERTED,
    ApplicationStatus.REJECTED,
    ApplicationStatus.WITHDRAWN,
)
OPEN_STATUSES = (ApplicationStatus.PENDING, ApplicationStatus.AWAITING_IN)


class Application(models.Model):
    """A worker's join or transfer application, as submitted on the public pages.

    Join: `union` is the union applied to. Transfer: `from_union` is the member's current union,
    which approves 转出 first; `union` is the new union, which then accepts (转入).
    """

    scope_field = ("union__path", "from_union__path")

    number = models.CharField(_("申请编号"), max_length=16, unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=ApplicationKind.choices)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
        db_index=True,
    )
    union = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("申请加入的工会"),
    )
    from_union = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outgoing_applications",
        verbose_name=_("原所在工会"),
    )
    link = models.ForeignKey(
        JoinLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="applications"
    )

    name = models.CharField(_("姓名"), max_length=40)
    id_number_encrypted = models.TextField(editable=False)
    id_number_hash = models.CharField(max_length=64, db_index=True, editable=False)
    id_number_masked = models.CharField(_("证件号码"), max_length=24, editable=False)
    phone_encrypted = models.TextField(editable=False)
    phone_masked = models.CharField(_("手机号码"), max_length=16, editable=False)
    phone_tail = models.CharField(max_length=4, editable=False)
    ethnicity = models.CharField(
        _("民族"), max_length=2, choices=codes.ETHNICITIES.choices, blank=True
    )
    education = models.CharField(
        _("学历"), max_length=2, choices=codes.EDUCATION_LEVELS.choices, blank=True
    )
    household_division = models.CharField(_("户籍所在地"), max_length=6, blank=True)
    is_migrant_worker = models.BooleanField(_("是否农民工"), default=False)
    employment_status = models.CharField(
        _("就业状况"), max_length=2, choices=codes.EMPLOYMENT_STATUSES.choices, blank=True
    )
    employment_form = models.CharField(
        _("用工形式"), max_length=2, choices=codes.EMPLOYMENT_FORMS.choices, blank=True
    )
    group = models.CharField(
        _("八大群体类别"), max_length=2, choices=codes.EIGHT_GROUPS.choices, blank=True
    )
    employer_name = models.CharField(_("工作单位或平台"), max_length=120, blank=True)
    work_location = models.CharField(_("工作地点"), max_length=120, blank=True)

    consent_version = models.CharField(_("隐私告知版本"), max_length=20, blank=True)
    consent_at = models.DateTimeField(_("同意时间"), null=True, blank=True)

    member = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("会员"),
    )
    transfer = models.ForeignKey(
        Transfer, on_delete=models.SET_NULL, null=True, blank=True, related_name="applications"
    )
    converted_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="converted_from"
    )
    decision_reason = models.CharField(_("审核意见"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("网上申请")
        verbose_name_plural = _("网上申请")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "union"], name="application_queue")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="join") | Q(from_union__isnull=False),
                name="transfer_application_has_from_union",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class ApplicationStep(models.TextChoices):
    SUBMITTED = "submitted", _("提交申请")
    APPROVED = "approved", _("批准入会")
    CONVERTED = "converted", _("转为转会办理")
    TRANSFER_OUT = "transfer_out", _("同意转出")
    COMPLETED = "completed", _("接收转入")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("申请人撤回")


class ApplicationEvent(models.Model):
    """One step of an application's trail, append-only: what happened, the status it left, who
    did it (a cadre, or the applicant on the public pages) and the note shown on the review page.
    Read through the application, which is fetched through the scoping function."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    step = models.CharField(_("办理事项"), max_length=16, choices=ApplicationStep.choices)
    status = models.CharField(_("办理后状态"), max_length=12, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("办理人"), max_length=60)
    note = models.CharField(_("内容"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("申请办理记录")
        verbose_name_plural = _("申请办理记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["application", "at"], name="application_event_trail")]

    def __str__(self) -> str:
        return f"{self.application} {self.get_step_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("ApplicationEvent is append-only: record a new step instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("ApplicationEvent is append-only; it goes only with its application.")
