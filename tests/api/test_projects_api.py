"""The 项目清单+责任制 API (issue 16 item 9): read-only, scoped like the pages — a plan and all on
it is seen from its unit up; a sibling county sees nothing of it (404); a read-only cadre reads;
nothing can be written through it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ruhui.accounts.services import token_create
from ruhui.projects import services
from ruhui.projects.choices import ProjectStatus
from tests.projects.factories import (
    add_people,
    build_project,
    make_campaign,
    service_project,
    submitted_plan,
)

D = datetime.date
API = "/api/v1/projects"


@pytest.fixture
def chain(world):
    """舞钢's plan submitted and consolidated, its 建会入会 project subsidised (30,000 asked,
    20,000 approved by the province, 15,000 paid); 宝丰's plan still a draft."""
    add_people(world)
    people, drive = world, make_campaign(world)
    plan = submitted_plan(people, drive)
    services.plan_consolidate(actor=people.city_admin, plan=plan, opinion="同意汇总")
    project = plan.projects.get(kind="build")
    subsidy = services.subsidy_apply(
        actor=people.county_admin, project=project, amount="30000", purpose="建会启动经费"
    )
    services.subsidy_city_review(
        actor=people.city_reviewer, subsidy=subsidy, decision="recommend", opinion="建议支持"
    )
    services.subsidy_send_up(actor=people.city_admin, campaign=drive)
    services.subsidy_province_review(
        actor=people.province_reviewer,
        subsidy=subsidy,
        approve=True,
        approved_amount="20000",
        notice_number="豫工基〔2019〕12号",
        notice_on="2019-06-20",
    )
    services.disbursement_record(
        actor=people.province_admin,
        subsidy=subsidy,
        amount="15000",
        paid_on="2019-07-01",
        voucher_number="2019-07-001",
    )
    sibling = services.plan_open(actor=people.sibling_admin, campaign=drive)
    build_project(
        people.sibling_admin,
        sibling,
        name="宝丰县顺丰速运有限公司工会",
        division_code="410421",
        address="宝丰县城关镇",
        planned_members=30,
    )
    people.plan, people.project, people.subsidy, people.sibling_plan = (
        plan,
        project,
        subsidy,
        sibling,
    )
    return people


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def test_a_county_lists_its_own_plan_and_a_sibling_none_of_it(client, chain):
    data = get(client, chain.county_admin, f"{API}/plans").json()
    assert [(p["unit_code"], p["status"]) for p in data["items"]] == [("WG", "consolidated")]
    row = data["items"][0]
    assert (row["build_projects"], row["service_projects"]) == (1, 1)
    assert (row["planned_members"], row["planned_coverage"]) == (50, 800)
    assert (row["reviewer_code"], row["status_label"]) == ("PDS", "市总已汇总")
    sibling = get(client, chain.sibling_admin, f"{API}/plans").json()
    assert [p["unit_code"] for p in sibling["items"]] == ["BF"]
    for url in (
        f"{API}/plans/{chain.plan.pk}",
        f"{API}/{chain.project.pk}",
        f"{API}/subsidies/{chain.subsidy.pk}",
    ):
        response = get(client, chain.sibling_admin, url)
        assert response.status_code == 404, url
        assert response.json()["detail"] == "页面不存在，或不在您的管辖范围内。"
    assert get(client, chain.sibling_admin, f"{API}/subsidies").json()["count"] == 0
    assert {p["unit_code"] for p in get(client, chain.sibling_admin, API).json()["items"]} == {"BF"}


def test_a_read_only_cadre_reads_the_plan_with_its_history(client, chain):
    response = get(client, chain.county_viewer, f"{API}/plans/{chain.plan.pk}")
    assert response.status_code == 200
    plan = response.json()
    steps = [(e["from_status"], e["to_status"], e["opinion"]) for e in plan["events"]]
    assert steps[-2:] == [
        ("draft", "submitted", ""),
        ("submitted", "consolidated", "同意汇总"),
    ]
    assert plan["events"][-1]["actor_unit_name"] == "平顶山市总工会"
    kinds = [(p["kind"], p["status"]) for p in plan["projects"]]
    assert kinds == [("build", "approved"), ("service", "approved")]
    assert plan["projects"][0]["subsidy_status"] == "approved"
    assert plan["projects"][0]["groups"] == ["02"]


