"""凭证接转: a pending transfer keeps the member at the old union; only acceptance moves them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ruhui.members import selectors, services
from ruhui.members.models import Member
from tests.members.factories import join

TODAY = datetime.date.today()


def counts(world):
    at = {
        u: selectors.member_count_at(user=getattr(world, u), on=TODAY)
        for u in ("county_admin", "sibling_admin", "city_admin")
    }
    return at["county_admin"], at["sibling_admin"], at["city_admin"]


def test_counts_stay_constant_while_pending_then_move(world):
    member = join(world.county_admin, world.county_trade, on=datetime.date(2019, 5, 1))
    join(world.sibling_admin, world.sibling_trade, on=datetime.date(2019, 5, 1))
    assert counts(world) == (1, 1, 2)
    transfer = services.transfer_issue(
        actor=world.county_admin, member=member, to_union=world.sibling_trade
    )
    member.refresh_from_db()
    assert member.status == "transferring" and member.union == world.county_trade
    assert counts(world) == (1, 1, 2)
    services.transfer_accept(
        actor=world.sibling_admin, code=transfer.code.lower(), union=world.sibling_trade
    )
    member.refresh_from_db()
    assert member.status == "active" and member.union == world.sibling_trade
    assert counts(world) == (0, 2, 2)
    assert Member.objects.count() == 2  # a transfer never creates a member
    types = list(member.events.order_by("id").values_list("change_type", flat=True))
    assert types == ["1", "4", "2"]


def test_both_unions_see_the_transfer_in_their_queues(world):
    member = join(world.county_admin, world.county_trade)
    transfer = services.transfer_issue(
        actor=world.county_admin, member=member, to_union=world.sibling_trade
    )
    assert list(selectors.transfers_outgoing(user=world.county_admin)) == [transfer]
    assert list(selectors.transfers_incoming(user=world.sibling_admin)) == [transfer]
    assert not selectors.transfers_incoming(user=world.county_admin).exists()
    assert not selectors.transfers_outgoing(user=world.industry_admin).exists()


def test_certificate_for_a_named_union_cannot_be_taken_by_another(world):
    member = join(world.county_admin, world.county_trade)
    transfer = services.transfer_issue(
        actor=world.county_admin, member=member, to_union=world.sibling_trade
    )
    with pytest.raises(ValidationError) as err:
        services.transfer_accept(
            actor=world.city_admin, code=transfer.code, union=world.industry_trade
        )
    assert "宝丰快递行业工会" in err.value.message_dict["union"][0]


def test_a_code_outside_the_jurisdiction_answers_as_an_unknown_code(world):
    # 工交 sees neither 舞钢 nor 宝丰: the code of a 舞钢→宝丰 transfer tells it nothing, not
    # even where the member is going (the probe read a 宝丰→叶县 transfer from 舞钢).
    member = join(world.county_admin, world.county_trade)
    transfer = services.transfer_issue(
        actor=world.county_admin, member=member, to_union=world.sibling_trade
    )
    assert selectors.transfer_for_code(world.industry_admin, transfer.code) is None
    answers = []
    for code in (transfer.code, "ZJNOTACODE"):
        with pytest.raises(ValidationError) as err:
            services.transfer_accept(
                actor=world.industry_admin, code=code, union=world.industry_trade
            )
        answers.append(err.value.message_dict)
    assert answers[0] == {"code": [answers[1]["code"][0].replace("ZJNOTACODE", transfer.code)]}
    # Either side of the transfer finds it.
    assert selectors.transfer_for_code(world.county_admin, transfer.code) == transfer
    assert selectors.transfer_for_code(world.sibling_admin, transfer.code.lower()) == transfer


def test_open_certificate_accepted_by_code_anywhere(world):
    member = join(world.county_admin, world.county_trade)
    transfer = services.transfer_issue(actor=world.county_admin, member=member)
    services.transfer_accept(
        actor=world.industry_admin, code=transfer.code, union=world.industry_trade
    )
    transfer.refresh_from_db()
    assert transfer.status == "accepted" and transfer.to_union == world.industry_trade


def test_accepting_union_must_be_in_the_acceptors_jurisdiction(world):
    member = join(world.county_admin, world.county_trade)
    transfer = services.transfer_issue(actor=world.county_admin, member=member)
    with pytest.raises(PermissionDenied):
        services.transfer_accept(
            actor=world.industry_admin, code=transfer.code, union=world.sibling_trade
        )


def test_unknown_or_used_code_is_refused(world):
    member = join(world.county_admin, world.county_trade)
    transfer = services.transfer_issue(
        actor=world.county_admin, member=member, to_union=world.sibling_trade
    )
    services.transfer_accept(
        actor=world.sibling_admin, code=transfer.code, union=world.sibling_trade
    )
    for code in (transfer.code, "ZJNOTACODE"):
        with pytest.raises(ValidationError) as err:
            services.transfer_accept(
                actor=world.sibling_admin, code=code, union=world.sibling_trade
            )
        assert "不存在或已办理" in err.value.message_dict["code"][0]


def test_reject_restores_the_previous_status(world):
    member = join(world.county_admin, world.county_trade)
    services.member_retain(actor=world.county_admin, member=member, reason="3")
    transfer = services.transfer_issue(
        actor=world.county_admin, member=member, to_union=world.sibling_trade
    )
    with pytest.raises(ValidationError):
        services.transfer_reject(actor=world.sibling_admin, transfer=transfer, reason=" ")
    with pytest.raises(PermissionDenied):
        services.transfer_reject(actor=world.industry_admin, transfer=transfer, reason="x")
    services.transfer_reject(actor=world.sibling_admin, transfer=transfer, reason="查无此人")
    member.refresh_from_db()
    transfer.refresh_from_db()
    assert member.status == "retained" and member.union == world.county_trade
    assert transfer.status == "rejected" and transfer.rejection_reason == "查无此人"
    assert list(member.events.order_by("id").values_list("change_type", flat=True)) == [
        "1",
        "3",
        "4",
        "91",
    ]


def test_cancel_by_the_outgoing_union(world):
    member = join(world.county_admin, world.county_trade)
    transfer = services.transfer_issue(
        actor=world.county_admin, member=member, to_union=world.sibling_trade
    )
    with pytest.raises(PermissionDenied):
        services.transfer_cancel(actor=world.sibling_admin, transfer=transfer)
    services.transfer_cancel(actor=world.county_admin, transfer=transfer)
    member.refresh_from_db()
    assert member.status == "active"


def test_only_one_pending_transfer_per_member(world):
    member = join(world.county_admin, world.county_trade)
    services.transfer_issue(actor=world.county_admin, member=member)
    with pytest.raises(ValidationError) as err:
        services.transfer_issue(actor=world.county_admin, member=member)
    assert "接转中" in err.value.messages[0]


def test_residence_hold(world):
    member = join(world.county_admin, world.county_trade)
    transfer = services.transfer_issue(
        actor=world.city_admin,
        member=member,
        to_union=world.county_enterprise,
        hold_at_residence=True,
        new_employer="某未建会小微企业",
    )
    services.transfer_accept(
        actor=world.county_admin, code=transfer.code, union=world.county_enterprise
    )
    member.refresh_from_db()
    assert member.union == world.county_enterprise and member.status == "active"
