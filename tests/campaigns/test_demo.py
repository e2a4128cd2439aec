"""`make demo`: the 2015 campaign shows the 16 units of the plan's task table with their declared
baselines and targets, and every check that table fails; the 2019 campaign its plan."""

import pytest
from django.urls import reverse

from ruhui.accounts.models import User
from tests.demo import seed_demo_signed_in

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


@pytest.fixture
def demo(db):
    seed_demo_signed_in(members=300)
    return User.objects.get(username="pds_admin")


def test_the_2015_dashboard_shows_the_table_and_its_failed_checks(demo, client):
    client.force_login(demo)
    response = client.get(reverse("campaigns:dashboard", args=["pds-2015"]))
    board = response.context["board"]
    shown = {
        row.unit.name: (row.baseline_declared, row.target)
        for row in board.rows
        if row.target is not None
    }
    assert shown == TABLE_2015
    body = response.content.decode()
    # The plan's own 合计 row says 314,906; its sixteen lines add up to 314,903.
    assert "合计”行的基数为 314,906 人，各单位基数相加为 314,903 人，相差 3 人" in body
    assert "分解任务合计 45,000 人，为基数 314,903 人的 14.29%，低于方案要求的增长 15%" in body
    assert "按 15% 应为 47,236 人，差 2,236 人" in body
    assert "平顶山市工交工会：基数为 0，增长率无法计算" in body
    below = {
        c.message.split("：")[0]
        for c in board.decomposition.checks
        if c.code == "unit_growth_below_policy"
    }
    assert below == BELOW_15
    codes = {c.code for c in board.decomposition.checks}
    assert "declared_target_total_mismatch" not in codes  # 45,000 both ways
    # Growth shown as "—" for the zero baseline, never infinity.
    gongjiao = next(r for r in board.rows if r.unit.name == "平顶山市工交工会")
    assert gongjiao.target_growth_pct is None


def test_the_2019_dashboard_shows_its_plan(demo, client):
    client.force_login(demo)
    response = client.get(reverse("campaigns:dashboard", args=["pds-2019"]))
    body = response.content.decode()
    assert "平顶山市总工会的任务 28,000 人尚未分解到下级单位" in body
    for text in (
        "调查摸底",
        "立项审核",
        "推进实施",
        "考核评比",
        "护工护理员：平顶山市科教文卫体工会",
    ):
        assert text in body
    assert response.context["board"].total.target == 28000


def test_the_industry_union_sees_its_groups_in_2019(demo, client):
    client.force_login(User.objects.get(username="gj_admin"))
    response = client.get(reverse("campaigns:dashboard", args=["pds-2019"]))
    assisted = response.context["board"].assisted
    assert [g["name"] for g in assisted] == ["货车司机", "快递员", "网约送餐员"]
