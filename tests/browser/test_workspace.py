"""A cadre logs in through the real login page and sees the tree of their own jurisdiction."""

import pytest

from ruhui.demo.world import DEMO_PASSWORD
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tree_names(page):
    page.goto("/orgs/tree/")
    return page.locator(".tree .node > a").all_inner_texts()


def test_login_page_is_chinese(page_at, demo):
    page = page_at()
    page.goto("/")
    assert "/accounts/login/" in page.url
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("button", name="登录").is_visible()


def test_county_cadre_sees_only_their_county(page_at, demo):
    page = page_at()
    login(page, "wg_admin", DEMO_PASSWORD)
    names = tree_names(page)
    assert names[0] == "舞钢市总工会"
    assert "舞钢快递行业工会" in names
    assert not [n for n in names if "宝丰" in n or n == "平顶山市总工会"]


def test_city_cadre_sees_the_whole_city(page_at, demo):
    page = page_at()
    login(page, "pds_admin", DEMO_PASSWORD)
    names = tree_names(page)
    assert names[0] == "平顶山市总工会"
    for unit in (
        "舞钢市总工会",
        "宝丰县总工会",
        "高新区工会",
        "中国平煤神马集团工会",
        "平顶山市工交工会",
        "平顶山市科教文卫体工会",
        "平顶山市直工会",
    ):
        assert unit in names


def test_wrong_password_shows_a_chinese_error(page_at, demo):
    page = page_at()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "wg_admin")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert "用户名" in page.locator(".form-errors, .errorlist, [role=alert]").first.inner_text()


def test_phone_width_navigation_collapses_behind_the_menu_button(page_at, demo):
    page = page_at(375, 812)
    login(page, "wg_admin", DEMO_PASSWORD)
    nav_link = page.locator("#sidenav").get_by_role("link", name="组织树")
    assert not nav_link.is_visible()
    page.get_by_role("button", name="菜单").click()
    nav_link.click()
    page.wait_for_url("**/orgs/tree/")
    assert page.locator(".tree").is_visible()
