"""A form's choice of organization: a drop-down list while the choices are few, a search box with
suggestions above settings.RUHUI_ORG_SELECT_MAX (a province's 50,000 unions), and the field
accepting the drop-down's id, "名称（代码）", a code or a unique full name — from the user's
jurisdiction only."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from ruhui.members.forms import MemberFilterForm
from ruhui.orgs.forms import OrgChoiceField, search_label
from ruhui.orgs.models import Organization
from tests.factories import OrganizationFactory


def _filter_form(user, data=None):
    return MemberFilterForm(data, user=user)


def test_few_choices_stay_a_drop_down(world, settings):
    settings.RUHUI_ORG_SELECT_MAX = 300
    html = str(_filter_form(world.county_admin)["union"])
    assert html.startswith("<select")
    assert "舞钢快递行业工会" in html


def test_many_choices_become_a_search_box(world, settings):
    settings.RUHUI_ORG_SELECT_MAX = 2
    html = str(_filter_form(world.city_admin)["union"])
    assert "<select" not in html
    assert 'type="text"' in html and "<datalist" in html
    assert reverse("orgs:suggest") in html
    # No organization is listed in the page: the suggestions come as the user types.
    assert "舞钢快递行业工会" not in html


def test_search_box_shows_the_chosen_organization_by_name_and_code(world, settings):
    settings.RUHUI_ORG_SELECT_MAX = 2
    form = _filter_form(world.city_admin, {"union": str(world.county_trade.pk)})
    html = str(form["union"])
    assert 'value="舞钢快递行业工会（WG-KD）"' in html


@pytest.mark.parametrize(
    "typed",
    [
        "{pk}",
        "舞钢快递行业工会（WG-KD）",
        "舞钢快递行业工会(WG-KD)",
        "WG-KD",
        "wg-kd",
        "舞钢快递行业工会",
    ],
)
def test_the_field_accepts_every_way_of_naming_an_organization(world, typed):
    form = _filter_form(world.city_admin, {"union": typed.format(pk=world.county_trade.pk)})
    assert form.filters()["union"] == world.county_trade


@pytest.mark.parametrize(
    "typed", ["宝丰快递行业工会（BF-KD）", "BF-KD", "宝丰快递行业工会", "{pk}"]
)
def test_an_organization_outside_the_jurisdiction_is_refused_in_chinese(world, typed):
    form = _filter_form(world.county_admin, {"union": typed.format(pk=world.sibling_trade.pk)})
    assert not form.is_valid()
    (message,) = form.errors["union"]
    assert "不是可选的组织" in message and "组织代码或全称" in message


def test_a_name_shared_by_two_organizations_asks_for_the_code(world):
    OrganizationFactory(parent=world.county, name="舞钢快递行业工会", code="WG-KD2")
    form = _filter_form(world.county_admin, {"union": "舞钢快递行业工会"})
    assert not form.is_valid()
    assert "不止一个" in form.errors["union"][0]


@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=80))
def test_any_typed_text_is_an_organization_or_a_chinese_message(world, text):
    # The records are only read: one world serves every example.
    field = OrgChoiceField(queryset=Organization.objects.filter(code__startswith="WG"))
    field.required = False
    outcome = None
    try:
        outcome = field.clean(text)
    except ValidationError as exc:
        outcome = exc
    if isinstance(outcome, ValidationError):
        assert "组织" in outcome.messages[0]
    else:
        assert outcome is None or outcome.code.startswith("WG")


# The suggestions endpoint: the allowed / read-only / sibling-county triangle.


def _suggest(client, text):
    return client.get(reverse("orgs:suggest"), {"field": "union", "union": text})


def test_suggestions_come_from_the_jurisdiction(world, as_user):
    body = _suggest(as_user(world.county_admin), "快递").content.decode()
    assert f'value="{search_label(world.county_trade)}"' in body
    assert "宝丰" not in body


def test_read_only_role_gets_suggestions_too(world, as_user):
    body = _suggest(as_user(world.county_viewer), "WG-").content.decode()
    assert "WG-KD" in body and "WG-E1" in body


def test_sibling_county_gets_none_of_ours(world, as_user):
    response = _suggest(as_user(world.sibling_admin), "舞钢")
    assert response.status_code == 200
    assert "<option" not in response.content.decode()


def test_suggestions_need_a_signed_in_cadre(world, client):
    response = _suggest(client, "舞钢")
    assert response.status_code in (302, 403)
    assert "舞钢" not in response.content.decode()


def test_suggestions_are_few(world, as_user, settings):
    for n in range(30):
        OrganizationFactory(
            parent=world.county, name=f"舞钢测试{n:02d}公司工会", code=f"WG-T{n:02d}"
        )
    body = _suggest(as_user(world.county_admin), "舞钢测试").content.decode()
    assert body.count("<option") == 20


def test_the_member_list_filters_by_a_typed_union(world, as_user, settings):
    settings.RUHUI_ORG_SELECT_MAX = 2
    client = as_user(world.city_admin)
    response = client.get(reverse("members:list"), {"union": "WG-KD"})
    assert response.status_code == 200
    assert 'value="舞钢快递行业工会（WG-KD）"' in response.content.decode()


def test_suggestions_offer_only_the_kinds_the_field_offers(world, as_user, settings):
    """The member list's union filter offers unions that admit members: its search box asks
    for those kinds only, never a federation that the field would refuse."""
    settings.RUHUI_ORG_SELECT_MAX = 2
    html = str(_filter_form(world.city_admin)["union"])
    url = html.split('hx-get="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert "kinds=" in url and "county" not in url.split("kinds=", 1)[1]
    body = as_user(world.city_admin).get(url + "&union=舞钢").content.decode()
    assert "舞钢快递行业工会" in body
    assert "舞钢市总工会" not in body


def test_a_nul_character_is_an_unknown_organization_not_an_error(world, as_user):
    """Found by the property test on PostgreSQL, which refuses NUL in a query's text."""
    form = _filter_form(world.county_admin, {"union": "WG\x00-KD"})
    assert not form.is_valid()
    assert "不是可选的组织" in form.errors["union"][0]
    response = _suggest(as_user(world.county_admin), "舞钢\x00")
    assert response.status_code == 200
    assert "舞钢快递行业工会" in response.content.decode()
