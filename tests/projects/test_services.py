"""The 项目清单+责任制 chain through its services (issue 16 items 1–5): who may take each step
at which level, the refusals with their Chinese messages, one event and one audit row per step."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ruhui.audit.models import AuditEvent
from ruhui.projects import services
from ruhui.projects.choices import PlanStatus, ProjectStatus, SubsidyStatus
from ruhui.projects.models import ActionPlan, PlanEvent, ProjectEvent, SubsidyEvent
from tests.projects.factories import build_project, service_project, submitted_plan

D = datetime.date


def messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def audits(obj) -> int:
    return AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).count()


# ------------------------------------------------------------------ the plan


def test_a_unit_drafts_and_submits_its_own_plan(people, drive):
    plan = services.plan_open(actor=people.county_admin, campaign=drive)
    assert (plan.unit, plan.status) == (people.county, PlanStatus.DRAFT)
    services.plan_update(
        actor=people.county_admin,
        plan=plan,
        data={"leader_name": "王建国", "contact_phone": "0375-8123456"},
    )
    services.task_save(
        actor=people.county_admin,
        plan=plan,
        data={"task": "召开动员部署会", "owner": "组织部", "due_on": "2019-05-15"},
    )
    with pytest.raises(ValidationError) as nothing:
        services.plan_submit(actor=people.county_admin, plan=plan)
    assert "至少列入一个" in messages(nothing.value)
    build_project(people.county_admin, plan)
    service_project(people.county_admin, plan)
    events = PlanEvent.objects.filter(plan=plan).count()
    audit_before = audits(plan)
    plan = services.plan_submit(actor=people.county_admin, plan=plan)
    assert plan.status == PlanStatus.SUBMITTED and plan.submitted_at
    assert PlanEvent.objects.filter(plan=plan).count() == events + 1
    assert audits(plan) == audit_before + 1
    assert plan.events.last().from_status == PlanStatus.DRAFT


def test_only_the_plans_own_unit_may_edit_it(people, drive):
    plan = services.plan_open(actor=people.county_admin, campaign=drive)
    for outsider in (people.city_admin, people.county_viewer, people.sibling_admin):
        with pytest.raises(PermissionDenied):
            build_project(outsider, plan)
    # The city sees 舞钢's plan, but cannot start one for a unit that has none.
    assert services.plan_open(actor=people.city_admin, campaign=drive, unit=people.county) == plan
    with pytest.raises(PermissionDenied):
        services.plan_open(actor=people.city_admin, campaign=drive, unit=people.sibling)
    with pytest.raises(PermissionDenied):  # nor can 宝丰 reach into 舞钢
        services.plan_open(actor=people.sibling_admin, campaign=drive, unit=people.county)


def test_a_submitted_plan_is_read_only_to_its_unit(people, drive):
    plan = submitted_plan(people, drive)
    with pytest.raises(ValidationError) as locked:
        build_project(people.county_admin, plan)
    assert messages(locked.value) == services.MSG_PLAN_LOCKED
    project = plan.projects.first()
    with pytest.raises(ValidationError):
        services.project_delete(actor=people.county_admin, project=project)
    with pytest.raises(ValidationError):
        services.plan_update(actor=people.county_admin, plan=plan, data={"leader_name": "改"})


def test_the_city_returns_with_an_opinion_and_the_unit_resubmits(people, drive):
    plan = submitted_plan(people, drive)
    with pytest.raises(ValidationError) as bare:
        services.plan_return(actor=people.city_admin, plan=plan, opinion="  ")
    assert "填写意见" in messages(bare.value)
    plan = services.plan_return(
        actor=people.city_admin, plan=plan, opinion="拟发展会员数偏低，请结合排查结果调整。"
    )
    assert plan.status == PlanStatus.RETURNED
    assert plan.events.last().opinion.startswith("拟发展会员数偏低")
    build_project(people.county_admin, plan, name="舞钢市韵达快递有限公司工会")  # editable again
    plan = services.plan_submit(actor=people.county_admin, plan=plan)
    plan = services.plan_consolidate(actor=people.city_reviewer, plan=plan)
    assert plan.status == PlanStatus.CONSOLIDATED
    assert set(plan.projects.values_list("status", flat=True)) == {ProjectStatus.APPROVED}
    steps = list(plan.events.values_list("from_status", "to_status"))
    assert steps[-4:] == [
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "consolidated"),
    ]


@pytest.mark.parametrize(
    "who", ["county_admin", "county_viewer", "sibling_admin", "industry_admin", "province_admin"]
)
def test_only_the_reviewing_level_reviews(people, drive, who):
    """舞钢's plan is reviewed by the city: not by 舞钢 itself (self-review), its read-only
    cadre, a sibling county, an industry union, or the province."""
    plan = submitted_plan(people, drive)
    with pytest.raises(PermissionDenied):
        services.plan_consolidate(actor=getattr(people, who), plan=plan)
    with pytest.raises(PermissionDenied):
        services.plan_return(actor=getattr(people, who), plan=plan, opinion="意见")
    assert ActionPlan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED


def test_the_citys_own_plan_is_reviewed_by_the_province(people, drive):
    plan = submitted_plan(people, drive, unit=people.city, actor=people.city_admin)
    with pytest.raises(PermissionDenied):  # nobody reviews their own unit's plan
        services.plan_consolidate(actor=people.city_reviewer, plan=plan)
    plan = services.plan_consolidate(actor=people.province_reviewer, plan=plan)
    assert plan.status == PlanStatus.CONSOLIDATED


def test_a_second_reviewer_is_told_it_was_handled(people, drive):
    plan = submitted_plan(people, drive)
    stale = ActionPlan.objects.get(pk=plan.pk)
    services.plan_consolidate(actor=people.city_admin, plan=plan)
    with pytest.raises(ValidationError) as taken:
        services.plan_return(actor=people.city_reviewer, plan=stale, opinion="请修改")
    assert "已被他人处理" in messages(taken.value) and "市总已汇总" in messages(taken.value)
    assert PlanEvent.objects.filter(plan=plan, to_status=PlanStatus.RETURNED).count() == 0


def test_the_city_reports_the_consolidated_list_to_the_province(people, drive, tmp_path):
    first = submitted_plan(people, drive)
    second = submitted_plan(people, drive, unit=people.sibling, actor=people.sibling_admin)
    services.plan_consolidate(actor=people.city_admin, plan=first)
    with pytest.raises(PermissionDenied):
        services.campaign_report(actor=people.county_admin, campaign=drive)
    reported = services.campaign_report(actor=people.city_admin, campaign=drive)
    assert [p.pk for p in reported] == [first.pk]  # 宝丰's is not consolidated yet
    event = first.events.last()
    assert event.to_status == PlanStatus.REPORTED and event.frozen_name.endswith(".xlsx")
    from pathlib import Path

    assert Path(event.frozen_file).stat().st_size > 0
    assert ActionPlan.objects.get(pk=second.pk).status == PlanStatus.SUBMITTED
    with pytest.raises(ValidationError) as nothing:
        services.campaign_report(actor=people.city_admin, campaign=drive)
    assert "没有市总已汇总" in messages(nothing.value)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("due_on", "2020-01-15", "不在集中行动期间（2019-04-01 至 2019-12-31）内"),
        ("due_on", "明年", "应为日期"),
        ("planned_members", "3.5", "0 到 1,000,000 的整数"),
        ("planned_members", 1_000_001, "0 到 1,000,000 的整数"),
        ("planned_members", "-3", "0 到 1,000,000 的整数"),
        ("responsible_phone", "12345", "责任人电话"),
        ("build_type", "", "请选择建会入会类型"),
        ("division_code", "999999", "行政区划代码「999999」"),
        ("groups", ["外卖骑手队"], "八大群体「外卖骑手队」"),
    ],
)
def test_bad_project_input_names_the_field(people, drive, field, value, expected):
    plan = services.plan_open(actor=people.county_admin, campaign=drive)
    with pytest.raises(ValidationError) as refused:
        build_project(people.county_admin, plan, **{field: value})
    assert field in refused.value.message_dict
    assert expected in " ".join(refused.value.message_dict[field])
    assert plan.projects.count() == 0


def test_planned_members_read_as_typed(people, drive):
    plan = services.plan_open(actor=people.county_admin, campaign=drive)
    assert build_project(people.county_admin, plan, planned_members="3,500").planned_members == 3500


def test_a_responsible_unit_outside_the_subtree_is_refused(people, drive):
    plan = services.plan_open(actor=people.county_admin, campaign=drive)
    with pytest.raises(ValidationError) as refused:
        build_project(people.county_admin, plan, responsible_unit=people.sibling_trade)
    assert "宝丰快递行业工会」不在舞钢市总工会的下级范围内" in messages(refused.value)
    project = build_project(people.county_admin, plan, responsible_unit=people.county_trade)
    assert project.responsible_unit == people.county_trade


def test_a_service_project_needs_its_period_in_order(people, drive):
    plan = services.plan_open(actor=people.county_admin, campaign=drive)
    with pytest.raises(ValidationError) as refused:
        service_project(people.county_admin, plan, starts_on="2019-08-01", ends_on="2019-07-01")
    assert "不能早于实施开始日期 2019-08-01" in messages(refused.value)


# ------------------------------------------------------------------ the project's life


@pytest.fixture
def approved(people, drive):
    plan = submitted_plan(people, drive)
    services.plan_consolidate(actor=people.city_admin, plan=plan)
    return plan.projects.get(kind="build")


def test_start_assess_and_close_out(people, approved):
    county, city = people.county_admin, people.city_admin
    with pytest.raises(PermissionDenied):
        services.project_start(actor=people.sibling_admin, project=approved)
    project = services.project_start(actor=county, project=approved)
    services.project_update_add(
        actor=county, project=project, on="2019-06-10", text="已与企业负责人座谈，筹备组成立。"
    )
    with pytest.raises(ValidationError) as claimed:
        services.assessment_submit(actor=county, project=project, data={"text": "已建会"})
    assert "claimed_members" in claimed.value.message_dict
    services.assessment_submit(
        actor=county,
        project=project,
        data={"text": "已建会，发展会员 48 人", "claimed_members": 48},
    )
    with pytest.raises(PermissionDenied):  # the unit cannot judge its own assessment
        services.project_decide(actor=county, project=project, qualified=True)
    project = services.project_decide(actor=city, project=project, qualified=True, opinion="合格")
    assert project.status == ProjectStatus.CLOSED
    decision = project.events.last()
    assert decision.figures["planned"] == 50 and decision.figures["claimed"] == 48
    assert "recorded" in decision.figures
    steps = list(ProjectEvent.objects.filter(project=project).values_list("to_status", flat=True))
    assert steps == ["approved", "in_progress", "assessed", "closed"]


def test_rectification_then_a_second_assessment(people, approved, time_machine):
    time_machine.move_to(datetime.datetime(2019, 12, 10, 10, tzinfo=datetime.UTC))
    county, city = people.county_admin, people.city_admin
    project = services.project_start(actor=county, project=approved)
    services.assessment_submit(
        actor=county, project=project, data={"text": "发展会员 20 人", "claimed_members": 20}
    )
    with pytest.raises(ValidationError) as past:
        services.project_decide(
            actor=city, project=project, qualified=False, opinion="差距大", rectify_by="2019-12-01"
        )
    assert "晚于今天（2019-12-10）" in messages(past.value)
    project = services.project_decide(
        actor=city, project=project, qualified=False, opinion="差距大", rectify_by="2019-12-20"
    )
    assert (project.status, project.rectify_by) == (ProjectStatus.RECTIFYING, D(2019, 12, 20))
    assert not project.overdue_rectification
    time_machine.move_to(datetime.datetime(2019, 12, 21, 10, tzinfo=datetime.UTC))
    project.refresh_from_db()
    assert project.overdue_rectification  # 逾期整改
    services.assessment_submit(
        actor=county, project=project, data={"text": "整改后仍 25 人", "claimed_members": 25}
    )
    project = services.project_decide(
        actor=city, project=project, qualified=False, opinion="未达标"
    )
    assert project.status == ProjectStatus.FAILED


# ------------------------------------------------------------------ subsidies


def test_subsidy_amounts_are_checked(people, approved):
    for amount, expected in (
        ("0", "大于 0 的金额"),
        ("-100", "大于 0 的金额"),
        ("100.555", "最多两位小数"),
        ("三万", "大于 0 的金额"),
        ("", "请填写申请金额"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.subsidy_apply(
                actor=people.county_admin, project=approved, amount=amount, purpose="建会经费"
            )
        assert expected in messages(refused.value), amount
    subsidy = services.subsidy_apply(
        actor=people.county_admin, project=approved, amount="30,000.50", purpose="建会经费"
    )
    assert subsidy.amount_requested == Decimal("30000.50")


def _sent(people, approved, amount="30000"):
    subsidy = services.subsidy_apply(
        actor=people.county_admin, project=approved, amount=amount, purpose="建会启动经费"
    )
    with pytest.raises(PermissionDenied):  # not the applicant's own unit
        services.subsidy_city_review(
            actor=people.county_admin, subsidy=subsidy, decision="recommend"
        )
    services.subsidy_city_review(actor=people.city_reviewer, subsidy=subsidy, decision="recommend")
    services.subsidy_send_up(actor=people.city_admin, campaign=approved.plan.campaign)
    subsidy.refresh_from_db()
    assert subsidy.status == SubsidyStatus.SENT and subsidy.batch_id
    return subsidy


def test_a_subsidy_goes_up_and_is_paid_within_its_approval(people, approved):
    subsidy = _sent(people, approved)
    with pytest.raises(PermissionDenied):  # the city does not approve at province level
        services.subsidy_province_review(actor=people.city_admin, subsidy=subsidy, approve=True)
    with pytest.raises(ValidationError) as notice:
        services.subsidy_province_review(
            actor=people.province_reviewer, subsidy=subsidy, approve=True
        )
    assert "立项通知文号" in messages(notice.value)
    services.subsidy_province_review(
        actor=people.province_reviewer,
        subsidy=subsidy,
        approve=True,
        approved_amount="20000",
        notice_number="豫工基〔2019〕12号",
        notice_on="2019-06-20",
    )
    subsidy.refresh_from_db()
    assert (subsidy.status, subsidy.approved_amount) == (SubsidyStatus.APPROVED, Decimal("20000"))
    services.disbursement_record(
        actor=people.province_admin,
        subsidy=subsidy,
        amount="15000",
        paid_on="2019-07-01",
        voucher_number="2019-07-001",
    )
    with pytest.raises(ValidationError) as over:
        services.disbursement_record(
            actor=people.province_admin,
            subsidy=subsidy,
            amount="6000",
            paid_on="2019-08-01",
            voucher_number="2019-08-001",
        )
    assert "余额 5000.00 元" in messages(over.value)
    steps = list(SubsidyEvent.objects.filter(subsidy=subsidy).values_list("to_status", flat=True))
    assert steps == ["submitted", "recommended", "sent", "approved"]


def test_above_the_threshold_two_people_approve(people, approved, settings):
    settings.RUHUI_SUBSIDY_DUAL_APPROVAL = Decimal("50000.00")
    subsidy = _sent(people, approved, amount="80000")
    decided = {
        "approve": True,
        "notice_number": "豫工基〔2019〕13号",
        "notice_on": "2019-06-21",
    }
    services.subsidy_province_review(actor=people.province_reviewer, subsidy=subsidy, **decided)
    subsidy.refresh_from_db()
    assert subsidy.status == SubsidyStatus.FIRST_APPROVED
    with pytest.raises(PermissionDenied) as same:
        services.subsidy_province_review(actor=people.province_reviewer, subsidy=subsidy, **decided)
    assert "另一位审核人" in str(same.value)
    services.subsidy_province_review(actor=people.province_reviewer2, subsidy=subsidy, **decided)
    subsidy.refresh_from_db()
    assert subsidy.status == SubsidyStatus.APPROVED
    assert subsidy.first_approver != subsidy.second_approver


def test_the_city_returns_a_subsidy_and_the_unit_corrects_it(people, approved):
    subsidy = services.subsidy_apply(
        actor=people.county_admin, project=approved, amount="30000", purpose="经费"
    )
    with pytest.raises(ValidationError):
        services.subsidy_city_review(actor=people.city_admin, subsidy=subsidy, decision="return")
    services.subsidy_city_review(
        actor=people.city_admin, subsidy=subsidy, decision="return", opinion="用途写具体"
    )
    again = services.subsidy_apply(
        actor=people.county_admin,
        project=approved,
        amount="28000",
        purpose="建会场地布置、会员证制作",
    )
    assert again.pk == subsidy.pk and again.status == SubsidyStatus.SUBMITTED
    with pytest.raises(ValidationError) as twice:
        services.subsidy_apply(actor=people.county_admin, project=approved, amount="1", purpose="x")
    assert "不能重复申请" in messages(twice.value)


# ------------------------------------------------------------------ inspections


def test_the_city_inspects_a_county_and_follows_up(people, approved):
    with pytest.raises(ValidationError) as sideways:
        services.inspection_record(
            actor=people.city_admin,
            campaign=approved.plan.campaign,
            data={"kind": "covert", "inspected_unit": people.city, "on": "2019-07-01"},
            projects=[],
        )
    assert "下级单位" in messages(sideways.value)
    inspection = services.inspection_record(
        actor=people.city_admin,
        campaign=approved.plan.campaign,
        data={
            "kind": "covert",
            "inspected_unit": people.county,
            "on": "2019-07-01",
            "findings": "筹备组未按期召开会员大会",
            "rectification": "8 月底前召开会员大会",
            "rectify_by": "2019-08-31",
        },
        projects=[approved],
    )
    assert inspection.open
    with pytest.raises(PermissionDenied):
        services.inspection_follow_up(
            actor=people.county_admin, inspection=inspection, follow_up="已召开"
        )
    inspection = services.inspection_follow_up(
        actor=people.city_admin, inspection=inspection, follow_up="已召开", closed_on="2019-08-20"
    )
    assert not inspection.open
