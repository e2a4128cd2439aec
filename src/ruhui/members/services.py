"""Every write to the member registry. The member's status changes only here, and each change
writes exactly one MembershipEvent in the same transaction."""

import datetime
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ruhui.audit.services import Action, audit_record, diff, snapshot
from ruhui.core import crypto
from ruhui.core.changes import note_change
from ruhui.core.masking import mask_phone
from ruhui.core.stale import check_unchanged
from ruhui.members.codes import ChangeReason, IdType, MemberSource, verification_for
from ruhui.members.models import (
    ChangeType,
    Member,
    MembershipEvent,
    MemberStatus,
    Transfer,
    TransferStatus,
)
from ruhui.members.numbers import allocate_member_number
from ruhui.members.personal import (
    ID_CONTEXT,
    PHONE_CONTEXT,
    id_hash,
    name_initials,
    personal_data_values,
)
from ruhui.members.selectors import held_membership, transfer_for_code
from ruhui.members.signals import transfer_closed
from ruhui.members.validation import LABELS, clean_member_fields
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import in_jurisdiction, jurisdiction_root, scoped

#: Fields a cadre may edit after joining (identity fields go through their own checks).
EDITABLE = [
    "name",
    "id_type",
    "id_number",
    "sex",
    "birth_date",
    "ethnicity",
    "political_status",
    "education",
    "technical_grade",
    "phone",
    "household_type",
    "household_division",
    "employment_status",
    "employment_form",
    "employer_name",
    "employer_uscc",
    "is_migrant_worker",
    "group",
    "new_employment_form",
    "collection_method",
    "verification_status",
    "provincial_status",
    "provincial_entered_on",
    "last_dues_paid_on",
]
AUDITED = [f for f in EDITABLE if f not in ("id_number", "phone")]

MSG_OUTSIDE = _("该工会不在您的管辖范围内。")
MSG_NOT_ADMITTING = _(
    "「%(union)s」是%(kind)s，不直接吸收会员：请选择基层工会、行业工会、联合工会或其分会、小组。"
)
MSG_UNION_INACTIVE = _("「%(union)s」已撤销，不能再吸收或接收会员。")
MSG_ALREADY_MEMBER = _(
    "此人已是「%(union)s」的会员（会员号 %(number)s），一人只能有一个会籍：如其工作已变动，请由该工会办理转出，本工会凭接转凭证接收。"
)
MSG_ALREADY_MEMBER_HERE = _("此人已是本工会的会员（会员号 %(number)s），无需重复入会。")
#: What someone learns about a membership held outside their jurisdiction: that it exists (one
#: person, one membership must be explained), never where or under which number (no oracle).
MSG_ALREADY_MEMBER_ELSEWHERE = _(
    "此人已是其他工会的会员，请通过会员接转办理：由其现所在工会办理转出，本工会凭接转凭证接收。"
)
MSG_TRANSFERRING_ELSEWHERE = _(
    "此人正在其他工会办理会员关系接转，请接转完成后再办理；如有疑问，请联系上级工会。"
)
MSG_BAD_STATE = _("会员当前为「%(status)s」，不能办理「%(action)s」。")
MSG_TRANSFER_NOT_FOUND = _("接转凭证号「%(code)s」不存在或已办理，请核对凭证上的号码。")
MSG_TRANSFER_WRONG_UNION = _("该凭证指定转入「%(union)s」，请由该工会（或其上级）接收。")
MSG_TRANSFER_SAME_UNION = _("转入工会与转出工会相同，请选择会员的新工会。")
MSG_REASON_REQUIRED = _("请填写退回原因，转出工会和会员会看到它。")
MSG_DATE_FUTURE = _("办理日期不能晚于今天。")
MSG_DATE_BEFORE_HISTORY = _("办理日期不能早于该会员上一次会籍变动的日期（%(date)s），请核对。")
MSG_DERIVED = _("%(label)s由身份证号决定，不能单独修改：如有误，请更正证件号码。")
MSG_ALREADY_TRANSFERRING = _("该会员已有一份待接收的接转凭证，请先撤销它再重新办理。")
MSG_DUES_NONE = _("请至少勾选一名会员。")
MSG_DUES_TOO_MANY = _("一次最多为 %(limit)s 名会员记录会费，请分批办理。")
MSG_DUES_DATE_REQUIRED = _("请填写缴纳会费日期。")
MSG_DUES_DATE_FUTURE = _("缴纳会费日期不能晚于今天（%(today)s），请核对。")
MSG_DUES_OUTSIDE = _(
    "勾选的会员中有 %(count)s 名不在您的管辖范围内或已不存在，本次没有记录任何会费：请刷新页面后重新勾选。"
)
MSG_DUES_NOT_HELD = _(
    "%(names)s已退会或除名，不能记录会费；本次没有记录任何会费，请取消勾选后重试。"
)
MSG_DUES_BEFORE_JOIN = _(
    "缴纳会费日期 %(date)s 早于%(names)s的入会日期，请核对；本次没有记录任何会费。"
)
#: The most members one dues record may name (a page of the roster is 50).
DUES_LIMIT = 1000


