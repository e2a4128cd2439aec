"""「建会」: create a grassroots union in the tree, or attach to an existing one; counts follow."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ruhui.audit.models import AuditEvent
from ruhui.enterprises import selectors, services
from ruhui.orgs.models import Organization
from tests.enterprises.factories import make_enterprise, make_uscc, survey
from tests.members.factories import join


def test_build_creates_a_union_in_the_tree_and_members_count(world):
    actor = world.county_admin
    enterprise = make_enterprise(
        actor, world.county, name="舞钢鹰城物流有限公司", industry="G", groups="货车司机"
    )
    survey(actor, enterprise, "2026-01-05", employees_total=40, migrant_workers=30)
    before = selectors.coverage(user=actor, by="division").total
    assert (before.unionised, before.members) == (0, 0)

    founded = datetime.date(2026, 3, 8)
    services.union_build(
        actor=actor, enterprise=enterprise, parent=world.county, union_data={"founded_on": founded}
    )
    enterprise.refresh_from_db()
    union = enterprise.union
    assert union.name == "舞钢鹰城物流有限公司工会"
    assert union.kind == "enterprise" and union.founded_on == founded
    assert Organization.objects.get_parent(union) == world.county
    assert union.code == f"WG-Q{enterprise.pk}"
    assert list(union.groups.values_list("name", flat=True)) == ["货车司机"]
    assert (enterprise.union_status, enterprise.unionised_on) == ("built", founded)
    assert AuditEvent.objects.filter(object_type="orgs.organization", action="create").exists()
    assert AuditEvent.objects.filter(
        object_type="enterprises.enterprise", action="update", changes__建会__1="新建工会"
    ).exists()

    join(actor, union, employer_name="别的单位")  # a sole union: all its members count
    join(actor, union)
    after = selectors.coverage(user=actor, by="division").total
    assert (after.unionised, after.members, after.employees) == (1, 2, 40)
    assert after.membership_rate == pytest.approx(2 / 40)
    assert not selectors.worklist(user=actor).filter(pk=enterprise.pk).exists()


def test_attach_to_an_existing_joint_union_shared_by_enterprises(world):
    actor = world.county_admin
    a = make_enterprise(actor, world.county, name="舞钢中通快递有限公司", uscc=make_uscc())
    b = make_enterprise(actor, world.county, name="舞钢韵达快递服务部")
    for e in (a, b):
        services.union_build(
            actor=actor, enterprise=e, union=world.county_trade, on=datetime.date(2026, 4, 1)
        )
    join(actor, world.county_trade, employer_uscc=a.uscc, employer_name="写错的名字")
    join(actor, world.county_trade, employer_name="舞钢 中通快递有限公司")
    join(actor, world.county_trade, employer_name="舞钢 韵达快递服务部")
    join(actor, world.county_trade, employer_name="个体快递员")  # matches no enterprise
    members = selectors.enterprise_members(selectors.enterprise_list(user=actor))
    assert members == {a.pk: 2, b.pk: 1}
    a.refresh_from_db()
    assert a.unionised_on == datetime.date(2026, 4, 1)
    # The union's side sees the enterprises it covers.
    assert set(selectors.enterprise_list(user=actor).values_list("pk", flat=True)) == {a.pk, b.pk}


def test_build_refusals(world):
    actor = world.county_admin
    enterprise = make_enterprise(actor, world.county)
    with pytest.raises(ValidationError, match="二选一"):
        services.union_build(actor=actor, enterprise=enterprise)
    with pytest.raises(ValidationError) as exc:
        services.union_build(actor=actor, enterprise=enterprise, union=world.county)
    assert "不直接覆盖企业" in exc.value.message_dict["union"][0]
    with pytest.raises(PermissionDenied):
        services.union_build(actor=actor, enterprise=enterprise, union=world.sibling_trade)
    with pytest.raises(PermissionDenied):
        services.union_build(actor=world.sibling_admin, enterprise=enterprise, parent=world.sibling)
    with pytest.raises(ValidationError):
        services.union_build(
            actor=actor,
            enterprise=enterprise,
            parent=world.county,
            union_data={"kind": "county"},
        )
    services.union_build(actor=actor, enterprise=enterprise, union=world.county_enterprise)
    with pytest.raises(ValidationError, match="无需再建会"):
        services.union_build(actor=actor, enterprise=enterprise, union=world.county_trade)


def test_a_survey_reported_union_can_be_linked_later(world):
    actor = world.county_admin
    enterprise = make_enterprise(actor, world.county)
    survey(actor, enterprise, "2026-02-01", union_status="已建会", reason="", legal_rep_attitude="")
    enterprise.refresh_from_db()
    assert enterprise.union_status == "built" and enterprise.union is None
    services.union_build(actor=actor, enterprise=enterprise, union=world.county_enterprise)
    enterprise.refresh_from_db()
    assert enterprise.union == world.county_enterprise


def test_a_union_covering_enterprises_cannot_be_deactivated(world):
    from ruhui.orgs.services import organization_deactivate

    enterprise = make_enterprise(world.county_admin, world.county)
    services.union_build(
        actor=world.county_admin, enterprise=enterprise, union=world.county_enterprise
    )
    with pytest.raises(ValidationError, match="还覆盖 1 家企业"):
        organization_deactivate(
            actor=world.county_admin, organization=world.county_enterprise, reason="企业关停"
        )
