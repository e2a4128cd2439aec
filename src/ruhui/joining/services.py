"""Every write of online joining and self-service transfer.

Public side (no login): `application_submit` and `transfer_request_submit` take what a worker
typed; `identify_member` is the identity check (ID number + phone + member number) in front of
self-service transfer and the electronic card. Cadre side: `application_approve` and
`application_reject` move an application on, always through the registry's own services, so the
rules of one person, one membership and of the two-step transfer hold here as everywhere.
"""

import datetime
import hmac
import secrets

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ruhui.audit.services import Action, audit_record
from ruhui.core import crypto
from ruhui.core.locks import serialize_on
from ruhui.joining.models import (
    OPEN_STATUSES,
    Application,
    ApplicationEvent,
    ApplicationKind,
    ApplicationStatus,
    ApplicationStep,
    JoinLink,
)
from ruhui.members import selectors as member_selectors
from ruhui.members import services as member_services
from ruhui.members.codes import ChangeReason, CollectionMethod, IdType, MemberSource
from ruhui.members.models import HELD_STATUSES, Member, MemberStatus, Transfer, TransferStatus
from ruhui.members.personal import ID_CONTEXT, PHONE_CONTEXT, id_hash, personal_data_values
from ruhui.members.validation import LABELS, clean_member_fields
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import in_jurisdiction

#: The version of the privacy notice shown on the public forms (templates/joining/public/_privacy_notice.html).
#: Change it whenever the notice's text changes: each application stores the version agreed to.
PRIVACY_NOTICE_VERSION = "2026-11-v1"
SOURCE_ONLINE = MemberSource.ONLINE
CARD_SALT = "ruhui.joining.card"
CARD_MAX_AGE = datetime.timedelta(days=400)  # a card printed or saved lasts about a year

#: The fields a worker gives on the public join form (PI-5: each has a purpose; docs/guide).
JOIN_FIELDS = (
    "name",
    "id_number",
    "phone",
    "ethnicity",
    "education",
    "household_division",
    "is_migrant_worker",
    "employment_status",
    "employment_form",
    "group",
    "employer_name",
    "work_location",
)
PUBLIC_LABELS = {**LABELS, "employer_name": "工作单位或平台", "work_location": "工作地点"}
PUBLIC_REQUIRED = ("name", "id_number", "phone", "group")

MSG_REQUIRED = "{label}不能为空，请填写。"
MSG_CONSENT = "请阅读《个人信息保护告知》，并勾选“我已阅读并同意”后再提交。"
MSG_LOCATION_LONG = "工作地点不能超过 120 个字，请简写到街道、园区或站点名称。"
MSG_LINK_RETIRED = "此入会二维码已停用，请向工会索取新的二维码，或使用“查找我的工会”。"
MSG_NOT_PENDING = "该申请已经办理（当前状态：{status}），不能重复操作。"
MSG_REASON_REQUIRED = "请填写不予通过的原因：申请人会在查询页面看到它。"
MSG_IDENTITY = (
    "身份核验未通过：证件号码、手机号码和会员号须与工会登记的信息一致。"
    "如手机号已更换，请联系所在工会更新。"
)
MSG_ALREADY_TRANSFERRING = "您已有一份转会申请正在办理，请等待办理完成或联系所在工会。"
MSG_TRANSFER_SAME = "您已是该工会会员，不需要转会。"
MSG_NOT_ADMITTING = "该工会暂不接收入会申请，请使用“查找我的工会”选择其他工会。"
MSG_NO_APPLICATION = "没有找到该申请：请核对申请编号和手机号码后四位。"


# --- join links -----------------------------------------------------------------------------


def _new_token() -> str:
    return secrets.token_urlsafe(16)  # 128 bits: links cannot be guessed or enumerated


def join_link_for(union: Organization, *, actor=None) -> JoinLink:
    """The union's active join link, created on first use."""
    link = JoinLink.objects.filter(union=union, is_active=True).first()
    if link is not None:
        return link
    try:
        with transaction.atomic():
            return JoinLink.objects.create(
                union=union, token=_new_token(), created_by=_user_or_none(actor)
            )
    except IntegrityError:  # a concurrent request created it first
        return JoinLink.objects.get(union=union, is_active=True)


