"""The user guide's screenshots (docs/guide/img/): the main page of each guide file, opened on the
demo data as the cadre the guide speaks to, at a desk width (issue 15).

Each page must be the Chinese page it claims to be, fit a 1366-pixel window and show no debug
text. With RUHUI_SCREENSHOTS set to a directory (`make screenshots`), each page is also saved
there as <image>.png — the window only, not the full page, so the files stay small — and the
world is the one `make demo` loads, whose figures the guide quotes.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from ruhui.demo.world import DEMO_PASSWORD
from ruhui.orgs.models import Organization
from tests.browser.conftest import login
from tests.demo import seed_demo_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 1366, 768
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guide"
DEBUG_TEXT = ("Traceback", "Page not found", "Server Error")


@dataclass(frozen=True)
class Shot:
    guide: str  # docs/guide/<guide>.md embeds the image
    image: str
    user: str | None  # a demo cadre, or None: not signed in
    url: str  # "{WG}" stands for the pk of the organization with that code
    heading: str  # in the page's h1


SHOTS = [
    Shot("workbench", "workbench", "wg_admin", "/", "工作台"),
    Shot("organizations", "org-tree", "wg_admin", "/orgs/tree/", "组织树"),
    Shot("members", "member-list", "wg_admin", "/members/", "会员名册"),
    Shot("joining", "join-queue", "wg_admin", "/joining/", "入会审核"),
    Shot("joining-public", "join-home", None, "/join/", "工会网上入会"),
    Shot("enterprises", "enterprise-list", "wg_admin", "/enterprises/", "企业名录"),
    Shot("enterprises", "enterprise-alerts", "pds_admin", "/enterprises/alerts/", "动态监控预警"),
    Shot(
        "campaigns",
        "campaign-dashboard",
        "pds_admin",
        "/campaigns/pds-2019/",
        "农民工及灵活就业人员建会入会集中行动（2019）",
    ),
    Shot("projects", "project-consolidated", "pds_admin", "/projects/pds-2019/", "项目清单汇总"),
    Shot(
        "projects",
        "project-plan",
        "wg_admin",
        "/projects/pds-2019/plans/{WG}/",
        "舞钢市总工会“项目清单+责任制”行动计划",
    ),
    Shot("reports", "report-matrix", "pds_admin", "/reports/pds-2019/matrix/", "月报报送情况"),
    Shot("reports", "bulletin-list", "pds_admin", "/reports/pds-2019/bulletins/", "通报"),
    Shot("assessment", "assessment-ranking", "pds_admin", "/assessment/pds-2019/", "考核评比"),
    Shot("cases", "cases-manage", "pds_admin", "/cases/manage/", "典型经验"),
    Shot("cases", "cases-public", None, "/cases/", "典型经验"),
    Shot("jobs", "job-list", "wg_admin", "/jobs/", "后台任务"),
    Shot("administration", "audit-log", "pds_admin", "/accounts/audit/", "审计日志"),
    Shot("administration", "account-security", "pds_security", "/accounts/security/", "账号安全"),
    Shot("administration", "twofactor-enrol", "pds_security", "/accounts/2fa/", "启用两步验证"),
    Shot("imports", "member-import", "wg_admin", "/imports/", "导入会员花名册"),
    Shot("login", "login", None, "/accounts/login/", "登录"),
]


class _OrgPk(dict):
    """`"{WG}".format_map(_OrgPk())` → the pk of the organization coded WG."""

    def __missing__(self, code):
        return Organization.objects.get(code=code).pk


@pytest.fixture
def guide_world(request, settings):
    """The tests' small demo world (300 members, 60 enterprises); for the saved screenshots, the
    full one of `make demo` (3,000 and 360), since the guide quotes its dashboards' figures."""
    if not os.environ.get("RUHUI_SCREENSHOTS"):
        request.getfixturevalue("demo")
        return
    settings.TESTING = False  # read only by the demo's sizes (demo_member_count and the like)
    seed_demo_signed_in()


@pytest.mark.parametrize("shot", SHOTS, ids=[s.image for s in SHOTS])
def test_guide_page(page_at, guide_world, shot):
    page = page_at(WIDTH, HEIGHT)
    if shot.user:
        login(page, shot.user, DEMO_PASSWORD)
    response = page.goto(shot.url.format_map(_OrgPk()))
    assert response.ok, f"{shot.url}: HTTP {response.status}"
    page.wait_for_load_state("networkidle")

    heading = page.locator("h1").first
    assert heading.is_visible()
    assert shot.heading in heading.inner_text()
    text = page.locator("body").inner_text()
    assert not [t for t in DEBUG_TEXT if t in text]
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert f"(img/{shot.image}.png)" in (GUIDE / f"{shot.guide}.md").read_text(encoding="utf-8")

    if os.environ.get("RUHUI_SCREENSHOTS"):
        page.screenshot(path=str(Path(os.environ["RUHUI_SCREENSHOTS"]) / f"{shot.image}.png"))
