"""Dashboards and wide tables fit at 1366×768 and at 390 px (issue 15 item 6): no table cuts its
rows (no up-and-down scroll box), the page itself never scrolls sideways — a wide table scrolls
inside its frame, its first column in view — and chart labels stay inside their canvas."""

import os
from pathlib import Path

import pytest

from ruhui.demo.world import DEMO_PASSWORD
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: For each table frame: does it hide rows (taller content than the frame shows)?
CUT_ROWS = """() => Array.from(document.querySelectorAll('.table-wrap')).filter(
  (frame) => frame.scrollHeight > frame.clientHeight + 2).length"""
#: Elements sticking out of the viewport on the right (the page scrolling sideways).
OVERFLOW = """() => document.documentElement.scrollWidth - window.innerWidth"""
#: Rows of every table, and those that are not laid out (display none / zero height).
ROWS = """() => { const rows = Array.from(document.querySelectorAll('table tbody tr'));
  return [rows.length, rows.filter((r) => r.getBoundingClientRect().height === 0).length]; }"""


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
@pytest.mark.parametrize(
    ("user", "path"),
    [
        ("pds_admin", "/campaigns/pds-2015/"),
        ("wg_admin", "/campaigns/pds-2019/"),
        ("pds_admin", "/campaigns/pds-2015/targets/{city}/"),
    ],
)
def test_dashboards_and_tables_fit(page_at, demo, width, height, user, path):
    from ruhui.orgs.models import Organization

    page = page_at(width, height)
    login(page, user, DEMO_PASSWORD)
    page.goto(path.format(city=Organization.objects.get(code="PDS").pk))
    page.wait_for_load_state("networkidle")
    rows, hidden = page.evaluate(ROWS)
    assert rows > 0 and hidden == 0
    assert page.evaluate(CUT_ROWS) == 0
    assert page.evaluate(OVERFLOW) <= 0
    if os.environ.get("RUHUI_SCREENSHOTS"):
        name = path.strip("/").replace("/", "-").replace("{city}", "city")
        shot = Path(os.environ["RUHUI_SCREENSHOTS"]) / f"{name}-{user}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