def ensure_join_link(sender, *, instance: Organization, raw: bool = False, **kwargs) -> None:
    """Every active union that admits members has a join link from the moment it is saved so
    (receiver of Organization's post_save; links of older unions come from migration 0003), so
    the pages that show links only read them."""
    if raw or not instance.is_active or not instance.admits_members:
        return
    join_link_for(instance)


@transaction.atomic
def join_link_regenerate(*, actor, union: Organization) -> JoinLink:
    """Retire the union's link (old posters stop working) and issue a new one."""
    if not in_jurisdiction(actor, union):
        raise PermissionDenied(member_services.MSG_OUTSIDE)
    _check_admitting(union)
    now = timezone.now()
    retired = JoinLink.objects.select_for_update().filter(union=union, is_active=True)
    old_tokens = [link.pk for link in retired]
    retired.update(is_active=False, retired_at=now)
    link = JoinLink.objects.create(union=union, token=_new_token(), created_by=actor)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=link,
        changes={"入会链接": ["已停用" if old_tokens else None, "已重新生成"]},
        object_repr=f"{union.name}的入会二维码",
    )
    return link


def link_by_token(token: str) -> JoinLink | None:
    """The active join link a poster's token names, if its union still admits members."""
    link = (
        JoinLink.objects.select_related("union")
        .filter(token=(token or "")[:32], is_active=True)
        .first()
    )
    if link is None or not link.union.is_active or not link.union.admits_members:
        return None
    return link


def retired_link(token: str) -> bool:
    """Whether a token belonged to a link that has been retired (to say so on the page)."""
    return JoinLink.objects.filter(token=(token or "")[:32], is_active=False).exists()


def _check_admitting(union: Organization) -> None:
    if not union.is_active or not union.admits_members:
        raise ValidationError(MSG_NOT_ADMITTING)


def _user_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


# --- public submissions ---------------------------------------------------------------------


def _new_number() -> str:
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed by hand
    return "SQ" + "".join(secrets.choice(alphabet) for _ in range(10))


def clean_join_data(data: dict, *, today: datetime.date | None = None) -> dict:
    """Validate the public join form with the registry's rules; ValidationError names fields."""
    today = today or timezone.localdate()
    raw = {field: data.get(field, "") for field in JOIN_FIELDS if field != "work_location"}
    raw["id_type"] = IdType.RESIDENT_ID  # the public form takes the resident ID card only
    raw["joined_on"] = today
    cleaned, errors = clean_member_fields(raw, today=today)
    for field in PUBLIC_REQUIRED:
        value = data.get(field)
        if (value is None or str(value).strip() == "") and field not in errors:
            errors[field] = [MSG_REQUIRED.format(label=PUBLIC_LABELS[field])]
    location = " ".join(str(data.get("work_location") or "").split())
    if len(location) > 120:
        errors["work_location"] = [MSG_LOCATION_LONG]
    if errors:
        raise ValidationError(
            {
                field: [ValidationError(_relabel(field, m)) for m in messages]
                for field, messages in errors.items()
                if field in JOIN_FIELDS
            }
            or {"__all__": [ValidationError(m) for ms in errors.values() for m in ms]}
        )
    cleaned["work_location"] = location
    return cleaned


def _relabel(field: str, message: str) -> str:
    """The registry says 工作单位; the public form asks for 工作单位或平台."""
    if field == "employer_name":
        return message.replace(LABELS["employer_name"], PUBLIC_LABELS["employer_name"], 1)
    return message


def _check_consent(consent) -> None:
    if consent is not True:
        raise ValidationError({"consent": ValidationError(MSG_CONSENT)})


def _personal_fields(cleaned: dict) -> dict:
    values = personal_data_values({"id_number": cleaned["id_number"], "phone": cleaned["phone"]})
    values.pop("id_county_unknown", None)
    return values


def _pending_same(union: Organization, cleaned: dict) -> Application | None:
    """The pending application of this person (same ID number and phone) to this union."""
    for application in Application.objects.filter(
        union=union,
        kind=ApplicationKind.JOIN,
        status=ApplicationStatus.PENDING,
        id_number_hash=id_hash(cleaned["id_number"]),
    ).order_by("pk"):
        stored = (
            crypto.decrypt(application.phone_encrypted, context=PHONE_CONTEXT)
            if application.phone_encrypted
            else ""
        )
        if hmac.compare_digest(stored, cleaned.get("phone") or ""):
            return application
    return None


