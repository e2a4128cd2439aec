"""Self-service transfer from the public pages (issue 5 item 6): identity check (ID number +
phone + member number) → a transfer application the current union approves first."""

import pytest
from django.urls import reverse

from ruhui.joining import services
from ruhui.joining.models import Application, ApplicationKind, ApplicationStatus
from tests.members.factories import join, make_id_number, make_phone

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(world):
    """A member of 舞钢顺达物流有限公司工会 who now works for a courier."""
    id_number, phone = make_id_number(), make_phone()
    member = join(world.county_admin, world.county_enterprise, id_number=id_number, phone=phone)
    member.credentials = {
        "id_number": id_number,
        "phone": phone,
        "member_number": member.member_number,
    }
    return member


def transfer_url(link):
    return reverse("join:transfer", args=[link.token])


def body_for(member, **changes):
    return {
        **member.credentials,
        "employer_name": "顺丰速运舞钢营业部",
        "work_location": "舞钢市垭口街道",
        "consent": "on",
        **changes,
    }


def test_form_names_the_new_union(client, link):
    response = client.get(transfer_url(link))
    body = response.content.decode()
    assert response.status_code == 200
    assert "转会到舞钢快递行业工会" in body and "会员号" in body
    assert "同意工会为办理转会处理上述个人信息" in body


def test_verified_member_starts_a_transfer(client, world, link, member):
    response = client.post(transfer_url(link), body_for(member))
    assert response.status_code == 302 and response["Location"] == reverse("join:submitted")
    application = Application.objects.get()
    assert application.kind == ApplicationKind.TRANSFER
    assert application.status == ApplicationStatus.PENDING
    assert application.from_union == world.county_enterprise
    assert application.union == world.county_trade and application.member == member
    assert application.consent_version == services.PRIVACY_NOTICE_VERSION
    assert application.employer_name == "顺丰速运舞钢营业部"
    body = client.get(response["Location"]).content.decode()
    assert "转会申请已提交" in body and application.number in body
    assert "待原工会同意转出" in client.get(reverse("join:status")).content.decode()


@pytest.mark.parametrize("field", ["phone", "member_number", "id_number"])
def test_any_mismatch_gives_the_generic_message(client, link, member, field):
    wrong = {"phone": make_phone(), "member_number": "4104812026999999"}
    wrong["id_number"] = make_id_number()
    response = client.post(transfer_url(link), body_for(member, **{field: wrong[field]}))
    assert response.status_code == 400
    assert services.MSG_IDENTITY in response.content.decode()
    assert not Application.objects.exists()


def test_without_consent_400_and_no_row(client, link, member):
    response = client.post(transfer_url(link), body_for(member, consent=""))
    assert response.status_code == 400
    assert services.MSG_CONSENT in response.content.decode()
    assert not Application.objects.exists()


def test_already_in_that_union(client, world, member):
    link = services.join_link_for(world.county_enterprise)
    response = client.post(transfer_url(link), body_for(member))
    assert response.status_code == 400
    assert services.MSG_TRANSFER_SAME in response.content.decode()


def test_a_second_request_while_one_is_open(client, link, member):
    client.post(transfer_url(link), body_for(member))
    response = client.post(transfer_url(link), body_for(member))
    assert response.status_code == 400
    assert services.MSG_ALREADY_TRANSFERRING in response.content.decode()
    assert Application.objects.count() == 1


def test_unknown_token(client, member):
    response = client.post(reverse("join:transfer", args=["nope"]), body_for(member))
    assert response.status_code == 404 and "二维码无效" in response.content.decode()
