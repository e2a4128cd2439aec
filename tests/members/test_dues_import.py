"""导入会费缴纳表: a sheet checked as a job, confirmed on the job page; rows name what is wrong,
members outside the unit's subtree are not found, the recording is dues_record_many's."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ruhui.audit.models import AuditEvent
from ruhui.jobs.models import Job, JobStatus
from ruhui.members import services
from ruhui.members.dues_import import DUES_IMPORT
from ruhui.members.models import Member, MembershipEvent
from tests.members.factories import join

JOINED = datetime.date(2019, 5, 10)


def sheet(rows, header=("会员号", "姓名", "缴费日期")) -> SimpleUploadedFile:
    lines = ["2026年会费缴纳表", ",".join(header), *(",".join(r) for r in rows)]
    return SimpleUploadedFile("会费缴纳表.csv", ("\n".join(lines) + "\n").encode("utf-8"))


@pytest.fixture
def cast(world):
    a = world.county_admin
    return {
        "zhang": join(a, world.county_trade, on=JOINED, name="张伟"),
        "li": join(a, world.county_enterprise, on=JOINED, name="李娜"),
        "chen": join(a, world.county_trade, on=JOINED, name="陈晓明"),
        "wang": join(world.sibling_admin, world.sibling_trade, on=JOINED, name="王强"),
    }


def _upload(client, world, file, union=None):
    return client.post(
        reverse("members:dues_import"), {"union": (union or world.county).pk, "file": file}
    )


def _dates(*members):
    return [Member.objects.get(pk=m.pk).last_dues_paid_on for m in members]


def test_sheet_is_checked_then_confirmed(world, cast, as_user, django_capture_on_commit_callbacks):
    zhang, li, chen, wang = cast["zhang"], cast["li"], cast["chen"], cast["wang"]
    services.member_withdraw(actor=world.county_admin, member=chen, on=JOINED)
    client = as_user(world.county_admin)
    rows = [
        (zhang.member_number, "张伟", "2026-01-15"),
        (li.member_number, "李娜", "2026/2/1"),
        (li.member_number, "李娜", "2026-01-01"),  # the later row for 李娜 wins
        (chen.member_number, "陈晓明", "2026-01-15"),  # withdrawn
        (wang.member_number, "王强", "2026-01-15"),  # another county's member
        (zhang.member_number, "张三", "2026-01-16"),  # name does not match
        ("", "无名", "2026-01-15"),
        (li.member_number, "李娜", "2099-01-01"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, world, sheet(rows))
    job = Job.objects.get(kind=DUES_IMPORT)
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED and job.dry_run
    assert (job.summary["rows"], job.summary["updated"], job.summary["rejected"]) == (8, 2, 6)
    assert _dates(zhang, li) == [None, None]  # a check writes nothing
    messages = {(e["row"], e["field"]): e["message"] for e in job.summary["errors"]}
    # The header is on row 2 (a title above it): the data rows are 3 to 10.
    assert "同一会员在第 4 行有更晚的缴费日期" in messages[(5, "缴纳会费日期")]
    assert "已退会" in messages[(6, "会员号")]
    assert "不在「舞钢市总工会」及其下级工会的会员名册中" in messages[(7, "会员号")]
    assert "王强" not in messages[(7, "会员号")]
    assert "姓名「张三」与会员号" in messages[(8, "姓名")]
    assert messages[(9, "会员号")] == "会员号未填写。"
    assert messages[(10, "缴纳会费日期")].startswith("缴纳会费日期不能晚于今天")
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "确认导入" in page and "为「舞钢市总工会」的 2 名会员记录会费" in page
    events = MembershipEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("jobs:confirm", args=[job.pk]))
    commit = Job.objects.filter(kind=DUES_IMPORT).exclude(pk=job.pk).get()
    assert commit.status == JobStatus.SUCCEEDED and commit.summary["updated"] == 2
    assert _dates(zhang, li, wang) == [
        datetime.date(2026, 1, 15),
        datetime.date(2026, 2, 1),
        None,
    ]
    assert MembershipEvent.objects.count() == events
    # One audit row per date, as 记录会费 on the pages writes.
    rows = AuditEvent.objects.filter(object_repr__startswith="批量记录会费")
    assert sorted(r.changes["最近缴纳会费日期"][1] for r in rows) == ["2026-01-15", "2026-02-01"]


def test_a_sheet_without_the_needed_columns_fails_naming_them(
    world, cast, as_user, django_capture_on_commit_callbacks
):
    client = as_user(world.county_admin)
    file = sheet([(cast["zhang"].member_number, "张伟")], header=("会员号", "姓名"))
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, world, file)
    job = Job.objects.get(kind=DUES_IMPORT)
    assert job.status == JobStatus.FAILED
    assert "「缴纳会费日期」列" in job.error


def test_members_are_looked_up_in_the_chosen_units_subtree_only(
    world, cast, as_user, django_capture_on_commit_callbacks
):
    client = as_user(world.county_admin)
    rows = [(cast["zhang"].member_number, "张伟", "2026-01-15")]
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, world, sheet(rows), union=world.county_enterprise)
    job = Job.objects.get(kind=DUES_IMPORT)
    assert job.summary["updated"] == 0 and job.summary["rejected"] == 1


def test_a_unit_outside_the_jurisdiction_is_refused(world, cast, as_user):
    client = as_user(world.county_admin)
    response = _upload(client, world, sheet([]), union=world.sibling)
    assert response.status_code == 200
    assert "不是可选的组织" in response.content.decode()
    assert not Job.objects.filter(kind=DUES_IMPORT).exists()


def test_read_only_role_cannot_import(world, as_user):
    client = as_user(world.county_viewer)
    assert client.get(reverse("members:dues_import")).status_code == 403
    assert _upload(client, world, sheet([])).status_code == 403


def test_the_upload_page_lists_recent_dues_imports(world, as_user):
    body = as_user(world.county_admin).get(reverse("members:dues_import")).content.decode()
    assert "导入会费缴纳表" in body and 'name="file"' in body
