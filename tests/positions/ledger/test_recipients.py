"""The people an activity served: a member matched by the ID number's blind index (only the link
and a masked name kept), a non-member counted with nothing kept, GB 11643 refusals with the
registry's message, and 帮扶/法律援助 recipients hidden from clerks."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ruhui.core import idnumber
from ruhui.positions import ledger_selectors as selectors
from ruhui.positions import ledger_services as services
from ruhui.positions.models import ServiceRecipient
from tests.members.factories import make_id_number
from tests.positions.ledger.conftest import activity_data


def test_member_matched_by_blind_index(cast):
    # Typed with spaces and a lower-case x: normalised, then found by the hash, not by a scan.
    number = cast.courier_number
    typed = f"{number[:6]} {number[6:14]} {number[14:]}".lower()
    recipient = services.recipient_add(actor=cast.clerk, activity=cast.activity, id_number=typed)
    assert recipient.member_id == cast.courier.pk
    assert recipient.is_member
    assert recipient.masked_name == "李*递"
    assert recipient.group == "02"  # the member's group when none is chosen
    stored = ServiceRecipient.objects.filter(pk=recipient.pk).values().get()
    assert number not in str(stored) and "李快递" not in str(stored)


def test_non_member_kept_anonymous(cast):
    stranger = make_id_number()
    recipient = services.recipient_add(
        actor=cast.clerk, activity=cast.activity, id_number=stranger, name="赵路人", group="06"
    )
    row = ServiceRecipient.objects.filter(pk=recipient.pk).values().get()
    assert row["member_id"] is None and row["is_member"] is False
    assert row["masked_name"] == "" and row["group"] == "06"
    assert stranger not in str(row) and "赵" not in str(row)


def test_a_person_without_number_is_counted(cast):
    recipient = services.recipient_add(actor=cast.clerk, activity=cast.activity)
    assert not recipient.is_member and recipient.masked_name == ""


def test_bad_id_number_gets_the_registry_message(cast):
    bad = cast.courier_number[:17] + ("0" if cast.courier_number[17] != "0" else "1")
    with pytest.raises(ValidationError) as caught:
        services.recipient_add(actor=cast.clerk, activity=cast.activity, id_number=bad)
    with pytest.raises(idnumber.IdNumberError) as expected:
        idnumber.parse(bad)
    assert caught.value.message_dict["id_number"] == [expected.value.message_for("身份证号")]
    assert bad not in caught.value.message_dict["id_number"][0]


def test_a_member_is_listed_once(cast):
    services.recipient_add(actor=cast.clerk, activity=cast.activity, id_number=cast.courier_number)
    with pytest.raises(ValidationError) as caught:
        services.recipient_add(
            actor=cast.clerk, activity=cast.activity, id_number=cast.courier_number
        )
    assert "没有重复登记" in caught.value.message_dict["id_number"][0]


def test_name_that_does_not_match_is_refused(cast):
    with pytest.raises(ValidationError) as caught:
        services.recipient_add(
            actor=cast.clerk, activity=cast.activity, id_number=cast.courier_number, name="李四"
        )
    assert "不一致" in caught.value.message_dict["name"][0]


def test_readonly_and_sibling_may_not_add(cast):
    for actor in (cast.world.county_viewer, cast.world.sibling_admin):
        with pytest.raises(PermissionDenied):
            services.recipient_add(actor=actor, activity=cast.activity)


@pytest.fixture
def hardship(cast):
    activity = services.activity_create(
        actor=cast.clerk, data=activity_data(cast.world, kind="hardship", group_counts={})
    )
    services.recipient_add(actor=cast.clerk, activity=activity, id_number=cast.guard_number)
    services.recipient_add(actor=cast.clerk, activity=activity)
    return activity


def test_hardship_recipients_hidden_from_clerks(cast, hardship):
    assert selectors.recipient_list(user=cast.clerk, activity=hardship) == []
    assert not selectors.recipients_visible(cast.clerk, hardship)
    assert selectors.recipient_counts(hardship) == {"listed": 2, "members": 1, "others": 1}
    assert len(selectors.recipient_list(user=cast.reviewer, activity=hardship)) == 2
    assert len(selectors.recipient_list(user=cast.world.county_admin, activity=hardship)) == 2
    # Other kinds: a clerk sees who was served.
    services.recipient_add(actor=cast.clerk, activity=cast.activity)
    assert len(selectors.recipient_list(user=cast.clerk, activity=cast.activity)) == 1


def test_hardship_page_shows_clerks_the_count_only(cast, hardship, as_user):
    page = as_user(cast.clerk).get(f"/positions/activities/{hardship.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "已登记 2 人" in text and "王*安" not in text
    page = as_user(cast.reviewer).get(f"/positions/activities/{hardship.pk}/")
    assert "王*安" in page.content.decode()


def test_clerk_may_not_remove_a_hidden_recipient(cast, hardship, as_user):
    recipient = ServiceRecipient.objects.filter(activity=hardship).first()
    response = as_user(cast.clerk).post(f"/positions/recipients/{recipient.pk}/remove/")
    assert response.status_code == 403
    assert ServiceRecipient.objects.filter(pk=recipient.pk).exists()