def test_the_subsidy_shows_every_step_and_the_balance(client, chain):
    subsidy = get(client, chain.county_viewer, f"{API}/subsidies/{chain.subsidy.pk}").json()
    assert (subsidy["amount_requested"], subsidy["recommended_amount"]) == ("30000.00", "30000.00")
    assert (subsidy["approved_amount"], subsidy["disbursed"], subsidy["balance"]) == (
        "20000.00",
        "15000.00",
        "5000.00",
    )
    assert subsidy["notice_number"] == "豫工基〔2019〕12号" and subsidy["batch_id"]
    assert [e["to_status"] for e in subsidy["events"]] == [
        "submitted",
        "recommended",
        "sent",
        "approved",
    ]
    assert subsidy["events"][-1]["amount"] == "20000.00"
    assert subsidy["disbursements"] == [
        {"amount": "15000.00", "paid_on": "2019-07-01", "voucher_number": "2019-07-001"}
    ]
    listed = get(client, chain.city_admin, f"{API}/subsidies", status="省总已立项").json()
    assert [s["id"] for s in listed["items"]] == [chain.subsidy.pk]


def test_project_detail_and_its_events(client, chain):
    project = get(client, chain.county_admin, f"{API}/{chain.project.pk}").json()
    assert (project["name"], project["subtype_label"]) == (
        "舞钢市顺丰速运有限公司工会",
        "拟建企业工会",
    )
    assert [e["to_status"] for e in project["events"]] == ["approved"]
    assert project["planned_members"] == 50 and project["overdue_rectification"] is False
    assert project["responsible_unit_code"] == "WG"


def test_the_city_filters_by_unit_status_and_kind(client, chain):
    city = chain.city_admin
    everything = get(client, city, f"{API}/plans").json()
    assert {p["unit_code"] for p in everything["items"]} == {"WG", "BF"}
    drafts = get(client, city, f"{API}/plans", status="草稿").json()
    assert [p["unit_code"] for p in drafts["items"]] == ["BF"]
    only_bf = get(client, city, f"{API}/plans", unit="BF", campaign="pds-2019").json()
    assert [p["unit_code"] for p in only_bf["items"]] == ["BF"]
    services_only = get(client, city, API, kind="service").json()
    assert [p["name"] for p in services_only["items"]] == ["夏送清凉进快递网点"]
    listed = get(client, city, API, status=ProjectStatus.LISTED).json()
    assert [p["unit_code"] for p in listed["items"]] == ["BF"]
    assert get(client, city, API, overdue="true").json()["count"] == 0
    assert get(client, city, API, overdue="false").json()["count"] == 3


def test_bad_filters_name_the_field(client, chain):
    county = chain.county_admin
    unknown = get(client, county, f"{API}/plans", campaign="pds-2099")
    assert unknown.status_code == 404
    assert "集中行动「pds-2099」不存在" in unknown.json()["detail"]
    outside = get(client, county, API, unit="BF")
    assert outside.status_code == 404 and "组织代码「BF」" in outside.json()["detail"]
    bad = get(client, county, f"{API}/plans", status="批准")
    assert bad.status_code == 422
    (error,) = bad.json()["detail"]
    assert error["field"] == "status" and "draft（草稿）" in error["message"]


def test_nothing_can_be_written(client, chain):
    doc = client.get("/api/v1/openapi.json").json()
    ours = {path: ops for path, ops in doc["paths"].items() if path.startswith(API)}
    assert set(ours) == {
        API,
        f"{API}/{{project_id}}",
        f"{API}/plans",
        f"{API}/plans/{{plan_id}}",
        f"{API}/subsidies",
        f"{API}/subsidies/{{subsidy_id}}",
    }
    assert {method for ops in ours.values() for method in ops} == {"get"}
    _token, raw = token_create(actor=chain.county_admin, name="只读")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    for url in (f"{API}/plans", f"{API}/plans/{chain.plan.pk}"):
        assert client.post(url, {}, content_type="application/json", **bearer).status_code == 405
    assert client.get(f"{API}/plans", **bearer).status_code == 200


def test_lists_take_a_fixed_number_of_queries(client, chain):
    client.force_login(chain.city_admin)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = {url: count(url) for url in (f"{API}/plans", API, f"{API}/subsidies")}
    more = submitted_plan(chain, chain.plan.campaign, actor=chain.industry_admin)
    service_project(
        chain.industry_admin,
        services.plan_return(actor=chain.city_admin, plan=more, opinion="请补充服务项目"),
        name="送温暖进货运站",
    )
    after = {url: count(url) for url in before}
    assert after == before
