"""New campaign in Chromium: rows added in place with 添加一行 and saved together (issue 15 item 5)."""

import pytest

from ruhui.campaigns.models import Campaign
from ruhui.demo.world import DEMO_PASSWORD
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_phases_added_in_place_are_saved_together(page_at, demo):
    page = page_at()
    login(page, "pds_admin", DEMO_PASSWORD)
    page.goto("/campaigns/new/")
    page.fill("input[name=name]", "农民工入会集中行动（2027）")
    page.fill("input[name=year]", "2027")
    page.fill("input[name=starts_on]", "2027-03-01")
    page.fill("input[name=ends_on]", "2027-12-31")
    page.fill("input[name=baseline_on]", "2026-12-31")
    page.fill("input[name=goal_new_members]", "3,000")
    phases = page.locator('[data-formset="phases"]')
    rows = [("宣传发动", "2027-03-01", "2027-04-30"), ("推进实施", "2027-05-01", "2027-10-31")]
    rows.append(("总结交流", "2027-11-01", "2027-12-31"))
    for n, (name, start, end) in enumerate(rows):
        if n:
            phases.get_by_role("button", name="添加一行").click()
        page.fill(f"input[name=phases-{n}-name]", name)
        page.fill(f"input[name=phases-{n}-starts_on]", start)
        page.fill(f"input[name=phases-{n}-ends_on]", end)
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/campaigns/pds-2027/")
    campaign = Campaign.objects.get(slug="pds-2027")
    assert [p.name for p in campaign.phases.order_by("starts_on")] == [r[0] for r in rows]
