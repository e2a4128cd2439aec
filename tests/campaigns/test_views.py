"""The campaign pages: the allowed / read-only / sibling-county triangle for every page, and
what the dashboards show (figures from the records, drill-down links, checks)."""

import pytest
from django.urls import reverse

from ruhui.campaigns import services
from ruhui.campaigns.progress import progress_refresh
from ruhui.campaigns.services import TargetLine


@pytest.fixture
def decomposed(world, campaign, history):
    """The city's goal split between its two counties and the industry union; figures computed."""
    services.decomposition_save(
        actor=world.city_admin,
        campaign=campaign,
        unit=world.city,
        lines=[
            TargetLine(world.county, 40, 5),
            TargetLine(world.sibling, 30, 3),
            TargetLine(world.industry, 0, 2),
        ],
        declared_baseline_total=70,
        declared_target_total=10,
    )
    progress_refresh(campaign)
    return campaign


def url(name, campaign, *args):
    return reverse(f"campaigns:{name}", args=[campaign.slug, *args])


def test_list_shows_the_campaign_to_every_unit_under_the_city(world, decomposed, as_user):
    for user in (world.city_admin, world.county_admin, world.sibling_admin, world.industry_admin):
        body = as_user(user).get(reverse("campaigns:list")).content.decode()
        assert decomposed.name in body


def test_city_dashboard_ranks_the_units_with_their_figures(world, decomposed, as_user):
    response = as_user(world.city_admin).get(url("dashboard", decomposed))
    assert response.status_code == 200
    board = response.context["board"]
    assert board.unit == world.city
    assert board.total.new_members == 4 and board.total.target == 100
    names = [row.unit.name for row in board.rows]
    # 舞钢 3 of 5 (60%), 宝丰 1 of 3 (33.3%), 工交 1 of 2 (50%): ranked by share of target.
    assert names == ["舞钢市总工会", "平顶山市工交工会", "宝丰县总工会"]
    body = response.content.decode()
    assert "下级任务数合计 10 人，少于平顶山市总工会的任务 100 人" in body
    assert "campaign-charts" in body and "echarts.min.js" in body


def test_county_dashboard_opens_on_the_county(world, decomposed, as_user):
    response = as_user(world.county_admin).get(url("dashboard", decomposed))
    board = response.context["board"]
    assert board.unit == world.county
    assert board.total.target == 5 and board.total.new_members == 3
    assert {row.unit for row in board.rows} == {world.county_trade, world.county_enterprise}
    assert "宝丰县总工会" not in response.content.decode()


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("unit", "county"),
        ("targets", "county"),
        ("new_members", None),
        ("new_unions", None),
        ("baseline_members", None),
    ],
)
def test_triangle_for_unit_pages(world, decomposed, as_user, name, args):
    """Allowed: the county's own cadre; read-only: allowed to read; sibling county: 404."""
    extra = [getattr(world, args).pk] if args else []
    query = "" if args else f"?unit={world.county.pk}"
    target = url(name, decomposed, *extra) + query
    assert as_user(world.county_admin).get(target).status_code == 200
    assert as_user(world.county_viewer).get(target).status_code == 200
    assert as_user(world.sibling_admin).get(target).status_code == 404


def test_triangle_for_writes(world, decomposed, as_user):
    targets = url("targets", decomposed, world.county.pk)
    data = {f"target_{world.county_trade.pk}": "3", f"target_{world.county_enterprise.pk}": "2"}
    assert as_user(world.county_viewer).post(targets, data).status_code == 403
    assert as_user(world.sibling_admin).post(targets, data).status_code == 404
    response = as_user(world.county_admin).post(targets, data)
    assert response.status_code == 302
    refresh = url("refresh", decomposed)
    assert as_user(world.county_viewer).post(refresh).status_code == 403
    assert as_user(world.county_admin).post(refresh).status_code == 302
    edit = url("edit", decomposed)
    assert as_user(world.county_admin).get(edit).status_code == 403  # the city runs it
    assert as_user(world.city_admin).get(edit).status_code == 200


def test_drill_down_lists_the_people_behind_the_figure(world, decomposed, history, as_user):
    response = as_user(world.county_admin).get(url("new_members", decomposed) + "?month=2019-08")
    page = response.context["page_obj"]
    assert [event.member for event in page] == [history["C"]]
    response = as_user(world.county_admin).get(
        url("new_members", decomposed) + f"?unit={world.county.pk}"
    )
    assert response.context["page_obj"].paginator.count == 3