class MemberConflict(ValidationError):
    """The person already holds a membership (one person, one membership)."""


def _check_union(actor, union: Organization) -> None:
    if not in_jurisdiction(actor, union):
        raise PermissionDenied(MSG_OUTSIDE)
    if not union.is_active:
        raise ValidationError(MSG_UNION_INACTIVE, params={"union": union.name})
    if not union.admits_members:
        raise ValidationError(
            MSG_NOT_ADMITTING, params={"union": union.name, "kind": union.get_kind_display()}
        )


def held_elsewhere_message(
    *, root_path: str | None, union_path: str, union_name: str, number: str
) -> str:
    """The refusal for a person who already holds a membership in another union.

    It names the union and the member number only when the asker's jurisdiction (`root_path`,
    the path of the asker's organization) covers the holding union; to anyone else it says the
    same words whoever holds the person, so the refusal is no lookup across counties. The form,
    the API, the importer's rows and its job page all take their message from here."""
    if root_path is not None and union_path.startswith(root_path):
        return str(MSG_ALREADY_MEMBER) % {"union": union_name, "number": number}
    return str(MSG_ALREADY_MEMBER_ELSEWHERE)


def _conflict(existing: Member, union: Organization, actor) -> MemberConflict:
    if existing.union_id == union.pk:
        message = str(MSG_ALREADY_MEMBER_HERE) % {"number": existing.member_number}
    else:
        root = jurisdiction_root(actor)
        message = held_elsewhere_message(
            root_path=root.path if root is not None else None,
            union_path=existing.union.path,
            union_name=existing.union.name,
            number=existing.member_number,
        )
    return MemberConflict({"id_number": ValidationError(message)})


def apply_personal_data(member: Member, cleaned: dict, **options) -> None:
    """Set the encrypted, hashed and masked forms of the ID number and phone on a member."""
    for name, value in personal_data_values(cleaned, **options).items():
        setattr(member, name, value)
    member.verification_status = verification_for(
        county_unknown=member.id_county_unknown, current=member.verification_status
    )


def _validation_error(errors: dict) -> ValidationError:
    return ValidationError(
        {field: [ValidationError(m) for m in messages] for field, messages in errors.items()}
    )


def _event(
    *,
    member,
    change_type,
    actor,
    on,
    union,
    status_before,
    reason="",
    note="",
    from_union=None,
    to_union=None,
) -> MembershipEvent:
    note_change(on)  # the campaigns' figures from this date on
    return MembershipEvent.objects.create(
        member=member,
        change_type=change_type,
        reason=reason,
        effective_on=on,
        union=union,
        from_union=from_union,
        to_union=to_union,
        status_before=status_before,
        status_after=member.status,
        note=note[:200],
        actor=actor,
    )


@transaction.atomic
def member_join(
    *,
    actor,
    union: Organization,
    data: dict,
    joined_on: datetime.date | None = None,
    source: str = MemberSource.ENTERED,
    origin_union: Organization | None = None,
) -> Member:
    """入会: register a person in a union. Refuses a person who already holds a membership."""
    _check_union(actor, union)
    raw = dict(data)
    if joined_on is not None:
        raw["joined_on"] = joined_on
    if not raw.get("joined_on"):
        raw["joined_on"] = timezone.localdate()  # before validation: the age check needs it
    cleaned, errors = clean_member_fields(raw)
    if errors:
        raise _validation_error(errors)
    existing = held_membership(cleaned["id_number"])
    if existing is not None:
        raise _conflict(existing, union, actor)
    member = Member(
        union=union,
        origin_union=origin_union or union,
        source=source,
        collected_by=actor if getattr(actor, "pk", None) else None,
        status=MemberStatus.ACTIVE,
    )
    for field, value in cleaned.items():
        if field not in ("id_number", "phone", "id_county_unknown"):
            setattr(member, field, value)
    member.name_initials = name_initials(member.name)
    apply_personal_data(member, cleaned)
    member.member_number = allocate_member_number(
        division=union.division_code, year=member.joined_on.year
    )
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        # A concurrent transaction registered the same person first (partial unique index).
        existing = held_membership(cleaned["id_number"])
        if existing is None:
            raise
        raise _conflict(existing, union, actor) from None
    _event(
        member=member,
        change_type=ChangeType.JOIN,
        actor=actor,
        on=member.joined_on,
        union=union,
        status_before="",
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=member,
        changes={
            "会员号": [None, member.member_number],
            "所在工会": [None, union.name],
            "来源": [None, source],
        },
    )
    return member


