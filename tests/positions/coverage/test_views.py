"""Pages of coverage, the 空壳 list and the 倾斜 list: the allowed / read-only / sibling triangle,
the export, and the campaign dashboard panel (five queries)."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ruhui.campaigns.models import Campaign
from ruhui.positions.panels import dashboard_panel
from tests.positions.coverage.conftest import activity, groups, position

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def example(world):
    world.county_trade.groups.set(groups("02"))
    position(world.county_trade, name="舞钢小哥驿站")
    activity(world.county_trade, on=D(2019, 7, 1), counts={"02": 3}, amount="500.00")
    position(world.sibling_trade, name="宝丰驿站")
    return world


@pytest.mark.parametrize("name", ["positions:coverage", "positions:shells", "positions:priority"])
def test_triangle(as_user, example, name):
    url = reverse(name)
    assert as_user(example.county_admin).get(url).status_code == 200
    assert as_user(example.county_viewer).get(url).status_code == 200  # read-only pages
    own = {"unit": example.county.pk}
    assert as_user(example.county_viewer).get(url, own).status_code == 200
    assert as_user(example.sibling_admin).get(url, own).status_code == 404
    assert as_user(example.sibling_admin).get(url, {"unit": "x"}).status_code == 404


def test_coverage_page_and_export(as_user, example):
    client = as_user(example.county_admin)
    period = {"start": "2019-01-01", "end": "2019-12-31"}
    text = client.get(reverse("positions:coverage"), period).content.decode()
    assert "舞钢市" in text and "500.00" in text and "按群体" in text
    assert "宝丰县" not in text
    bad = client.get(reverse("positions:coverage"), {"start": "2019-12-31", "end": "2019-01-01"})
    assert "开始日期晚于结束日期" in bad.content.decode()
    response = client.get(reverse("positions:coverage"), {**period, "format": "xlsx"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["按行政区划", "按群体"]
    rows = list(book["按行政区划"].values)
    assert rows[0][0] == "行政区划" and rows[1][0] == "舞钢市"
    assert rows[1][1] == 1 and rows[1][8] == 500.0
    assert rows[-1][0] == "合计"
    groups_sheet = {r[0]: r for r in book["按群体"].values}
    assert groups_sheet["快递员"][6] == 3


def test_priority_unknown_campaign_is_404(as_user, example):
    client = as_user(example.county_admin)
    assert client.get(reverse("positions:priority"), {"campaign": "nope"}).status_code == 404


def test_dashboard_panel(as_user, example):
    campaign = Campaign.objects.create(
        owner=example.city, slug="pds-2019", name="2019集中行动", year=2019,
        starts_on=D(2019, 4, 1), ends_on=D(2019, 12, 31),
    )  # fmt: skip
    user = example.county_admin
    user.organization  # noqa: B018 (loaded by the dashboard before its panels)
    with CaptureQueriesContext(connection) as queries:
        _template, context = dashboard_panel(campaign, example.county, user)
    assert len(queries) <= 5
    assert context["figures"].total.activities == 1
    assert context["figures"].start == D(2019, 4, 1)
    assert context["figures"].end == max(D(2019, 12, 31), timezone.localdate())
    body = as_user(user).get(reverse("campaigns:dashboard", args=[campaign.slug]))
    text = body.content.decode()
    assert "服务阵地与服务" in text and "查看覆盖情况" in text
