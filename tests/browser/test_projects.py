"""The review chain of an action plan in a real browser: the county submits, the city returns it
with an opinion, the county sees the opinion and resubmits, the city consolidates."""

import pytest

from ruhui.projects import services
from ruhui.projects.choices import PlanStatus
from ruhui.projects.models import ActionPlan
from tests.browser.conftest import login
from tests.factories import PASSWORD
from tests.projects.factories import build_project, make_campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def cadre_page(page_at, user):
    page = page_at()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, user.username, PASSWORD)
    return page


def test_submit_return_resubmit_consolidate(page_at, world):
    drive = make_campaign(world)
    plan = services.plan_open(actor=world.county_admin, campaign=drive)
    build_project(world.county_admin, plan, groups=[])  # a flushed database has no 八大群体 rows
    url = f"/projects/{drive.slug}/plans/{world.county.pk}/"

    county = cadre_page(page_at, world.county_admin)
    county.goto(url)
    county.get_by_role("button", name="报送行动计划").click()
    county.wait_for_selector(".messages >> nth=0")
    assert "已报送" in county.locator(".messages").first.inner_text()
    assert "该行动计划已报送市总，不能修改" in county.locator("main").inner_text()

    city = cadre_page(page_at, world.city_admin)
    city.goto(url)
    city.get_by_role("button", name="退回修改").click()  # no opinion: refused in Chinese
    assert "退回修改时请填写意见" in city.locator("main").inner_text()
    city.fill("textarea[name=opinion]", "请补充责任人电话")
    city.get_by_role("button", name="退回修改").click()
    city.wait_for_selector(".messages >> nth=0")
    assert ActionPlan.objects.get(pk=plan.pk).status == PlanStatus.RETURNED

    county.goto(url)
    assert "请补充责任人电话" in county.locator("main").inner_text()
    county.get_by_role("button", name="报送行动计划").click()
    county.wait_for_selector(".messages >> nth=0")
    assert ActionPlan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED

    city.goto(url)
    city.get_by_role("button", name="汇总").click()
    city.wait_for_selector(".messages >> nth=0")
    assert "已汇总" in city.locator(".messages").first.inner_text()
    assert ActionPlan.objects.get(pk=plan.pk).status == PlanStatus.CONSOLIDATED
