"""`make demo` looks like a drive (issue 15 item 8): both campaigns' windows hold the demo
registry's 农民工, so the units sit at varied shares of their targets — some ahead, some behind,
one at 0 with its reason in its task line; the 2015 table is the plan's at 1/100 (its real
figures in every line's 备注, and the plan's own table still checkable); the 2019 target is
decomposed to every county and industry union; the campaign list and every dashboard agree.

The world is seeded once for the module, at the demo's own size (`make demo` loads
`DEMO_MEMBERS`; the design of the drives is for that size), inside a transaction rolled back at
the end; each test runs in a savepoint of it."""

import re

import pytest
from django.urls import reverse

from ruhui.accounts.models import User
from ruhui.campaigns.dashboard import dashboard
from ruhui.campaigns.models import Campaign, Decomposition, Target
from ruhui.campaigns.target_import import target_table_import
from ruhui.campaigns.templatetags.campaigns_tags import count, pct
from ruhui.demo.campaigns import (
    DESIGN_MEMBERS,
    DRIVES,
    GOAL_2019,
    PAUSED_2015,
    PAUSED_2019,
    PLAN_2015,
    SCALE,
    SPLIT_2019,
)
from ruhui.demo.campaigns import (
    TABLE_2015 as PLAN_TABLE_NAME,
)
from ruhui.demo.world import CITY_ORDER, DEMO_MEMBERS
from ruhui.orgs.models import Organization
from tests.demo import module_demo

#: The 2015 task table as printed in the plan (单位, 2014年底农民工会员数, 2015新增任务数).
TABLE_2015 = {
    "舞钢市总工会": (31463, 3500),
    "宝丰县总工会": (54062, 8000),
    "叶县总工会": (41777, 5500),
    "鲁山县总工会": (6479, 1000),
    "郏县总工会": (57562, 7500),
    "卫东区总工会": (10193, 1500),
    "湛河区总工会": (31971, 4500),
    "新华区总工会": (36726, 5000),
    "石龙区总工会": (16536, 2000),
    "新城区工会": (2497, 400),
    "高新区工会": (65, 100),
    "中国平煤神马集团工会": (17442, 3000),
    "平顶山市工交工会": (0, 2000),
    "平顶山市建设工会": (1920, 300),
    "平顶山市财贸工会": (3362, 400),
    "平顶山市轻纺工会": (2848, 300),
}
BELOW_15 = {
    "舞钢市总工会",
    "宝丰县总工会",
    "叶县总工会",
    "郏县总工会",
    "卫东区总工会",
    "湛河区总工会",
    "新华区总工会",
    "石龙区总工会",
    "平顶山市财贸工会",
    "平顶山市轻纺工会",
}
SLUGS = ["pds-2015", "pds-2019"]
PAUSED = {"pds-2015": PAUSED_2015, "pds-2019": PAUSED_2019}
DEMO_LOGINS = ["pds_admin", "wg_admin", "bf_admin", "gj_admin", "wg_viewer"]


def hundredth(figure: int) -> int:
    return int(figure / SCALE + 0.5)


demo_world = module_demo(members=DEMO_MEMBERS)


@pytest.fixture
def demo(demo_world, db):
    return User.objects.get(username="pds_admin")


def city_board(slug: str):
    campaign = Campaign.objects.select_related("owner").get(slug=slug)
    return dashboard(
        user=User.objects.get(username="pds_admin"), campaign=campaign, unit=campaign.owner
    )


# --- 2015: the plan's table at 1/100 ---------------------------------------------------------


def test_the_2015_table_is_the_plans_at_one_hundredth_with_its_figures_in_the_notes(demo, client):
    client.force_login(demo)
    response = client.get(reverse("campaigns:dashboard", args=["pds-2015"]))
    board = response.context["board"]
    shown = {
        row.unit.name: (row.baseline_declared, row.target)
        for row in board.rows
        if row.target is not None
    }
    assert shown == {
        name: (hundredth(baseline), hundredth(target))
        for name, (baseline, target) in TABLE_2015.items()
    }
    notes = {t.unit.name: t.note for t in board.decomposition.targets.values()}
    for name, (baseline, target) in TABLE_2015.items():
        assert notes[name].startswith(f"方案附表原数：基数 {baseline:,} 人，任务 {target:,} 人。")
    # The city's target: 15% of the table's baseline, as the plan asks (the 合计 row adds up).
    assert (board.total.target, board.total.target_note) == (473, "按较基数增长 15% 计算")
    body = response.content.decode()
    assert "分解任务合计 450 人，为基数 3,150 人的 14.29%，低于方案要求的增长 15%" in body
    assert "按 15% 应为 473 人，差 23 人" in body
    assert "平顶山市工交工会：基数为 0，增长率无法计算" in body
    below = {
        c.message.split("：")[0]
        for c in board.decomposition.checks
        if c.code == "unit_growth_below_policy"
    }
    assert below == BELOW_15
    codes = {c.code for c in board.decomposition.checks}
    assert not codes & {"declared_target_total_mismatch", "declared_baseline_total_mismatch"}
    # The scaling is said where the cadre reads the plan: the goal statement, with the plan's
    # own totals.
    for text in ("演示数据", "1/100", "合计行基数 314,906 人", "16 行相加 314,903 人", "47,236"):
        assert text in body
    source = Decomposition.objects.get(campaign__slug="pds-2015", unit__code="PDS").source
    assert "演示数据" in source and "原数的百分之一" in source


