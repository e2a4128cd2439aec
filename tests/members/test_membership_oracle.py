"""One person, one membership, without a lookup across counties: the refusal names the union and
member number that hold a person only to an asker whose jurisdiction covers that union. Outside
it, the form, the API, an import's rows, its result workbook and its job page all give the same
words, whoever holds the person (the probe read 宝丰's union and number from 舞钢's forms)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from ruhui.accounts.services import token_create
from ruhui.jobs.models import Job
from ruhui.members.models import Member
from ruhui.members.services import MSG_ALREADY_MEMBER_ELSEWHERE, MSG_TRANSFERRING_ELSEWHERE
from tests.importing.test_member_import import good_row, roster, run
from tests.members.factories import join, make_id_number

pytestmark = pytest.mark.django_db

ELSEWHERE = str(MSG_ALREADY_MEMBER_ELSEWHERE)


@pytest.fixture
def held(world):
    """ID numbers held in 宝丰 (sibling county), 工交 (an industry union) and 舞钢 (local)."""
    people = {}
    for key, admin, union in [
        ("bf", world.sibling_admin, world.sibling_trade),
        ("gj", world.industry_admin, world.industry_trade),
        ("wg", world.county_admin, world.county_enterprise),
    ]:
        number = make_id_number()
        people[key] = (number, join(admin, union, id_number=number))
    return people


def _form_error(client, world, id_number) -> tuple[int, str]:
    response = client.post(
        reverse("members:create"),
        {"union": world.county_trade.pk, "name": "刘洋", "id_number": id_number},
    )
    body = response.content.decode()
    found = re.search(r'id="id_id_number_error"><p>(.*?)</p>', body, re.S)
    return response.status_code, (found.group(1).strip() if found else body)


def test_the_form_answers_a_foreign_holder_the_same_whoever_it_is(world, as_user, held):
    client = as_user(world.county_admin)
    answers = {key: _form_error(client, world, held[key][0]) for key in ("bf", "gj")}
    assert answers["bf"] == answers["gj"] == (200, ELSEWHERE)
    for key in ("bf", "gj"):
        member = held[key][1]
        body = client.post(
            reverse("members:create"),
            {"union": world.county_trade.pk, "name": "刘洋", "id_number": held[key][0]},
        ).content.decode()
        assert member.union.name not in body and member.member_number not in body
    assert Member.objects.count() == 3


def test_the_form_names_a_holder_inside_the_jurisdiction(world, as_user, held):
    local = held["wg"][1]
    status, message = _form_error(as_user(world.county_admin), world, held["wg"][0])
    assert status == 200
    assert local.union.name in message and local.member_number in message
    # The city covers 宝丰: its cadre is told where the person is.
    foreign = held["bf"][1]
    status, message = _form_error(as_user(world.city_admin), world, held["bf"][0])
    assert foreign.union.name in message and foreign.member_number in message


def test_an_unknown_number_registers(world, as_user):
    response = as_user(world.county_admin).post(
        reverse("members:create"),
        {"union": world.county_trade.pk, "name": "刘洋", "id_number": make_id_number()},
    )
    assert response.status_code == 302


def test_the_api_409_is_the_same_for_every_foreign_holder(world, client, held):
    token = token_create(actor=world.county_admin, name="测试")[1]
    bodies = []
    for key in ("bf", "gj", "wg"):
        response = client.post(
            "/api/v1/members",
            {"union": "WG-KD", "name": "刘洋", "id_number": held[key][0]},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response.status_code == 409
        bodies.append(response.json())
    assert bodies[0] == bodies[1] == {"detail": ELSEWHERE}
    assert held["wg"][1].member_number in bodies[2]["detail"]


def test_import_rows_result_workbook_and_job_page(
    world, as_user, held, tmp_path, django_capture_on_commit_callbacks
):
    rows = [good_row(id=held["bf"][0]), good_row(id=held["gj"][0]), good_row(id=held["wg"][0])]
    path = roster(tmp_path / "花名册.xlsx", rows)
    summary = run(world, path, dry_run=True)
    messages = [e["message"] for e in summary.errors]
    assert messages[:2] == [ELSEWHERE, ELSEWHERE]
    assert held["wg"][1].member_number in messages[2]

    client = as_user(world.county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("importing:upload"),
            {
                "union": world.county_trade.pk,
                "file": SimpleUploadedFile(path.name, path.read_bytes()),
            },
        )
    job = Job.objects.filter(kind="member_import").get()
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    report = b"".join(client.get(reverse("jobs:result", args=[job.pk])).streaming_content)
    result = tmp_path / "result.xlsx"
    result.write_bytes(report)
    cells = "\n".join(
        str(cell)
        for sheet in CalamineWorkbook.from_path(str(result)).sheet_names
        for row in CalamineWorkbook.from_path(str(result)).get_sheet_by_name(sheet).to_python()
        for cell in row
    )
    for text in (page, cells):
        assert ELSEWHERE in text
        for key in ("bf", "gj"):
            member = held[key][1]
            assert member.union.name not in text and member.member_number not in text


def test_a_foreign_transfer_in_progress_is_not_named_either(world, held, tmp_path):
    from ruhui.members.services import transfer_issue

    number, member = held["bf"]
    transfer_issue(actor=world.sibling_admin, member=member, to_union=world.industry_trade)
    summary = run(world, roster(tmp_path / "r.xlsx", [good_row(id=number)]), dry_run=True)
    assert [e["message"] for e in summary.errors] == [str(MSG_TRANSFERRING_ELSEWHERE)]
