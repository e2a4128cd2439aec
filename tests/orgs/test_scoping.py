"""Jurisdiction: a cadre sees exactly its own organization's subtree (AC-3)."""

import pytest
from django.http import Http404
from hypothesis import given, settings
from hypothesis import strategies as st

from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import get_scoped_or_404, scoped, visible_organizations
from tests.factories import OrganizationFactory, UserFactory


def test_county_sees_its_subtree_only(world):
    names = set(visible_organizations(world.county_admin).values_list("name", flat=True))
    assert names == {"舞钢市总工会", "舞钢快递行业工会", "舞钢顺达物流有限公司工会"}


def test_city_sees_everything_below_it_but_not_the_province(world):
    names = set(visible_organizations(world.city_admin).values_list("name", flat=True))
    assert "宝丰快递行业工会" in names and "平顶山市道路货运行业工会" in names
    assert "河南省总工会" not in names


def test_industry_union_sees_its_own_branch(world):
    names = set(visible_organizations(world.industry_admin).values_list("name", flat=True))
    assert names == {"平顶山市工交工会", "平顶山市道路货运行业工会"}


def test_user_without_organization_or_inactive_sees_nothing(world):
    assert not visible_organizations(UserFactory(organization=None)).exists()
    world.county_admin.is_active = False
    assert not visible_organizations(world.county_admin).exists()


def test_outside_object_is_404_like_a_missing_one(world):
    with pytest.raises(Http404) as outside:
        get_scoped_or_404(world.county_admin, Organization, pk=world.sibling_trade.pk)
    with pytest.raises(Http404) as missing:
        get_scoped_or_404(world.county_admin, Organization, pk=10**9)
    assert str(outside.value) == str(missing.value)


def test_role_change_takes_effect_on_next_read(world):
    user = world.county_admin
    user.organization = world.sibling
    user.save()
    assert scoped(user, Organization).filter(pk=world.sibling_trade.pk).exists()
    assert not scoped(user, Organization).filter(pk=world.county_trade.pk).exists()


# Model-based property test: random trees, random placement; the visible set must equal a
# reference computed by walking parent links, which shares no code with the path prefix query.
tree_shapes = st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=25)
TREES = {"count": 0, "nodes": 0}


@settings(max_examples=25, deadline=None)
@given(parents=tree_shapes, placement=st.integers(min_value=0, max_value=25))
def check_random_tree(parents, placement):
    root = OrganizationFactory(kind="city", division_code="410400")
    nodes, parent_of = [root], {root.pk: None}
    for choice in parents:
        parent = nodes[choice % len(nodes)]
        parent = Organization.objects.get(pk=parent.pk)
        node = OrganizationFactory(parent=parent)
        nodes.append(node)
        parent_of[node.pk] = parent.pk
    home = nodes[placement % len(nodes)]
    user = UserFactory(organization=home)

    def is_below(pk):
        while pk is not None:
            if pk == home.pk:
                return True
            pk = parent_of[pk]
        return False

    expected = {pk for pk in parent_of if is_below(pk)}
    assert set(visible_organizations(user).values_list("pk", flat=True)) == expected
    TREES["count"] += 1
    TREES["nodes"] += len(nodes)


def test_visible_set_equals_reference_descendants(db, figure):
    TREES.update(count=0, nodes=0)
    check_random_tree()
    figure(
        "scoping property test",
        f"{TREES['count']} random trees ({TREES['nodes']} organizations), 0 counterexamples",
    )
