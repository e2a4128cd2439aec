"""Counts typed on the campaign pages as people type them (issue 15 item 4): 3,500, 3，500 and
full-width digits are saved as 3500 through the real views; a refused cell names its row and
column in the banner, links to its cell and is the only cell marked invalid; nothing is saved."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from ruhui.audit.models import AuditEvent
from ruhui.campaigns.models import Decomposition, Target


class Page(HTMLParser):
    """The inputs of a page by name (their attributes) and the classes of the cell around each."""

    def __init__(self, body: str):
        super().__init__()
        self.inputs: dict[str, dict] = {}
        self.cell_class: dict[str, str] = {}
        self._td_class = ""
        self.feed(body)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "td":
            self._td_class = attrs.get("class") or ""
        if tag == "input" and attrs.get("name"):
            self.inputs[attrs["name"]] = attrs
            self.cell_class[attrs["name"]] = self._td_class

    def invalid(self) -> list[str]:
        return [name for name, attrs in self.inputs.items() if attrs.get("aria-invalid") == "true"]

    def highlighted(self) -> list[str]:
        return [name for name, cls in self.cell_class.items() if "cell-invalid" in cls.split()]


@pytest.fixture
def page(world, campaign):
    return reverse("campaigns:targets", args=[campaign.slug, world.county.pk])


@pytest.fixture
def cells(world):
    trade, enterprise = world.county_trade.pk, world.county_enterprise.pk
    return {
        "trade_baseline": f"baseline_{trade}",
        "trade_target": f"target_{trade}",
        "enterprise_baseline": f"baseline_{enterprise}",
        "enterprise_target": f"target_{enterprise}",
    }


def saved(world, campaign) -> dict[str, tuple]:
    return {
        t.unit.name: (t.baseline_declared, t.new_members)
        for t in Target.objects.filter(campaign=campaign).select_related("unit")
    }


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("3,500", 3500),
        ("3，500", 3500),
        ("３５００", 3500),
        ("３，５００", 3500),
        (" 3 500 ", 3500),
        ("3,500人", 3500),
        ("3500", 3500),
    ],
)
def test_counts_as_typed_are_saved(world, campaign, as_user, page, cells, typed, number):
    response = as_user(world.county_admin).post(
        page,
        {
            cells["trade_baseline"]: typed,
            cells["trade_target"]: typed,
            cells["enterprise_target"]: "1,200",
            "declared_baseline_total": typed,
            "declared_target_total": "4,700",
        },
    )
    assert response.status_code == 302
    assert saved(world, campaign) == {
        "舞钢快递行业工会": (number, number),
        "舞钢顺达物流有限公司工会": (None, 1200),
    }
    table = Decomposition.objects.get(campaign=campaign, unit=world.county)
    assert (table.declared_baseline_total, table.declared_target_total) == (number, 4700)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("35,00", "「35,00」的逗号（或空格）位置不对"),
        ("3.5", "「3.5」应为整数，不带小数点"),
        ("-5", "「-5」不能为负数"),
        ("约3500", "「约3500」应为不小于 0 的整数"),
    ],
)
def test_a_refused_cell_is_named_marked_and_linked(
    world, campaign, as_user, page, cells, typed, says
):
    writes = AuditEvent.objects.exclude(action=AuditEvent.Action.LOGIN)
    events = writes.count()
    response = as_user(world.county_admin).post(
        page,
        {
            cells["trade_baseline"]: "3,500",
            cells["trade_target"]: typed,
            cells["enterprise_target"]: "１２００",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    # The banner names the row and the column, says how to write it and links to the cell.
    assert f"舞钢快递行业工会 · 新增任务数{says}" in body
    assert "如 3500 或 3,500" in body
    bad = cells["trade_target"]
    assert f'<li id="id_{bad}_error"><a href="#id_{bad}">舞钢快递行业工会 · 新增任务数' in body
    # Only that cell is invalid and highlighted; it points at its message.
    parsed = Page(body)
    assert parsed.invalid() == [bad]
    assert parsed.highlighted() == [bad]
    assert parsed.inputs[bad]["aria-describedby"] == f"id_{bad}_error"
    assert parsed.inputs[bad]["id"] == f"id_{bad}"
    assert parsed.inputs[bad]["aria-label"] == "舞钢快递行业工会 新增任务数"
    assert parsed.inputs[bad]["inputmode"] == "numeric"
    assert parsed.inputs[bad].get("type") == "text"
    # What was typed is shown again as typed, the bad cell and the good ones.
    assert parsed.inputs[bad]["value"] == typed
    assert parsed.inputs[cells["trade_baseline"]]["value"] == "3,500"
    assert parsed.inputs[cells["enterprise_target"]]["value"] == "１２００"
    # Nothing saved.
    assert not Target.objects.filter(campaign=campaign).exists()
    assert not Decomposition.objects.filter(campaign=campaign).exists()
    assert writes.count() == events


def test_every_refused_cell_is_listed_in_table_order(world, campaign, as_user, page, cells):
    response = as_user(world.county_admin).post(
        page,
        {
            cells["enterprise_target"]: "1,2",
            cells["trade_baseline"]: "abc",
            "declared_target_total": "4.700",
        },
    )
    body = response.content.decode()
    assert "有 3 处填写有误" in body
    found = re.findall(r'<li id="id_(\w+)_error"><a href="#id_\1">([^<]+)</a></li>', body)
    assert [name for name, _text in found] == [
        cells["trade_baseline"],
        cells["enterprise_target"],
        "declared_target_total",
    ]
    assert found[0][1].startswith("舞钢快递行业工会 · 基数「abc」")
    assert found[1][1].startswith("舞钢顺达物流有限公司工会 · 新增任务数「1,2」")
    assert found[2][1].startswith("合计（分解表申报） · 新增任务数「4.700」")
    parsed = Page(body)
    assert sorted(parsed.invalid()) == sorted(name for name, _text in found)
    assert sorted(parsed.highlighted()) == sorted(name for name, _text in found)
    assert 'class="row-invalid"' in body


def test_a_note_too_long_is_named_with_its_column(world, campaign, as_user, page, cells):
    note = f"note_{world.county_trade.pk}"
    body = (
        as_user(world.county_admin)
        .post(page, {cells["trade_target"]: "3", note: "长" * 201})
        .content.decode()
    )
    assert "舞钢快递行业工会 · 备注：" in body
    assert Page(body).invalid() == [note]


def test_a_good_page_has_no_invalid_cell(world, campaign, as_user, page):
    body = as_user(world.county_admin).get(page).content.decode()
    parsed = Page(body)
    assert parsed.invalid() == [] and parsed.highlighted() == []
    assert "cell-errors" not in body
    assert "人数可写作 3500、3,500、3，500" in body


# --- the campaign form's goals -------------------------------------------------------------


def _campaign_post(campaign, **goals) -> dict:
    data = {
        "name": campaign.name,
        "year": campaign.year,
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat(),
        "baseline_on": campaign.baseline_on.isoformat(),
        "goal_growth_pct": "15",
        "migrant_only": "on",
    }
    for prefix in ("phases", "milestones", "assignments"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data | goals


def test_campaign_goals_as_typed_are_saved(world, campaign, as_user):
    url = reverse("campaigns:edit", args=[campaign.slug])
    client = as_user(world.city_admin)
    page = Page(client.get(url).content.decode())
    assert page.inputs["goal_new_members"]["inputmode"] == "numeric"
    assert page.inputs["goal_new_members"].get("type") == "text"
    response = client.post(
        url, _campaign_post(campaign, goal_new_members="１２，０００人", goal_new_unions="30 个")
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.goal_new_members, campaign.goal_new_unions) == (12000, 30)


def test_a_refused_campaign_goal_is_named(world, campaign, as_user):
    url = reverse("campaigns:edit", args=[campaign.slug])
    response = as_user(world.city_admin).post(
        url, _campaign_post(campaign, goal_new_members="12,00", goal_new_unions="30人")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "新发展会员目标（人）「12,00」的逗号（或空格）位置不对" in body
    assert "新建基层工会目标（个）「30人」应为不小于 0 的整数" in body  # a union is 个
    page = Page(body)
    assert sorted(page.invalid()) == ["goal_new_members", "goal_new_unions"]
    assert page.inputs["goal_new_members"]["value"] == "12,00"
    campaign.refresh_from_db()
    assert campaign.goal_new_members == 100
