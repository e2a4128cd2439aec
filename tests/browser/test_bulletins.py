"""Issue 17's browser test in Chromium: a county submits its month, the city writes, generates
and publishes the 11-30 通报, and its .docx downloads with the 18 units ranked."""

import hashlib

import pytest

from ruhui.demo.projects import SLUG
from ruhui.demo.world import DEMO_PASSWORD
from ruhui.orgs.models import Organization
from ruhui.reports.models import Bulletin, MonthlyReport
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_county_reports_and_the_city_publishes_a_bulletin(page_at, demo, tmp_path):
    county = page_at()
    login(county, "wg_admin", DEMO_PASSWORD)
    wg = Organization.objects.get(code="WG")
    county.goto(f"/reports/{SLUG}/{wg.pk}/2019-11/")
    county.get_by_role("button", name="开始填报").click()
    county.fill(
        "textarea[name=progress]",
        "十一月份在快递网点集中开展入会宣传，新建网约车司机联合工会一个。",
    )
    county.once("dialog", lambda dialog: dialog.accept())
    county.get_by_role("button", name="报送平顶山市总工会").click()
    county.wait_for_selector("text=已向平顶山市总工会报送")
    report = MonthlyReport.objects.get(campaign__slug=SLUG, unit=wg, month="2019-11")
    assert report.status == "submitted"

    city = page_at()
    login(city, "pds_admin", DEMO_PASSWORD)
    city.goto(f"/reports/{SLUG}/bulletins/")
    city.locator("a[href$='?cut_off=2019-11-30']").click()
    city.fill("input[name=number]", "平工组〔2019〕21号")
    city.get_by_role("button", name="建立草稿").click()
    city.wait_for_selector("text=已建立通报草稿")
    city.get_by_role("button", name="生成文件").click()
    city.wait_for_selector("a:has-text('Word 文档')")
    city.once("dialog", lambda dialog: dialog.accept())
    city.get_by_role("button", name="发布", exact=True).click()
    city.wait_for_selector("text=已发布：数据和文件已固定")
    bulletin = Bulletin.objects.get(campaign__slug=SLUG, cut_off="2019-11-30")
    assert bulletin.status == "published"
    with city.expect_download() as download_info:
        city.get_by_role("link", name="Word 文档").click()
    path = tmp_path / "bulletin.docx"
    download_info.value.save_as(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == bulletin.files["docx"]["sha256"]
    from docx import Document

    (table,) = Document(str(path)).tables
    assert len(table.rows) == 19  # the header and the 18 units