@transaction.atomic
def member_update(*, actor, member: Member, data: dict, updated_at=None) -> Member:
    """Correct a member's record; a changed ID number is re-checked for a second membership.
    `updated_at` (the edit form's stamp) refuses a save over someone else's newer one."""
    if not in_jurisdiction(actor, member.union):
        raise PermissionDenied(MSG_OUTSIDE)
    member = Member.objects.select_for_update().get(pk=member.pk)
    check_unchanged(member, updated_at)
    cleaned, errors = clean_member_fields(
        {k: v for k, v in data.items() if k in EDITABLE}, partial=True
    )
    if errors:
        raise _validation_error(errors)
    before = snapshot(member, AUDITED)
    changes = {}
    if "id_number" in cleaned and id_hash(cleaned["id_number"]) != member.id_number_hash:
        existing = held_membership(cleaned["id_number"])
        if existing is not None and existing.pk != member.pk:
            raise _conflict(existing, member.union, actor)
        changes["证件号码"] = ["***", "已更正"]
    else:
        cleaned.pop("id_number", None)
        cleaned.pop("id_county_unknown", None)
        if cleaned.get("id_type", member.id_type) == IdType.RESIDENT_ID:
            # With a resident ID, sex and birth date are what the number says.
            for field, label in (("sex", "性别"), ("birth_date", "出生日期")):
                if field in cleaned and cleaned[field] != getattr(member, field):
                    raise ValidationError(
                        {field: ValidationError(MSG_DERIVED, params={"label": label})}
                    )
    if "phone" in cleaned:
        if (
            mask_phone(cleaned["phone"]) == member.phone_masked
            and member.phone_encrypted
            and (crypto.decrypt(member.phone_encrypted, context=PHONE_CONTEXT) == cleaned["phone"])
        ):
            cleaned.pop("phone")
        else:
            changes["手机号码"] = ["***", "已更正"]
    for field, value in cleaned.items():
        if field not in ("id_number", "phone", "id_county_unknown"):
            setattr(member, field, value)
    member.name_initials = name_initials(member.name)
    apply_personal_data(member, cleaned)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        existing = held_membership(cleaned["id_number"]) if "id_number" in cleaned else None
        if existing is None:
            raise
        raise _conflict(existing, member.union, actor) from None
    changes |= {LABELS.get(k, k): v for k, v in diff(before, snapshot(member, AUDITED)).items()}
    if changes:
        audit_record(actor=actor, action=Action.UPDATE, obj=member, changes=changes)
        note_change(member.joined_on)  # e.g. 农民工 or the group: counted from the join on
    return member


def _transition(
    *,
    actor,
    member: Member,
    guard,
    to_status,
    change_type,
    action: str,
    reason: str,
    on: datetime.date | None,
    note: str,
    to_union=None,
) -> Member:
    if not in_jurisdiction(actor, member.union):
        raise PermissionDenied(MSG_OUTSIDE)
    member = Member.objects.select_for_update().get(pk=member.pk)
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"on": ValidationError(MSG_DATE_FUTURE)})
    if not guard(member):
        raise ValidationError(
            MSG_BAD_STATE, params={"status": member.get_status_display(), "action": action}
        )
    _check_not_before_history(member, on)
    before = member.status
    member.status = to_status
    member.save(update_fields=["status", "updated_at"])
    _event(
        member=member,
        change_type=change_type,
        actor=actor,
        on=on,
        union=member.union,
        status_before=before,
        reason=reason,
        note=note,
        from_union=member.union if to_union else None,
        to_union=to_union,
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=member,
        changes={"会籍状态": [MemberStatus(before).label, member.get_status_display()]},
    )
    return member


