"""A cadre opens the campaign dashboards in a real browser: the charts draw (ECharts under the
CSP, no console errors), the 2015 table's failed checks show, a figure opens the people behind
it, and a county sets its own decomposition on the targets page."""

import pytest

from ruhui.demo.world import DEMO_PASSWORD
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_city_dashboard_draws_its_charts_and_checks(page_at, demo):
    page = page_at()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    login(page, "pds_admin", DEMO_PASSWORD)
    page.goto("/campaigns/pds-2015/")
    page.wait_for_selector("#chart-months svg")
    assert page.locator("#chart-groups svg").count() == 1
    assert page.locator("#chart-units svg").count() == 1
    checks = page.locator(".checks").inner_text()
    assert "3,150" in checks and "14.29%" in checks and "工交工会：基数为 0" in checks
    assert page.locator(".units-table tbody tr").count() >= 16
    assert problems == []
    # The 新发展会员 card opens the people behind the figure, as many as it says.
    figure = page.locator(".stat", has_text="新发展会员").locator(".stat-value").inner_text()
    page.locator(".stat", has_text="新发展会员").click()
    page.wait_for_url("**/campaigns/pds-2015/members/**")
    assert page.locator("main p strong").first.inner_text() == figure


def test_a_county_decomposes_its_target(page_at, demo):
    page = page_at()
    login(page, "wg_admin", DEMO_PASSWORD)
    page.goto("/campaigns/pds-2015/")
    page.get_by_role("link", name="任务分解").click()
    row = page.locator(".targets-table tr", has_text="舞钢快递行业工会")
    row.locator("input").nth(1).fill("4000")
    page.get_by_role("button", name="保存任务分解").click()
    page.wait_for_selector(".messages")
    assert "任务分解已保存" in page.locator(".messages").inner_text()
    assert (
        page.locator(".targets-table tr", has_text="舞钢快递行业工会")
        .locator("input")
        .nth(1)
        .input_value()
        == "4000"
    )
    # 4,000 for one sub-unit against the county's 3,500: the check passes, none is shown.
    assert "少于" not in page.content()


def test_the_dashboard_on_a_phone_fits_the_screen(page_at, demo):
    page = page_at(390, 844)
    login(page, "wg_admin", DEMO_PASSWORD)
    page.goto("/campaigns/pds-2015/")
    page.wait_for_selector("#chart-months svg")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
