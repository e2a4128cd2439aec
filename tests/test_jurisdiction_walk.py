"""Jurisdiction walk over every URL pattern (AC-1, AC-2): see tests/walk.py."""

import pytest
from django.http import HttpResponse, JsonResponse
from django.test import override_settings
from django.urls import include, path

from ruhui.orgs.models import Organization
from ruhui.orgs.services import organization_update
from tests.walk import iter_routes, walk


@pytest.fixture
def audited_world(world):
    # Every unit gets audit rows naming its objects, so the audit page has something to leak.
    for admin, org in [
        (world.county_admin, world.county_trade),
        (world.sibling_admin, world.sibling_trade),
        (world.industry_admin, world.industry_trade),
    ]:
        organization_update(actor=admin, organization=org, data={"chair_name": "测试主席"})
    return world


def test_every_url_pattern_is_scoped(client, audited_world, figure):
    stats = {}
    violations = walk(client, audited_world, stats=stats)
    figure(
        "jurisdiction walk",
        f"{stats['routes']} routes × {stats['units']} units, {stats['requests']} requests, "
        f"{len(violations)} violations",
    )
    assert violations == []


def test_walk_covers_the_project_routes():
    names = {r.name for r in iter_routes()}
    # A sample of the routes the walk must visit; new ones are visited automatically.
    assert {
        "orgs:list",
        "orgs:detail",
        "orgs:edit",
        "orgs:move",
        "accounts:audit",
        "accounts:user_edit",
        "api:get_org",
        "api:list_orgs",
    } <= names


# --- The walk catches a page that forgets scoping ------------------------------------------


def leaky_detail(request, org_pk):
    return HttpResponse(Organization.objects.get(pk=org_pk).name)


def leaky_list(request):
    return JsonResponse({"names": list(Organization.objects.values_list("name", flat=True))})


def unknown_param(request, widget_pk):
    return HttpResponse("")


urlpatterns = [
    path("", include("ruhui.urls")),
    path("leaky/<int:org_pk>/", leaky_detail, name="leaky_detail"),
    path("leaky/", leaky_list, name="leaky_list"),
    path("widgets/<int:widget_pk>/", unknown_param, name="unknown_param"),
]


@override_settings(ROOT_URLCONF=__name__)
def test_walk_catches_unscoped_views(client, audited_world):
    violations = walk(client, audited_world, urlconf=__name__)
    assert any(v.startswith("leaky_detail:") and "gets 200" in v for v in violations)
    assert any(v.startswith("leaky_detail:") and "sees" in v for v in violations)
    assert any(v.startswith("leaky_list:") and "sees" in v for v in violations)
    assert any(v.startswith("unknown_param:") and "no sample" in v for v in violations)
    # ...and nothing of the real project is reported.
    assert all(
        v.split(":")[0] in {"leaky_detail", "leaky_list", "unknown_param"} for v in violations
    )
