"""Enterprise forms through the pages: registration with Chinese errors next to fields and the
duplicate's link, edits, the survey form (a new record each time, history kept, prefilled from
the latest), 「建会」 from the detail page, and the park directory."""

import datetime

from django.urls import reverse

from ruhui.enterprises.models import Enterprise, Park, Survey
from ruhui.orgs.models import Organization
from tests.enterprises.factories import make_uscc

TODAY = datetime.date.today().isoformat()


def _form(**extra):
    return {
        "name": "舞钢宏达建筑安装有限公司",
        "uscc": "",
        "responsible_unit": "",
        "division_code": "410481",
        "township": "垭口街道",
        "industry": "E",
        "flags": ["is_non_public"],
        **extra,
    }


def _detail(e):
    return reverse("enterprises:detail", kwargs={"enterprise_pk": e.pk})


def test_register_an_enterprise(places, as_user):
    w = places.world
    client = as_user(w.county_admin)
    code = make_uscc()
    response = client.post(
        reverse("enterprises:create"),
        _form(
            uscc=code.lower(),
            responsible_unit=w.county.pk,
            park=places.park.pk,
            groups=["01", "03"],
            flags=["is_non_public", "is_construction_project"],
            project_scale="large",
        ),
    )
    enterprise = Enterprise.objects.get(uscc=code)
    assert response.status_code == 302 and response["Location"] == _detail(enterprise)
    assert enterprise.park == places.park and enterprise.responsible_unit == w.county
    assert sorted(enterprise.groups.values_list("code", flat=True)) == ["01", "03"]
    assert enterprise.project_scale == "large"
    page = client.get(_detail(enterprise)).content.decode()
    assert "舞钢宏达建筑安装有限公司" in page and "在建项目" in page and "尚未排查" in page


def test_errors_are_chinese_and_next_to_the_field(places, as_user):
    w = places.world
    client = as_user(w.county_admin)
    good = make_uscc()
    bad = good[:17] + ("1" if good[17] == "0" else "0")  # never the right check character
    response = client.post(
        reverse("enterprises:create"),
        _form(uscc=bad, responsible_unit=w.county.pk, flags=["is_construction_project"]),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_uscc_error"' in body and "校验位（第 18 位）应为" in body
    assert 'id="id_project_scale_error"' in body and "在建项目请选择项目规模" in body
    assert not Enterprise.objects.filter(name="舞钢宏达建筑安装有限公司").exists()
    empty = client.post(reverse("enterprises:create"), {}).content.decode()
    assert 'id="id_name_error"' in empty and "企业名称不能为空" in empty


def test_duplicate_links_to_the_existing_enterprise_when_visible(places, as_user):
    w = places.world
    client = as_user(w.county_admin)
    data = _form(
        name="舞钢 顺达快递有限公司", uscc=places.shunda.uscc, responsible_unit=w.county.pk
    )
    body = client.post(reverse("enterprises:create"), data).content.decode()
    assert "已登记为「舞钢顺达快递有限公司」" in body
    assert f'href="{_detail(places.shunda)}"' in body
    # The sibling county is told it exists (to coordinate) but gets no link into county A.
    sibling = as_user(w.sibling_admin)
    data = _form(
        name="舞钢顺达快递有限公司",
        uscc=places.shunda.uscc,
        responsible_unit=w.sibling.pk,
        division_code="410421",
    )
    body = sibling.post(reverse("enterprises:create"), data).content.decode()
    assert "已登记为「舞钢顺达快递有限公司」" in body
    assert _detail(places.shunda) not in body


def test_edit_keeps_what_is_not_changed(places, as_user):
    w = places.world
    client = as_user(w.county_admin)
    url = reverse("enterprises:edit", kwargs={"enterprise_pk": places.anju.pk})
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False)}
    data |= {"address": "舞钢市垭口街道建设路 8 号", "groups": ["08"]}
    data["flags"] = [*data["flags"], "is_property_company"]
    response = client.post(url, data)
    assert response.status_code == 302
    places.anju.refresh_from_db()
    assert places.anju.address == "舞钢市垭口街道建设路 8 号"
    assert places.anju.is_property_company and places.anju.township == "寺坡街道"
    assert list(places.anju.groups.values_list("code", flat=True)) == ["08"]


def test_survey_form_creates_a_new_record_and_keeps_history(places, as_user):
    w = places.world
    client = as_user(w.county_admin)
    url = reverse("enterprises:survey", kwargs={"enterprise_pk": places.shunda.pk})
    page = client.get(url)
    form = page.context["form"]
    # Prefilled from the latest survey (2026-03-01), dated today.
    assert form.initial["employees_total"] == 30 and form.initial["g02"] == 25
    assert form.initial["surveyed_on"] == TODAY
    body = page.content.decode()
    assert 'inputmode="numeric"' in body and 'name="g02"' in body
    response = client.post(
        url,
        {
            "surveyed_on": TODAY,
            "union_status": "preparing",
            "reason": "09",
            "legal_rep_attitude": "1",
            "employees_total": "34",
            "migrant_workers": "22",
            "g02": "28",
            "g06": "3",
            "next_action": "03",
            "next_action_due": TODAY,
            "next_action_owner_name": "李干事",
        },
    )
    assert response.status_code == 302
    surveys = list(places.shunda.surveys.order_by("surveyed_on", "id"))
    assert len(surveys) == 3
    assert [s.employees_total for s in surveys] == [18, 30, 34]
    newest = surveys[-1]
    assert newest.group_counts == {"02": 28, "06": 3} and newest.is_complete
    assert newest.surveyor == w.county_admin
    places.shunda.refresh_from_db()
    assert places.shunda.union_status == "preparing" and places.shunda.employees_total == 34
    detail = client.get(_detail(places.shunda)).content.decode()
    assert detail.count('class="survey-item"') == 3 and "五清齐全" in detail
    assert "快递员 28" in detail and "<svg" in detail


