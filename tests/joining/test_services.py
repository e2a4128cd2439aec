"""The rules of online joining, at the service level: submission, approval through the registry,
conversion to a transfer, the two transfer steps, the card token and the retention purge."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from ruhui.audit.models import AuditEvent
from ruhui.joining import services
from ruhui.joining.models import Application, ApplicationKind, ApplicationStatus, JoinLink
from ruhui.members.models import ChangeType, Member, MemberStatus, TransferStatus
from ruhui.members.services import transfer_accept, transfer_reject
from tests.members.factories import join, make_id_number, make_phone

pytestmark = pytest.mark.django_db


def form(**overrides) -> dict:
    return {
        "name": "李小龙",
        "id_number": make_id_number(),
        "phone": make_phone(),
        "ethnicity": "01",
        "education": "",
        "household_division": "410481",
        "is_migrant_worker": "是",
        "employment_status": "",
        "employment_form": "",
        "group": "02",
        "employer_name": "顺丰速运舞钢营业部",
        "work_location": "舞钢市院岭街道",
    } | overrides


def submit(union, **overrides) -> Application:
    return services.application_submit(
        link=services.join_link_for(union), data=form(**overrides), consent=True
    )


# --- links ----------------------------------------------------------------------------------


def test_join_link_is_created_once_and_unguessable(world):
    first = services.join_link_for(world.county_trade)
    again = services.join_link_for(world.county_trade)
    assert first.pk == again.pk
    assert len(first.token) >= 20
    assert services.join_link_for(world.sibling_trade).token != first.token


def test_regenerating_retires_the_old_link_and_is_audited(world):
    old = services.join_link_for(world.county_trade)
    new = services.join_link_regenerate(actor=world.county_admin, union=world.county_trade)
    assert services.link_by_token(old.token) is None
    assert services.retired_link(old.token)
    assert services.link_by_token(new.token).union == world.county_trade
    assert JoinLink.objects.filter(union=world.county_trade, is_active=True).count() == 1
    assert AuditEvent.objects.filter(object_type="joining.joinlink", object_id=str(new.pk)).exists()


def test_regenerating_outside_the_jurisdiction_is_refused(world):
    with pytest.raises(PermissionDenied):
        services.join_link_regenerate(actor=world.sibling_admin, union=world.county_trade)


def test_a_federation_has_no_working_link(world):
    link = JoinLink.objects.create(union=world.county, token="federation-token-123456")
    assert services.link_by_token(link.token) is None


def test_a_deactivated_union_link_stops_working(world):
    link = services.join_link_for(world.county_enterprise)
    world.county_enterprise.is_active = False
    world.county_enterprise.save()
    assert services.link_by_token(link.token) is None


# --- submission -----------------------------------------------------------------------------


def test_submission_stores_encrypted_personal_data_and_consent(world):
    data = form()
    application = services.application_submit(
        link=services.join_link_for(world.county_trade), data=data, consent=True
    )
    assert application.status == ApplicationStatus.PENDING
    assert application.kind == ApplicationKind.JOIN
    assert application.consent_version == services.PRIVACY_NOTICE_VERSION
    assert application.consent_at is not None
    assert data["id_number"] not in application.id_number_encrypted
    assert application.id_number_masked.endswith(data["id_number"][-4:])
    assert application.phone_tail == data["phone"][-4:]
    assert application.number.startswith("SQ") and len(application.number) == 12
    assert application.is_migrant_worker is True
    assert Member.objects.count() == 0  # nobody is a member until a cadre approves


def test_submission_without_consent_writes_nothing(world):
    with pytest.raises(ValidationError) as err:
        services.application_submit(
            link=services.join_link_for(world.county_trade), data=form(), consent=False
        )
    assert "同意" in err.value.message_dict["consent"][0]
    assert Application.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("name", "", "姓名不能为空"),
        ("id_number", "410481199001011234", "证件号码"),
        ("phone", "12345", "手机号码"),
        ("phone", "", "手机号码不能为空"),
        ("group", "", "八大群体类别不能为空"),
        ("group", "飞行员", "八大群体类别"),
        ("household_division", "999999", "户籍所在地"),
        ("work_location", "院" * 121, "工作地点"),
        ("employer_name", "单" * 121, "工作单位或平台"),
    ],
)
def test_bad_fields_get_chinese_messages_naming_the_field(world, field, value, words):
    with pytest.raises(ValidationError) as err:
        submit(world.county_trade, **{field: value})
    messages = err.value.message_dict
    assert field in messages, messages
    assert words in messages[field][0]
    assert Application.objects.count() == 0


def test_an_inactive_union_takes_no_applications(world):
    link = services.join_link_for(world.county_enterprise)
    world.county_enterprise.is_active = False
    world.county_enterprise.save()
    with pytest.raises(ValidationError):
        services.application_submit(link=link, data=form(), consent=True)


def test_lookup_needs_the_number_and_the_phone_tail(world):
    phone = make_phone()
    application = submit(world.county_trade, phone=phone)
    assert services.application_lookup(number=application.number, phone_tail=phone[-4:]) == (
        application
    )
    assert services.application_lookup(number=application.number.lower(), phone_tail=phone[-4:])
    assert services.application_lookup(number=application.number, phone_tail="0000") is None
    assert services.application_lookup(number="SQNOTHING", phone_tail=phone[-4:]) is None
    assert services.application_lookup(number=application.number, phone_tail="") is None


def test_the_applicant_may_withdraw_a_pending_application_only(world):
    application = submit(world.county_trade)
    services.application_withdraw(application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        services.application_withdraw(application=application)


# --- approval -------------------------------------------------------------------------------


def test_approval_creates_the_member_through_the_registry(world):
    data = form()
    application = services.application_submit(
        link=services.join_link_for(world.county_trade), data=data, consent=True
    )
    services.application_approve(actor=world.county_admin, application=application)
    application.refresh_from_db()
    member = application.member
    assert application.status == ApplicationStatus.APPROVED
    assert application.decided_by == world.county_admin
    assert member.union == world.county_trade
    assert member.source == services.SOURCE_ONLINE
    assert member.joined_on == timezone.localdate()
    assert member.member_number
    assert member.group == "02"
    assert member.is_migrant_worker is True
    assert member.phone_tail == data["phone"][-4:]
    event = member.events.get()
    assert event.change_type == ChangeType.JOIN
    assert event.effective_on == timezone.localdate()


def test_approval_twice_is_refused_and_creates_one_member(world):
    application = submit(world.county_trade)
    services.application_approve(actor=world.county_admin, application=application)
    with pytest.raises(ValidationError) as err:
        services.application_approve(actor=world.county_admin, application=application)
    assert "已经办理" in err.value.messages[0]
    assert Member.objects.count() == 1


def test_approval_needs_jurisdiction_and_the_reviewer_role(world):
    application = submit(world.county_trade)
    with pytest.raises(PermissionDenied):
        services.application_approve(actor=world.sibling_admin, application=application)
    with pytest.raises(PermissionDenied):
        services.application_approve(actor=world.county_viewer, application=application)
    assert not services.can_decide(world.county_viewer, application)
    assert not services.can_decide(world.sibling_admin, application)
    assert services.can_decide(world.city_admin, application)
    assert Member.objects.count() == 0


def test_rejection_needs_a_reason_the_applicant_sees(world):
    phone = make_phone()
    application = submit(world.county_trade, phone=phone)
    with pytest.raises(ValidationError):
        services.application_reject(actor=world.county_admin, application=application, reason=" ")
    services.application_reject(
        actor=world.county_admin, application=application, reason="请到户籍所在乡镇工会申请"
    )
    seen = services.application_lookup(number=application.number, phone_tail=phone[-4:])
    assert seen.status == ApplicationStatus.REJECTED
    assert seen.decision_reason == "请到户籍所在乡镇工会申请"


def test_an_applicant_already_in_this_union_is_not_joined_twice(world):
    number = make_id_number()
    existing = join(world.county_admin, world.county_trade, id_number=number)
    application = submit(world.county_trade, id_number=number)
    services.application_approve(actor=world.county_admin, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.member == existing
    assert Member.objects.count() == 1


def test_an_applicant_active_elsewhere_becomes_a_transfer_not_a_second_membership(world):
    number = make_id_number()
    existing = join(world.sibling_admin, world.sibling_trade, id_number=number)
    phone = make_phone()
    application = submit(world.county_trade, id_number=number, phone=phone)
    services.application_approve(actor=world.county_admin, application=application)
    application.refresh_from_db()
    transfer_app = application.converted_to
    assert application.status == ApplicationStatus.CONVERTED
    assert transfer_app.kind == ApplicationKind.TRANSFER
    assert transfer_app.status == ApplicationStatus.PENDING
    assert transfer_app.from_union == world.sibling_trade
    assert transfer_app.union == world.county_trade
    assert transfer_app.member == existing
    assert Member.objects.count() == 1
    # The applicant follows it with the same phone tail.
    found = services.application_lookup(number=transfer_app.number, phone_tail=phone[-4:])
    assert found == transfer_app
    # 转出 by the member's union; the new union cannot do that step.
    with pytest.raises(PermissionDenied):
        services.application_approve(actor=world.county_admin, application=transfer_app)
    services.application_approve(actor=world.sibling_admin, application=transfer_app)
    transfer_app.refresh_from_db()
    assert transfer_app.status == ApplicationStatus.AWAITING_IN
    existing.refresh_from_db()
    assert existing.status == MemberStatus.TRANSFERRING
    assert existing.union == world.sibling_trade  # still counted at home until accepted
    # 转入 by the new union.
    with pytest.raises(PermissionDenied):
        services.application_approve(actor=world.sibling_admin, application=transfer_app)
    services.application_approve(actor=world.county_admin, application=transfer_app)
    transfer_app.refresh_from_db()
    existing.refresh_from_db()
    assert transfer_app.status == ApplicationStatus.COMPLETED
    assert existing.union == world.county_trade
    assert existing.status == MemberStatus.ACTIVE
    assert Member.objects.count() == 1
    assert [e.change_type for e in existing.events.order_by("id")] == [
        ChangeType.JOIN,
        ChangeType.TRANSFER_OUT,
        ChangeType.TRANSFER_IN,
    ]


# --- self-service transfer ------------------------------------------------------------------


def _member(world, union=None):
    number, phone = make_id_number(), make_phone()
    member = join(world.county_admin, union or world.county_trade, id_number=number, phone=phone)
    return member, number, phone


def test_identity_check_needs_all_three_credentials(world):
    member, number, phone = _member(world)
    ok = services.identify_member(
        id_number=number, phone=phone, member_number=member.member_number.lower()
    )
    assert ok == member
    for wrong in (
        {"id_number": make_id_number(), "phone": phone, "member_number": member.member_number},
        {"id_number": number, "phone": make_phone(), "member_number": member.member_number},
        {"id_number": number, "phone": phone, "member_number": "41048120260000001"},
        {"id_number": number, "phone": "", "member_number": member.member_number},
    ):
        assert services.identify_member(**wrong) is None


def test_self_service_transfer_goes_through_both_unions(world):
    member, _number, phone = _member(world)
    target = world.county_enterprise
    application = services.transfer_request_submit(
        member=member,
        to_union=target,
        link=services.join_link_for(target),
        employer_name="舞钢顺达物流有限公司",
        work_location="舞钢市",
        consent=True,
    )
    assert application.from_union == world.county_trade
    assert application.phone_tail == phone[-4:]
    with pytest.raises(ValidationError):  # one open request at a time
        services.transfer_request_submit(
            member=member, to_union=world.sibling_trade, link=None, consent=True
        )
    services.application_approve(actor=world.county_admin, application=application)
    application.refresh_from_db()
    assert application.transfer.status == TransferStatus.PENDING
    services.application_approve(actor=world.county_admin, application=application)
    application.refresh_from_db()
    member.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETED
    assert member.union == target


def test_transfer_to_the_own_union_is_refused(world):
    member, _n, _p = _member(world)
    with pytest.raises(ValidationError) as err:
        services.transfer_request_submit(
            member=member, to_union=world.county_trade, link=None, consent=True
        )
    assert "不需要转会" in err.value.messages[0]


def test_transfer_request_needs_consent(world):
    member, _n, _p = _member(world)
    with pytest.raises(ValidationError):
        services.transfer_request_submit(
            member=member, to_union=world.sibling_trade, link=None, consent=None
        )
    assert Application.objects.count() == 0


def test_refusing_the_transfer_out_keeps_the_member_at_home(world):
    member, _n, _p = _member(world)
    application = services.transfer_request_submit(
        member=member, to_union=world.sibling_trade, link=None, consent=True
    )
    services.application_reject(
        actor=world.county_admin, application=application, reason="会费未结清"
    )
    member.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE
    assert member.union == world.county_trade


def test_refusing_the_transfer_in_returns_the_member(world):
    member, _n, _p = _member(world)
    application = services.transfer_request_submit(
        member=member, to_union=world.sibling_trade, link=None, consent=True
    )
    services.application_approve(actor=world.county_admin, application=application)
    services.application_reject(
        actor=world.sibling_admin, application=application, reason="非本行业从业人员"
    )
    member.refresh_from_db()
    application.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE
    assert member.union == world.county_trade
    assert application.transfer.status == TransferStatus.REJECTED


def test_a_transfer_decided_on_the_registry_pages_is_followed(world):
    member, _n, phone = _member(world)
    application = services.transfer_request_submit(
        member=member, to_union=world.sibling_trade, link=None, consent=True
    )
    services.application_approve(actor=world.county_admin, application=application)
    application.refresh_from_db()
    transfer_accept(
        actor=world.sibling_admin, code=application.transfer.code, union=world.sibling_trade
    )
    seen = services.application_lookup(number=application.number, phone_tail=phone[-4:])
    assert seen.status == ApplicationStatus.COMPLETED

    other, _n2, phone2 = _member(world)
    second = services.transfer_request_submit(
        member=other, to_union=world.sibling_trade, link=None, consent=True
    )
    services.application_approve(actor=world.county_admin, application=second)
    second.refresh_from_db()
    transfer_reject(actor=world.sibling_admin, transfer=second.transfer, reason="名额已满")
    seen = services.application_lookup(number=second.number, phone_tail=phone2[-4:])
    assert seen.status == ApplicationStatus.REJECTED
    assert seen.decision_reason == "名额已满"


# --- card -----------------------------------------------------------------------------------


def test_card_token_names_the_member_and_holds_no_personal_data(world):
    member, number, phone = _member(world)
    token = services.card_token(member)
    assert number not in token and phone not in token and member.name not in token
    assert services.card_verify(token) == member
    assert services.card_verify(token[:-2] + "xx") is None
    assert services.card_verify("garbage") is None


def test_card_stops_verifying_when_membership_ends_or_expires(world):
    member, _n, _p = _member(world)
    token = services.card_token(member)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=401)):
        assert services.card_verify(token) is None
    from ruhui.members.services import member_withdraw

    member_withdraw(actor=world.county_admin, member=member)
    assert services.card_verify(token) is None


# --- retention ------------------------------------------------------------------------------


def test_purge_removes_old_rejected_and_withdrawn_applications_only(world):
    old_rejected = submit(world.county_trade)
    services.application_reject(
        actor=world.county_admin, application=old_rejected, reason="信息不全"
    )
    old_withdrawn = submit(world.county_trade)
    services.application_withdraw(application=old_withdrawn)
    old_approved = submit(world.county_trade)
    services.application_approve(actor=world.county_admin, application=old_approved)
    old_pending = submit(world.county_trade)
    later = timezone.now() + datetime.timedelta(days=181)
    recent = submit(world.county_trade)
    with time_machine.travel(later - datetime.timedelta(days=10)):
        services.application_reject(actor=world.county_admin, application=recent, reason="重复")
    assert services.purge_closed_applications(now=later, dry_run=True) == 2
    assert Application.objects.count() == 5
    assert services.purge_closed_applications(now=later) == 2
    remaining = set(Application.objects.values_list("pk", flat=True))
    assert remaining == {old_approved.pk, old_pending.pk, recent.pk}
    assert AuditEvent.objects.filter(object_repr="已驳回或撤回的网上申请").count() == 1


def test_purge_command_uses_the_configured_retention(world, settings, capsys):
    settings.RUHUI_APPLICATION_RETENTION_DAYS = 30
    application = submit(world.county_trade)
    services.application_withdraw(application=application)
    call_command("purge_applications")
    assert Application.objects.count() == 1
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        call_command("purge_applications", "--dry-run")
        assert Application.objects.count() == 1
        call_command("purge_applications")
    assert Application.objects.count() == 0
    output = capsys.readouterr().out
    assert "将删除 1 份" in output
    assert "已删除 1 份" in output


def test_demo_applications_fill_the_queues(db):
    call_command("seed_demo", verbosity=0)
    statuses = set(Application.objects.values_list("status", flat=True))
    assert {"pending", "approved", "rejected", "withdrawn"} <= statuses
    assert Application.objects.filter(kind="transfer", status="pending").exists()
    assert Member.objects.filter(source=services.SOURCE_ONLINE).count() >= 3
    # The 宝丰 member who applied in 舞钢 is flagged for the reviewer, not joined twice.
    from ruhui.core import crypto
    from ruhui.members.personal import ID_CONTEXT
    from ruhui.members.selectors import held_membership

    elsewhere = [
        a
        for a in Application.objects.filter(kind="join", status="pending")
        if (m := held_membership(crypto.decrypt(a.id_number_encrypted, context=ID_CONTEXT)))
        and m.union_id != a.union_id
    ]
    assert len(elsewhere) == 1
    count = Application.objects.count()
    call_command("seed_demo", verbosity=0)
    assert Application.objects.count() == count
    assert not JoinLink.objects.filter(is_active=True, union__kind="county").exists()