@transaction.atomic
def member_retain(*, actor, member: Member, reason: str = "", on=None, note: str = "") -> Member:
    """保留会籍: e.g. unemployed, laid off, retired; the member keeps the membership here."""
    return _transition(
        actor=actor,
        member=member,
        guard=Member.can_retain,
        to_status=MemberStatus.RETAINED,
        change_type=ChangeType.RETAIN,
        action="保留会籍",
        reason=reason,
        on=on,
        note=note,
    )


@transaction.atomic
def member_withdraw(
    *, actor, member: Member, reason: str = ChangeReason.OWN_REQUEST, on=None, note: str = ""
) -> Member:
    """退会: the membership ends (own request, or a person's decision after six months without
    dues). The person may join again later as a new membership."""
    return _transition(
        actor=actor,
        member=member,
        guard=Member.can_end,
        to_status=MemberStatus.WITHDRAWN,
        change_type=ChangeType.WITHDRAW,
        action="退会",
        reason=reason,
        on=on,
        note=note,
    )


@transaction.atomic
def member_expel(
    *, actor, member: Member, reason: str = ChangeReason.CRIME, on=None, note: str = ""
) -> Member:
    """除名: the union ends the membership (e.g. 因犯罪被开除会籍)."""
    return _transition(
        actor=actor,
        member=member,
        guard=Member.can_end,
        to_status=MemberStatus.EXPELLED,
        change_type=ChangeType.EXPEL,
        action="除名",
        reason=reason,
        on=on,
        note=note,
    )


def _check_not_before_history(member: Member, on: datetime.date) -> None:
    """A change cannot be dated before the membership's last recorded change (events stay in
    order, so counts at any date read the right state)."""
    last = member.events.order_by("-effective_on", "-id").values_list("effective_on", flat=True)
    last = last.first()
    if last is not None and on < last:
        raise ValidationError(
            {"on": ValidationError(MSG_DATE_BEFORE_HISTORY, params={"date": last.isoformat()})}
        )


def _new_code() -> str:
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed by hand
    return "ZJ" + "".join(secrets.choice(alphabet) for _ in range(10))


@transaction.atomic
def transfer_issue(
    *,
    actor,
    member: Member,
    to_union: Organization | None = None,
    hold_at_residence: bool = False,
    reason: str = ChangeReason.JOB_CHANGED,
    new_employer: str = "",
    on=None,
) -> Transfer:
    """转出: the outgoing union approves the transfer and issues a certificate; the member stays
    counted here (status 接转中) until the incoming union accepts it."""
    if to_union is not None and to_union.pk == member.union_id:
        raise ValidationError({"to_union": ValidationError(MSG_TRANSFER_SAME_UNION)})
    if to_union is not None and (not to_union.is_active or not to_union.admits_members):
        raise ValidationError(
            {
                "to_union": ValidationError(
                    MSG_NOT_ADMITTING if to_union.is_active else MSG_UNION_INACTIVE,
                    params={"union": to_union.name, "kind": to_union.get_kind_display()},
                )
            }
        )
    before = Member.objects.select_for_update().get(pk=member.pk).status
    member = _transition(
        actor=actor,
        member=member,
        guard=Member.can_transfer_out,
        to_status=MemberStatus.TRANSFERRING,
        change_type=ChangeType.TRANSFER_OUT,
        action="转出",
        reason=reason,
        on=on,
        note=new_employer,
        to_union=to_union,
    )
    event = member.events.order_by("-id").first()
    try:
        with transaction.atomic():
            transfer = _create_transfer(
                member=member,
                from_union=member.union,
                to_union=to_union,
                hold_at_residence=hold_at_residence,
                reason=reason,
                new_employer=new_employer[:120],
                status_before=before,
                issued_by=actor,
                issued_on=event.effective_on,
            )
    except IntegrityError:
        raise ValidationError(MSG_ALREADY_TRANSFERRING) from None
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=transfer,
        org_path=member.union.path,
        changes={
            "接转凭证号": [None, transfer.code],
            "转入工会": [None, to_union.name if to_union else "（凭证接收）"],
        },
    )
    return transfer


def _create_transfer(**fields) -> Transfer:
    return Transfer.objects.create(code=_new_code(), **fields)


