"""The consolidated list and the review queue read in a fixed number of queries, whatever the
number of projects."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ruhui.projects import services
from tests.projects.factories import build_project, service_project


def _grow(people, plan, count):
    for n in range(count):
        maker = build_project if n % 2 else service_project
        maker(people.county_admin, plan, name=f"项目{plan.projects.count()}-{n}")


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_consolidated_list_and_queue_do_not_grow_with_projects(as_user, people, drive):
    plan = services.plan_open(actor=people.county_admin, campaign=drive)
    _grow(people, plan, 3)
    client = as_user(people.city_admin)
    listing = reverse("projects:consolidated", args=[drive.slug])
    queue = reverse("projects:queue")
    few = (_queries(client, listing), _queries(client, queue))
    _grow(people, plan, 27)
    many = (_queries(client, listing), _queries(client, queue))
    assert plan.projects.count() == 30
    assert few == many
