"""Counts typed as people type them, in a real browser (issue 15 item 4): on the targets page a
county types 3,500 and a slip (35,00); the banner names the row and column, the cell is marked,
the banner's link puts the cursor in that cell, and once corrected 3,500 is saved as 3500."""

import pytest

from ruhui.demo.world import DEMO_PASSWORD
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_slip_in_the_decomposition_is_named_and_reachable(page_at, demo):
    page = page_at()
    login(page, "wg_admin", DEMO_PASSWORD)
    page.goto("/campaigns/pds-2015/")
    page.get_by_role("link", name="任务分解").click()
    row = page.locator(".targets-table tr", has_text="舞钢快递行业工会")
    row.locator("input").nth(0).fill("3,500")
    row.locator("input").nth(1).fill("35,00")
    page.get_by_role("button", name="保存任务分解").click()
    banner = page.locator(".cell-errors")
    banner.wait_for()
    assert "舞钢快递行业工会 · 新增任务数「35,00」的逗号（或空格）位置不对" in banner.inner_text()
    row = page.locator(".targets-table tr", has_text="舞钢快递行业工会")
    bad = row.locator("input").nth(1)
    assert bad.get_attribute("aria-invalid") == "true"
    assert row.locator("td.cell-invalid").count() == 1
    assert row.locator("input").nth(0).input_value() == "3,500"  # kept as typed
    # The banner's link puts the cursor in the cell.
    banner.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.name") == bad.get_attribute("name")
    bad.fill("3，500")
    page.get_by_role("button", name="保存任务分解").click()
    page.wait_for_selector(".messages")
    assert "任务分解已保存" in page.locator(".messages").inner_text()
    row = page.locator(".targets-table tr", has_text="舞钢快递行业工会")
    assert row.locator("input").nth(0).input_value() == "3500"
    assert row.locator("input").nth(1).input_value() == "3500"
