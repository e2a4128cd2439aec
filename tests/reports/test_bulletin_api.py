"""The 通报 API: read-only and scoped like the pages — the city sees its draft, a county of the
campaign only the published bulletin (a draft is 404), a county outside the campaign nothing;
the files come with their SHA-256 and download address; the list keeps a fixed query count."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ruhui.reports import bulletin_services as services

D = datetime.date
API = "/api/v1/reports/bulletins"
DATA = {"title": "关于集中行动推进情况的通报", "number": "平工组〔2019〕12号"}


def _bulletin(people, drive, cut_off):
    bulletin = services.bulletin_create(
        actor=people.city_admin, campaign=drive, cut_off=cut_off, data=DATA
    )
    services.bulletin_build(bulletin.pk)
    return bulletin


def test_list_and_detail_are_scoped(as_user, people, drive):
    draft = _bulletin(people, drive, D(2019, 7, 31))
    city = as_user(people.city_admin).get(API, {"campaign": drive.slug}).json()
    assert city["count"] == 1 and city["items"][0]["status_label"] == "草稿"
    assert as_user(people.county_viewer).get(API).json()["count"] == 0
    assert as_user(people.county_viewer).get(f"{API}/{draft.pk}").status_code == 404
    services.bulletin_publish(actor=people.city_admin, bulletin=draft)
    detail = as_user(people.county_viewer).get(f"{API}/{draft.pk}").json()
    assert detail["number"] == DATA["number"] and detail["figures"]["cut_off"] == "2019-07-31"
    files = {f["kind"]: f for f in detail["files"]}
    draft.refresh_from_db()
    assert files["pdf"]["sha256"] == draft.files["pdf"]["sha256"]
    assert as_user(people.county_viewer).get(files["pdf"]["url"]).status_code == 200
    assert as_user(people.city_admin).get(API, {"campaign": "nope"}).status_code == 404


def test_the_list_takes_a_fixed_number_of_queries(as_user, people, drive):
    _bulletin(people, drive, D(2019, 7, 31))
    client = as_user(people.city_admin)
    with CaptureQueriesContext(connection) as one:
        client.get(API)
    _bulletin(people, drive, D(2019, 9, 30))
    _bulletin(people, drive, D(2019, 11, 30))
    with CaptureQueriesContext(connection) as three:
        assert client.get(API).json()["count"] == 3
    assert len(three.captured_queries) == len(one.captured_queries)
