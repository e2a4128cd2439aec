"""The enterprise registry: validation messages, de-duplication, jurisdiction of writes."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ruhui.audit.models import AuditEvent
from ruhui.enterprises import services
from ruhui.enterprises.models import Enterprise
from ruhui.enterprises.validation import clean_enterprise_fields
from tests.enterprises.factories import make_enterprise, make_uscc


def messages(exc: ValidationError, field: str) -> str:
    return " ".join(exc.message_dict[field])


def test_clean_enterprise_fields_names_the_field_and_the_fix():
    _cleaned, errors = clean_enterprise_fields(
        {
            "name": "",
            "division_code": "410400",
            "uscc": "91350100M000100Y44",
            "industry": "造船",
            "is_construction_project": "是",
            "groups": "快递员、飞行员",
        }
    )
    assert "企业名称不能为空" in errors["name"][0]
    assert "省、市级代码" in errors["division_code"][0]
    assert "校验位" in errors["uscc"][0]
    assert "所属行业「造船」不在代码表中" in errors["industry"][0]
    assert "项目规模" in errors["project_scale"][0]
    assert "飞行员" in errors["groups"][0]


def test_clean_enterprise_fields_accepts_labels_and_flags():
    cleaned, errors = clean_enterprise_fields(
        {
            "name": "  平顶山　安居物业服务有限公司 ",
            "division_code": "４１０４８１",
            "industry": "房地产业",
            "is_property_company": "√",
            "is_construction_project": "否",
            "groups": ["保安员", "08", "快递员"],
        }
    )
    assert errors == {}
    assert cleaned["name"] == "平顶山 安居物业服务有限公司"
    assert cleaned["division_code"] == "410481"
    assert cleaned["industry"] == "K"
    assert cleaned["is_property_company"] is True
    assert cleaned["is_non_public"] is True  # default: the drive is about 非公 enterprises
    assert cleaned["groups"] == ["08", "02"]


def test_create_is_audited_and_scoped(world):
    enterprise = make_enterprise(
        world.county_admin, world.county, name="舞钢顺达物流有限公司", groups="货车司机"
    )
    assert enterprise.normalised_name == "舞钢顺达物流有限公司"
    assert list(enterprise.groups.values_list("code", flat=True)) == ["01"]
    event = AuditEvent.objects.get(object_type="enterprises.enterprise", action="create")
    assert event.org_path == world.county.path
    with pytest.raises(PermissionDenied):
        make_enterprise(world.sibling_admin, world.county)


def test_dedupe_by_credit_code_names_the_existing_enterprise(world):
    code = make_uscc()
    make_enterprise(world.county_admin, world.county, name="舞钢顺达物流有限公司", uscc=code)
    with pytest.raises(ValidationError) as exc:
        make_enterprise(world.sibling_admin, world.sibling, name="另一个名字", uscc=code)
    text = messages(exc.value, "uscc")
    assert "已登记为「舞钢顺达物流有限公司」" in text and "舞钢市总工会" in text


@pytest.mark.parametrize(
    "variant",
    [
        "舞钢顺达物流（有限）公司",
        "舞钢顺达物流(有限)公司",
        "舞钢 顺达物流 （有限） 公司",
        "舞钢顺达物流〔有限〕公司",
    ],
)
def test_dedupe_by_normalised_name_within_a_county(world, variant):
    make_enterprise(world.county_admin, world.county, name="舞钢顺达物流（有限）公司")
    with pytest.raises(ValidationError) as exc:
        make_enterprise(world.county_admin, world.county, name=variant)
    assert "已在河南省平顶山市舞钢市登记" in messages(exc.value, "name")
    # The same name in another county is another enterprise.
    make_enterprise(world.sibling_admin, world.sibling, name=variant)
    assert Enterprise.objects.count() == 2


def test_a_coded_newcomer_matching_an_uncoded_record_is_told_to_fill_the_code(world):
    existing = make_enterprise(world.county_admin, world.county, name="舞钢巧媳妇家政服务部")
    with pytest.raises(ValidationError) as exc:
        make_enterprise(
            world.county_admin, world.county, name="舞钢巧媳妇家政服务部", uscc=make_uscc()
        )
    assert "补填代码" in messages(exc.value, "name")
    code = make_uscc()
    services.enterprise_update(actor=world.county_admin, enterprise=existing, data={"uscc": code})
    existing.refresh_from_db()
    assert existing.uscc == code


def test_update_keeps_the_dedupe_rule_and_checks_scale(world):
    make_enterprise(world.county_admin, world.county, name="甲公司")
    other = make_enterprise(world.county_admin, world.county, name="乙公司")
    with pytest.raises(ValidationError):
        services.enterprise_update(
            actor=world.county_admin, enterprise=other, data={"name": "甲 公司"}
        )
    with pytest.raises(ValidationError) as exc:
        services.enterprise_update(
            actor=world.county_admin, enterprise=other, data={"is_construction_project": True}
        )
    assert "大中型或小型" in messages(exc.value, "project_scale")
    services.enterprise_update(
        actor=world.county_admin,
        enterprise=other,
        data={"is_construction_project": "是", "project_scale": "大中型"},
    )
    other.refresh_from_db()
    assert other.project_scale == "large"
    services.enterprise_update(
        actor=world.county_admin, enterprise=other, data={"is_construction_project": False}
    )
    other.refresh_from_db()
    assert other.project_scale == ""
    with pytest.raises(PermissionDenied):
        services.enterprise_update(actor=world.sibling_admin, enterprise=other, data={})


def test_parks_directory(world):
    park = services.park_create(
        actor=world.county_admin,
        responsible_unit=world.county,
        data={"name": "舞钢市产业集聚区", "kind": "产业集聚区", "division_code": "410481"},
    )
    assert not park.has_union
    enterprise = make_enterprise(world.county_admin, world.county, park=park, township="垭口街道")
    assert enterprise.park == park
    with pytest.raises(ValidationError) as exc:
        make_enterprise(world.city_admin, world.sibling, park=park)
    assert "不一致" in messages(exc.value, "park")
    with pytest.raises(ValidationError):
        services.park_create(
            actor=world.county_admin,
            responsible_unit=world.county,
            data={"name": "舞钢市产业集聚区", "kind": "cluster", "division_code": "410481"},
        )
    services.park_update(actor=world.county_admin, park=park, data={}, union=world.county_trade)
    park.refresh_from_db()
    assert park.has_union
