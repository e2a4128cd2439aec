"""A county cadre lands on a workbench that says what to do today, and each count opens its
list (issue 15 item 1), at desk and phone widths."""

import os
from pathlib import Path

import pytest

from ruhui.demo.world import DEMO_PASSWORD
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_the_workbench_lists_todays_work_and_opens_it(page_at, demo, width, height):
    page = page_at(width, height)
    login(page, "wg_admin", DEMO_PASSWORD)
    assert page.get_by_role("heading", name="今日待办").is_visible()
    joins = page.locator('[data-todo="joins"] a')
    count = int(joins.locator(".todo-count").inner_text())
    assert count > 0  # the demo has applications waiting at 舞钢
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if os.environ.get("RUHUI_SCREENSHOTS"):
        shot = Path(os.environ["RUHUI_SCREENSHOTS"]) / f"workbench-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
    joins.click()
    page.wait_for_url("**/joining/**")
    rows = page.locator("table tbody tr")
    # The queue opens on the applications waiting at 舞钢: as many rows as the count (a page
    # holds 50).
    assert rows.count() == min(count, 50)