@transaction.atomic
def application_submit(*, link: JoinLink, data: dict, consent) -> Application:
    """A worker applies to join the link's union. The result is the same whether the person is
    new, already pending or a member elsewhere: nothing here tells who is a member (PUB-3);
    the reviewing cadre sees it."""
    _check_admitting(link.union)
    cleaned = clean_join_data(data)
    _check_consent(consent)
    # One pending application per person and union: a resubmission (a double click, a retry, the
    # same form sent again) answers with the one already waiting. Simultaneous submissions of
    # the same person to the same union wait for each other (a lock on that pair only: everyone
    # else scanning the same poster goes on), so they find it too.
    serialize_on("join", link.union_id, id_hash(cleaned["id_number"]))
    pending = _pending_same(link.union, cleaned)
    if pending is not None:
        return pending
    application = Application(
        number=_new_number(),
        kind=ApplicationKind.JOIN,
        union=link.union,
        link=link,
        consent_version=PRIVACY_NOTICE_VERSION,
        consent_at=timezone.now(),
        **{
            field: cleaned.get(field, "")
            for field in (
                "name",
                "ethnicity",
                "education",
                "household_division",
                "employment_status",
                "employment_form",
                "group",
                "employer_name",
                "work_location",
            )
        },
        is_migrant_worker=cleaned.get("is_migrant_worker", False),
        **_personal_fields(cleaned),
    )
    application.save()
    _record_step(application, ApplicationStep.SUBMITTED, note=f"申请加入「{link.union.name}」")
    audit_record(
        actor=None,
        username="（网上申请）",
        action=Action.CREATE,
        obj=application,
        org_path=link.union.path,
        object_repr=f"入会申请 {application.number}",
        changes={"申请编号": [None, application.number], "工会": [None, link.union.name]},
    )
    return application


def identify_member(*, id_number: str, phone: str, member_number: str) -> Member | None:
    """The member these three credentials name together, or None (one answer for any mismatch)."""
    number = "".join(str(id_number or "").split()).upper()
    phone = "".join(str(phone or "").split()).replace("-", "")
    member_number = "".join(str(member_number or "").split()).upper()
    if not number or not phone or not member_number:
        return None
    member = (
        Member.objects.select_related("union")
        .filter(id_number_hash=id_hash(number), status__in=HELD_STATUSES)
        .first()
    )
    if member is None or not member.phone_encrypted:
        return None
    stored_phone = crypto.decrypt(member.phone_encrypted, context=PHONE_CONTEXT)
    same_number = hmac.compare_digest(member.member_number.upper(), member_number)
    same_phone = hmac.compare_digest(stored_phone, phone)
    return member if same_number and same_phone else None


@transaction.atomic
def transfer_request_submit(
    *,
    member: Member,
    to_union: Organization,
    link: JoinLink | None,
    employer_name: str = "",
    work_location: str = "",
    consent,
) -> Application:
    """A verified member asks to move to another union; the current union approves 转出 first."""
    _check_consent(consent)
    _check_admitting(to_union)
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.union_id == to_union.pk:
        raise ValidationError(MSG_TRANSFER_SAME)
    open_request = Application.objects.filter(
        kind=ApplicationKind.TRANSFER,
        member=member,
        status__in=OPEN_STATUSES,
    ).exists()
    if member.status == MemberStatus.TRANSFERRING or open_request:
        raise ValidationError(MSG_ALREADY_TRANSFERRING)
    employer_name = " ".join(str(employer_name or "").split())
    work_location = " ".join(str(work_location or "").split())
    errors = {}
    if len(employer_name) > 120:
        errors["employer_name"] = "工作单位或平台不能超过 120 个字，请简写。"
    if len(work_location) > 120:
        errors["work_location"] = MSG_LOCATION_LONG
    if errors:
        raise ValidationError(errors)
    application = _transfer_application(
        member=member, to_union=to_union, link=link, employer_name=employer_name
    )
    application.work_location = work_location
    application.consent_version = PRIVACY_NOTICE_VERSION
    application.consent_at = timezone.now()
    application.save()
    _record_step(
        application,
        ApplicationStep.SUBMITTED,
        note=f"申请从「{member.union.name}」转入「{to_union.name}」",
    )
    audit_record(
        actor=None,
        username="（网上申请）",
        action=Action.CREATE,
        obj=application,
        org_path=member.union.path,
        object_repr=f"转会申请 {application.number}",
        changes={"转出工会": [None, member.union.name], "转入工会": [None, to_union.name]},
    )
    return application