def test_industry_union_sees_its_groups_as_aggregates_only(world, decomposed, history, as_user):
    from ruhui.campaigns.models import GroupAssignment
    from ruhui.orgs.models import WorkerGroup

    GroupAssignment.objects.create(
        campaign=decomposed, group=WorkerGroup.objects.get(code="02"), unit=world.industry
    )
    response = as_user(world.industry_admin).get(url("dashboard", decomposed))
    board = response.context["board"]
    assert board.unit == world.industry
    [assisted] = board.assisted
    assert assisted["code"] == "02" and assisted["new_members"] == 2  # A and G, both in 舞钢
    assert assisted["units"] == [{"unit": "舞钢市总工会", "new_members": 2}]
    body = response.content.decode()
    for person in ("A", "G"):
        assert history[person].member_number not in body
    # No way into the rows behind: the county's drill-down is outside the industry union.
    drill = url("new_members", decomposed) + f"?unit={world.county.pk}"
    assert as_user(world.industry_admin).get(drill).status_code == 404


def test_export_is_a_workbook_of_the_units(
    world, decomposed, as_user, django_capture_on_commit_callbacks
):
    """The export is a job (tests/campaigns/test_target_jobs.py): its file, the city's units."""
    from io import BytesIO

    from openpyxl import load_workbook

    from ruhui.jobs.models import Job

    client = as_user(world.city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("export", decomposed))
    job = Job.objects.get(kind="campaign_export")
    response = client.get(reverse("jobs:result", args=[job.pk]))
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames[:5] == ["说明", "单位进度", "按月", "按群体", "校验提示"]
    rows = list(book["单位进度"].iter_rows(values_only=True))
    assert rows[1][0] == "平顶山市总工会（合计）" and rows[1][5] == 4


def test_api_progress_is_scoped_like_the_dashboard(world, decomposed, as_user):
    client = as_user(world.county_admin)
    listed = client.get("/api/v1/campaigns").json()
    assert [c["slug"] for c in listed] == [decomposed.slug]
    data = client.get(f"/api/v1/campaigns/{decomposed.slug}/progress").json()
    assert data["total"]["unit_code"] == "WG" and data["total"]["new_members"] == 3
    assert {u["unit_code"] for u in data["units"]} == {"WG-KD", "WG-E1"}
    assert (
        as_user(world.sibling_admin)
        .get(f"/api/v1/campaigns/{decomposed.slug}/progress?unit={world.county.pk}")
        .status_code
        == 404
    )


def test_dashboard_queries_do_not_grow_with_the_units(world, decomposed, as_user):
    """A constant number of small queries, however many units and figures (CiviCRM's dashboard
    ran 16 counts per membership type)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import OrganizationFactory

    client = as_user(world.city_admin)
    client.get(url("dashboard", decomposed))  # warm: session, content types

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("dashboard", decomposed)).status_code == 200
        return len(captured)

    before = queries()
    for n in range(12):
        OrganizationFactory(
            parent=world.city, name=f"新增县{n}", kind="county", division_code="410482"
        )
    progress_refresh(decomposed)
    assert queries() == before
    assert before <= 30


def test_the_registry_baseline_opens_the_members_behind_it(world, decomposed, history, as_user):
    from ruhui.campaigns.models import UnitFigure

    figure = UnitFigure.objects.get(campaign=decomposed, unit=world.county).baseline
    response = as_user(world.county_admin).get(
        url("baseline_members", decomposed) + f"?unit={world.county.pk}"
    )
    page = response.context["page_obj"]
    assert page.paginator.count == figure == 1
    assert [m.pk for m in page] == [history["B"].pk]
    assert page[0].union_at == world.county_enterprise.name


def test_the_list_asks_the_same_few_queries_for_any_number_of_campaigns(world, decomposed, as_user):
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(world.county_admin)
    client.get(reverse("campaigns:list"))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("campaigns:list"))
        return len(captured), response

    before, response = queries()
    [row] = response.context["campaigns"]
    assert (row.own_unit, row.own_target, row.own_figure.new_members) == (world.county, 5, 3)
    for year in (2020, 2021, 2022):
        services.campaign_create(
            actor=world.city_admin,
            owner=world.city,
            slug=f"pds-{year}",
            data={
                "name": f"行动{year}",
                "year": year,
                "starts_on": datetime.date(year, 4, 1),
                "ends_on": datetime.date(year, 12, 31),
            },
        )
    after, response = queries()
    assert len(response.context["campaigns"]) == 4
    assert after == before
