"""A worker joins and transfers on a phone, and the unions' cadres act on it, in a real browser
(Debian's chromium, headless, phone viewport for the worker, desktop for the cadre)."""

import re

import pytest
from playwright.sync_api import expect

from ruhui.joining.models import Application, ApplicationStatus
from ruhui.joining.services import join_link_for
from ruhui.members.models import Member, MemberStatus
from tests.browser.conftest import login
from tests.factories import PASSWORD
from tests.members.factories import join, make_id_number, make_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
NUMBER_RE = re.compile(r"SQ[2-9A-HJ-NP-Z]{10}")


def phone_page(page_at):
    return page_at(**PHONE)


def cadre_page(page_at, user):
    """A desktop page logged in as a cadre; confirmation dialogs are answered 确定."""
    page = page_at()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, user.username, PASSWORD)
    return page


def application_number(page) -> str:
    match = NUMBER_RE.search(page.locator("main").inner_text())
    assert match, page.locator("main").inner_text()
    return match.group(0)


def status_text(worker, number: str, phone: str) -> str:
    """Look an application up by its number and the phone's last four digits."""
    worker.goto("/join/status/")
    other = worker.get_by_text("查询其他申请")
    if other.count():  # the page already shows this session's application: ask afresh
        other.click()
    worker.fill("input[name=number]", number)
    worker.fill("input[name=phone_tail]", phone[-4:])
    worker.locator("form:has(input[name=number]) button[type=submit]").click()
    worker.wait_for_url("**/join/status/")
    return worker.locator("main").inner_text()


def test_a_worker_joins_by_the_poster_link_and_the_cadre_approves(page_at, world):
    token = join_link_for(world.county_trade).token
    number, phone = make_id_number(), make_phone()

    worker = phone_page(page_at)
    worker.goto(f"/j/{token}/")
    assert world.county_trade.name in worker.locator("main").inner_text()
    worker.fill("input[name=name]", "刘春燕")
    worker.fill("input[name=id_number]", number)
    worker.fill("input[name=phone]", phone)
    worker.select_option("select[name=group]", "02")
    worker.check("input[name=is_migrant_worker][value='1']")
    worker.fill("input[name=employer_name]", "中通快递舞钢分部")
    worker.fill("input[name=work_location]", "舞钢市寺坡街道")
    # Without consent the form comes back with the reason beside the checkbox.
    worker.locator("form button[type=submit]").last.click()
    assert "请阅读《个人信息保护告知》" in worker.locator("main").inner_text()
    assert not Application.objects.exists()
    # The ID number and phone are not written back into the page: the worker types them again.
    assert worker.input_value("input[name=id_number]") == ""
    worker.fill("input[name=id_number]", number)
    worker.fill("input[name=phone]", phone)
    worker.check("input[name=consent]")
    worker.locator("form button[type=submit]").last.click()
    worker.wait_for_url("**/join/submitted/")
    applied = application_number(worker)
    assert number not in worker.url and phone not in worker.url
    # The page fits the phone: nothing wider than the screen.
    assert worker.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    cadre = cadre_page(page_at, world.county_admin)
    cadre.goto("/joining/")
    cadre.get_by_text(applied).click()
    cadre.get_by_role("button", name="批准入会", exact=True).click()
    expect(cadre.locator("main")).to_contain_text("已批准")
    member = Member.objects.get(union=world.county_trade)
    assert member.name == "刘春燕"
    assert member.source == "网上入会"
    cadre.goto(f"/members/{member.pk}/")
    assert member.member_number in cadre.locator("main").inner_text()

    # The worker checks the result with the number and the phone's last four digits.
    assert "已批准" in status_text(worker, applied, phone)


def test_a_member_transfers_from_the_phone_through_both_unions(page_at, world):
    number, phone = make_id_number(), make_phone()
    member = join(
        world.county_admin, world.county_trade, name="马国强", id_number=number, phone=phone
    )
    target = world.sibling_trade
    token = join_link_for(target).token

    worker = phone_page(page_at)
    worker.goto(f"/j/{token}/transfer/")
    assert target.name in worker.locator("main").inner_text()
    worker.fill("input[name=id_number]", number)
    worker.fill("input[name=phone]", phone)
    worker.fill("input[name=member_number]", member.member_number)
    worker.fill("input[name=employer_name]", "宝丰县顺达快运")
    worker.check("input[name=consent]")
    worker.locator("form button[type=submit]").last.click()
    worker.wait_for_url("**/join/submitted/")
    applied = application_number(worker)

    home = cadre_page(page_at, world.county_admin)
    home.goto("/joining/")
    home.get_by_text(applied).click()
    home.get_by_role("button", name="同意转出", exact=True).click()
    expect(home.locator("main")).to_contain_text("待新工会接收")
    member.refresh_from_db()
    assert member.status == MemberStatus.TRANSFERRING

    assert "待新工会接收" in status_text(worker, applied, phone)

    new = cadre_page(page_at, world.sibling_admin)
    new.goto("/joining/")
    new.get_by_text(applied).click()
    new.get_by_role("button", name="接收转入", exact=True).click()
    expect(new.locator("main")).to_contain_text("已转入")
    member.refresh_from_db()
    assert member.union == target
    assert member.status == MemberStatus.ACTIVE
    assert Application.objects.get(number=applied).status == ApplicationStatus.COMPLETED
    assert Member.objects.count() == 1
