"""The 月报 flow through its services: who may take each step, the refusals in Chinese, one
event and one audit row per step, and the figures frozen at submission."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ruhui.audit.models import AuditEvent
from ruhui.campaigns.models import UnitTally
from ruhui.campaigns.progress import progress_refresh
from ruhui.demo.projects import _on
from ruhui.reports import services
from ruhui.reports.choices import ReportKind, ReportStatus
from ruhui.reports.figures import report_figures
from ruhui.reports.models import MonthlyReport, ReportEvent
from tests.members.factories import join

D = datetime.date


def messages(exc) -> str:
    return " ".join(exc.value.messages)


def test_open_save_submit_read(people, drive, june):
    with _on(D(2019, 7, 4)):
        report = services.report_submit(actor=people.county_admin, report=june)
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_by == people.county_admin and report.figures["month"] == "2019-06"
    with _on(D(2019, 7, 8)):
        services.report_read(actor=people.city_admin, report=report, opinion="内容详实")
    report.refresh_from_db()
    assert report.status == ReportStatus.READ
    steps = list(ReportEvent.objects.filter(report=report).values_list("from_status", "to_status"))
    assert steps == [("", "draft"), ("draft", "submitted"), ("submitted", "read")]
    audited = AuditEvent.objects.filter(
        object_type="reports.monthlyreport", object_id=str(report.pk)
    )
    assert audited.count() == 4  # opened, narrative saved, submitted, read


def test_return_needs_an_opinion_and_reopens_the_report(people, drive, june):
    with _on(D(2019, 7, 4)):
        services.report_submit(actor=people.county_admin, report=june)
    with pytest.raises(ValidationError) as refused:
        services.report_return(actor=people.city_admin, report=june, opinion="  ")
    assert messages(refused) == services.MSG_OPINION
    assert MonthlyReport.objects.get(pk=june.pk).status == ReportStatus.SUBMITTED
    services.report_return(actor=people.city_admin, report=june, opinion="请补充典型经验。")
    june.refresh_from_db()
    assert june.status == ReportStatus.RETURNED and june.can_edit(people.county_admin)
    with _on(D(2019, 7, 9)):
        services.report_submit(actor=people.county_admin, report=june)
    june.refresh_from_db()
    # Punctuality is judged by the first submission (07-04), not the resubmission.
    assert june.submitted_at.date() == D(2019, 7, 4)


def test_a_future_month_is_refused(people, drive):
    with _on(D(2019, 6, 15)), pytest.raises(ValidationError) as refused:
        services.report_open(
            actor=people.county_admin, campaign=drive, unit=people.county, month="2019-06"
        )
    assert "不能填报未来月份的月报" in messages(refused) and "2019年6月" in messages(refused)
    with _on(D(2019, 6, 15)), pytest.raises(ValidationError):
        services.report_open(
            actor=people.county_admin, campaign=drive, unit=people.county, month="2019-09"
        )
    assert not MonthlyReport.objects.exists()


def test_a_month_outside_the_window_or_badly_written_is_refused(people, drive):
    with pytest.raises(ValidationError) as refused:
        services.report_open(
            actor=people.county_admin, campaign=drive, unit=people.county, month="2019-03"
        )
    assert "不在集中行动期间" in messages(refused)
    with pytest.raises(ValidationError) as refused:
        services.report_open(
            actor=people.county_admin, campaign=drive, unit=people.county, month="2019-6"
        )
    assert messages(refused) == services.MSG_MONTH


def test_a_second_report_of_the_same_month_is_refused(people, drive, june):
    with pytest.raises(ValidationError) as refused:
        services.report_open(
            actor=people.county_admin, campaign=drive, unit=people.county, month="2019-06"
        )
    assert "舞钢市总工会2019年6月的月报已经建立" in messages(refused)
    assert MonthlyReport.objects.count() == 1


def test_year_end_report_is_the_campaign_years_december(people, drive):
    with _on(D(2019, 12, 20)):
        report = services.report_open(
            actor=people.county_admin,
            campaign=drive,
            unit=people.county,
            month="",
            kind=ReportKind.YEAR_END,
        )
    assert report.month == "2019-12" and str(report) == "舞钢市总工会2019年度专题报告"


def test_who_may_act(people, drive, june):
    with pytest.raises(PermissionDenied):  # read-only role
        services.report_open(
            actor=people.county_viewer, campaign=drive, unit=people.county, month="2019-07"
        )
    with pytest.raises(ValidationError) as refused:  # another unit's report
        services.report_open(
            actor=people.sibling_admin, campaign=drive, unit=people.county, month="2019-07"
        )
    assert "只有舞钢市总工会的工作人员" in messages(refused)
    with pytest.raises(ValidationError):  # not a reporting unit (one level too low)
        services.report_open(
            actor=people.county_admin, campaign=drive, unit=people.county_trade, month="2019-07"
        )
    with pytest.raises(ValidationError):  # the city does not write the county's report
        services.report_save(actor=people.city_admin, report=june, data={"progress": "x"})
    with _on(D(2019, 7, 4)):
        services.report_submit(actor=people.county_admin, report=june)
    with pytest.raises(ValidationError) as refused:  # nor review its own
        services.report_read(actor=people.county_admin, report=june)
    assert "平顶山市总工会审阅" in messages(refused)
    june.refresh_from_db()
    with pytest.raises(ValidationError) as refused:  # submitted: locked for the unit
        services.report_save(actor=people.county_admin, report=june, data={"progress": "y"})
    assert "不能修改" in messages(refused)


def test_submitting_needs_the_progress_text(people, drive):
    with _on(D(2019, 7, 2)):
        report = services.report_open(
            actor=people.county_admin, campaign=drive, unit=people.county, month="2019-06"
        )
    with pytest.raises(ValidationError) as refused:
        services.report_submit(actor=people.county_admin, report=report)
    assert refused.value.message_dict == {"progress": [services.MSG_PROGRESS]}


def test_a_concurrent_second_review_is_taken(people, drive, june):
    with _on(D(2019, 7, 4)):
        services.report_submit(actor=people.county_admin, report=june)
    stale = MonthlyReport.objects.get(pk=june.pk)
    services.report_read(actor=people.city_admin, report=june)
    with pytest.raises(ValidationError) as refused:
        services.report_return(actor=people.city_reviewer, report=stale, opinion="重写")
    assert "已被他人处理" in messages(refused)
    assert ReportEvent.objects.filter(report=june).count() == 3


def test_frozen_figures_equal_the_tallies_and_do_not_move(people, drive, june):
    admin = people.county_admin
    for day, group in ((D(2019, 5, 10), "02"), (D(2019, 6, 3), "02"), (D(2019, 6, 20), "06")):
        join(admin, people.county_trade, on=day, is_migrant_worker=True, group=group)
    progress_refresh(drive)
    tallies = dict(
        UnitTally.objects.filter(campaign=drive, unit=people.county, dimension="month").values_list(
            "key", "new_members"
        )
    )
    with _on(D(2019, 7, 4)):
        services.report_submit(actor=admin, report=june)
    june.refresh_from_db()
    drive.refresh_from_db()
    assert june.figures["new_members"] == tallies["2019-06"] == 2
    assert june.figures["new_members_total"] == tallies["2019-05"] + tallies["2019-06"] == 3
    by_group = {
        g["code"]: (g["new_members"], g["new_members_total"]) for g in june.figures["by_group"]
    }
    assert by_group == {"02": (1, 2), "06": (1, 1)}  # June's, and to June's end
    assert june.figures_at == drive.progress_at
    # A later 入会 dated in June changes the live figures, not the submitted report.
    join(admin, people.county_trade, on=D(2019, 6, 25), is_migrant_worker=True, group="02")
    progress_refresh(drive)
    live = report_figures(campaign=drive, unit=people.county, month="2019-06")
    assert live["new_members"] == 3
    assert MonthlyReport.objects.get(pk=june.pk).figures["new_members"] == 2


def test_figures_take_a_fixed_number_of_queries(people, drive, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        report_figures(campaign=drive, unit=people.county, month="2019-06")
