"""Coverage figures equal hand-computed ones on a built dataset of ten enterprises, and every
selector returns only the user's enterprises."""

import datetime
from types import SimpleNamespace

import pytest

from ruhui.enterprises import selectors, services
from ruhui.enterprises.models import Enterprise
from tests.enterprises.factories import make_enterprise, make_uscc, survey
from tests.members.factories import join

ON = datetime.date(2026, 3, 1)


@pytest.fixture
def dataset(world):
    """Ten enterprises (figures: employees / members / built / latest survey complete):

    舞钢 (county) responsible, 410481:
      e1 物流 G [01]       100 / 3 (own new union)     built   complete
      e2 快递 G [02]        50 / 2 (shared trade, uscc)  built   complete
      e3 快递 G [02,06]     20 / 1 (shared trade, name)  built   incomplete (no attitude)
      e4 家政 O []           — / —                        none    never surveyed
      e5 物业 K [08]        30 / —                        none    complete
      e6 商场 F [05]        10 / —                        prep.   incomplete (no township)
      e10 工厂 C []         15 / —  (survey says built, not linked)   complete
    宝丰 (sibling): e7 快递 G [02] 40, none, complete
    工交 (industry), 410402: e8 货运 G [01] 25 / 2 (sole trade union), built, complete;
                             e9 货运 G [01] 5, none, complete
    """
    w = world
    ca, sa, ia = w.county_admin, w.sibling_admin, w.industry_admin
    wg = {"division_code": "410481", "township": "垭口街道"}

    def make(actor, unit, name, industry, groups, **extra):
        return make_enterprise(actor, unit, name=name, industry=industry, groups=groups, **extra)

    e1 = make(ca, w.county, "舞钢鹰城物流有限公司", "G", "01", **wg)
    e2 = make(ca, w.county, "舞钢中通快递有限公司", "G", "02", uscc=make_uscc(), **wg)
    e3 = make(ca, w.county, "舞钢韵达快递服务部", "G", "02、06", **wg)
    e4 = make(ca, w.county, "舞钢好帮手家政服务部", "O", "", **wg)
    e5 = make(ca, w.county, "舞钢安居物业服务有限公司", "K", "08", **wg)
    e6 = make(ca, w.county, "舞钢丹尼斯百货", "F", "05", division_code="410481")
    e10 = make(ca, w.county, "舞钢钢铁配件厂", "C", "", **wg)
    e7 = make(
        sa, w.sibling, "宝丰圆通速递分部", "G", "02", division_code="410421", township="城关镇"
    )
    e8 = make(
        ia,
        w.industry,
        "平顶山通达货运有限公司",
        "G",
        "01",
        division_code="410402",
        township="矿工路街道",
    )
    e9 = make(
        ia,
        w.industry,
        "平顶山个体货运车队",
        "G",
        "01",
        division_code="410402",
        township="矿工路街道",
    )

    def done(actor, e, total, status="未建会", **extra):
        survey(actor, e, ON, union_status=status, employees_total=total, migrant_workers=0, **extra)

    built = {"reason": "", "legal_rep_attitude": ""}
    done(ca, e1, 100)
    done(ca, e2, 50)
    done(ca, e3, 20, legal_rep_attitude="")
    done(ca, e5, 30)
    done(ca, e6, 10, status="筹建中")
    done(ca, e10, 15, status="已建会", **built)
    done(sa, e7, 40)
    done(ia, e8, 25)
    done(ia, e9, 5)

    services.union_build(actor=ca, enterprise=e1, parent=w.county, on=ON)
    for e in (e2, e3):
        services.union_build(actor=ca, enterprise=e, union=w.county_trade, on=ON)
    services.union_build(actor=ia, enterprise=e8, union=w.industry_trade, on=ON)
    e1.refresh_from_db()
    for _ in range(3):
        join(ca, e1.union)
    join(ca, w.county_trade, employer_uscc=e2.uscc)
    join(ca, w.county_trade, employer_name="舞钢中通快递有限公司")
    join(ca, w.county_trade, employer_name="舞钢韵达快递服务部")
    join(ca, w.county_trade, employer_name="不相干的单位")
    join(ia, w.industry_trade)
    join(ia, w.industry_trade)
    return SimpleNamespace(world=w, e=[None, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10])


def figures(row):
    return (
        row.enterprises,
        row.surveyed,
        row.unionised,
        row.complete,
        row.employees,
        row.members,
    )


