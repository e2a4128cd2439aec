"""Headless Chromium (Debian's package at /usr/bin/chromium) driven by Playwright for Python.

Locally the browser tests skip with a clear message when chromium is absent; in CI (CI set) a
missing browser is a failure, since .ci/run installs it.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="package")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI is set but /usr/bin/chromium is missing: .ci/run must install it")
        pytest.skip("浏览器测试已跳过：未找到 /usr/bin/chromium（apt-get install -y chromium）")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the tests' own ORM calls are
    # plain synchronous code, so Django's async-safety guard would refuse them. Allowed for
    # this package only and restored after it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _launch(sync_playwright)
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _launch(sync_playwright):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page_at(browser, live_server):
    """`page_at(width, height)` → a fresh page (own cookies) pointed at the live server."""
    contexts = []

    def make(width=1366, height=768):
        context = browser.new_context(
            viewport={"width": width, "height": height}, base_url=live_server.url, locale="zh-CN"
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def login(page, username, password):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


@pytest.fixture
def demo():
    """The demo world, its cadres past their first login."""
    from tests.demo import seed_demo_signed_in

    seed_demo_signed_in()