def test_survey_errors_next_to_fields(places, as_user):
    client = as_user(places.world.county_admin)
    url = reverse("enterprises:survey", kwargs={"enterprise_pk": places.anju.pk})
    response = client.post(
        url,
        {
            "surveyed_on": "2099-01-01",
            "union_status": "none",
            "reason": "99",
            "employees_total": "10",
            "migrant_workers": "12",
            "g04": "30",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_surveyed_on_error"' in body and "排查日期不能晚于今天" in body
    assert 'id="id_migrant_workers_error"' in body and "不能多于职工人数" in body
    assert 'id="id_reason_text_error"' in body
    assert 'id="group_counts_error"' in body and "各群体人数之和（30）" in body
    assert Survey.objects.filter(enterprise=places.anju).count() == 0


def test_build_a_new_union_from_the_page_and_coverage_follows(places, as_user):
    w = places.world
    client = as_user(w.county_admin)
    before = client.get(reverse("enterprises:coverage")).context["total"]
    detail = client.get(_detail(places.shunda)).content.decode()
    assert 'id="build"' in detail
    url = reverse("enterprises:build", kwargs={"enterprise_pk": places.shunda.pk})
    response = client.post(
        url,
        {
            "mode": "new",
            "parent": w.county.pk,
            "name": "舞钢顺达快递有限公司工会委员会",
            "kind": "enterprise",
            "founded_on": TODAY,
        },
    )
    assert response.status_code == 302
    places.shunda.refresh_from_db()
    union = places.shunda.union
    assert union.name == "舞钢顺达快递有限公司工会委员会"
    assert Organization.objects.get_parent(union) == w.county
    after = client.get(reverse("enterprises:coverage")).context["total"]
    assert (before.unionised, after.unionised) == (0, 1)
    page = client.get(_detail(places.shunda)).content.decode()
    assert 'id="build"' not in page and f"?union={union.pk}" in page
    assert places.shunda.name not in client.get(reverse("enterprises:worklist")).content.decode()


def test_attach_to_an_existing_union_and_errors(places, as_user):
    w = places.world
    client = as_user(w.county_admin)
    url = reverse("enterprises:build", kwargs={"enterprise_pk": places.anju.pk})
    response = client.post(url, {"mode": "attach"})
    assert "纳入已有工会时请选择工会" in response.content.decode()
    response = client.post(url, {"mode": "new", "parent": w.county.pk, "founded_on": "去年"})
    body = response.content.decode()
    assert 'id="id_founded_on_error"' in body and "建会日期「去年」无法识别" in body
    response = client.post(url, {"mode": "attach", "union": w.county.pk})
    assert response.status_code == 200  # a county federation is not offered: not admitting
    response = client.post(url, {"mode": "attach", "union": w.county_trade.pk, "on": TODAY})
    assert response.status_code == 302
    places.anju.refresh_from_db()
    assert places.anju.union == w.county_trade and places.anju.union_status == "built"
    # A union outside the jurisdiction is not a choice.
    response = client.post(
        reverse("enterprises:build", kwargs={"enterprise_pk": places.shunda.pk}),
        {"mode": "attach", "union": w.sibling_trade.pk},
    )
    assert response.status_code == 200 and 'id="id_union_error"' in response.content.decode()


def test_park_directory(places, as_user):
    w = places.world
    client = as_user(w.county_admin)
    response = client.post(
        reverse("enterprises:park_create"),
        {
            "name": "舞钢物流园区",
            "kind": "logistics",
            "division_code": "410481",
            "responsible_unit": w.county.pk,
        },
    )
    assert response.status_code == 302
    park = Park.objects.get(name="舞钢物流园区")
    duplicate = client.post(
        reverse("enterprises:park_create"),
        {
            "name": "舞钢物流园区",
            "kind": "logistics",
            "division_code": "410481",
            "responsible_unit": w.county.pk,
        },
    )
    assert "已有名为「舞钢物流园区」的园区" in duplicate.content.decode()
    url = reverse("enterprises:park_edit", kwargs={"park_pk": park.pk})
    response = client.post(
        url,
        {
            "name": "舞钢物流园区",
            "kind": "logistics",
            "division_code": "410481",
            "union": w.county_trade.pk,
            "notes": "快递分拨中心集中",
        },
    )
    assert response.status_code == 302
    park.refresh_from_db()
    assert park.union == w.county_trade and park.responsible_unit == w.county
    page = client.get(reverse("enterprises:parks")).content.decode()
    assert "共 2 个园区，其中 1 个已建立园区工会" in page and "50.0%" in page
