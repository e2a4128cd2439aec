"""Head counts typed on the survey form as people type them (issue 15 item 4): 1,234, 1，234,
full-width digits and 人 are saved as numbers through the real page; a refused count is named
next to its field (a group's under the grid), marked invalid, shown again as typed, and reported
together with the form's other mistakes; nothing is saved."""

import datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from ruhui.enterprises.models import Survey

TODAY = datetime.date.today().isoformat()
COUNTS = ["employees_total", "migrant_workers"] + [f"g0{n}" for n in range(1, 9)]


class Inputs(HTMLParser):
    def __init__(self, body: str):
        super().__init__()
        self.inputs: dict[str, dict] = {}
        self.feed(body)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.inputs[attrs["name"]] = attrs

    def invalid(self) -> list[str]:
        return sorted(n for n, a in self.inputs.items() if a.get("aria-invalid") == "true")


def _url(enterprise):
    return reverse("enterprises:survey", kwargs={"enterprise_pk": enterprise.pk})


def _post(**counts):
    return {"surveyed_on": TODAY, "union_status": "none", "reason": "09", **counts}


def test_count_inputs_take_commas(places, as_user):
    body = as_user(places.world.county_admin).get(_url(places.anju)).content.decode()
    inputs = Inputs(body).inputs
    for name in COUNTS:
        assert inputs[name]["inputmode"] == "numeric"
        assert inputs[name].get("type") == "text"
        assert "pattern" not in inputs[name]  # [0-9]* would refuse 1,234 in the browser


@pytest.mark.parametrize(
    ("typed", "number"),
    [("1,234", 1234), ("1，234", 1234), ("１２３４", 1234), ("1 234 人", 1234), ("1234", 1234)],
)
def test_counts_as_typed_are_saved(places, as_user, typed, number):
    response = as_user(places.world.county_admin).post(
        _url(places.anju),
        _post(employees_total=typed, migrant_workers="３００", g02="1，000", g06="0"),
    )
    assert response.status_code == 302
    survey = Survey.objects.get(enterprise=places.anju)
    assert (survey.employees_total, survey.migrant_workers) == (number, 300)
    assert survey.group_counts == {"02": 1000}


def test_a_refused_count_is_named_kept_and_reported_with_the_rest(places, as_user):
    response = as_user(places.world.county_admin).post(
        _url(places.anju),
        {
            **_post(employees_total="1,23", migrant_workers="12"),
            "surveyed_on": "2099-01-01",
            "reason": "99",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_employees_total_error"' in body
    assert "职工人数「1,23」的逗号（或空格）位置不对" in body and "如 3500 或 3,500" in body
    # The other mistakes are shown at the same time, from the services' own checks.
    assert 'id="id_surveyed_on_error"' in body and "排查日期不能晚于今天" in body
    assert 'id="id_reason_text_error"' in body
    # 农民工 is not compared with a total that was refused.
    assert "不能多于职工人数" not in body
    inputs = Inputs(body)
    assert inputs.invalid() == ["employees_total", "reason_text", "surveyed_on"]
    assert inputs.inputs["employees_total"]["value"] == "1,23"
    assert inputs.inputs["migrant_workers"]["value"] == "12"
    assert not Survey.objects.filter(enterprise=places.anju).exists()


def test_a_refused_group_count_is_named_under_the_grid(places, as_user):
    response = as_user(places.world.county_admin).post(
        _url(places.anju), _post(employees_total="40", g02="2.5", g04="３")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert '<p id="id_g02_error">快递员「2.5」应为整数，不带小数点' in body
    inputs = Inputs(body)
    assert inputs.invalid() == ["g02"]
    assert inputs.inputs["g02"]["aria-describedby"] == "id_g02_error"
    assert inputs.inputs["g04"]["value"] == "３"
    assert 'class="has-error">快递员' in body
    assert not Survey.objects.filter(enterprise=places.anju).exists()


def test_the_survey_limit_is_kept(places, as_user):
    response = as_user(places.world.county_admin).post(
        _url(places.anju), _post(employees_total="1,000,001")
    )
    assert response.status_code == 200
    assert "职工人数「1,000,001」过大：应为不超过 1,000,000 的整数" in response.content.decode()
    assert not Survey.objects.filter(enterprise=places.anju).exists()


def test_group_sums_are_still_checked_with_typed_counts(places, as_user):
    response = as_user(places.world.county_admin).post(
        _url(places.anju), _post(employees_total="1,000", g02="600", g06="５００")
    )
    assert response.status_code == 200
    assert "各群体人数之和（1100）不能多于职工人数（1000）" in response.content.decode()
