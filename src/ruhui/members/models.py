"""The real-name member registry: memberships, their append-only event log, and transfers.

A Member row is one membership (会籍) of one person. A person may hold many rows over a life —
joined, withdrew, rejoined — but at most one that is not terminated: a partial unique constraint
on the keyed hash of the ID number enforces "one person, one membership" in the database.
The ID number and phone are stored encrypted (AES-GCM) with a masked copy for display; nothing
in the database holds them in clear.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ruhui.members import codes


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("在籍")
    RETAINED = "retained", _("保留")
    TRANSFERRING = "transferring", _("接转中")
    WITHDRAWN = "withdrawn", _("已退会")
    EXPELLED = "expelled", _("已除名")


#: Statuses that hold the person's one membership (the constraint and every count use these).
HELD_STATUSES = (MemberStatus.ACTIVE, MemberStatus.RETAINED, MemberStatus.TRANSFERRING)
TERMINATED_STATUSES = (MemberStatus.WITHDRAWN, MemberStatus.EXPELLED)


class Member(models.Model):
    """One membership of one person, with the national real-name fields."""

    scope_field = "union__path"

    # Identity (real name). The ID number and phone never appear in clear in the database.
    name = models.CharField(_("姓名"), max_length=40)
    # Searched only beside `name icontains` (an OR no index serves): no index of its own.
    name_initials = models.CharField(_("姓名拼音首字母"), max_length=40, editable=False)
    id_type = models.CharField(
        _("证件类型"),
        max_length=2,
        choices=codes.ID_TYPES.choices,
        default=codes.IdType.RESIDENT_ID,
    )
    id_number_encrypted = models.TextField(editable=False)
    # Indexed in Meta, in two halves: see `person_memberships`.
    id_number_hash = models.CharField(max_length=64, editable=False)
    id_number_masked = models.CharField(_("证件号码"), max_length=24, editable=False)
    id_county_unknown = models.BooleanField(
        _("证件号码地区码待核查"),
        default=False,
        help_text=_("身份证号前 6 位不在已知的行政区划代码中，需人工核查。"),
    )
    sex = models.CharField(_("性别"), max_length=1, choices=codes.SEXES.choices)
    birth_date = models.DateField(_("出生日期"))
    ethnicity = models.CharField(
        _("民族"), max_length=2, choices=codes.ETHNICITIES.choices, default="01"
    )
    political_status = models.CharField(
        _("政治面貌"), max_length=2, blank=True, choices=codes.POLITICAL_STATUSES.choices
    )
    education = models.CharField(
        _("学历"), max_length=2, blank=True, choices=codes.EDUCATION_LEVELS.choices
    )
    technical_grade = models.CharField(
        _("技术等级"), max_length=1, blank=True, choices=codes.TECHNICAL_GRADES.choices
    )
    phone_encrypted = models.TextField(blank=True, editable=False)
    phone_masked = models.CharField(_("手机号码"), max_length=16, blank=True, editable=False)
    # Searched only inside a cadre's scope, where the (union, status) index narrows first.
    phone_tail = models.CharField(max_length=4, blank=True, editable=False)
    household_type = models.CharField(
        _("户籍类型"), max_length=1, blank=True, choices=codes.HOUSEHOLD_TYPES.choices
    )
    household_division = models.CharField(_("户籍所在地"), max_length=6, blank=True)
    employment_status = models.CharField(
        _("就业状况"), max_length=1, default="1", choices=codes.EMPLOYMENT_STATUSES.choices
    )
    employment_form = models.CharField(
        _("用工形式"), max_length=1, blank=True, choices=codes.EMPLOYMENT_FORMS.choices
    )
    employer_name = models.CharField(_("工作单位"), max_length=120, blank=True)
    employer_uscc = models.CharField(_("工作单位统一社会信用代码"), max_length=18, blank=True)
    is_migrant_worker = models.BooleanField(_("是否农民工"), default=False)
    group = models.CharField(
        _("八大群体类别"), max_length=2, default="99", choices=codes.EIGHT_GROUPS.choices
    )
    new_employment_form = models.BooleanField(_("新就业形态"), default=False)

    # Membership.
    union = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("所在工会"),
        db_index=False,  # the (union, status) index serves every lookup by union
    )
    origin_union = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("源头工会"),
        db_index=False,  # shown, never searched
        db_constraint=False,  # provenance: see PROVENANCE_POINTERS
    )
    member_number = models.CharField(_("会员号"), max_length=20, editable=False)  # unique in Meta
    joined_on = models.DateField(_("入会日期"))
    status = models.CharField(
        _("会籍状态"),
        max_length=12,
        choices=MemberStatus.choices,
        default=MemberStatus.ACTIVE,
        editable=False,
    )
    last_dues_paid_on = models.DateField(_("最近缴纳会费日期"), null=True, blank=True)

    # Provenance.
    collection_method = models.CharField(
        _("采集方式"), max_length=1, default="2", choices=codes.COLLECTION_METHODS.choices
    )
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("采集员"),
        editable=False,
        db_index=False,  # shown, never searched
        db_constraint=False,  # provenance: see PROVENANCE_POINTERS
    )
    source = models.CharField(
        _("来源"),
        max_length=20,
        default=codes.MemberSource.ENTERED,
        choices=codes.MemberSource.choices,
        editable=False,
    )
    verification_status = models.CharField(
        _("实名核验状态"),
        max_length=1,
        default=codes.Verification.UNCHECKED,
        choices=codes.VERIFICATION_STATUSES.choices,
    )
    provincial_status = models.CharField(
        _("省库录入状态"),
        max_length=1,
        default="0",
        choices=codes.PROVINCIAL_ENTRY_STATUSES.choices,
    )
    provincial_entered_on = models.DateField(_("省库录入日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("会员")
        verbose_name_plural = _("会员")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=Q(status__in=HELD_STATUSES),
                name="one_membership_per_person",
            ),
            models.UniqueConstraint(fields=["member_number"], name="member_number_unique"),
            models.CheckConstraint(
                condition=Q(status__in=MemberStatus.values), name="member_status_known"
            ),
        ]
        # Every index is paid for on each of a million imported rows, so only what reads use.
        # Declared here rather than with db_index/unique on the fields: on PostgreSQL those
        # add a second `varchar_pattern_ops` index per column for LIKE queries, and the
        # blind index and member number are only ever compared for equality. The blind index
        # is split by status: held memberships are in one_membership_per_person, ended ones
        # in member_id_hash_ended, so a new member is written into one of the two only.
        indexes = [
            models.Index(fields=["union", "status"]),
            models.Index(fields=["joined_on"]),
            models.Index(
                fields=["id_number_hash"],
                condition=Q(status__in=TERMINATED_STATUSES),
                name="member_id_hash_ended",
            ),
            # The member list's two searches that a province's ten million members could not
            # answer by scanning (docs/benchmarks.md, 全省规模): pinyin initials by prefix
            # (LIKE 'zw%': the pattern operator class on PostgreSQL) and the phone's last four.
            models.Index(
                fields=["name_initials"],
                name="member_initials_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["phone_tail"], name="member_phone_tail"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.member_number}）"

    @property
    def is_held(self) -> bool:
        return self.status in HELD_STATUSES

    # The lifecycle's guards: the services refuse what these refuse, the pages offer what these
    # allow (one rule, two readers).
    def can_retain(self) -> bool:
        """保留会籍 applies to a member in 在籍."""
        return self.status == MemberStatus.ACTIVE

    def can_end(self) -> bool:
        """退会 and 除名 apply to 在籍 and 保留; a transfer in progress is cancelled first."""
        return self.status in (MemberStatus.ACTIVE, MemberStatus.RETAINED)

    def can_transfer_out(self) -> bool:
        """转出 applies to 在籍 and 保留; one transfer at a time."""
        return self.status in (MemberStatus.ACTIVE, MemberStatus.RETAINED)


def person_memberships(id_hash: str) -> Q:
    """All memberships of one person (any status), in the form the two partial indexes on the
    blind index serve: held ones in one_membership_per_person, ended ones in
    member_id_hash_ended (the status check constraint leaves no third kind)."""
    return Q(id_number_hash=id_hash, status__in=HELD_STATUSES) | Q(
        id_number_hash=id_hash, status__in=TERMINATED_STATUSES
    )


#: References checked by the services and by Django's on_delete rules, not by a foreign-key
#: constraint in the database (docs/decisions/0009-import-pipeline.md): who collected a member
#: and where they first joined, and on the append-only event log where the member stood and
#: who acted. Each constraint would cost a per-row trigger on every imported member (about a
#: third of the database's work in a million-row import), organizations and users are never
#: deleted (only deactivated), and an ORM delete still meets PROTECT / SET_NULL. The references
#: that define the registry keep their constraints: a member's union, an event's member.
PROVENANCE_POINTERS = (
    ("Member", "origin_union"),
    ("Member", "collected_by"),
    ("MembershipEvent", "union"),
    ("MembershipEvent", "actor"),
)


class ChangeType(models.TextChoices):
    """会籍变化类型: the national codes 1–6, plus one internal code for a transfer that did not
    happen (退回), which restores the previous status and is never exported upstream."""

    JOIN = "1", _("入会")
    TRANSFER_IN = "2", _("转入")
    RETAIN = "3", _("保留")
    TRANSFER_OUT = "4", _("转出")
    EXPEL = "5", _("除名")
    WITHDRAW = "6", _("退会")
    TRANSFER_RETURNED = "91", _("转会退回")


NATIONAL_CHANGE_TYPES = ("1", "2", "3", "4", "5", "6")


class MembershipEvent(models.Model):
    """One change of a membership; append-only. The member's status changes only together with
    a row here, written by a service in the same transaction.

    `union` is where the member stands after the event (the union that counts them); `status_after`
    is their status after it. Counts at any past date read the latest event up to that date.
    """

    scope_field = "union__path"

    # Indexes are kept to what reads use: the (member, date, id) index serves member lookups;
    # from/to union and actor are shown, never searched (fewer indexes = faster bulk imports).
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    change_type = models.CharField(_("会籍变化类型"), max_length=2, choices=ChangeType.choices)
    reason = models.CharField(
        _("会籍变化原因"), max_length=1, blank=True, choices=codes.MEMBERSHIP_CHANGE_REASONS.choices
    )
    effective_on = models.DateField(_("变化日期"))
    union = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所在工会"),
        db_index=False,  # counts read events by (change_type, date) or by member
        db_constraint=False,  # history on an append-only row: see PROVENANCE_POINTERS
    )
    from_union = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("原工会"),
        db_index=False,
    )
    to_union = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("新工会"),
        db_index=False,
    )
    status_before = models.CharField(max_length=12, choices=MemberStatus.choices, blank=True)
    status_after = models.CharField(max_length=12, choices=MemberStatus.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("经办人"),
        db_index=False,
        db_constraint=False,  # provenance: see PROVENANCE_POINTERS
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("会籍变动")
        verbose_name_plural = _("会籍变动")
        ordering = ["effective_on", "id"]
        indexes = [
            models.Index(fields=["change_type", "effective_on"]),
            models.Index(fields=["member", "effective_on", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.get_change_type_display()} {self.effective_on}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("membership events are append-only")
        super().save(*args, **kwargs)


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("待接收")
    ACCEPTED = "accepted", _("已接收")
    REJECTED = "rejected", _("已退回")
    CANCELLED = "cancelled", _("已撤销")


class Transfer(models.Model):
    """凭证接转: the outgoing union issues a certificate (a code); the incoming union accepts it by
    that code or rejects it with a reason. Only acceptance changes the member's union."""

    scope_field = ("from_union__path", "to_union__path")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers")
    code = models.CharField(_("接转凭证号"), max_length=16, unique=True)
    from_union = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="transfers_out",
        verbose_name=_("转出工会"),
    )
    to_union = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_in",
        verbose_name=_("转入工会"),
    )
    hold_at_residence = models.BooleanField(
        _("属地保留"),
        default=False,
        help_text=_("新单位未建工会，会籍转到居住地（或户籍地）的乡镇（街道）、村（社区）工会。"),
    )
    reason = models.CharField(
        _("会籍变化原因"),
        max_length=1,
        default="1",
        choices=codes.MEMBERSHIP_CHANGE_REASONS.choices,
    )
    new_employer = models.CharField(_("新工作单位"), max_length=120, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    status_before = models.CharField(max_length=12, choices=MemberStatus.choices)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    issued_on = models.DateField(_("转出日期"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(_("办理日期"), null=True, blank=True)
    accepted_union = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("实际转入工会"),
    )
    rejection_reason = models.CharField(_("退回原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("会员接转")
        verbose_name_plural = _("会员接转")
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status="pending"),
                name="one_pending_transfer_per_member",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class MemberNumberSequence(models.Model):
    """The last issued sequence per (division, year): member numbers are
    <6-digit division of the union><4-digit join year><6-digit sequence>, e.g. 4104812019000123."""

    division = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["division", "year"], name="member_number_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.division}/{self.year}: {self.last}"
