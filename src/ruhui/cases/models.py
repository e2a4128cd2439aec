"""典型经验 (both plans: 「在《平顶山工人》、平顶山工会网站专题报道」): a unit submits a case
(title, text, groups, photos); the city selects it, may edit its wording, and publishes it at the
public /cases/; a published case can be withdrawn (with a reason) and published again.

Who reviews (选用, 修改, 发布, 撤下): a cadre with review permission (admin or reviewer) of a
unit strictly above the case's unit; when the case belongs to a campaign, that unit must also be
the campaign's owner (the city) or above it. A county thus never publishes its own cases, and a
city publishes the cases of its whole tree.

Every step is a service (`cases.services`) that locks the row and writes an append-only
CaseEvent and an audit row in one transaction.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ruhui.tabular.stored import StoredFile


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已报送")
    SELECTED = "selected", _("已选用")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤下")


#: The states in which the city may still edit the wording (a published case is withdrawn first).
EDITABLE = (CaseStatus.SUBMITTED, CaseStatus.SELECTED, CaseStatus.WITHDRAWN)
PUBLISHABLE = (CaseStatus.SUBMITTED, CaseStatus.SELECTED, CaseStatus.WITHDRAWN)


def _is_cadre(actor) -> bool:
    return bool(
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and getattr(actor, "organization_id", None)
    )


class Case(models.Model):
    """One typical experience of a unit."""

    scope_field = "unit__path"

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("集中行动"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )
    unit = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("报送单位"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    title = models.CharField(_("标题"), max_length=80)
    text = models.TextField(_("正文"))
    groups = models.ManyToManyField(
        "orgs.WorkerGroup", verbose_name=_("八大群体"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED
    )
    source_report = models.ForeignKey(
        "reports.MonthlyReport",
        verbose_name=_("来源月报"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    slug = models.SlugField(_("发布编号"), max_length=20, unique=True, null=True, blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("典型经验")
        verbose_name_plural = _("典型经验")
        indexes = [models.Index(fields=["status", "published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(slug__isnull=False),
                name="published_case_has_slug",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    # Guards: whether the actor may take a step now. The services check them again under the
    # row lock; the pages use them to show only the buttons that will work.
    def reviewed_by_unit(self, unit) -> bool:
        """Whether `unit` reviews this case: strictly above the case's unit and, for a
        campaign's case, the campaign owner or above it."""
        if unit is None or unit.pk == self.unit_id:
            return False
        if not self.unit.path.startswith(unit.path):
            return False
        if self.campaign_id is not None:
            return self.campaign.owner.path.startswith(unit.path)
        return True

    def can_review(self, actor) -> bool:
        return (
            _is_cadre(actor)
            and actor.has_perm("cases.review_case")
            and self.reviewed_by_unit(actor.organization)
        )

    def can_edit(self, actor) -> bool:
        return self.status in EDITABLE and self.can_review(actor)

    def can_select(self, actor) -> bool:
        return self.status == CaseStatus.SUBMITTED and self.can_review(actor)

    def can_publish(self, actor) -> bool:
        return self.status in PUBLISHABLE and self.can_review(actor)

    def can_withdraw(self, actor) -> bool:
        return self.status == CaseStatus.PUBLISHED and self.can_review(actor)

    def paragraphs(self) -> list[str]:
        """The text as plain paragraphs: one per non-empty line (no HTML is ever kept)."""
        return [line.strip() for line in self.text.splitlines() if line.strip()]


class CaseEvent(models.Model):
    """One step of a case (append-only): who, when, from, to, and the reason or the change."""

    scope_field = "case__unit__path"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=60, blank=True)
    actor_unit = models.ForeignKey(
        "orgs.Organization", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    from_status = models.CharField(max_length=12, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=CaseStatus.choices)
    note = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} {self.get_to_status_display()}"


class CasePhoto(StoredFile):
    """A photo of a case: a JPG or PNG checked by `tabular.attachments`, then re-encoded by
    Pillow without its metadata (EXIF, GPS) since it may go public; stored privately."""

    scope_field = "case__unit__path"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
