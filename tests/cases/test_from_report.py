"""A monthly report's 典型经验和创新做法 turned into a case: the list page offers the submitted
reports of the subtree, the form is filled from the report, the case keeps it as its source and
is the report's unit's; a report is turned once; another county's report is a 404."""

import datetime

import pytest

from ruhui.cases.models import Case
from ruhui.demo.projects import _on
from ruhui.reports import services as report_services
from tests.projects.factories import make_campaign

D = datetime.date
EXPERIENCE = "在快递网点建起小哥驿站，驿站里扫码入会，行业工会两天内审核。"


@pytest.fixture
def report(world):
    campaign = make_campaign(world)
    with _on(D(2019, 7, 2)):
        report = report_services.report_open(
            actor=world.county_admin, campaign=campaign, unit=world.county, month="2019-06"
        )
        report = report_services.report_save(
            actor=world.county_admin,
            report=report,
            data={"progress": "六月份新建快递行业工会一个。", "experience": EXPERIENCE},
        )
        return report_services.report_submit(actor=world.county_admin, report=report)


@pytest.mark.django_db
def test_a_report_becomes_a_case_in_one_click(world, as_user, report):
    client = as_user(world.county_admin)
    body = client.get("/cases/manage/").content.decode()
    url = f"/cases/manage/from-report/{report.pk}/"
    assert url in body
    form = client.get(url).content.decode()
    assert EXPERIENCE in form and "舞钢市总工会2019年6月典型经验" in form
    response = client.post(url, {"title": "舞钢小哥驿站", "text": EXPERIENCE, "groups": ["02"]})
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.source_report == report and case.unit == world.county
    assert case.campaign == report.campaign
    assert url not in client.get("/cases/manage/").content.decode()
    response = client.post(url, {"title": "再来一次", "text": EXPERIENCE})
    assert response.status_code == 400
    assert "已经报送为「舞钢小哥驿站」" in response.content.decode()


@pytest.mark.django_db
def test_another_countys_report_is_a_404(world, as_user, report):
    url = f"/cases/manage/from-report/{report.pk}/"
    assert as_user(world.sibling_admin).get(url).status_code == 404
    assert as_user(world.county_viewer).get(url).status_code == 403