@transaction.atomic
def transfer_accept(*, actor, code: str, union: Organization, on=None) -> Transfer:
    """转入: the incoming union accepts the certificate; only now does the member's union change."""
    transfer = transfer_for_code(actor, code)
    if transfer is None:
        raise ValidationError(
            {"code": ValidationError(MSG_TRANSFER_NOT_FOUND, params={"code": code})}
        )
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.status != TransferStatus.PENDING:
        raise ValidationError(
            {"code": ValidationError(MSG_TRANSFER_NOT_FOUND, params={"code": code})}
        )
    _check_union(actor, union)
    if transfer.to_union is not None and not union.path.startswith(transfer.to_union.path):
        raise ValidationError(
            {
                "union": ValidationError(
                    MSG_TRANSFER_WRONG_UNION, params={"union": transfer.to_union.name}
                )
            }
        )
    if union.pk == transfer.from_union_id:
        raise ValidationError({"union": ValidationError(MSG_TRANSFER_SAME_UNION)})
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"on": ValidationError(MSG_DATE_FUTURE)})
    if on < transfer.issued_on:
        raise ValidationError(
            {
                "on": ValidationError(
                    MSG_DATE_BEFORE_HISTORY, params={"date": transfer.issued_on.isoformat()}
                )
            }
        )
    member = Member.objects.select_for_update().get(pk=transfer.member_id)
    old_union = member.union
    member.union = union
    member.status = MemberStatus.ACTIVE
    member.save(update_fields=["union", "status", "updated_at"])
    _event(
        member=member,
        change_type=ChangeType.TRANSFER_IN,
        actor=actor,
        on=on,
        union=union,
        status_before=MemberStatus.TRANSFERRING,
        reason=transfer.reason,
        from_union=old_union,
        to_union=union,
    )
    transfer.status = TransferStatus.ACCEPTED
    transfer.accepted_union = union
    transfer.to_union = transfer.to_union or union
    transfer.decided_by, transfer.decided_on = actor, on
    transfer.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=member,
        changes={"所在工会": [old_union.name, union.name], "接转凭证号": [transfer.code, "已接收"]},
    )
    transfer_closed.send(sender=Transfer, transfer=transfer, actor=actor)
    return transfer


@transaction.atomic
def transfer_reject(*, actor, transfer: Transfer, reason: str) -> Transfer:
    """退回: the incoming union declines; the member returns to their previous status at home."""
    if transfer.to_union is None or not in_jurisdiction(actor, transfer.to_union):
        raise PermissionDenied(MSG_OUTSIDE)
    if not (reason or "").strip():
        raise ValidationError({"reason": ValidationError(MSG_REASON_REQUIRED)})
    return _close_transfer(
        actor=actor, transfer=transfer, status=TransferStatus.REJECTED, note=reason.strip()[:200]
    )


@transaction.atomic
def transfer_cancel(*, actor, transfer: Transfer, note: str = "") -> Transfer:
    """撤销: the outgoing union withdraws a certificate that has not been accepted yet."""
    if not in_jurisdiction(actor, transfer.from_union):
        raise PermissionDenied(MSG_OUTSIDE)
    return _close_transfer(
        actor=actor,
        transfer=transfer,
        status=TransferStatus.CANCELLED,
        note=note.strip()[:200] or "转出工会撤销",
    )


def _close_transfer(*, actor, transfer: Transfer, status: str, note: str) -> Transfer:
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.status != TransferStatus.PENDING:
        raise ValidationError(MSG_TRANSFER_NOT_FOUND, params={"code": transfer.code})
    member = Member.objects.select_for_update().get(pk=transfer.member_id)
    member.status = transfer.status_before
    member.save(update_fields=["status", "updated_at"])
    today = timezone.localdate()
    _event(
        member=member,
        change_type=ChangeType.TRANSFER_RETURNED,
        actor=actor,
        on=today,
        union=member.union,
        status_before=MemberStatus.TRANSFERRING,
        note=note,
        from_union=transfer.from_union,
        to_union=transfer.to_union,
    )
    transfer.status = status
    transfer.rejection_reason = note
    transfer.decided_by, transfer.decided_on = actor, today
    transfer.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=transfer,
        org_path=member.union.path,
        changes={"状态": ["待接收", TransferStatus(status).label], "原因": [None, note]},
    )
    transfer_closed.send(sender=Transfer, transfer=transfer, actor=actor)
    return transfer


@dataclass(frozen=True)
class DuesRecorded:
    """What one dues record did."""

    paid_on: datetime.date
    recorded: int  # members whose last dues date is now paid_on
    unchanged: int  # members who already had dues recorded on that date or later


def _names(members: list[Member], shown: int = 5) -> str:
    names = "、".join(f"「{m.name}」" for m in members[:shown])
    return names if len(members) <= shown else f"{names}等 {len(members)} 名会员"


