"""The cast every view test uses: a city with two sibling counties and an industry union.

河南省总工会 (province)
  └ 平顶山市总工会 (city)            ← city_admin
      ├ 舞钢市总工会 (county A)      ← county_admin, county_viewer (只读)
      │   ├ 舞钢快递行业工会
      │   └ 舞钢顺达物流有限公司工会
      ├ 宝丰县总工会 (county B)      ← sibling_admin
      │   └ 宝丰快递行业工会
      └ 平顶山市工交工会 (industry)  ← industry_admin
          └ 平顶山市道路货运行业工会
"""

from types import SimpleNamespace

import pytest
from django.core.cache import caches

from ruhui.accounts.models import Role
from ruhui.core.changes import records_changed
from ruhui.orgs.choices import OrgKind
from tests import figures_report, pii_scan
from tests.factories import OrganizationFactory, UserFactory
from tests.figures_report import figure  # noqa: F401 (the figures every run prints)
from tests.profiles import production_env  # noqa: F401 (a fixture for every test module)


def pytest_configure(config):
    pii_scan.register(config)  # the personal-data scan of every response, log record and URL


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    figures_report.terminal_summary(terminalreporter, config)


@pytest.fixture(autouse=True)
def clean_cache():
    """Rate-limit counters, answered human checks and import progress live in the cache: none
    may leak from one test into another (the browser tests' live server shares the process)."""
    caches["default"].clear()
    caches["progress"].clear()  # job ids repeat once a test's transaction is rolled back
    yield
    caches["default"].clear()
    caches["progress"].clear()


@pytest.fixture
def signals():
    """The `since` of every records_changed sent while the test runs."""
    sent = []

    def receiver(sender, since=None, **kwargs):
        sent.append(since)

    records_changed.connect(receiver, dispatch_uid="test-signals")
    yield sent
    records_changed.disconnect(dispatch_uid="test-signals")


@pytest.fixture(autouse=True)
def job_files(settings, tmp_path):
    """Import/export files of every test go to its own temporary folder (removed after)."""
    settings.RUHUI_JOB_FILES = tmp_path / "jobs"
    settings.RUHUI_ATTACHMENTS = tmp_path / "attachments"
    return settings.RUHUI_JOB_FILES


@pytest.fixture
def world(db):
    province = OrganizationFactory(
        name="河南省总工会", code="HN", kind=OrgKind.PROVINCE_FEDERATION, division_code="410000"
    )
    city = OrganizationFactory(
        parent=province,
        name="平顶山市总工会",
        code="PDS",
        kind=OrgKind.CITY_FEDERATION,
        division_code="410400",
    )
    county = OrganizationFactory(
        parent=city,
        name="舞钢市总工会",
        code="WG",
        kind=OrgKind.COUNTY_FEDERATION,
        division_code="410481",
    )
    county_trade = OrganizationFactory(
        parent=county,
        name="舞钢快递行业工会",
        code="WG-KD",
        kind=OrgKind.TRADE,
        division_code="410481",
    )
    county_enterprise = OrganizationFactory(
        parent=county, name="舞钢顺达物流有限公司工会", code="WG-E1", division_code="410481"
    )
    sibling = OrganizationFactory(
        parent=city,
        name="宝丰县总工会",
        code="BF",
        kind=OrgKind.COUNTY_FEDERATION,
        division_code="410421",
    )
    sibling_trade = OrganizationFactory(
        parent=sibling,
        name="宝丰快递行业工会",
        code="BF-KD",
        kind=OrgKind.TRADE,
        division_code="410421",
    )
    industry = OrganizationFactory(
        parent=city,
        name="平顶山市工交工会",
        code="GJ",
        kind=OrgKind.INDUSTRY_UNION,
        division_code="410400",
    )
    industry_trade = OrganizationFactory(
        parent=industry,
        name="平顶山市道路货运行业工会",
        code="GJ-HY",
        kind=OrgKind.TRADE,
        division_code="410400",
    )
    return SimpleNamespace(
        province=province,
        city=city,
        county=county,
        county_trade=county_trade,
        county_enterprise=county_enterprise,
        sibling=sibling,
        sibling_trade=sibling_trade,
        industry=industry,
        industry_trade=industry_trade,
        city_admin=UserFactory(username="city_admin", organization=city),
        county_admin=UserFactory(username="county_admin", organization=county),
        county_viewer=UserFactory(
            username="county_viewer", organization=county, role=Role.READONLY
        ),
        sibling_admin=UserFactory(username="sibling_admin", organization=sibling),
        industry_admin=UserFactory(username="industry_admin", organization=industry),
    )


@pytest.fixture
def as_user(client):
    """`as_user(user)` → a test client logged in as that user."""

    def login(user):
        client.logout()
        client.force_login(user)
        return client

    return login
