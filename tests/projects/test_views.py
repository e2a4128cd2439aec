"""The project pages: for each, the allowed user, the read-only user of the same unit and a
sibling county (404); the review chain through the pages; bad input comes back in Chinese."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ruhui.projects import services
from ruhui.projects.choices import PlanStatus, ProjectStatus, SubsidyStatus
from ruhui.projects.models import ActionPlan, PlanEvent, Project
from tests.projects.factories import build_project, service_project, submitted_plan

D = datetime.date
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def plan_url(drive, unit):
    return reverse("projects:plan", args=[drive.slug, unit.pk])


@pytest.fixture
def draft(people, drive):
    plan = services.plan_open(actor=people.county_admin, campaign=drive)
    build_project(people.county_admin, plan)
    return plan


def test_the_overview_lists_the_units_plans(as_user, people, draft):
    body = as_user(people.county_admin).get(reverse("projects:index")).content.decode()
    assert "舞钢市总工会" in body and "草稿" in body
    assert as_user(people.county_viewer).get(reverse("projects:index")).status_code == 200
    sibling = as_user(people.sibling_admin).get(reverse("projects:index")).content.decode()
    assert "舞钢市总工会" not in sibling


def test_the_plan_page_triangle(as_user, people, drive, draft):
    url = plan_url(drive, people.county)
    owner = as_user(people.county_admin).get(url)
    assert owner.status_code == 200
    assert "舞钢市顺丰速运有限公司工会" in owner.content.decode()
    assert "报送行动计划" in owner.content.decode()
    viewer = as_user(people.county_viewer).get(url)
    assert viewer.status_code == 200 and "报送行动计划" not in viewer.content.decode()
    assert as_user(people.sibling_admin).get(url).status_code == 404
    refused = as_user(people.county_viewer).post(url, {"action": "submit"})
    assert refused.status_code == 403
    assert ActionPlan.objects.get(pk=draft.pk).status == PlanStatus.DRAFT
    assert as_user(people.sibling_admin).post(url, {"action": "submit"}).status_code == 404


def test_a_unit_opens_adds_a_project_and_submits(as_user, people, drive):
    client = as_user(people.county_admin)
    url = plan_url(drive, people.county)
    assert "开始编制" in client.get(url).content.decode()
    client.post(url, {"action": "open"})
    plan = ActionPlan.objects.get(campaign=drive, unit=people.county)
    data = {
        "action": "project_save",
        "project-kind": "build",
        "project-build_type": "enterprise",
        "project-name": "舞钢市申通快递有限公司工会",
        "project-division_code": "410481",
        "project-planned_members": "1,200",
        "project-responsible_unit": people.county_trade.pk,
        "project-due_on": "2019-10-31",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    project = Project.objects.get(plan=plan)
    assert project.planned_members == 1200
    client.post(url, {"action": "submit"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    page = client.get(url).content.decode()
    assert "该行动计划已报送市总，不能修改；如需修改，请联系市总退回" in page
    assert "保存项目" not in page


def test_bad_project_input_shows_the_chinese_message_and_keeps_the_input(as_user, people, draft):
    url = plan_url(draft.campaign, people.county)
    response = as_user(people.county_admin).post(
        url,
        {
            "action": "project_save",
            "project-kind": "build",
            "project-build_type": "enterprise",
            "project-name": "舞钢市韵达快递工会",
            "project-planned_members": "三千",
            "project-responsible_unit": people.county_trade.pk,
            "project-due_on": "2021-01-01",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert services.MSG_PLANNED in body
    assert "不在集中行动期间" in body
    assert 'value="舞钢市韵达快递工会"' in body
    assert Project.objects.filter(name="舞钢市韵达快递工会").count() == 0


def test_the_city_returns_with_an_opinion_and_consolidates(as_user, people, drive):
    plan = submitted_plan(people, drive)
    url = plan_url(drive, people.county)
    city = as_user(people.city_admin)
    assert "退回修改" in city.get(url).content.decode()
    missing = city.post(url, {"action": "return", "opinion": ""})
    assert missing.status_code == 400
    assert services.MSG_OPINION in missing.content.decode()
    city.post(url, {"action": "return", "opinion": "请补充责任人电话"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED
    assert PlanEvent.objects.filter(plan=plan, opinion="请补充责任人电话").count() == 1
    services.plan_submit(actor=people.county_admin, plan=plan)
    city.post(url, {"action": "consolidate", "opinion": ""})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CONSOLIDATED
    assert set(plan.projects.values_list("status", flat=True)) == {ProjectStatus.APPROVED}


def test_nobody_reviews_their_own_plan(as_user, people, drive):
    plan = services.plan_open(actor=people.city_admin, campaign=drive)
    build_project(people.city_admin, plan, responsible_unit=people.city, division_code="410400")
    services.plan_submit(actor=people.city_admin, plan=plan)
    url = plan_url(drive, people.city)
    page = as_user(people.city_admin).get(url).content.decode()
    assert 'value="consolidate"' not in page
    refused = as_user(people.city_admin).post(url, {"action": "consolidate"})
    assert refused.status_code in (400, 403)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_the_consolidated_list_filters_and_totals(as_user, people, drive):
    submitted_plan(people, drive)
    other = services.plan_open(actor=people.industry_admin, campaign=drive)
    build_project(
        people.industry_admin,
        other,
        name="平顶山市货运司机联合工会",
        responsible_unit=people.industry,
        division_code="410400",
        planned_members=300,
    )
    url = reverse("projects:consolidated", args=[drive.slug])
    city = as_user(people.city_admin)
    response = city.get(url)
    assert response.status_code == 200
    assert response.context["totals"]["projects"] == 3
    assert response.context["totals"]["planned_members"] == 350
    # The unit filter offers the units that hold a plan, not every unit of the tree.
    offered = set(response.context["form"].fields["unit"].queryset)
    assert offered == {people.county, people.industry}
    only = city.get(url, {"unit": people.industry.pk})
    assert [p.name for p in only.context["projects"]] == ["平顶山市货运司机联合工会"]
    services_only = city.get(url, {"kind": "service"})
    assert [p.kind for p in services_only.context["projects"]] == ["service"]
    county = as_user(people.county_viewer).get(url)
    assert county.status_code == 200
    assert "平顶山市货运司机联合工会" not in county.content.decode()
    assert as_user(people.sibling_admin).get(url).context["totals"]["projects"] == 0
    assert as_user(people.county_admin).post(url, {"action": "report"}).status_code == 403


def test_the_consolidated_list_pages_its_rows_but_totals_all(as_user, people, drive, settings):
    settings.RUHUI_PAGE_SIZE = 2
    plan = services.plan_open(actor=people.county_admin, campaign=drive)
    for n in range(5):
        build_project(people.county_admin, plan, name=f"舞钢项目{n}", planned_members=10)
    url = reverse("projects:consolidated", args=[drive.slug])
    city = as_user(people.city_admin)
    first = city.get(url, {"kind": "build"})
    assert len(first.context["projects"]) == 2
    assert first.context["totals"]["projects"] == 5
    assert first.context["totals"]["planned_members"] == 50
    body = first.content.decode()
    assert "共 5 条" in body and "第 1 / 3 页" in body
    assert 'href="?kind=build&amp;page=2"' in body  # the filters go with the page
    last = city.get(url, {"kind": "build", "page": 3})
    assert [p.name for p in last.context["projects"]] == ["舞钢项目4"]
    assert last.context["totals"]["projects"] == 5


def test_the_city_reports_to_the_province(as_user, people, drive):
    plan = submitted_plan(people, drive)
    services.plan_consolidate(actor=people.city_admin, plan=plan)
    url = reverse("projects:consolidated", args=[drive.slug])
    assert "上报省总" in as_user(people.city_admin).get(url).content.decode()
    as_user(people.city_admin).post(url, {"action": "report"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.REPORTED


def test_the_queue_lists_what_waits_for_the_level(as_user, people, drive):
    submitted_plan(people, drive)
    city = as_user(people.city_admin).get(reverse("projects:queue"))
    assert city.context["queue"].plans.count == 1
    county = as_user(people.county_admin).get(reverse("projects:queue"))
    assert county.context["queue"].plans.items == []
    assert as_user(people.sibling_admin).get(reverse("projects:queue")).context["queue"].total == 0


def test_the_queue_lists_the_oldest_and_counts_them_all(as_user, people, drive, monkeypatch):
    from ruhui.projects import selectors

    monkeypatch.setattr(selectors, "QUEUE_SHOWN", 2)
    first = submitted_plan(people, drive)
    submitted_plan(people, drive, actor=people.sibling_admin)
    submitted_plan(
        people,
        drive,
        actor=people.industry_admin,
        unit=people.industry,
    )
    response = as_user(people.city_admin).get(reverse("projects:queue"))
    plans = response.context["queue"].plans
    assert (plans.count, len(plans.items), plans.more) == (3, 2, 1)
    assert plans.items[0] == first  # the oldest first
    assert response.context["queue"].total == 3
    assert "这里列出最早的 2 项，另有 1 项。" in response.content.decode()


def test_the_project_page_triangle_and_steps(as_user, people, drive):
    plan = submitted_plan(people, drive)
    services.plan_consolidate(actor=people.city_admin, plan=plan)
    item = plan.projects.get(kind="build")
    url = reverse("projects:project", args=[item.pk])
    assert as_user(people.sibling_admin).get(url).status_code == 404
    viewer = as_user(people.county_viewer)
    page = viewer.get(url)
    assert page.status_code == 200 and "尚未统计" in page.content.decode()
    assert "开始实施" not in page.content.decode()
    assert viewer.post(url, {"action": "start"}).status_code == 403
    county = as_user(people.county_admin)
    county.post(url, {"action": "start"})
    item.refresh_from_db()
    assert item.status == ProjectStatus.IN_PROGRESS
    upload = SimpleUploadedFile("进展照片.pdf", PDF, content_type="application/pdf")
    county.post(
        url, {"action": "update", "on": "2019-07-01", "text": "已召开筹备会", "files": [upload]}
    )
    assert item.updates.get().files.count() == 1
    county.post(url, {"action": "assess", "text": "已建会", "claimed_members": "45"})
    item.refresh_from_db()
    assert item.status == ProjectStatus.ASSESSED


def test_the_city_decides_a_self_assessment(as_user, people, drive):
    pytest.importorskip("ruhui.projects.figures")  # the close-out figures (another part)
    plan = submitted_plan(people, drive)
    services.plan_consolidate(actor=people.city_admin, plan=plan)
    item = plan.projects.get(kind="build")
    services.project_start(actor=people.county_admin, project=item)
    services.assessment_submit(
        actor=people.county_admin, project=item, data={"text": "已建会", "claimed_members": 45}
    )
    url = reverse("projects:project", args=[item.pk])
    assert (
        as_user(people.county_admin).post(url, {"action": "decide", "qualified": "yes"}).status_code
        == 403
    )
    city = as_user(people.city_admin)
    bad = city.post(url, {"action": "decide", "qualified": "no", "rectify_by": ""})
    assert bad.status_code == 400 and "整改期限" in bad.content.decode()
    later = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    city.post(
        url, {"action": "decide", "qualified": "no", "rectify_by": later, "opinion": "会员未录入"}
    )
    item.refresh_from_db()
    assert item.status == ProjectStatus.RECTIFYING


def test_a_subsidy_with_a_bad_amount_is_refused_in_chinese(as_user, people, drive):
    plan = submitted_plan(people, drive)
    item = plan.projects.get(kind="build")
    url = reverse("projects:project", args=[item.pk])
    response = as_user(people.county_admin).post(
        url, {"action": "subsidy_apply", "amount": "-5", "purpose": "购置服务设施"}
    )
    assert response.status_code == 400
    assert "应为大于 0 的金额" in response.content.decode()
    assert 'value="-5"' in response.content.decode()


def test_the_attachment_is_served_scoped_and_not_cached(as_user, people, draft):
    upload = SimpleUploadedFile("舞钢实施方案.pdf", PDF, content_type="application/pdf")
    attachment = services.plan_attach(actor=people.county_admin, plan=draft, upload=upload)
    url = reverse("projects:attachment", args=[attachment.pk])
    response = as_user(people.county_viewer).get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF
    assert as_user(people.city_admin).get(url).status_code == 200
    assert as_user(people.sibling_admin).get(url).status_code == 404


def test_the_campaign_dashboard_shows_the_projects_panel(as_user, people, drive):
    plan = services.plan_open(actor=people.county_admin, campaign=drive)
    service_project(people.county_admin, plan)
    body = as_user(people.city_admin).get(reverse("campaigns:dashboard", args=[drive.slug]))
    text = body.content.decode()
    assert "项目清单：各单位项目状态" in text and "舞钢市总工会" in text


def test_a_subsidy_goes_through_the_pages(as_user, people, drive):
    plan = submitted_plan(people, drive)
    item = plan.projects.get(kind="build")
    url = reverse("projects:project", args=[item.pk])
    county = as_user(people.county_admin)
    county.post(url, {"action": "subsidy_apply", "amount": "30,000", "purpose": "服务站建设"})
    item.refresh_from_db()
    assert item.subsidy.status == SubsidyStatus.SUBMITTED
    assert as_user(people.county_viewer).post(url, {"action": "city_review"}).status_code == 403
    city = as_user(people.city_admin)
    assert "市总初审" in city.get(url).content.decode()
    city.post(
        url, {"action": "city_review", "decision": "recommend", "recommended_amount": "20000"}
    )
    city.post(reverse("projects:consolidated", args=[drive.slug]), {"action": "send_subsidies"})
    item.subsidy.refresh_from_db()
    assert item.subsidy.status == SubsidyStatus.SENT
    queue = as_user(people.province_reviewer).get(reverse("projects:queue"))
    assert [s.pk for s in queue.context["queue"].province_subsidies.items] == [item.subsidy.pk]
    as_user(people.province_reviewer).post(
        url,
        {
            "action": "province_review",
            "approve": "yes",
            "approved_amount": "20000",
            "notice_number": "豫工基〔2019〕12号",
            "notice_on": "2019-07-10",
        },
    )
    item.subsidy.refresh_from_db()
    assert item.subsidy.status == SubsidyStatus.APPROVED
    admin = as_user(people.province_admin)
    over = admin.post(
        url,
        {"action": "disburse", "amount": "25000", "paid_on": "2019-07-20", "voucher_number": "P1"},
    )
    assert over.status_code == 400 and "余额" in over.content.decode()
    admin.post(
        url,
        {"action": "disburse", "amount": "8000", "paid_on": "2019-07-20", "voucher_number": "P1"},
    )
    assert item.subsidy.disbursements.count() == 1
    assert "已拨付 8000.00 元" in admin.get(url).content.decode()


def test_the_city_records_an_inspection(as_user, people, drive):
    plan = submitted_plan(people, drive)
    item = plan.projects.get(kind="build")
    url = reverse("projects:project", args=[item.pk])
    assert "记录检查" not in as_user(people.county_admin).get(url).content.decode()
    city = as_user(people.city_admin)
    city.post(
        url,
        {
            "action": "inspect",
            "kind": "covert",
            "on": "2019-06-20",
            "findings": "台账不全",
            "rectification": "补齐会员台账",
            "rectify_by": "2019-07-31",
        },
    )
    inspection = item.inspections.get()
    assert inspection.open
    city.post(
        url,
        {
            "action": "follow_up",
            "inspection_pk": inspection.pk,
            "follow_up": "已补齐",
            "closed_on": "2019-07-15",
        },
    )
    inspection.refresh_from_db()
    assert not inspection.open


def test_the_work_list_header_and_scheme(as_user, people, draft):
    url = plan_url(draft.campaign, people.county)
    client = as_user(people.county_admin)
    bad = client.post(url, {"action": "task_save", "task-task": "召开动员会", "task-due_on": "6月"})
    assert bad.status_code == 400
    assert "应为日期" in bad.content.decode() and 'value="召开动员会"' in bad.content.decode()
    data = {"action": "task_save", "task-task": "召开动员会", "task-owner": "组织部"}
    client.post(url, data | {"task-due_on": "2019-05-10"})
    task = draft.tasks.get()
    client.post(
        url, data | {"task-due_on": "2019-05-10", "task-done_on": "2019-05-09", "task_pk": task.pk}
    )
    task.refresh_from_db()
    assert task.done_on == D(2019, 5, 9)
    client.post(
        url, {"action": "header", "leader_name": "张强", "scheme_submitted_on": "2019-05-20"}
    )
    draft.refresh_from_db()
    assert draft.leader_name == "张强" and draft.scheme_submitted_on == D(2019, 5, 20)
    fake = SimpleUploadedFile("方案.png", b"not an image at all", content_type="image/png")
    refused = client.post(url, {"action": "scheme", "file": fake})
    assert refused.status_code == 400
    assert "附件「方案.png」" in refused.content.decode()
    assert draft.attachments.count() == 0
    client.post(url, {"action": "task_delete", "task_pk": task.pk})
    assert draft.tasks.count() == 0
