"""Membership lifecycle: each transition writes exactly one event; illegal ones write nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ruhui.audit.models import AuditEvent
from ruhui.members import services
from ruhui.members.models import Member, MembershipEvent, MemberStatus
from tests.members.factories import join, make_id_number, make_phone


def events(member):
    return list(
        member.events.order_by("id").values_list("change_type", "status_before", "status_after")
    )


def test_join_writes_one_join_event_and_a_number(world):
    member = join(world.county_admin, world.county_trade, on=datetime.date(2019, 5, 1))
    assert events(member) == [("1", "", "active")]
    assert member.status == "active"
    assert member.member_number == f"{world.county_trade.division_code}2019000001"
    assert member.origin_union == world.county_trade
    assert AuditEvent.objects.filter(action="create", object_id=str(member.pk)).count() == 1


def test_second_member_in_same_division_and_year_gets_next_number(world):
    join(world.county_admin, world.county_trade, on=datetime.date(2019, 5, 1))
    second = join(world.county_admin, world.county_enterprise, on=datetime.date(2019, 7, 1))
    assert second.member_number.endswith("2019000002")


@pytest.mark.parametrize(
    ("action", "status", "code"),
    [
        (services.member_retain, "retained", "3"),
        (services.member_withdraw, "withdrawn", "6"),
        (services.member_expel, "expelled", "5"),
    ],
)
def test_each_transition_writes_exactly_one_event(world, action, status, code):
    member = join(world.county_admin, world.county_trade)
    before = MembershipEvent.objects.count()
    member = action(actor=world.county_admin, member=member, reason="3")
    assert MembershipEvent.objects.count() == before + 1
    assert events(member)[-1] == (code, "active", status)
    assert Member.objects.get(pk=member.pk).status == status


def test_illegal_transition_writes_nothing(world):
    member = join(world.county_admin, world.county_trade)
    services.member_withdraw(actor=world.county_admin, member=member)
    count = MembershipEvent.objects.count()
    with pytest.raises(ValidationError) as err:
        services.member_retain(actor=world.county_admin, member=member)
    assert "已退会" in err.value.messages[0]
    assert MembershipEvent.objects.count() == count


def test_retained_member_may_withdraw(world):
    member = join(world.county_admin, world.county_trade)
    services.member_retain(actor=world.county_admin, member=member, reason="3")
    member = services.member_withdraw(actor=world.county_admin, member=member)
    assert [e[0] for e in events(member)] == ["1", "3", "6"]


def test_outsider_cannot_act_on_a_member(world):
    member = join(world.county_admin, world.county_trade)
    with pytest.raises(PermissionDenied):
        services.member_withdraw(actor=world.sibling_admin, member=member)
    assert Member.objects.get(pk=member.pk).status == "active"


def test_one_person_one_membership(world):
    number = make_id_number()
    join(world.county_admin, world.county_trade, id_number=number)
    with pytest.raises(ValidationError) as err:
        join(world.sibling_admin, world.sibling_trade, id_number=number)
    message = err.value.message_dict["id_number"][0]
    # 宝丰 does not cover 舞钢: told the person is taken and what to do, not where.
    assert "请通过会员接转办理" in message and "转出" in message
    assert "舞钢" not in message
    with pytest.raises(ValidationError) as err:
        join(world.city_admin, world.sibling_trade, id_number=number)
    message = err.value.message_dict["id_number"][0]
    assert "舞钢快递行业工会" in message and "转出" in message
    assert Member.objects.count() == 1


def test_same_union_duplicate_says_already_here(world):
    number = make_id_number()
    join(world.county_admin, world.county_trade, id_number=number)
    with pytest.raises(ValidationError) as err:
        join(world.county_admin, world.county_trade, id_number=number.lower())
    assert "已是本工会的会员" in err.value.message_dict["id_number"][0]


def test_rejoin_after_withdrawal_is_a_new_membership(world):
    number = make_id_number()
    first = join(
        world.county_admin, world.county_trade, id_number=number, on=datetime.date(2019, 3, 1)
    )
    services.member_withdraw(actor=world.county_admin, member=first)
    second = join(
        world.sibling_admin, world.sibling_trade, id_number=number, on=datetime.date(2019, 9, 1)
    )
    assert second.pk != first.pk and second.member_number != first.member_number
    assert second.id_number_hash == first.id_number_hash


def test_join_refuses_federations_and_inactive_unions(world):
    with pytest.raises(ValidationError) as err:
        join(world.county_admin, world.county)
    assert "不直接吸收会员" in err.value.messages[0]


def test_invalid_fields_are_all_reported_and_nothing_written(world):
    with pytest.raises(ValidationError) as err:
        services.member_join(
            actor=world.county_admin,
            union=world.county_trade,
            data={
                "name": "王",
                "id_number": "410481199005010012",
                "phone": "12345",
                "ethnicity": "火星族",
                "household_division": "999999",
            },
        )
    fields = err.value.message_dict
    assert {"name", "id_number", "phone", "ethnicity", "household_division"} <= set(fields)
    assert "校验" in fields["id_number"][0] or "核对" in fields["id_number"][0]
    assert Member.objects.count() == 0 and MembershipEvent.objects.count() == 0


def test_derived_sex_and_birth_date_must_match(world):
    number = make_id_number(sex="1", born=datetime.date(1990, 5, 1))
    with pytest.raises(ValidationError) as err:
        services.member_join(
            actor=world.county_admin,
            union=world.county_trade,
            data={"name": "李娜", "id_number": number, "phone": make_phone(), "sex": "女"},
        )
    assert "与身份证号不符" in err.value.message_dict["sex"][0]


def test_unknown_county_code_is_flagged_not_rejected(world):
    number = make_id_number(region="410499")  # Henan, but no such county
    member = join(world.county_admin, world.county_trade, id_number=number)
    assert member.id_county_unknown and member.verification_status == "3"


def test_update_changes_fields_and_audits_without_personal_data(world):
    member = join(world.county_admin, world.county_trade)
    new_phone = make_phone()
    member = services.member_update(
        actor=world.county_admin, member=member, data={"phone": new_phone, "group": "快递员"}
    )
    assert member.group == "02" and member.phone_tail == new_phone[-4:]
    event = AuditEvent.objects.filter(action="update", object_id=str(member.pk)).get()
    assert new_phone not in str(event.changes)
    assert event.changes["手机号码"] == ["***", "已更正"]
    assert event.changes["八大群体类别"] == ["99", "02"]


def test_update_to_an_id_number_held_elsewhere_is_refused(world):
    taken = make_id_number()
    join(world.sibling_admin, world.sibling_trade, id_number=taken)
    member = join(world.county_admin, world.county_trade)
    with pytest.raises(ValidationError):
        services.member_update(actor=world.county_admin, member=member, data={"id_number": taken})


def test_a_union_with_members_cannot_be_deactivated(world):
    from ruhui.orgs.services import organization_deactivate

    member = join(world.county_admin, world.county_enterprise)
    with pytest.raises(ValidationError) as err:
        organization_deactivate(
            actor=world.county_admin, organization=world.county_enterprise, reason="企业注销"
        )
    assert "1 名在册会员" in err.value.messages[0]
    services.member_withdraw(actor=world.county_admin, member=member)
    org = organization_deactivate(
        actor=world.county_admin, organization=world.county_enterprise, reason="企业注销"
    )
    assert not org.is_active


def test_moving_a_union_takes_its_members_and_counts_along(world):
    from ruhui.members import selectors
    from ruhui.orgs.services import organization_move

    join(world.county_admin, world.county_trade, on=datetime.date(2019, 5, 1))
    today = datetime.date.today()
    assert selectors.member_count_at(user=world.county_admin, on=today) == 1
    organization_move(
        actor=world.city_admin, organization=world.county_trade, new_parent=world.sibling
    )
    assert selectors.member_count_at(user=world.county_admin, on=today) == 0
    assert selectors.member_count_at(user=world.sibling_admin, on=today) == 1
    assert (
        selectors.new_member_count(
            user=world.sibling_admin, start=datetime.date(2019, 1, 1), end=today
        )
        == 1
    )


def test_a_change_cannot_be_dated_before_the_last_one(world):
    member = join(world.county_admin, world.county_trade, on=datetime.date(2020, 5, 1))
    with pytest.raises(ValidationError) as err:
        services.member_withdraw(
            actor=world.county_admin, member=member, on=datetime.date(2016, 1, 1)
        )
    assert "2020-05-01" in err.value.message_dict["on"][0]
    assert Member.objects.get(pk=member.pk).status == "active"


def test_transfer_acceptance_date_must_follow_the_issue_and_not_be_future(world):
    member = join(world.county_admin, world.county_trade, on=datetime.date(2019, 5, 1))
    transfer = services.transfer_issue(
        actor=world.county_admin, member=member, on=datetime.date(2019, 9, 1)
    )
    for bad in (datetime.date(2019, 8, 1), datetime.date.today() + datetime.timedelta(days=3)):
        with pytest.raises(ValidationError):
            services.transfer_accept(
                actor=world.sibling_admin, code=transfer.code, union=world.sibling_trade, on=bad
            )
    assert Member.objects.get(pk=member.pk).status == "transferring"


def test_sex_and_birth_date_follow_the_resident_id(world):
    member = join(
        world.county_admin,
        world.county_trade,
        id_number=make_id_number(sex="1", born=datetime.date(1990, 5, 1)),
    )
    with pytest.raises(ValidationError) as err:
        services.member_update(actor=world.county_admin, member=member, data={"sex": "女"})
    assert "由身份证号决定" in err.value.message_dict["sex"][0]
    with pytest.raises(ValidationError):
        services.member_update(
            actor=world.county_admin, member=member, data={"birth_date": "1970-01-01"}
        )


def test_an_under_age_person_cannot_join_today(world):
    young = make_id_number(
        born=datetime.date.today().replace(year=datetime.date.today().year - 14, day=1)
    )
    with pytest.raises(ValidationError) as err:
        services.member_join(
            actor=world.county_admin,
            union=world.county_trade,
            data={"name": "小明", "id_number": young},
        )
    assert "16 周岁" in err.value.message_dict["joined_on"][0]


def test_an_edit_may_clear_optional_fields(world):
    member = join(
        world.county_admin,
        world.county_trade,
        household_division="410481",
        last_dues_paid_on="2020-01-01",
    )
    member = services.member_update(
        actor=world.county_admin,
        member=member,
        data={"household_division": "", "last_dues_paid_on": ""},
    )
    assert member.household_division == "" and member.last_dues_paid_on is None


# --- one rule, two readers: the model's guards, the services and the detail page -----------------


@pytest.mark.parametrize("status", list(MemberStatus))
def test_services_and_page_follow_the_models_guards(world, status, client):
    from django.urls import reverse

    cases = [
        (Member.can_retain, services.member_retain, "members:retain"),
        (Member.can_end, services.member_withdraw, "members:withdraw"),
        (Member.can_end, services.member_expel, "members:expel"),
    ]
    for guard, service, route in cases:
        member = join(world.county_admin, world.county_trade)
        Member.objects.filter(pk=member.pk).update(status=status)
        member.refresh_from_db()
        client.force_login(world.county_admin)
        page = client.get(reverse("members:detail", kwargs={"member_pk": member.pk}))
        offered = reverse(route, kwargs={"member_pk": member.pk}) in page.content.decode()
        try:
            service(actor=world.county_admin, member=member)
            allowed = True
        except ValidationError:
            allowed = False
        assert allowed == guard(member) == offered, (status, route)