def test_totals_for_the_city(dataset):
    total = selectors.coverage(user=dataset.world.city_admin).total
    # enterprises 10, surveyed 9 (not e4), unionised e1 e2 e3 e8 e10 = 5,
    # complete: all surveyed except e3, e6 = 7; employees 295; members 3+2+1+2 = 8.
    assert figures(total) == (10, 9, 5, 7, 295, 8)
    assert total.unionised_rate == pytest.approx(0.5)
    assert total.membership_rate == pytest.approx(8 / 295)
    assert total.completeness_rate == pytest.approx(0.7)


def test_by_responsible_unit(dataset):
    rows = {
        r.label: r
        for r in selectors.coverage(user=dataset.world.city_admin, by="responsible_unit").rows
    }
    assert figures(rows["舞钢市总工会"]) == (7, 6, 4, 4, 225, 6)
    assert figures(rows["宝丰县总工会"]) == (1, 1, 0, 1, 40, 0)
    assert figures(rows["平顶山市工交工会"]) == (2, 2, 1, 2, 30, 2)


def test_by_division_industry_and_group(dataset):
    admin = dataset.world.city_admin
    by_division = {r.key: r for r in selectors.coverage(user=admin, by="division").rows}
    assert by_division["410481"].label == "舞钢市"
    assert figures(by_division["410402"]) == (2, 2, 1, 2, 30, 2)
    by_industry = {r.key: r for r in selectors.coverage(user=admin, by="industry").rows}
    # G: e1 e2 e3 e7 e8 e9
    assert figures(by_industry["G"]) == (6, 6, 4, 5, 240, 8)
    assert by_industry["O"].membership_rate is None  # no employees known: n/a
    by_group = {r.key: r for r in selectors.coverage(user=admin, by="group").rows}
    # 快递员 02: e2 e3 e7; 网约送餐员 06: e3; 货车司机 01: e1 e8 e9; none: e4 e10
    assert figures(by_group["02"]) == (3, 3, 2, 2, 110, 3)
    assert figures(by_group["06"]) == (1, 1, 1, 0, 20, 1)
    assert figures(by_group["01"]) == (3, 3, 2, 3, 130, 5)
    assert by_group[""].label == "未标注群体" and by_group[""].enterprises == 2


def test_coverage_runs_a_constant_number_of_queries(dataset, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        selectors.coverage(user=dataset.world.city_admin, by="group")


def test_jurisdiction_of_every_selector(dataset):
    w, e = dataset.world, dataset.e

    def pks(qs):
        return {x.pk for x in qs}

    county = pks(selectors.enterprise_list(user=w.county_admin))
    assert county == {e[i].pk for i in (1, 2, 3, 4, 5, 6, 10)}
    assert pks(selectors.enterprise_list(user=w.sibling_admin)) == {e[7].pk}
    assert pks(selectors.enterprise_list(user=w.industry_admin)) == {e[8].pk, e[9].pk}
    assert len(pks(selectors.enterprise_list(user=w.city_admin))) == 10
    assert selectors.coverage(user=w.sibling_admin).total.enterprises == 1
    assert pks(selectors.worklist(user=w.industry_admin)) == {e[9].pk}
    assert pks(selectors.alerts(user=w.sibling_admin).threshold) == {e[7].pk}
    assert pks(selectors.alerts(user=w.county_admin).threshold) == {e[5].pk}
    assert pks(selectors.alerts(user=w.industry_admin).overdue) == {e[8].pk, e[9].pk}
    # A city-level grassroots union sees the enterprise it covers, not its neighbours.
    from tests.factories import UserFactory

    trade_cadre = UserFactory(organization=w.industry_trade)
    assert pks(selectors.enterprise_list(user=trade_cadre)) == {e[8].pk}
    assert selectors.enterprise_list(user=UserFactory(organization=None)).count() == 0


def test_list_filters(dataset):
    admin, e = dataset.world.city_admin, dataset.e
    assert {x.pk for x in selectors.enterprise_list(user=admin, group="06")} == {e[3].pk}
    assert {x.pk for x in selectors.enterprise_list(user=admin, q="中通")} == {e[2].pk}
    assert {x.pk for x in selectors.enterprise_list(user=admin, q=e[2].uscc.lower())} == {e[2].pk}
    assert selectors.enterprise_list(user=admin, union_status="not_built").count() == 5
    assert selectors.enterprise_list(user=admin, division="410402").count() == 2
    assert selectors.enterprise_list(user=admin, division="410400").count() == 10  # the city
    assert selectors.enterprise_list(user=admin, responsible_unit=dataset.world.county).count() == 7
    assert Enterprise.objects.count() == 10