def test_the_plans_own_table_still_shows_its_checks(demo):
    """The real table stays in the demo: a check of it (the upload's first step, nothing
    written) finds what the plan's arithmetic gets wrong."""
    campaign = Campaign.objects.get(slug="pds-2015")
    before = list(Target.objects.filter(campaign=campaign).values_list("unit_id", "new_members"))
    report = target_table_import(
        actor=demo, campaign=campaign, path=PLAN_2015, original_name=PLAN_TABLE_NAME, dry_run=True
    )
    messages = " ".join(check.message for check in report.checks)
    assert "合计”行的基数为 314,906 人，各单位基数相加为 314,903 人，相差 3 人" in messages
    assert "分解任务合计 45,000 人，为基数 314,903 人的 14.29%" in messages
    assert "按 15% 应为 47,236 人，差 2,236 人" in messages
    after = list(Target.objects.filter(campaign=campaign).values_list("unit_id", "new_members"))
    assert after == before


# --- both drives: a believable spread --------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_each_drive_has_units_ahead_and_behind_and_one_at_zero_with_its_reason(demo, client, slug):
    board = city_board(slug)
    assert board.timing.state == "finished"
    targeted = [row for row in board.rows if row.target]
    ahead = [row for row in targeted if row.met_target]
    behind = [row for row in targeted if row.behind_pace and row.new_members]
    zero = [row for row in targeted if row.new_members == 0]
    assert len(ahead) >= 3 and len(behind) >= 3, [(r.unit.code, r.pct_of_target) for r in targeted]
    assert all(row.pct_of_target > 100 for row in ahead[:2])  # some clearly ahead
    assert [row.unit.code for row in zero] == [PAUSED[slug][0]]
    # Varied, and the city as a whole close to its target, not at it.
    assert len({row.pct_of_target for row in targeted}) >= 10
    assert min(r.pct_of_target for r in behind) < 70 < 90 < max(r.pct_of_target for r in behind)
    assert 80 <= board.total.pct_of_target < 100
    # The figures are the design (made for the demo's own size), counted from the registry.
    assert DESIGN_MEMBERS == DEMO_MEMBERS
    drive = next(d for d in DRIVES if d.slug == slug)
    counted = {row.unit.code: row.new_members for row in board.rows}
    assert {code: counted.get(code, 0) for code in drive.joined} == drive.joined
    assert board.total.new_members == sum(drive.joined.values())
    # The drive's months: slow at the start, most while it is carried out.
    months = [m["new_members"] for m in board.months]
    assert all(months) and months.index(max(months)) in range(2, 8)  # June–November
    # The reason for the 0: in the unit's task line, where the dashboard holds it and the
    # 任务分解 page (the dashboard's link) shows it.
    unit = zero[0].unit
    reason = PAUSED[slug][1]
    assert reason in board.decomposition.targets[unit.pk].note
    client.force_login(demo)
    city = board.campaign.owner
    page = client.get(reverse("campaigns:targets", args=[slug, city.pk])).content.decode()
    assert reason in page
    # …and under the unit's name on the dashboard itself.
    assert zero[0].target_note and reason in zero[0].target_note
    dashboard = client.get(reverse("campaigns:dashboard", args=[slug])).content.decode()
    assert reason in dashboard


