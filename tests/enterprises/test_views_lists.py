"""The list's filters and cascade, the worklist, the alerts page and the coverage dashboard,
whose figures equal the selector's and whose links open exactly the enterprises behind them."""

import datetime
from html import unescape

from django.urls import reverse

from ruhui.enterprises import selectors, services
from tests.enterprises.factories import make_enterprise, survey


def _names(response) -> set[str]:
    body = response.content.decode()
    return {
        n
        for n in ("舞钢顺达快递有限公司", "舞钢安居物业服务有限公司", "宝丰圆通速递分部")
        if n in body
    }


def test_list_filters_and_cascade(places, as_user):
    w = places.world
    client = as_user(w.city_admin)
    url = reverse("enterprises:list")
    assert _names(client.get(url)) == {
        "舞钢顺达快递有限公司",
        "舞钢安居物业服务有限公司",
        "宝丰圆通速递分部",
    }
    assert _names(client.get(url, {"division": "410481"})) == {
        "舞钢顺达快递有限公司",
        "舞钢安居物业服务有限公司",
    }
    page = client.get(url, {"division": "410421"})
    # The cascade: with 宝丰 chosen, the township list offers 宝丰's towns only.
    towns = [v for v, _label in page.context["form"].fields["township"].choices]
    assert towns == ["", "城关镇"]
    assert _names(client.get(url, {"township": "垭口街道"})) == {"舞钢顺达快递有限公司"}
    assert _names(client.get(url, {"park": places.park.pk})) == {"舞钢顺达快递有限公司"}
    assert _names(client.get(url, {"park": "none", "division": "410481"})) == {
        "舞钢安居物业服务有限公司"
    }
    assert _names(client.get(url, {"group": "02", "industry": "G"})) == {"舞钢顺达快递有限公司"}
    assert _names(client.get(url, {"union_status": "not_built", "q": "圆通"})) == {
        "宝丰圆通速递分部"
    }
    assert _names(client.get(url, {"q": places.shunda.uscc})) == {"舞钢顺达快递有限公司"}
    assert _names(client.get(url, {"responsible_unit": w.sibling.pk})) == {"宝丰圆通速递分部"}
    body = client.get(url, {"division": "410481"}).content.decode()
    assert "共 <strong>2</strong> 家企业，职工 <strong>30</strong> 人" in body
    assert "舞钢市 · 垭口街道" in body  # the location column names the county, not the province


def test_list_reports_a_bad_filter_and_ignores_it(places, as_user):
    client = as_user(places.world.county_admin)
    response = client.get(reverse("enterprises:list"), {"industry": "Z9"})
    body = response.content.decode()
    assert "此条件未生效" in body and "舞钢顺达快递有限公司" in body


def test_worklist_orders_by_workers_and_marks_overdue(places, as_user):
    w = places.world
    client = as_user(w.county_admin)
    response = client.get(reverse("enterprises:worklist"))
    rows = list(response.context["page_obj"])
    assert [e.name for e in rows] == ["舞钢顺达快递有限公司", "舞钢安居物业服务有限公司"]
    body = response.content.decode()
    assert "2026-04-01" in body and "已逾期" in body and 'class="overdue"' in body
    assert (
        f"{reverse('enterprises:detail', kwargs={'enterprise_pk': places.shunda.pk})}#build" in body
    )
    city = as_user(w.city_admin)
    by_unit = city.get(reverse("enterprises:worklist"), {"unit": w.sibling.pk})
    assert [e.name for e in by_unit.context["page_obj"]] == ["宝丰圆通速递分部"]
    # The export button posts the same filters (the export runs as a job).
    body = by_unit.content.decode()
    assert f'action="{reverse("enterprise_import:worklist_export")}"' in body
    assert f'<input type="hidden" name="unit" value="{w.sibling.pk}">' in body
    assert 'name="overdue_first"' not in body.split('action="')[1].split("</form>")[0]


def test_alerts_page_shows_the_three_lists(places, as_user):
    client = as_user(places.world.county_admin)
    response = client.get(reverse("enterprises:alerts"))
    body = response.content.decode()
    # 顺达: 18 → 30 crossed 25 on 2026-03-01 (新达到) and changed sharply; 安居 never surveyed.
    threshold = list(response.context["threshold"])
    assert [e.name for e in threshold] == ["舞钢顺达快递有限公司"]
    assert threshold[0].crossed_on == datetime.date(2026, 3, 1)
    assert "新达到" in body
    assert [e.name for e in response.context["sharp"]] == ["舞钢顺达快递有限公司"]
    assert "舞钢安居物业服务有限公司" in [e.name for e in response.context["overdue"]]
    assert "从未排查" in body


def test_coverage_figures_equal_the_selector_and_link_to_their_rows(places, as_user):
    w = places.world
    ca = w.county_admin
    extra = make_enterprise(ca, w.county, name="舞钢鑫源商贸有限公司", township="垭口街道")
    built = {"union_status": "已建会", "reason": "", "legal_rep_attitude": ""}
    survey(ca, extra, datetime.date(2026, 5, 1), employees_total=12, migrant_workers=2, **built)
    services.union_build(
        actor=ca, enterprise=extra, union=w.county_trade, on=datetime.date(2026, 5, 2)
    )
    client = as_user(w.city_admin)
    for by in ("division", "park", "industry", "group", "responsible_unit"):
        response = client.get(reverse("enterprises:coverage"), {"by": by})
        expected = selectors.coverage(user=w.city_admin, by=by)
        assert [_figures(r) for r in response.context["rows"]] == [
            _figures(r) for r in expected.rows
        ]
        body = unescape(response.content.decode())
        for row in [*response.context["rows"], response.context["total"]]:
            for key in ("enterprises", "surveyed", "unionised", "complete"):
                href = row.links[key]
                assert f'href="{href}"' in body
                listed = client.get(href).context
                assert listed["page_obj"].paginator.count == getattr(row, key), (by, key, href)
            listed = client.get(row.links["enterprises"]).context
            assert (listed["totals"]["employees"] or 0) == row.employees
    total = client.get(reverse("enterprises:coverage")).context["total"]
    assert (total.enterprises, total.unionised, total.unionised_pct) == (4, 1, "25.0%")


def _figures(r):
    return (r.key, r.enterprises, r.surveyed, r.unionised, r.complete, r.employees, r.members)


def test_coverage_for_the_sibling_counts_its_own_only(places, as_user):
    response = as_user(places.world.sibling_admin).get(reverse("enterprises:coverage"))
    total = response.context["total"]
    assert (total.enterprises, total.employees) == (1, 40)
    assert response.context["parks"]["parks"] == 0 and response.context["parks"]["pct"] == "无"


def test_pages_use_a_constant_number_of_queries(places, as_user, django_assert_max_num_queries):
    w = places.world
    for i in range(12):
        e = make_enterprise(w.county_admin, w.county, name=f"舞钢批量企业{i}有限公司")
        survey(w.county_admin, e, datetime.date(2026, 1, 1 + i), employees_total=20 + i)
    client = as_user(w.county_admin)
    for name in ("enterprises:list", "enterprises:worklist", "enterprises:alerts"):
        with django_assert_max_num_queries(25):
            assert client.get(reverse(name)).status_code == 200
    for by in ("division", "group"):
        with django_assert_max_num_queries(25):
            client.get(reverse("enterprises:coverage"), {"by": by})
