"""The demo's 典型经验: on `make demo`, /cases/ shows three published cases of pds-2019 without
login (no ID or phone pattern on the pages), and one more waits for pds_admin to select it."""

import re

from ruhui.cases.models import Case, CaseStatus
from ruhui.cases.personal import find_personal
from ruhui.demo.cases import seed_demo_cases
from ruhui.demo.world import TEST_DEMO_MEMBERS
from tests.demo import module_demo

ID_OR_PHONE = re.compile(r"(?<![0-9])([0-9]{17}[0-9Xx]|[0-9]{15}|1[3-9][0-9]{9})(?![0-9])")


demo_world = module_demo(members=TEST_DEMO_MEMBERS)


def test_three_published_and_one_waiting(demo_world, db):
    cases = Case.objects.filter(campaign__slug="pds-2019")
    assert sorted(cases.values_list("unit__code", "status")) == [
        ("BF", CaseStatus.SUBMITTED),
        ("GJ", CaseStatus.PUBLISHED),
        ("JX", CaseStatus.PUBLISHED),
        ("WG", CaseStatus.PUBLISHED),
    ]
    for case in cases:
        assert find_personal(case.title) is None and find_personal(case.text) is None
        assert case.published_at is None or case.published_at.year == 2019
    assert seed_demo_cases() == {"cases": 4}  # idempotent


def test_the_public_list_shows_them_without_login(demo_world, db, client):
    response = client.get("/cases/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "小哥驿站" in body and "家政服务员" in body and "货车司机之家" in body
    assert "集中入会活动" not in body  # 宝丰's case waits for selection
    assert not ID_OR_PHONE.search(body)
    for case in Case.objects.filter(status=CaseStatus.PUBLISHED):
        page = client.get(f"/cases/{case.slug}/")
        assert page.status_code == 200 and not ID_OR_PHONE.search(page.content.decode())
        photo = case.photos.get()
        image = client.get(f"/cases/{case.slug}/photos/{photo.pk}/")
        assert image.status_code == 200
        b"".join(image.streaming_content)
