"""The 考核评比 pages: the triangle (city / read-only / sibling county), the refusals shown
next to their fields, the exports, and the ranking's fixed number of queries."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from python_calamine import CalamineWorkbook

from ruhui.assessment import services
from ruhui.assessment.models import UnitAssessment
from ruhui.campaigns.models import Target
from ruhui.orgs.models import OrgKind
from tests.assessment.conftest import TODAY, WEIGHTS
from tests.factories import OrganizationFactory


@pytest.fixture
def computed(people, records):
    services.scheme_save(actor=people.city_admin, campaign=records, weights=WEIGHTS)
    services.assessment_compute(actor=people.city_admin, campaign=records, today=TODAY)
    return records


def _unit_url(campaign, unit):
    return reverse("assessment:unit", args=[campaign.slug, unit.pk])


def test_the_city_sees_the_ranking_in_order(as_user, people, computed):
    response = as_user(people.city_admin).get(reverse("assessment:ranking", args=[computed.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("舞钢市总工会") < html.index("宝丰县总工会")  # 58.75 before 28.00
    assert "58.75" in html and "有逾期整改" in html


def test_triangle_on_a_unit_page(as_user, people, computed):
    url = _unit_url(computed, people.county)
    assert as_user(people.city_admin).get(url).status_code == 200
    viewer = as_user(people.county_viewer)
    assert viewer.get(url).status_code == 200
    assert viewer.post(url, {"action": "self", "text": "自评"}).status_code == 403
    assert viewer.post(url, {"action": "decide", "result": "pass"}).status_code == 403
    assert as_user(people.sibling_admin).get(url).status_code == 404
    ranking = as_user(people.sibling_admin).get(reverse("assessment:ranking", args=[computed.slug]))
    assert "舞钢市总工会" not in ranking.content.decode()  # the county's row is not the sibling's


def test_a_county_files_its_self_assessment_on_its_page(as_user, people, computed):
    client = as_user(people.county_admin)
    url = _unit_url(computed, people.county)
    response = client.post(url, {"action": "self", "text": "全年发展会员八十人。"})
    assert response.status_code == 302
    assert "全年发展会员八十人。" in client.get(url).content.decode()


def test_an_adjustment_without_a_reason_is_shown_next_to_the_field(as_user, people, computed):
    url = _unit_url(computed, people.county)
    response = as_user(people.city_admin).post(
        url, {"action": "adjust", "adjustment": "2", "reason": ""}
    )
    assert response.status_code == 400
    assert services.MSG_REASON in response.content.decode()
    assert UnitAssessment.objects.get(unit=people.county).adjustment == 0


def test_weights_not_summing_to_100_are_refused_on_the_page(as_user, people, drive):
    url = reverse("assessment:scheme", args=[drive.slug])
    response = as_user(people.city_admin).post(url, WEIGHTS | {"growth": "25"})
    assert response.status_code == 400
    assert "现在是 110 分" in response.content.decode()
    assert as_user(people.city_admin).post(url, WEIGHTS).status_code == 302
    assert as_user(people.county_admin).post(url, WEIGHTS).status_code == 403


def test_the_exports_open(as_user, people, computed):
    client = as_user(people.city_admin)
    response = client.get(reverse("assessment:export_docx", args=[computed.slug]))
    assert response.status_code == 200
    document = Document(io.BytesIO(b"".join(response.streaming_content)))
    table = document.tables[0]
    assert [table.rows[i].cells[1].text for i in (1, 2)] == ["舞钢市总工会", "宝丰县总工会"]
    assert table.rows[1].cells[-4].text == "58.75"
    response = client.get(reverse("assessment:export_xlsx", args=[computed.slug]))
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.get_sheet_by_name("考核排名").to_python()
    assert sheet[0][:3] == ["名次", "单位", "目标完成率（30分）"]
    assert sheet[1][1] == "舞钢市总工会" and sheet[1][-4] == 58.75


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_ranking_and_compute_read_a_fixed_number_of_queries(as_user, people, computed):
    client = as_user(people.city_admin)
    url = reverse("assessment:ranking", args=[computed.slug])

    def compute_reads() -> int:
        with CaptureQueriesContext(connection) as ctx:
            services.assessment_compute(actor=people.city_admin, campaign=computed, today=TODAY)
        return sum(
            1
            for q in ctx.captured_queries
            if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
        )

    few = (_queries(client, url), compute_reads())
    for n in range(4):
        unit = OrganizationFactory(
            parent=people.city, name=f"新增县{n}总工会", kind=OrgKind.COUNTY_FEDERATION
        )
        Target.objects.create(campaign=computed, unit=unit, new_members=10)
    services.assessment_compute(actor=people.city_admin, campaign=computed, today=TODAY)
    assert UnitAssessment.objects.count() == 6
    many = (_queries(client, url), compute_reads())
    assert few == many


def test_a_unit_that_is_not_assessed_has_no_page(as_user, people, computed):
    # 工交工会 has no target in this drive: the city's targeted 舞钢 and 宝丰 are assessed.
    url = _unit_url(computed, people.industry)
    assert as_user(people.city_admin).get(url).status_code == 404


def test_the_city_computes_as_of_a_date_it_picks(as_user, people, computed):
    """「计算得分」 takes a 数据截至 date (the form offers the last one's); a date after today
    or before the campaign is refused in Chinese naming the field, and nothing changes."""
    from ruhui.assessment.models import AssessmentScheme

    url = reverse("assessment:ranking", args=[computed.slug])
    client = as_user(people.city_admin)
    page = client.get(url).content.decode()
    assert 'name="as_of" value="2019-09-15"' in page
    before = list(UnitAssessment.objects.values_list("pk", "computed_total"))
    for bad in ("2099-01-01", "2019-01-01", "2019-13-01"):
        refused = client.post(url, {"action": "compute", "as_of": bad})
        assert refused.status_code == 400
        body = refused.content.decode()
        assert "数据截至日期应在行动开始" in body and f'value="{bad}"' in body
    assert AssessmentScheme.objects.get(campaign=computed).computed_on.isoformat() == "2019-09-15"
    assert list(UnitAssessment.objects.values_list("pk", "computed_total")) == before
    done = client.post(url, {"action": "compute", "as_of": "2019-10-31"})
    assert done.status_code == 302
    assert AssessmentScheme.objects.get(campaign=computed).computed_on.isoformat() == "2019-10-31"
    assert "数据截至 2019-10-31" in client.get(url).content.decode()
