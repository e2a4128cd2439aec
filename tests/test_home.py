"""The workbench figures come from the records of the viewer's own subtree."""

import datetime
import re

from django.urls import reverse

from ruhui.members import services
from tests.members.factories import join


def figures(client) -> dict[str, str]:
    body = client.get(reverse("workbench:home")).content.decode()
    pairs = re.findall(r'stat-label">([^<]+)</span>\s*<span class="stat-value">([^<]+)<', body)
    return {label.strip(): value.strip() for label, value in pairs}


def test_member_figures_follow_the_registry(world, as_user):
    today = datetime.date.today()
    join(world.county_admin, world.county_trade, on=today, is_migrant_worker="是")
    join(world.county_admin, world.county_trade, on=today)
    gone = join(world.county_admin, world.county_enterprise, on=today.replace(month=1, day=1))
    services.member_withdraw(actor=world.county_admin, member=gone)
    join(world.sibling_admin, world.sibling_trade, on=today)
    shown = figures(as_user(world.county_admin))
    assert shown["在册会员（在籍、保留、接转中）"] == "2"
    assert shown[f"{today.year} 年新发展会员（入会）"] == "3"
    assert shown["其中农民工"] == "1"
    assert figures(as_user(world.city_admin))[f"{today.year} 年新发展会员（入会）"] == "4"
