"""In the browser: the organization tree opens a branch in place (an htmx request for its
children) and closes it again, with aria-expanded saying which; the roster's 全选本页 ticks
every row and the dues are recorded after the confirmation page."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ruhui.demo.world import DEMO_PASSWORD
from ruhui.members.models import Member
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_tree_starts_short_and_opens_a_branch_in_place(page_at, demo):
    page = page_at()
    login(page, "pds_admin", DEMO_PASSWORD)
    page.goto("/orgs/tree/")
    tree = page.locator(".tree")
    # Only the city and the units directly under it: the page stays short.
    expect(tree).to_contain_text("舞钢市总工会")
    expect(tree).not_to_contain_text("舞钢快递行业工会")
    assert page.evaluate("document.documentElement.scrollHeight") < 2000
    # With scripts the toggles are shown and the no-JS links hidden.
    expect(page.locator(".tree-open").first).to_be_hidden()
    toggle = page.get_by_role("button", name="舞钢市总工会的下级组织")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    with page.expect_request("**/children/") as request:
        toggle.click()
    assert request.value.headers.get("hx-request") == "true"
    branch = page.locator(f"#{toggle.get_attribute('aria-controls')}")
    expect(branch).to_contain_text("舞钢快递行业工会")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    # A branch loaded by htmx has its own working toggles.
    inner = page.get_by_role("button", name="舞钢网约送餐员联合工会的下级组织")
    inner.click()
    expect(page.locator(f"#{inner.get_attribute('aria-controls')}")).to_contain_text("分会")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(branch).to_be_hidden()
    toggle.click()  # opened again: shown at once, not fetched again
    expect(branch).to_be_visible()


def test_tree_search_finds_a_deep_unit(page_at, demo):
    page = page_at()
    login(page, "wg_admin", DEMO_PASSWORD)
    page.goto("/orgs/tree/")
    page.get_by_role("searchbox").fill("第一工会小组")
    page.get_by_role("button", name="查找").click()
    results = page.locator(".tree-results")
    expect(results).to_contain_text("舞钢美团外卖配送站第一工会小组")
    expect(results).to_contain_text("舞钢网约送餐员联合工会")  # on its path
    page.get_by_role("link", name="在组织树中查看").first.click()
    expect(page.locator(".tree li.current")).to_contain_text("第一工会小组")


def test_dues_for_a_whole_page_at_once(page_at, demo):
    page = page_at()
    login(page, "wg_admin", DEMO_PASSWORD)
    page.goto("/members/?status=held")
    rows = page.locator("input[name=members]")
    count = rows.count()
    assert count > 0
    ids = [int(rows.nth(i).get_attribute("value")) for i in range(count)]
    page.get_by_role("checkbox", name="全选本页在册会员").check()
    assert all(rows.nth(i).is_checked() for i in range(count))
    rows.first.uncheck()  # one row cleared: 全选 shows "some"
    assert page.evaluate("document.querySelector('[data-select-all]').indeterminate")
    rows.first.check()
    page.get_by_role("button", name="下一步：核对").click()
    expect(page.locator("main")).to_contain_text(f"勾选的会员（{count} 名）")
    page.get_by_role("button", name="确认记录会费").click()
    page.wait_for_url("**/members/?status=held")
    expect(page.locator(".messages")).to_contain_text("名会员记录")
    today = timezone.localdate()
    assert Member.objects.filter(pk__in=ids, last_dues_paid_on=today).count() == count