def _transfer_application(*, member: Member, to_union, link, employer_name) -> Application:
    """An unsaved transfer application carrying the member's registry data."""
    return Application(
        number=_new_number(),
        kind=ApplicationKind.TRANSFER,
        status=ApplicationStatus.PENDING,
        union=to_union,
        from_union=member.union,
        link=link,
        member=member,
        name=member.name,
        id_number_encrypted=member.id_number_encrypted,
        id_number_hash=member.id_number_hash,
        id_number_masked=member.id_number_masked,
        phone_encrypted=member.phone_encrypted,
        phone_masked=member.phone_masked,
        phone_tail=member.phone_tail,
        ethnicity=member.ethnicity,
        education=member.education,
        household_division=member.household_division,
        is_migrant_worker=member.is_migrant_worker,
        employment_status=member.employment_status,
        employment_form=member.employment_form,
        group=member.group,
        employer_name=employer_name or member.employer_name,
    )


def application_lookup(*, number: str, phone_tail: str) -> Application | None:
    """The application an applicant asks about: its number and the phone's last four digits."""
    number = "".join(str(number or "").split()).upper()
    tail = "".join(str(phone_tail or "").split())
    if not number or len(tail) != 4:
        return None
    application = (
        Application.objects.select_related("union", "from_union", "transfer", "converted_to")
        .filter(number=number[:16])
        .first()
    )
    if application is None or not hmac.compare_digest(application.phone_tail, tail):
        return None
    return application