def dues_check(
    *, actor, members: Iterable[Member | int], paid_on: datetime.date | None, lock: bool = False
) -> list[Member]:
    """The members a dues payment on `paid_on` may be recorded for — every one held (在籍, 保留,
    接转中) in the actor's jurisdiction, joined on or before that date, which is not in the
    future — or a ValidationError naming the field (`members`, `paid_on`). The confirmation
    page shows these messages before anything is written; dues_record_many checks them again."""
    ids = {getattr(m, "pk", m) for m in members}
    errors = {}
    if not ids:
        errors["members"] = ValidationError(MSG_DUES_NONE)
    elif len(ids) > DUES_LIMIT:
        errors["members"] = ValidationError(MSG_DUES_TOO_MANY, params={"limit": DUES_LIMIT})
    today = timezone.localdate()
    if paid_on is None:
        errors["paid_on"] = ValidationError(MSG_DUES_DATE_REQUIRED)
    elif paid_on > today:
        errors["paid_on"] = ValidationError(
            MSG_DUES_DATE_FUTURE, params={"today": today.isoformat()}
        )
    if errors:
        raise ValidationError(errors)
    qs = scoped(actor, Member).filter(pk__in=ids).select_related("union").order_by("name", "pk")
    found = list(qs.select_for_update(of=("self",)) if lock else qs)
    if len(found) != len(ids):
        raise ValidationError(
            {"members": ValidationError(MSG_DUES_OUTSIDE, params={"count": len(ids) - len(found)})}
        )
    ended = [m for m in found if not m.is_held]
    if ended:
        raise ValidationError(
            {"members": ValidationError(MSG_DUES_NOT_HELD, params={"names": _names(ended)})}
        )
    later = [m for m in found if m.joined_on > paid_on]
    if later:
        raise ValidationError(
            {
                "paid_on": ValidationError(
                    MSG_DUES_BEFORE_JOIN,
                    params={"date": paid_on.isoformat(), "names": _names(later)},
                )
            }
        )
    return found


def _common_path(paths: Iterable[str]) -> str:
    """The deepest tree path above all the given ones (whole steps only)."""
    paths = list(paths)
    if not paths:
        return ""
    first, last = min(paths), max(paths)
    end = 0
    while end < min(len(first), len(last)) and first[end] == last[end]:
        end += 1
    return first[: end - end % Organization.steplen]


@transaction.atomic
def dues_record_many(
    *, actor, members: Iterable[Member | int], paid_on: datetime.date
) -> DuesRecorded:
    """Record a dues payment on one date for many members at once (all or none: see
    dues_check). A member's 最近缴纳会费日期 only moves forward: one already recorded on that
    date or later keeps it. Dues are no membership change, so no MembershipEvent (as when the
    date is set on the edit form); one audit row names the date and the count."""
    found = dues_check(actor=actor, members=members, paid_on=paid_on, lock=True)
    moving = [m for m in found if m.last_dues_paid_on is None or m.last_dues_paid_on < paid_on]
    if moving:
        Member.objects.filter(pk__in=[m.pk for m in moving]).update(
            last_dues_paid_on=paid_on, updated_at=timezone.now()
        )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        org_path=_common_path(m.union.path for m in found),
        object_repr=f"批量记录会费：{len(moving)} 名会员",
        changes={
            LABELS["last_dues_paid_on"]: [None, paid_on],
            "记录人数": [None, len(moving)],
            "已有同日或更晚记录（未改动）": [None, len(found) - len(moving)],
            "会员号": [None, [m.member_number for m in moving]],
        },
    )
    return DuesRecorded(paid_on=paid_on, recorded=len(moving), unchanged=len(found) - len(moving))


def reveal_personal_data(*, actor, member: Member) -> dict:
    """The full ID number and phone, for a role allowed to see them; every call is audited."""
    if not in_jurisdiction(actor, member.union):
        raise PermissionDenied(MSG_OUTSIDE)
    if not actor.has_perm("members.reveal_personal_data"):
        raise PermissionDenied
    audit_record(
        actor=actor,
        action=Action.REVEAL,
        obj=member,
        changes={"查看": [None, "证件号码、手机号码"]},
    )
    return {
        "id_number": crypto.decrypt(member.id_number_encrypted, context=ID_CONTEXT),
        "phone": crypto.decrypt(member.phone_encrypted, context=PHONE_CONTEXT)
        if member.phone_encrypted
        else "",
    }
