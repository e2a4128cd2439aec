"""A cadre uploads a roster, reads the check on the job page and confirms it, in Chromium."""

import os
from pathlib import Path

import pytest

from ruhui.demo.world import DEMO_PASSWORD
from ruhui.jobs.models import Job
from ruhui.members.models import Member
from ruhui.orgs.models import Organization
from tests.browser.conftest import login
from tests.importing.test_member_import import good_row, roster

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_roster_is_checked_then_confirmed_on_the_job_page(page_at, demo, tmp_path):
    path = roster(tmp_path / "快递网点花名册.xlsx", [good_row(), good_row(), good_row(phone="12")])
    before = Member.objects.count()
    page = page_at()
    login(page, "wg_admin", DEMO_PASSWORD)
    page.goto("/imports/")
    union = Organization.objects.get(name="舞钢快递行业工会")
    page.select_option("select[name=union]", value=str(union.pk))
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url("**/jobs/*/")
    page.wait_for_selector(".stats")
    text = page.locator("main").inner_text()
    assert "检查结果：快递网点花名册.xlsx" in text and "尚未写入任何数据" in text
    assert "核对：数据行 3 = 新增 2 + 更新 0 + 未导入 1" in text
    assert "手机号码" in page.locator("table").inner_text()
    if os.environ.get("RUHUI_SCREENSHOTS"):
        page.screenshot(path=str(Path(os.environ["RUHUI_SCREENSHOTS"]) / "job-check.png"))
    assert Member.objects.count() == before
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_selector("text=导入结果：快递网点花名册.xlsx")
    assert "已新增" in page.locator(".stats").inner_text()
    assert Member.objects.count() == before + 2
    commit = Job.objects.filter(kind="member_import").latest("pk")
    check = commit.parent
    assert check.dry_run and check.original_name == "快递网点花名册.xlsx"
    # The check now links to its commit and offers no second confirm.
    page.goto(f"/jobs/{check.pk}/")
    assert page.get_by_role("button", name="确认导入").count() == 0
    assert page.get_by_role("link", name="查看导入结果").count() == 1
    page.goto("/jobs/")
    listing = page.locator("main").inner_text()
    assert "快递网点花名册.xlsx" in listing and "舞钢快递网点会员花名册（第二批）.csv" in listing
    if os.environ.get("RUHUI_SCREENSHOTS"):
        page.screenshot(path=str(Path(os.environ["RUHUI_SCREENSHOTS"]) / "job-list.png"))