@transaction.atomic
def application_withdraw(*, application: Application) -> Application:
    """The applicant withdraws an application nobody has acted on yet."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.PENDING:
        raise ValidationError(MSG_NOT_PENDING.format(status=application.get_status_display()))
    application.status = ApplicationStatus.WITHDRAWN
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_at", "updated_at"])
    _record_step(application, ApplicationStep.WITHDRAWN, note="申请人撤回了申请")
    audit_record(
        actor=None,
        username="（申请人）",
        action=Action.UPDATE,
        obj=application,
        org_path=(application.from_union or application.union).path,
        object_repr=str(application),
        changes={"状态": ["待审核", "已撤回"]},
    )
    return application


# --- cadre decisions ------------------------------------------------------------------------


def deciding_union(application: Application) -> Organization | None:
    """The union whose cadres act on the application now (None once it is closed)."""
    if application.status == ApplicationStatus.PENDING:
        if application.kind == ApplicationKind.TRANSFER:
            return application.from_union
        return application.union
    if application.status == ApplicationStatus.AWAITING_IN:
        return application.union
    return None


def can_decide(user, application: Application) -> bool:
    union = deciding_union(application)
    return (
        union is not None
        and in_jurisdiction(user, union)
        and user.has_perm("members.manage_membership")
    )


def _locked(application: Application, actor) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    union = deciding_union(application)
    if union is None:
        raise ValidationError(MSG_NOT_PENDING.format(status=application.get_status_display()))
    if not in_jurisdiction(actor, union):
        raise PermissionDenied(member_services.MSG_OUTSIDE)
    if not actor.has_perm("members.manage_membership"):
        raise PermissionDenied(_("您的角色没有审核入会申请的权限。"))
    return application


def _decided(application: Application, actor, status: str, reason: str = "") -> None:
    application.status = status
    application.decision_reason = reason[:200]
    application.decided_by = actor
    application.decided_at = timezone.now()


@transaction.atomic
def application_approve(*, actor, application: Application) -> Application:
    """Approve the step that is due: 入会 for a join; 转出 then 转入 for a transfer."""
    application = _locked(application, actor)
    if application.kind == ApplicationKind.JOIN:
        return _approve_join(actor, application)
    if application.status == ApplicationStatus.PENDING:
        return _approve_transfer_out(actor, application)
    return _approve_transfer_in(actor, application)


def _join_data(application: Application) -> dict:
    return {
        "name": application.name,
        "id_type": IdType.RESIDENT_ID,
        "id_number": crypto.decrypt(application.id_number_encrypted, context=ID_CONTEXT),
        "phone": crypto.decrypt(application.phone_encrypted, context=PHONE_CONTEXT),
        "ethnicity": application.ethnicity,
        "education": application.education,
        "household_division": application.household_division,
        "is_migrant_worker": application.is_migrant_worker,
        "employment_status": application.employment_status,
        "employment_form": application.employment_form,
        "group": application.group,
        "employer_name": application.employer_name,
        "collection_method": CollectionMethod.SELF,
    }


def _approve_join(actor, application: Application) -> Application:
    existing = member_selectors.held_membership(_join_data(application)["id_number"])
    if existing is not None and existing.union_id != application.union_id:
        return _convert_to_transfer(actor, application, existing)
    if existing is not None:
        # Already a member here (entered by hand or approved before): nothing new to create.
        _decided(
            application,
            actor,
            ApplicationStatus.APPROVED,
            f"申请人已是本工会会员（会员号 {existing.member_number}），无需重复入会。",
        )
        application.member = existing
        application.save()
        _audit_decision(actor, application, "已批准（已是本会会员）")
        return application
    member = member_services.member_join(
        actor=actor,
        union=application.union,
        data=_join_data(application),
        joined_on=timezone.localdate(),
        source=SOURCE_ONLINE,
    )
    _decided(application, actor, ApplicationStatus.APPROVED)
    application.member = member
    application.save()
    _audit_decision(actor, application, "已批准入会")
    return application


def _convert_to_transfer(actor, application: Application, existing: Member) -> Application:
    """凭证接转, not a second membership: the applicant already belongs to another union."""
    if (
        existing.status == MemberStatus.TRANSFERRING
        or Application.objects.filter(
            kind=ApplicationKind.TRANSFER, member=existing, status__in=OPEN_STATUSES
        ).exists()
    ):
        reason = "申请人已有一份会员关系接转正在办理，请待其办结后再处理。"
        _decided(application, actor, ApplicationStatus.REJECTED, reason)
        application.save()
        _audit_decision(actor, application, "未通过（接转办理中）")
        return application
    transfer_application = _transfer_application(
        member=existing,
        to_union=application.union,
        link=application.link,
        employer_name=application.employer_name,
    )
    transfer_application.work_location = application.work_location
    transfer_application.consent_version = application.consent_version
    transfer_application.consent_at = application.consent_at
    transfer_application.phone_tail = application.phone_tail  # the applicant's own lookup
    transfer_application.save()
    _record_step(
        transfer_application,
        ApplicationStep.SUBMITTED,
        actor=actor,
        note=f"由入会申请 {application.number} 转来：申请人已是其他工会会员",
    )
    _decided(
        application,
        actor,
        ApplicationStatus.CONVERTED,
        f"申请人已是其他工会会员，已转为会员关系接转办理（转会申请 {transfer_application.number}）。",
    )
    application.member = existing
    application.converted_to = transfer_application
    application.save()
    _audit_decision(actor, application, f"转为转会申请 {transfer_application.number}")
    return application


def _approve_transfer_out(actor, application: Application) -> Application:
    transfer = member_services.transfer_issue(
        actor=actor,
        member=application.member,
        to_union=application.union,
        reason=ChangeReason.JOB_CHANGED,
        new_employer=application.employer_name,
    )
    application.transfer = transfer
    _decided(application, actor, ApplicationStatus.AWAITING_IN)
    application.save()
    _audit_decision(actor, application, "已同意转出，待新工会接收")
    return application


def _approve_transfer_in(actor, application: Application) -> Application:
    member_services.transfer_accept(
        actor=actor, code=application.transfer.code, union=application.union
    )
    application.refresh_from_db()  # moved by follow_transfer, as on the registry's pages
    return application


@transaction.atomic
def application_reject(*, actor, application: Application, reason: str) -> Application:
    """Decline the step that is due, with a reason the applicant sees on the status page."""
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationError({"reason": ValidationError(MSG_REASON_REQUIRED)})
    application = _locked(application, actor)
    if application.status == ApplicationStatus.AWAITING_IN:
        member_services.transfer_reject(actor=actor, transfer=application.transfer, reason=reason)
        application.refresh_from_db()  # moved by follow_transfer
        return application
    _decided(application, actor, ApplicationStatus.REJECTED, reason)
    application.save()
    _audit_decision(actor, application, "未通过", reason)
    return application


#: The step a decision records, by the status it leaves the application in.
_STEP_OF_STATUS = {
    ApplicationStatus.APPROVED: ApplicationStep.APPROVED,
    ApplicationStatus.CONVERTED: ApplicationStep.CONVERTED,
    ApplicationStatus.AWAITING_IN: ApplicationStep.TRANSFER_OUT,
    ApplicationStatus.COMPLETED: ApplicationStep.COMPLETED,
    ApplicationStatus.REJECTED: ApplicationStep.REJECTED,
}


def _record_step(application: Application, step: str, *, actor=None, note: str = "") -> None:
    """Append one step to the application's trail (ApplicationEvent), in the caller's
    transaction; the applicant acts without an account."""
    ApplicationEvent.objects.create(
        application=application,
        step=step,
        status=application.status,
        actor=actor,
        actor_name=actor.display_name if actor is not None else "申请人（网上）",
        note=note[:300],
    )


def _audit_decision(actor, application: Application, outcome: str, reason: str = "") -> None:
    """A cadre's decision: one step on the application's trail and one audit row."""
    changes = {"审核结果": [None, outcome]}
    if reason:
        changes["原因"] = [None, reason]
    _record_step(
        application,
        _STEP_OF_STATUS[application.status],
        actor=actor,
        note="；".join(f"{key}：{value[-1]}" for key, value in changes.items()),
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=application,
        org_path=(deciding_union_path(application)),
        object_repr=str(application),
        changes=changes,
    )


def deciding_union_path(application: Application) -> str:
    if application.kind == ApplicationKind.TRANSFER and application.status in (
        ApplicationStatus.AWAITING_IN,
        ApplicationStatus.REJECTED,
    ):
        return application.union.path
    return (application.from_union or application.union).path


def follow_transfer(sender, *, transfer: Transfer, actor, **kwargs) -> None:
    """An online transfer application waiting for its new union follows its transfer, however
    it was closed (here, or on the registry's transfer pages): accepted → 已转入; returned by
    the new union or cancelled by the old one → 未通过 with that reason. Connected to
    members.signals.transfer_closed; runs in the transaction that closed the transfer."""
    waiting = Application.objects.select_for_update().filter(
        transfer=transfer, status=ApplicationStatus.AWAITING_IN
    )
    for application in waiting:
        if transfer.status == TransferStatus.ACCEPTED:
            _decided(application, actor, ApplicationStatus.COMPLETED)
            application.save()
            _audit_decision(actor, application, "已接收转入")
        else:
            reason = transfer.rejection_reason or TransferStatus(transfer.status).label
            _decided(application, actor, ApplicationStatus.REJECTED, reason)
            application.save()
            _audit_decision(actor, application, "未通过", reason)


# --- electronic membership card -------------------------------------------------------------


def card_token(member: Member) -> str:
    """The signed token in the card's QR code: it names the member, never their personal data."""
    return signing.dumps({"m": member.pk, "n": member.member_number}, salt=CARD_SALT, compress=True)


def card_member(application: Application | None) -> Member | None:
    """The card an applicant opens in one tap from the status page: the membership their approved
    join application made, while it is still held; None for anything else (not approved yet,
    rejected, withdrawn, a transfer, a membership since ended), which then needs the identity
    check like anyone else's card."""
    if (
        application is None
        or application.kind != ApplicationKind.JOIN
        or application.status != ApplicationStatus.APPROVED
        or application.member_id is None
    ):
        return None
    return (
        Member.objects.select_related("union")
        .filter(pk=application.member_id, status__in=HELD_STATUSES)
        .first()
    )


def card_verify(token: str) -> Member | None:
    """The member a scanned card names, if the signature is good, recent, and the membership is
    still held; None for anything else."""
    try:
        payload = signing.loads(token, salt=CARD_SALT, max_age=CARD_MAX_AGE.total_seconds())
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    return (
        Member.objects.select_related("union")
        .filter(pk=payload.get("m"), member_number=payload.get("n"), status__in=HELD_STATUSES)
        .first()
    )


# --- retention ------------------------------------------------------------------------------


def purge_closed_applications(*, days: int | None = None, now=None, dry_run: bool = False) -> int:
    """Delete rejected and withdrawn applications decided more than `days` ago (PI-9)."""
    days = settings.RUHUI_APPLICATION_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    stale = Application.objects.filter(
        status__in=(ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN),
        decided_at__lt=cutoff,
    )
    count = stale.count()
    if dry_run or not count:
        return count
    with transaction.atomic():
        stale.delete()
        audit_record(
            actor=None,
            username="（保存期限清理）",
            action=Action.DELETE,
            object_repr="已驳回或撤回的网上申请",
            org_path="",
            changes={"删除条数": [None, count], "保存期限（天）": [None, days]},
        )
    return count
