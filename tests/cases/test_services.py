"""The case chain: submit → select → edit → publish → withdraw, who may take each step, and
the refusal of personal data at publication."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ruhui.audit.models import AuditEvent
from ruhui.cases import services
from ruhui.cases.models import Case, CaseEvent, CaseStatus
from ruhui.cases.personal import find_personal
from ruhui.core import idnumber
from tests.cases.factories import TEXT, submit
from tests.projects.factories import make_campaign


@pytest.mark.django_db
def test_the_whole_chain_leaves_events_and_audit_rows(world):
    case = submit(world.county_admin)
    assert case.status == CaseStatus.SUBMITTED and case.unit == world.county
    assert [g.code for g in case.groups.all()] == ["02"]
    case = services.case_select(actor=world.city_admin, case=case)
    case = services.case_update(
        actor=world.city_admin,
        case=case,
        data={"title": "小哥驿站：把工会建到快递网点", "text": TEXT},
    )
    case = services.case_publish(actor=world.city_admin, case=case)
    assert case.status == CaseStatus.PUBLISHED
    assert case.slug == f"{case.submitted_at.year}-{case.pk:04d}"
    slug = case.slug
    case = services.case_withdraw(actor=world.city_admin, case=case, reason="内容需更新")
    case = services.case_publish(actor=world.city_admin, case=case)
    assert case.slug == slug  # stable across withdraw and publish again
    steps = list(CaseEvent.objects.filter(case=case).values_list("from_status", "to_status"))
    assert steps == [
        ("", "submitted"),
        ("submitted", "selected"),
        ("selected", "selected"),
        ("selected", "published"),
        ("published", "withdrawn"),
        ("withdrawn", "published"),
    ]
    edit = CaseEvent.objects.get(case=case, note="修改")
    assert edit.changes["标题"] == [
        "舞钢快递行业工会建起「小哥驿站」",
        "小哥驿站：把工会建到快递网点",
    ]
    audits = AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk))
    assert audits.count() == 6


@pytest.mark.django_db
def test_only_a_unit_above_reviews(world):
    case = submit(world.county_admin)
    for actor in (world.county_admin, world.sibling_admin, world.industry_admin):
        with pytest.raises(PermissionDenied):
            services.case_publish(actor=actor, case=case)
    with pytest.raises(PermissionDenied):  # read-only role
        services.case_submit(actor=world.county_viewer, data={"title": "x", "text": "y"})


@pytest.mark.django_db
def test_a_campaign_case_is_reviewed_by_the_campaign_owner_or_above(world):
    campaign = make_campaign(world)
    trade_admin = _admin_of(world.county_trade)
    case = submit(trade_admin, campaign=campaign)
    with pytest.raises(PermissionDenied):  # the county is above, but not the campaign owner
        services.case_select(actor=world.county_admin, case=case)
    assert services.case_select(actor=world.city_admin, case=case).status == CaseStatus.SELECTED


def _admin_of(unit):
    from tests.factories import UserFactory

    return UserFactory(username=f"admin_{unit.code}", organization=unit)


@pytest.mark.django_db
def test_bad_input_names_the_field(world):
    with pytest.raises(ValidationError) as caught:
        services.case_submit(actor=world.county_admin, data={"title": "", "text": " "})
    assert caught.value.message_dict == {"title": ["请填写标题。"], "text": ["请填写正文。"]}
    with pytest.raises(ValidationError) as caught:
        submit(world.county_admin, groups=["77"])
    assert caught.value.message_dict["groups"] == ["八大群体「77」不认识：请从列表中选择。"]
    case = submit(world.county_admin)
    with pytest.raises(ValidationError) as caught:
        services.case_withdraw(actor=world.city_admin, case=case, reason=" ")
    assert caught.value.message_dict["reason"] == ["撤下时请填写撤下原因。"]
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_a_second_publisher_is_told_it_was_handled(world):
    case = submit(world.county_admin)
    stale = Case.objects.get(pk=case.pk)
    services.case_publish(actor=world.city_admin, case=case)
    with pytest.raises(ValidationError) as caught:
        services.case_publish(actor=world.city_admin, case=stale)
    assert "已被他人处理" in caught.value.messages[0]
    assert CaseEvent.objects.filter(case=case, to_status="published").count() == 1


# --- personal data ------------------------------------------------------------------------

ID_FIRST17 = st.from_regex(
    r"\A41[0-9]{4}(19[5-9][0-9]|200[0-5])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}\Z"
)
PHONE = st.from_regex(r"\A1[3-9][0-9]{9}\Z")
CHINESE = st.text(alphabet="工会驿站快递小哥入会服务职工之家，。、的在了和", max_size=30)
SEPARATORS = st.sampled_from(["", " ", "-"])


def _id_number(first17: str) -> str:
    return first17 + idnumber.checksum_char(first17)


def _spaced(phone: str, sep: str) -> str:
    return f"{phone[:3]}{sep}{phone[3:7]}{sep}{phone[7:]}"


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    first17=ID_FIRST17,
    sep=SEPARATORS,
    before=CHINESE,
    after=CHINESE,
    field=st.sampled_from(["title", "text"]),
)
def test_publishing_is_refused_with_an_id_number(world, first17, sep, before, after, field):
    number = _id_number(first17)
    written = f"{number[:6]}{sep}{number[6:14]}{sep}{number[14:]}"
    data = {"title": "小哥驿站", "text": TEXT, field: f"{before}身份证{written}{after}"[:80]}
    case = submit(world.county_admin, **data)
    with pytest.raises(ValidationError) as caught:
        services.case_publish(actor=world.city_admin, case=case)
    message = caught.value.message_dict[field][0]
    assert "身份证号码" in message and number[:6] + "********" + number[14:] in message
    assert number not in message
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    phone=PHONE,
    sep=SEPARATORS,
    prefix=st.sampled_from(["", "+86 ", "86-", "+86"]),
    before=CHINESE,
    after=CHINESE,
)
def test_publishing_is_refused_with_a_mobile_number(world, phone, sep, prefix, before, after):
    written = prefix + _spaced(phone, sep)
    case = submit(world.county_admin, text=f"{TEXT}\n{before}联系电话{written}{after}")
    with pytest.raises(ValidationError) as caught:
        services.case_publish(actor=world.city_admin, case=case)
    message = caught.value.message_dict["text"][0]
    assert "正文中含有手机号码" in message and f"{phone[:3]}****{phone[-4:]}" in message
    assert Case.objects.get(pk=case.pk).slug is None


def test_the_scanner_reads_fifteen_digit_ids_and_full_width_digits():
    assert find_personal("旧证号410402800101123").kind == "id"
    assert find_personal("电话１３９３７５１２３４５").kind == "phone"
    assert find_personal("身份证 410402 19900101 123X 已核实").masked == "410402********123X"
    assert find_personal("电话+86 139-3751-2345").masked == "139****2345"
    assert find_personal("电话8613937512345").masked == "139****2345"
    assert find_personal("2019年发展会员28000名，建会128家") is None
    assert find_personal("2019-06-30 至 2019-12-31，会员 12,345 人") is None
    assert find_personal("统一社会信用代码91410400MA44XXXX1X") is None
