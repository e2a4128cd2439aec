"""The demo's 空壳 list and 倾斜 list: on `make demo`, pds_admin sees exactly the two 空壳
candidates on /positions/shells/ and the social workers' 倾斜 list on /positions/priority/."""

from django.urls import reverse

from ruhui.accounts.models import User
from ruhui.demo import shells as demo_shells
from ruhui.demo.world import TEST_DEMO_MEMBERS
from ruhui.positions.priority import campaigns_for, priority_list
from ruhui.positions.shells import shell_candidates
from tests.demo import module_demo

demo_world = module_demo(members=TEST_DEMO_MEMBERS)


def test_pds_admin_sees_the_two_candidates(demo_world, db, client):
    city = User.objects.get(username="pds_admin")
    rows = shell_candidates(user=city).rows
    assert sorted(row.union.name for row in rows) == [
        "叶县盐都物流有限公司工会",
        "宝丰县城关镇马街村工会",
    ]
    for row in rows:
        assert row.members == 0 and row.last_activity is None
        assert len(row.reasons) == 3
    client.force_login(city)
    body = client.get(reverse("positions:shells")).content.decode()
    assert "宝丰县城关镇马街村工会" in body and "叶县盐都物流有限公司工会" in body
    assert demo_shells.seed() == {"candidates": 2}  # idempotent


def test_the_priority_list_is_meaningful(demo_world, db, client):
    city = User.objects.get(username="pds_admin")
    campaign = campaigns_for(city)[0]
    rows = priority_list(user=city, campaign=campaign)
    assert len(rows) >= 10
    assert rows[0].recruited > 0
    assert [r.recruited for r in rows] == sorted((r.recruited for r in rows), reverse=True)
    staffed = {code for code, *_rest in demo_shells.SOCIAL_WORKERS}
    assert not staffed & {r.union.code for r in rows}
    client.force_login(city)
    body = client.get(reverse("positions:priority")).content.decode()
    assert rows[0].union.name in body
