"""The 月报 API: read-only and scoped like the pages — the unit and the city read a report, a
sibling county gets 404; the figures are the frozen ones; the list keeps a fixed query count."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ruhui.demo.projects import _on
from ruhui.reports import services

D = datetime.date
API = "/api/v1/reports/monthly"


def test_list_and_detail_are_scoped(as_user, people, drive, june):
    with _on(D(2019, 7, 4)):
        services.report_submit(actor=people.county_admin, report=june)
    city = as_user(people.city_admin).get(API, {"campaign": drive.slug}).json()
    assert city["count"] == 1 and city["items"][0]["unit_name"] == "舞钢市总工会"
    assert city["items"][0]["status_label"] == "已报送"
    detail = as_user(people.county_viewer).get(f"{API}/{june.pk}").json()
    assert detail["figures"]["month"] == "2019-06" and detail["progress"].startswith("六月份")
    assert [e["to_status"] for e in detail["events"]] == ["draft", "submitted"]
    assert as_user(people.sibling_admin).get(f"{API}/{june.pk}").status_code == 404
    assert as_user(people.sibling_admin).get(API).json()["count"] == 0
    filtered = as_user(people.city_admin).get(API, {"status": "已阅"}).json()
    assert filtered["count"] == 0
    refused = as_user(people.city_admin).get(API, {"month": "2019-6"})
    assert refused.status_code == 422
    assert as_user(people.city_admin).get(API, {"campaign": "nope"}).status_code == 404


def test_the_list_takes_a_fixed_number_of_queries(as_user, people, drive, june):
    client = as_user(people.city_admin)
    with CaptureQueriesContext(connection) as one:
        client.get(API)
    with _on(D(2019, 8, 2)):
        for month in ("2019-07", "2019-05", "2019-04"):
            services.report_open(
                actor=people.county_admin, campaign=drive, unit=people.county, month=month
            )
    with CaptureQueriesContext(connection) as four:
        assert client.get(API).json()["count"] == 4
    assert len(four.captured_queries) == len(one.captured_queries)