def test_the_zero_units_have_nothing_to_count_in_the_window(demo):
    """新城区 founded its base unions only after the 2015 drive; 石龙区's 农民工 joined before
    or after the 2019 window, none in it."""
    from ruhui.members.models import ChangeType, MembershipEvent

    xinchengqu = Organization.objects.filter(path__startswith=_path("XC")).exclude(code="XC")
    assert xinchengqu.exists()
    assert all(u.founded_on and u.founded_on.year >= 2016 for u in xinchengqu)
    joins = MembershipEvent.objects.filter(
        change_type=ChangeType.JOIN,
        union__path__startswith=_path("SL"),
        member__is_migrant_worker=True,
    )
    assert joins.exists()
    assert not joins.filter(effective_on__range=("2019-04-01", "2019-12-31")).exists()


def _path(code: str) -> str:
    return Organization.objects.get(code=code).path


# --- 2019: decomposed to every county and industry union -------------------------------------


def test_the_2019_target_is_decomposed_to_every_county_and_industry_union(demo, client):
    client.force_login(demo)
    response = client.get(reverse("campaigns:dashboard", args=["pds-2019"]))
    board = response.context["board"]
    assert board.total.target == GOAL_2019 // SCALE == 280
    targets = {row.unit.code: row.target for row in board.rows}
    assert set(targets) == set(CITY_ORDER)  # 11 counties, 平煤神马, 5 industry unions, 市直
    assert targets == {code: planned // SCALE for code, planned in SPLIT_2019.items()}
    assert sum(targets.values()) == board.total.target
    assert board.decomposition.checks == []  # nothing below the goal, nothing missing
    for target in board.decomposition.targets.values():
        assert target.note.startswith("演示拟定") and "方案未附分解表" in target.note
    body = response.content.decode()
    assert "尚未分解" not in body
    assert "目标按方案原数的 1/100 设定为 280 人（方案 28,000 人）" in body
    source = Decomposition.objects.get(campaign__slug="pds-2019", unit__code="PDS").source
    assert source.startswith("演示数据")
    for text in (
        "调查摸底",
        "立项审核",
        "推进实施",
        "考核评比",
        "护工护理员：平顶山市科教文卫体工会",
    ):
        assert text in body


def test_the_industry_union_sees_its_groups_in_2019(demo, client):
    client.force_login(User.objects.get(username="gj_admin"))
    response = client.get(reverse("campaigns:dashboard", args=["pds-2019"]))
    board = response.context["board"]
    assisted = board.assisted
    assert [g["name"] for g in assisted] == ["货车司机", "快递员", "网约送餐员"]
    assert all(g["new_members"] for g in assisted)
    assert (board.total.target, board.total.new_members) == (30, 42)  # 工交 ahead: 140%


# --- the list and the dashboards agree -------------------------------------------------------


def _list_row(body: str, slug: str) -> str:
    rows = re.findall(r"<tr>.*?</tr>", body, flags=re.S)
    [row] = [r for r in rows if f"/campaigns/{slug}/" in r]
    return row


@pytest.mark.parametrize("username", DEMO_LOGINS)
def test_the_campaign_list_and_each_dashboard_agree(demo, client, username):
    """For every demo campaign and each demo login (city, counties, an industry union, a
    read-only cadre): the list's target, new members and share are the dashboard's own."""
    client.force_login(User.objects.get(username=username))
    listing = client.get(reverse("campaigns:list"))
    rows = listing.context["campaigns"]
    assert sorted(c.slug for c in rows) == SLUGS
    body = listing.content.decode()
    for row in rows:
        board = client.get(reverse("campaigns:dashboard", args=[row.slug])).context["board"]
        total = board.total
        assert row.own_unit == board.unit
        assert row.own_target == total.target is not None
        assert row.progress.new_members == total.new_members
        assert row.progress.pct_of_target == total.pct_of_target is not None
        assert (row.progress.met_target, row.progress.behind_pace) == (
            total.met_target,
            total.behind_pace,
        )
        shown = _list_row(body, row.slug)
        assert f">{count(total.target)}</td>" in shown
        assert f">{count(total.new_members)}</td>" in shown
        assert f">{pct(total.pct_of_target)}" in shown
        assert ("未完成" in shown) == total.behind_pace
        assert ("已完成" in shown) == bool(total.met_target)


@pytest.mark.parametrize("slug", SLUGS)
def test_each_units_row_on_the_city_dashboard_is_its_own_dashboard(demo, slug):
    """A unit's row on the city's dashboard and the unit's own dashboard show the same
    target, new members and share (the city's list row is the city's total)."""
    board = city_board(slug)
    campaign = board.campaign
    for row in board.rows:
        own = dashboard(user=demo, campaign=campaign, unit=row.unit).total
        assert (own.target, own.new_members, own.pct_of_target) == (
            row.target,
            row.new_members,
            row.pct_of_target,
        ), row.unit.name
