"""Organization services: forms of union under their parents, deactivation, moving subtrees."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ruhui.audit.models import AuditEvent
from ruhui.orgs import services
from ruhui.orgs.models import Organization, WorkerGroup
from ruhui.orgs.scoping import visible_organizations


def data(**overrides):
    base = {
        "name": "舞钢美团外卖配送站工会",
        "code": "WG-MT",
        "kind": "enterprise",
        "division_code": "410481",
    }
    return base | overrides


def test_create_places_union_under_parent_and_audits(world):
    couriers = WorkerGroup.objects.get(name="快递员")
    org = services.organization_create(
        actor=world.county_admin, parent=world.county, data=data(), groups=[couriers]
    )
    assert Organization.objects.get_parent(org) == world.county
    assert list(org.groups.values_list("name", flat=True)) == ["快递员"]
    event = AuditEvent.objects.get(action="create", object_id=str(org.pk))
    assert event.org_path == org.path
    assert event.changes["name"] == [None, "舞钢美团外卖配送站工会"]
    assert event.changes["groups"] == [None, ["快递员"]]


def test_create_outside_jurisdiction_is_refused(world):
    with pytest.raises(PermissionDenied):
        services.organization_create(actor=world.county_admin, parent=world.sibling, data=data())
    assert not Organization.objects.filter(code="WG-MT").exists()


@pytest.mark.parametrize(
    ("kind", "parent_attr"),
    [
        ("county", "county"),  # a county federation under a county federation
        ("township", "industry"),  # a township union under an industry union
        ("branch", "county"),  # a 分会 directly under a county federation
        ("city", "city"),
    ],
)
def test_kind_must_fit_parent(world, kind, parent_attr):
    with pytest.raises(ValidationError) as err:
        services.organization_create(
            actor=world.city_admin, parent=getattr(world, parent_attr), data=data(kind=kind)
        )
    message = err.value.message_dict["kind"][0]
    assert ("不能设在" in message and "请选择" in message) or "最上级" in message


def test_sibling_names_are_unique_under_one_parent(world):
    with pytest.raises(ValidationError) as err:
        services.organization_create(
            actor=world.county_admin, parent=world.county, data=data(name="舞钢快递行业工会")
        )
    assert "已存在" in err.value.message_dict["name"][0]


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("code", "中文代码", "组织代码"),
        ("division_code", "419999", "行政区划"),
        ("contact_phone", "12345", "联系电话"),
        ("uscc", "91410400MA40000000", "统一社会信用代码"),
    ],
)
def test_bad_fields_get_chinese_messages(world, field, value, fragment):
    with pytest.raises(ValidationError) as err:
        services.organization_create(
            actor=world.county_admin, parent=world.county, data=data(**{field: value})
        )
    assert fragment in " ".join(err.value.message_dict[field])


def test_union_uscc_must_be_a_union_code(world):
    from stdnum.cn import uscc

    company = "91410400MA40AB123"  # 91 = an enterprise, not a union
    company += uscc.calc_check_digit(company)
    union = "81410400MA40AB123"
    union += uscc.calc_check_digit(union)
    with pytest.raises(ValidationError) as err:
        services.organization_create(
            actor=world.county_admin, parent=world.county, data=data(uscc=company)
        )
    assert "不是工会的代码" in err.value.message_dict["uscc"][0]
    org = services.organization_create(
        actor=world.county_admin, parent=world.county, data=data(uscc=union)
    )
    assert org.uscc == union


def test_update_records_changed_fields_only(world):
    services.organization_update(
        actor=world.county_admin,
        organization=world.county_trade,
        data={"chair_name": "赵六", "home_rating": "county"},
    )
    event = AuditEvent.objects.get(action="update", object_id=str(world.county_trade.pk))
    assert event.changes == {"chair_name": ["", "赵六"], "home_rating": ["", "county"]}


def test_kind_change_must_still_fit_children(world):
    services.organization_create(
        actor=world.city_admin,
        parent=world.county,
        data=data(name="舞钢垭口街道工会", code="WG-YK", kind="township"),
    )
    # A county federation may become an industry union under the city, but a township union
    # cannot stand under an industry union.
    with pytest.raises(ValidationError) as err:
        services.organization_update(
            actor=world.city_admin, organization=world.county, data={"kind": "industry"}
        )
    assert "不能改为「产业工会」" in err.value.message_dict["kind"][0]
    assert "舞钢垭口街道工会" in err.value.message_dict["kind"][0]


def test_deactivate_requires_reason_and_no_active_children(world):
    with pytest.raises(ValidationError):
        services.organization_deactivate(
            actor=world.city_admin, organization=world.county, reason="合并"
        )
    with pytest.raises(ValidationError):
        services.organization_deactivate(
            actor=world.city_admin, organization=world.county_trade, reason="  "
        )
    org = services.organization_deactivate(
        actor=world.city_admin, organization=world.county_trade, reason="企业注销"
    )
    assert not org.is_active and org.deactivation_reason == "企业注销"
    assert AuditEvent.objects.filter(action="deactivate", object_id=str(org.pk)).count() == 1


def test_cannot_deactivate_or_move_own_organization(world):
    with pytest.raises(ValidationError):
        services.organization_deactivate(
            actor=world.county_admin, organization=world.county, reason="x"
        )
    with pytest.raises(ValidationError):
        services.organization_move(
            actor=world.county_admin, organization=world.county, new_parent=world.county_trade
        )


def test_reactivate_needs_active_parent(world):
    services.organization_deactivate(
        actor=world.city_admin, organization=world.county_trade, reason="停业"
    )
    org = services.organization_reactivate(actor=world.city_admin, organization=world.county_trade)
    assert org.is_active


def test_move_takes_the_whole_subtree_along(world):
    branch = services.organization_create(
        actor=world.city_admin,
        parent=world.county_trade,
        data=data(name="舞钢顺丰分会", code="WG-SF", kind="branch"),
    )
    moved = services.organization_move(
        actor=world.city_admin, organization=world.county_trade, new_parent=world.sibling
    )
    branch.refresh_from_db()
    assert Organization.objects.get_parent(moved) == world.sibling
    assert Organization.objects.get_parent(branch).pk == moved.pk
    assert branch.path.startswith(world.sibling.path)
    # Jurisdiction follows: the old county no longer sees them, the new one does.
    county_sees = set(visible_organizations(world.county_admin).values_list("pk", flat=True))
    sibling_sees = set(visible_organizations(world.sibling_admin).values_list("pk", flat=True))
    assert {moved.pk, branch.pk}.isdisjoint(county_sees)
    assert {moved.pk, branch.pk} <= sibling_sees
    assert AuditEvent.objects.get(action="move").changes == {
        "parent": ["舞钢市总工会", "宝丰县总工会"]
    }


def test_move_into_own_subtree_or_outside_is_refused(world):
    with pytest.raises(ValidationError):
        services.organization_move(
            actor=world.city_admin, organization=world.county, new_parent=world.county_trade
        )
    with pytest.raises(PermissionDenied):
        services.organization_move(
            actor=world.county_admin, organization=world.county_trade, new_parent=world.sibling
        )
