"""The organization tree page: collapsed below the user's own unit's children, branches opened
on demand (an htmx fragment, or the page opened at that branch without JS), the search with
each match's path, all scoped like the tree, and a query count independent of the tree's size."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ruhui.orgs import selectors
from ruhui.orgs.choices import OrgKind
from ruhui.orgs.services import organization_deactivate
from tests.factories import OrganizationFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def _node_names(body: str) -> list[str]:
    """The organization names the tree shows, in order (one node-name link per rendered node)."""
    return re.findall(r'<a class="node-name" href="[^"]*"[^>]*>([^<]+)</a>', body)


@pytest.fixture
def deep(world):
    """A branch four levels under the county: 舞钢快递行业工会 › 一分会 › 一组 (工会小组)."""
    branch = OrganizationFactory(
        parent=world.county_trade,
        name="舞钢快递行业工会城区分会",
        code="WG-KD-CQ",
        kind=OrgKind.BRANCH,
        division_code="410481",
    )
    group = OrganizationFactory(
        parent=branch,
        name="城区分会骑手第一小组",
        code="WG-KD-CQ1",
        kind=OrgKind.GROUP,
        short_name="骑手一组",
        division_code="410481",
    )
    return branch, group


def test_city_tree_shows_only_the_own_unit_and_its_children(world, as_user, deep):
    body = as_user(world.city_admin).get(reverse("orgs:tree")).content.decode()
    assert _node_names(body) == [
        "平顶山市总工会",
        "舞钢市总工会",
        "宝丰县总工会",
        "平顶山市工交工会",
    ]
    # Deeper branches are collapsed: not rendered, only counted and offered to open.
    for deeper in ("舞钢快递行业工会", "宝丰快递行业工会", "城区分会骑手第一小组"):
        assert deeper not in body
    assert "下级 2 个" in body  # 舞钢市总工会: its two units are counted, not shown
    toggles = re.findall(r'class="tree-toggle" hidden aria-expanded="(\w+)"', body)
    assert toggles == ["true", "false", "false", "false"]  # the city open, its children not


def test_collapsed_branch_carries_its_toggle_and_a_link_for_use_without_js(world, as_user):
    body = as_user(world.city_admin).get(reverse("orgs:tree")).content.decode()
    children_url = reverse("orgs:children", args=[world.county.pk])
    assert f'data-children-url="{children_url}"' in body
    assert f'aria-controls="org-{world.county.pk}-children"' in body
    assert f'<ul id="org-{world.county.pk}-children" hidden></ul>' in body
    assert f'href="{reverse("orgs:tree")}?open={world.county.pk}#org-{world.county.pk}"' in body
    # The behaviour is a static file: the CSP forbids inline scripts.
    assert "orgs/tree.js" in body and "<script>" not in body


def test_county_tree_shows_its_own_subtree_only(world, as_user):
    body = as_user(world.county_admin).get(reverse("orgs:tree")).content.decode()
    assert _node_names(body) == ["舞钢市总工会", "舞钢快递行业工会", "舞钢顺达物流有限公司工会"]


def test_tree_opened_at_a_deep_branch_shows_the_way_down(world, as_user, deep):
    branch, _group = deep
    url = reverse("orgs:tree") + f"?open={branch.pk}"
    body = as_user(world.city_admin).get(url).content.decode()
    names = _node_names(body)
    assert names[:2] == ["平顶山市总工会", "舞钢市总工会"]
    assert {"舞钢快递行业工会", "舞钢快递行业工会城区分会", "城区分会骑手第一小组"} <= set(names)
    assert "宝丰快递行业工会" not in names  # the sibling county stays collapsed
    assert 'aria-current="location"' in body


def test_tree_opened_at_a_foreign_branch_is_404(world, as_user):
    url = reverse("orgs:tree") + f"?open={world.sibling_trade.pk}"
    assert as_user(world.county_admin).get(url).status_code == 404


def test_children_endpoint_returns_the_branch_children_as_a_fragment(world, as_user, deep):
    client = as_user(world.city_admin)
    response = client.get(reverse("orgs:children", args=[world.county.pk]), **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert _node_names(body) == ["舞钢快递行业工会", "舞钢顺达物流有限公司工会"]
    assert "<html" not in body  # a fragment, swapped into the branch's <ul>
    assert "下级 1 个" in body  # 舞钢快递行业工会 has its 城区分会, not loaded yet
    assert "HX-Request" in response["Vary"]


def test_children_endpoint_without_js_opens_the_tree_page_at_the_branch(world, as_user):
    response = as_user(world.city_admin).get(reverse("orgs:children", args=[world.county.pk]))
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('orgs:tree')}?open={world.county.pk}#org-{world.county.pk}"
    )


def test_children_endpoint_is_404_for_a_foreign_branch(world, as_user):
    client = as_user(world.county_admin)
    for org in (world.sibling, world.city, world.industry_trade):
        url = reverse("orgs:children", args=[org.pk])
        assert client.get(url, **HTMX).status_code == 404
        assert client.get(url).status_code == 404


def test_children_endpoint_refuses_post(world, as_user):
    client = as_user(world.county_admin)
    assert client.post(reverse("orgs:children", args=[world.county.pk])).status_code == 405


def test_read_only_role_may_browse_the_tree(world, as_user):
    client = as_user(world.county_viewer)
    assert client.get(reverse("orgs:tree")).status_code == 200
    url = reverse("orgs:children", args=[world.county.pk])
    assert client.get(url, **HTMX).status_code == 200


def test_inactive_units_are_hidden_unless_asked_for(world, as_user):
    organization_deactivate(
        actor=world.county_admin, organization=world.county_enterprise, reason="企业注销"
    )
    client = as_user(world.county_admin)
    assert "舞钢顺达物流有限公司工会" not in client.get(reverse("orgs:tree")).content.decode()
    body = client.get(reverse("orgs:tree"), {"inactive": "1"}).content.decode()
    assert "舞钢顺达物流有限公司工会" in body and "已撤销" in body
    client = as_user(world.city_admin)
    url = reverse("orgs:children", args=[world.county.pk])
    assert "下级 1 个" in client.get(reverse("orgs:tree")).content.decode()
    assert "舞钢顺达物流有限公司工会" not in client.get(url, **HTMX).content.decode()
    body = client.get(url, {"inactive": "1"}, **HTMX).content.decode()
    assert "舞钢顺达物流有限公司工会" in body


# --- search --------------------------------------------------------------------------------


def test_search_finds_a_deep_union_with_its_path(world, as_user, deep):
    _branch, group = deep
    body = as_user(world.city_admin).get(reverse("orgs:tree"), {"q": "骑手"}).content.decode()
    assert "城区分会骑手第一小组" in body
    path = re.search(r'<p class="tree-path">(.*?)</p>', body, re.S).group(1)
    assert re.findall(r">([^<>]+)</a>", path) == [
        "平顶山市总工会",
        "舞钢市总工会",
        "舞钢快递行业工会",
        "舞钢快递行业工会城区分会",
    ]
    assert f"?open={group.pk}#org-{group.pk}" in body


@pytest.mark.parametrize("q", ["骑手一组", "wg-kd-cq1", "第一小组"])
def test_search_by_name_short_name_or_code(world, as_user, deep, q):
    body = as_user(world.county_admin).get(reverse("orgs:tree"), {"q": q}).content.decode()
    assert "城区分会骑手第一小组" in body


def test_search_path_stops_at_the_users_own_unit(world, as_user, deep):
    body = as_user(world.county_admin).get(reverse("orgs:tree"), {"q": "骑手"}).content.decode()
    path = re.search(r'<p class="tree-path">(.*?)</p>', body, re.S).group(1)
    assert "舞钢市总工会" in path and "平顶山市总工会" not in path


def test_search_finds_nothing_outside_the_jurisdiction(world, as_user):
    body = as_user(world.county_admin).get(reverse("orgs:tree"), {"q": "快递"}).content.decode()
    assert "舞钢快递行业工会" in body
    assert "宝丰快递行业工会" not in body
    body = as_user(world.county_admin).get(reverse("orgs:tree"), {"q": "BF-KD"}).content.decode()
    assert "宝丰快递行业工会" not in body
    assert "没有名称、简称或组织代码包含该内容的组织" in body


def test_search_says_when_there_are_more_matches_than_shown(world):
    for n in range(4):
        OrganizationFactory(parent=world.county, name=f"舞钢快递网点{n}工会")
    result = selectors.organization_search(user=world.county_admin, q="舞钢快递", limit=3)
    assert len(result.hits) == 3 and result.more


# --- query counts ---------------------------------------------------------------------------


def _grow(world, per_county: int, depth: int):
    """Add `per_county` chains of `depth` units under each county: the tree grows, the page not."""
    for county in (world.county, world.sibling):
        for i in range(per_county):
            parent = county
            for level in range(depth):
                parent = OrganizationFactory(parent=parent, name=f"{county.code}扩展{i}-{level}")


def _queries(client, url, **extra) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_tree(world, as_user):
    client = as_user(world.city_admin)
    pages = [
        (reverse("orgs:tree"), {}),
        (reverse("orgs:tree") + f"?open={world.county_trade.pk}", {}),
        (reverse("orgs:tree") + "?q=扩展", {}),
        (reverse("orgs:children", args=[world.county.pk]), HTMX),
    ]
    _grow(world, per_county=2, depth=2)
    small = [_queries(client, url, **extra) for url, extra in pages]
    _grow(world, per_county=10, depth=4)
    large = [_queries(client, url, **extra) for url, extra in pages]
    assert large == small
