"""The read-only 典型经验 API: scoped like the pages (own subtree; a sibling county gets 404),
filters, and a Chinese 422 for an unknown status."""

import pytest

from ruhui.cases import services
from tests.cases.factories import submit
from tests.projects.factories import make_campaign


@pytest.mark.django_db
def test_list_and_detail_are_scoped(world, as_user):
    mine = submit(world.county_admin, title="舞钢经验")
    submit(world.sibling_admin, title="宝丰经验")
    services.case_publish(actor=world.city_admin, case=mine)
    body = as_user(world.county_admin).get("/api/v1/cases").json()
    assert [c["title"] for c in body["items"]] == ["舞钢经验"]
    assert body["items"][0]["status_label"] == "已发布" and body["items"][0]["slug"]
    city = as_user(world.city_admin)
    assert city.get("/api/v1/cases").json()["count"] == 2
    assert city.get("/api/v1/cases?status=已发布").json()["count"] == 1
    detail = city.get(f"/api/v1/cases/{mine.pk}").json()
    assert [e["to_status"] for e in detail["events"]] == ["submitted", "published"]
    assert as_user(world.sibling_admin).get(f"/api/v1/cases/{mine.pk}").status_code == 404


@pytest.mark.django_db
def test_filters_and_errors(world, as_user):
    campaign = make_campaign(world)
    submit(world.county_admin, campaign=campaign, groups=["01"])
    submit(world.county_admin)
    client = as_user(world.city_admin)
    assert client.get("/api/v1/cases?campaign=pds-2019").json()["count"] == 1
    assert client.get("/api/v1/cases?group=01").json()["count"] == 1
    assert client.get("/api/v1/cases?campaign=nope").status_code == 404
    response = client.get("/api/v1/cases?status=draft")
    assert response.status_code == 422
    assert "状态「draft」无效" in response.json()["detail"][0]["message"]
