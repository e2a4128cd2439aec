"""项目清单+责任制 (2019 plan 四(二)–(四)): each unit's action plan for a campaign, its
projects (建会入会 and 维护服务), the review up the chain (unit → city → province), subsidies
with their approvals and payments, inspections, and the close-out checked against the registry.

Every state change is a service (`projects.services`) that locks the row and writes an
append-only event (PlanEvent, ProjectEvent, SubsidyEvent) and an audit row in one transaction.
A plan, and everything on it, is seen from its unit up (`scope_field`); the reviewing units are
above it, so they see it too.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ruhui.orgs.models import Organization, validate_phone
from ruhui.projects.choices import (
    AttachmentPurpose,
    BuildType,
    InspectionKind,
    PlanStatus,
    ProjectKind,
    ProjectStatus,
    ServiceCategory,
    SubsidyStatus,
)
from ruhui.tabular.stored import StoredFile

MONEY = {"max_digits": 12, "decimal_places": 2}


def parent_unit(unit: Organization) -> Organization | None:
    return Organization.objects.get_parent(unit)


def reviewing_unit(campaign, unit):
    """The unit that reviews `unit`'s plan in `campaign`: the campaign owner (the city) for the
    units below it; the owner's parent (the province) for the owner itself. None for a unit
    outside the campaign's tree. Nobody reviews their own unit's plan."""
    owner = campaign.owner
    if unit.pk == owner.pk:
        return parent_unit(owner)
    if unit.path.startswith(owner.path):
        return owner
    return None


def _acts_for(actor, unit) -> bool:
    """The actor is a cadre of exactly this unit (not above it, not below)."""
    return bool(
        unit is not None
        and getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.organization_id == unit.pk
    )


class ActionPlan(models.Model):
    """One unit's 「“项目清单+责任制”行动计划」 for one campaign."""

    scope_field = "unit__path"

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="action_plans"
    )
    unit = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="action_plans"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    leader_name = models.CharField(_("责任领导"), max_length=40, blank=True)
    leader_title = models.CharField(_("责任领导职务"), max_length=60, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(
        _("联系电话"), max_length=20, blank=True, validators=[validate_phone]
    )
    scheme_submitted_on = models.DateField(_("实施方案出台日期"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("行动计划")
        verbose_name_plural = _("行动计划")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="one_plan_per_unit"),
        ]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return f"{self.unit.name}“项目清单+责任制”行动计划"

    @property
    def editable(self) -> bool:
        return self.status in (PlanStatus.DRAFT, PlanStatus.RETURNED)

    @property
    def reviewer(self):
        return reviewing_unit(self.campaign, self.unit)

    # Guards: whether the actor may take a step now. The services check them again under the
    # row lock; the pages use them to show only the buttons that will work.
    def can_edit(self, actor) -> bool:
        """Its own unit, while it is a draft or returned (a submitted plan is read-only to it)."""
        return (
            self.editable and _acts_for(actor, self.unit) and actor.has_perm("projects.edit_plan")
        )

    def can_submit(self, actor) -> bool:
        return self.can_edit(actor)

    def can_review(self, actor) -> bool:
        """Return or consolidate: the reviewing unit's reviewers, while it is submitted."""
        return (
            self.status == PlanStatus.SUBMITTED
            and _acts_for(actor, self.reviewer)
            and actor.has_perm("projects.review_plan")
        )


class PlanTask(models.Model):
    """A line of the plan's 工作清单 (task, owner, due date, done date): its 时间表和路线图."""

    scope_field = "plan__unit__path"

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveSmallIntegerField(default=0)
    task = models.CharField(_("工作任务"), max_length=200)
    owner = models.CharField(_("责任人/责任部门"), max_length=60)
    due_on = models.DateField(_("完成时限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("工作清单")

    def __str__(self) -> str:
        return self.task


class Project(models.Model):
    """A line of a plan: a 建会入会 project (with its subtype) or a 维护服务 project (with its
    category)."""

    scope_field = "plan__unit__path"

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="projects")
    kind = models.CharField(_("项目类型"), max_length=8, choices=ProjectKind.choices)
    build_type = models.CharField(
        _("建会入会类型"), max_length=16, choices=BuildType.choices, blank=True
    )
    category = models.CharField(
        _("服务类别"), max_length=16, choices=ServiceCategory.choices, blank=True
    )
    name = models.CharField(_("项目名称"), max_length=120)
    status = models.CharField(
        _("状态"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.LISTED
    )
    # 建会入会
    division_code = models.CharField(_("所在行政区划"), max_length=6, blank=True)
    address = models.CharField(_("地点"), max_length=200, blank=True)
    planned_members = models.PositiveIntegerField(_("拟发展会员数"), null=True, blank=True)
    existing_union = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("已有工会"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    founded_union = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("建成的工会"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    enterprises = models.ManyToManyField(
        "enterprises.Enterprise", verbose_name=_("涉及企业"), blank=True, related_name="+"
    )
    responsible_unit = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_person = models.CharField(_("责任人"), max_length=40, blank=True)
    responsible_phone = models.CharField(
        _("责任人电话"), max_length=20, blank=True, validators=[validate_phone]
    )
    due_on = models.DateField(_("完成时间"), null=True, blank=True)
    # 维护服务
    starts_on = models.DateField(_("实施开始"), null=True, blank=True)
    ends_on = models.DateField(_("实施结束"), null=True, blank=True)
    planned_coverage = models.PositiveIntegerField(_("拟覆盖职工人数"), null=True, blank=True)
    groups = models.ManyToManyField(
        "orgs.WorkerGroup", verbose_name=_("八大群体"), blank=True, related_name="+"
    )
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["plan", "kind", "position", "pk"]
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        indexes = [models.Index(fields=["status", "rectify_by"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="build") & ~Q(build_type="") & Q(category=""))
                | (Q(kind="service") & Q(build_type="") & ~Q(category="")),
                name="project_kind_has_its_subtype",
            ),
            models.CheckConstraint(
                condition=Q(planned_members__isnull=True) | Q(planned_members__lte=1_000_000),
                name="project_planned_members_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def overdue_rectification(self) -> bool:
        """限期整改 past its deadline (逾期整改)."""
        from django.utils import timezone

        return (
            self.status == ProjectStatus.RECTIFYING
            and self.rectify_by is not None
            and self.rectify_by < timezone.localdate()
        )

    def can_work(self, actor) -> bool:
        """Start it, add progress, submit a self-assessment: the plan's own unit."""
        return _acts_for(actor, self.plan.unit) and actor.has_perm("projects.edit_plan")

    def can_link_union(self, actor) -> bool:
        """Name the union founded for it: a 建会入会 project that founds one (not 已有工会),
        not yet decided, by the plan's own unit."""
        return (
            self.kind == ProjectKind.BUILD
            and self.build_type != BuildType.EXISTING
            and self.status not in (ProjectStatus.CLOSED, ProjectStatus.FAILED)
            and self.can_work(actor)
        )

    def can_start(self, actor) -> bool:
        return self.status == ProjectStatus.APPROVED and self.can_work(actor)

    def can_assess(self, actor) -> bool:
        return self.status in (
            ProjectStatus.IN_PROGRESS,
            ProjectStatus.RECTIFYING,
        ) and self.can_work(actor)

    def can_decide(self, actor) -> bool:
        """审核认定 of a self-assessment: the unit that reviews the plan."""
        return (
            self.status == ProjectStatus.ASSESSED
            and _acts_for(actor, self.plan.reviewer)
            and actor.has_perm("projects.review_plan")
        )

    @property
    def subtype_label(self) -> str:
        if self.kind == ProjectKind.BUILD:
            return BuildType(self.build_type).label
        return ServiceCategory(self.category).label


class PlanEvent(models.Model):
    """One step of a plan's review (append-only): who, when, from, to, opinion; reporting to
    the province keeps the frozen consolidated list with it."""

    scope_field = "plan__unit__path"

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=60, blank=True)
    actor_unit = models.ForeignKey(
        "orgs.Organization", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    from_status = models.CharField(max_length=12, choices=PlanStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=PlanStatus.choices)
    opinion = models.TextField(blank=True)
    frozen_file = models.CharField(max_length=300, blank=True)  # private path of the xlsx
    frozen_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.plan} {self.get_to_status_display()}"


class ProjectEvent(models.Model):
    """One step of a project's life (append-only); a close-out decision keeps the figures it
    was taken on (planned, claimed, recorded)."""

    scope_field = "project__plan__unit__path"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=60, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    from_status = models.CharField(max_length=12, choices=ProjectStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ProjectStatus.choices)
    opinion = models.TextField(blank=True)
    rectify_by = models.DateField(null=True, blank=True)
    figures = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.project} {self.get_to_status_display()}"


class SelfAssessment(models.Model):
    """A 绩效自评报告 on one project: what the unit claims, with its evidence."""

    scope_field = "project__plan__unit__path"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assessments")
    text = models.TextField(_("自评情况"))
    claimed_members = models.PositiveIntegerField(_("自报发展会员数"), null=True, blank=True)
    claimed_coverage = models.PositiveIntegerField(_("自报覆盖职工人数"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submitted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.project} 绩效自评"


class ProjectUpdate(models.Model):
    """推进实施: a dated note of progress on a project."""

    scope_field = "project__plan__unit__path"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    on = models.DateField(_("日期"))
    text = models.TextField(_("进展情况"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.project} {self.on} 进展"


class Inspection(models.Model):
    """检查 / 调研督查 / 明查 / 暗访 of a unit's projects by a unit above it."""

    scope_field = "inspected_unit__path"

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="inspections"
    )
    kind = models.CharField(_("方式"), max_length=10, choices=InspectionKind.choices)
    inspecting_unit = models.ForeignKey(
        "orgs.Organization", verbose_name=_("检查单位"), on_delete=models.PROTECT, related_name="+"
    )
    inspected_unit = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("被检查单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    on = models.DateField(_("检查日期"))
    projects = models.ManyToManyField(
        Project, verbose_name=_("检查的项目"), related_name="inspections"
    )
    findings = models.TextField(_("发现的问题"), blank=True)
    rectification = models.TextField(_("整改要求"), blank=True)
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    follow_up = models.TextField(_("整改落实情况"), blank=True)
    closed_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-pk"]
        verbose_name = _("检查")

    def __str__(self) -> str:
        return f"{self.inspected_unit.name} {self.on} {self.get_kind_display()}"

    @property
    def open(self) -> bool:
        """A rectification asked and not yet done."""
        return bool(self.rectification) and self.closed_on is None


class Attachment(StoredFile):
    """A file kept with a plan (its 实施方案), an update, an inspection or a self-assessment:
    checked and stored by `tabular.attachments`, served only by the scoped download view."""

    scope_field = "plan__unit__path"

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="attachments")
    purpose = models.CharField(max_length=12, choices=AttachmentPurpose.choices)
    update = models.ForeignKey(
        ProjectUpdate, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    assessment = models.ForeignKey(
        SelfAssessment, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )


class SubsidyBatch(models.Model):
    """The city's 初审汇总 sent up to the province: the recommended applications in one go."""

    scope_field = "unit__path"

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.unit.name} {self.sent_at:%Y-%m-%d} 补助申请汇总"


class SubsidyApplication(models.Model):
    """A project's 立项申请 for a province subsidy: 市总初审 → 省总审核 → payments."""

    scope_field = "project__plan__unit__path"

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="subsidy")
    status = models.CharField(
        _("状态"), max_length=16, choices=SubsidyStatus.choices, default=SubsidyStatus.SUBMITTED
    )
    amount_requested = models.DecimalField(_("申请金额（元）"), **MONEY)
    purpose = models.TextField(_("资金用途"))
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    applicant_unit = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+"
    )
    recommended_amount = models.DecimalField(
        _("初审建议金额（元）"), null=True, blank=True, **MONEY
    )
    batch = models.ForeignKey(
        SubsidyBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="applications"
    )
    approved_amount = models.DecimalField(_("批准金额（元）"), null=True, blank=True, **MONEY)
    first_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    second_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    notice_number = models.CharField(_("立项通知文号"), max_length=60, blank=True)
    notice_on = models.DateField(_("立项通知日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("项目补助申请")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_requested__gt=0), name="subsidy_requested_positive"
            ),
            models.CheckConstraint(
                condition=Q(recommended_amount__isnull=True) | Q(recommended_amount__gt=0),
                name="subsidy_recommended_positive",
            ),
            models.CheckConstraint(
                condition=Q(approved_amount__isnull=True) | Q(approved_amount__gt=0),
                name="subsidy_approved_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} 补助申请"

    def _city(self):
        return self.project.plan.campaign.owner

    def _province(self):
        return parent_unit(self.project.plan.campaign.owner)

    def _not_applicant(self, actor) -> bool:
        """An approver is never the applicant, nor of the applicant's unit."""
        return actor.pk != self.applicant_id and actor.organization_id != self.applicant_unit_id

    def can_resubmit(self, actor) -> bool:
        return (
            self.status == SubsidyStatus.RETURNED
            and _acts_for(actor, self.applicant_unit)
            and actor.has_perm("projects.edit_plan")
        )

    def can_city_review(self, actor) -> bool:
        """市总初审: the campaign owner's reviewers."""
        return (
            self.status == SubsidyStatus.SUBMITTED
            and _acts_for(actor, self._city())
            and self._not_applicant(actor)
            and actor.has_perm("projects.review_subsidy")
        )

    def can_province_review(self, actor) -> bool:
        """省总审核 (and the second approval above the threshold): the province's reviewers, never
        the first approver twice."""
        return (
            self.status in (SubsidyStatus.SENT, SubsidyStatus.FIRST_APPROVED)
            and _acts_for(actor, self._province())
            and self._not_applicant(actor)
            and not (
                self.status == SubsidyStatus.FIRST_APPROVED and actor.pk == self.first_approver_id
            )
            and actor.has_perm("projects.review_subsidy")
        )

    def can_disburse(self, actor) -> bool:
        """下拨: the province's administrators, once approved."""
        return (
            self.status == SubsidyStatus.APPROVED
            and _acts_for(actor, self._province())
            and actor.has_perm("projects.record_disbursement")
        )


class SubsidyEvent(models.Model):
    """One step of a subsidy (append-only): who, when, from, to, opinion, the amount decided."""

    scope_field = "subsidy__project__plan__unit__path"

    subsidy = models.ForeignKey(SubsidyApplication, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=60, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    from_status = models.CharField(max_length=16, choices=SubsidyStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=SubsidyStatus.choices)
    opinion = models.TextField(blank=True)
    amount = models.DecimalField(null=True, blank=True, **MONEY)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.subsidy} {self.get_to_status_display()}"


class Disbursement(models.Model):
    """A payment of an approved subsidy (下拨): amount, date, voucher."""

    scope_field = "subsidy__project__plan__unit__path"

    subsidy = models.ForeignKey(
        SubsidyApplication, on_delete=models.PROTECT, related_name="disbursements"
    )
    amount = models.DecimalField(_("拨付金额（元）"), **MONEY)
    paid_on = models.DateField(_("拨付日期"))
    voucher_number = models.CharField(_("凭证号"), max_length=60)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.subsidy} 拨付 {self.amount} 元"


class ProjectFigure(models.Model):
    """The close-out figures of a 建会入会 project, computed from the records
    (`projects.figures`): its union and founding date, the new members in the union's subtree
    from the window start to the review date by the campaign's counting rule, how many of them
    are 省库已录入, and the inspection findings still open."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="figure")
    union = models.ForeignKey(
        "orgs.Organization", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    founded_on = models.DateField(null=True)
    new_members = models.PositiveIntegerField(default=0)
    provincial_entered = models.PositiveIntegerField(default=0)
    open_findings = models.PositiveIntegerField(default=0)
    until = models.DateField()
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.project} 核验数字"


class FigureRun(models.Model):
    """When the close-out figures of a campaign were last computed, and whether a computation
    is queued (records changed since)."""

    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="project_figures"
    )
    computed_at = models.DateTimeField(null=True)
    seconds = models.FloatField(null=True)
    queued = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.campaign} 项目核验统计"
