"""The demo data: the 2015 table's 16 units plus 科教文卫体工会 and 市直工会, and demo cadres."""

from django.core.management import call_command

from ruhui.accounts.models import User
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import visible_organizations
from ruhui.web.demo import CITY_ORDER, DEMO_PASSWORD


def test_seed_demo_builds_the_city_and_is_idempotent(db):
    call_command("seed_demo", verbosity=0)
    count = Organization.objects.count()
    call_command("seed_demo", verbosity=0)
    assert Organization.objects.count() == count
    city = Organization.objects.get(code="PDS")
    units = Organization.objects.get_children(city)
    assert len(CITY_ORDER) == 18
    assert set(units.values_list("code", flat=True)) == set(CITY_ORDER)
    kinds = set(Organization.objects.values_list("kind", flat=True))
    assert {"enterprise", "trade", "joint", "community", "township", "branch", "group"} <= kinds


def test_demo_logins_see_their_own_units(db, client):
    call_command("seed_demo", verbosity=0)
    wg = User.objects.get(username="wg_admin")
    assert wg.check_password(DEMO_PASSWORD)
    names = set(visible_organizations(wg).values_list("name", flat=True))
    assert "舞钢市总工会" in names and all("宝丰" not in n for n in names)
    pds = User.objects.get(username="pds_admin")
    assert visible_organizations(pds).count() == Organization.objects.count() - 1
    gj = set(
        visible_organizations(User.objects.get(username="gj_admin")).values_list("name", flat=True)
    )
    assert gj == {
        "平顶山市工交工会",
        "平顶山市道路货运行业工会",
        "平顶山市快递行业工会",
        "平顶山市网约送餐员联合工会",
    }
