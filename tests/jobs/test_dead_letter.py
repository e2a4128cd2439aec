"""The dead-letter list (/jobs/failed/, jobs.deadletter): failed background tasks for the admins
who may see them — a Job's task to the admins of its jurisdiction, a task of no unit to the
province's admins only — with retry and delete (POST, audited). Here on the database task
backend (any database); the RQ registry is exercised by tests/jobs/test_rq_workers.py."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ruhui.audit.models import AuditEvent
from ruhui.jobs import kinds, services
from ruhui.jobs.models import Job, JobStatus
from ruhui.jobs.tasks import purge_job_files, run_job
from tests.factories import UserFactory
from tests.jobs.rq_probe import PROBE, PROBE_KIND

URL = reverse("jobs:failed")
ERROR = "RuntimeError: 数据库连接中断"


@pytest.fixture
def failures(world, settings):
    """Two failed tasks of jobs (county A, county B) and one system task (the purge)."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": list(settings.RUHUI_TASK_QUEUES),
        }
    }
    kinds.register(PROBE_KIND)
    mine = services.job_start(actor=world.county_admin, kind=PROBE, organization=world.county_trade)
    theirs = services.job_start(
        actor=world.sibling_admin, kind=PROBE, organization=world.sibling_trade
    )
    results = {
        "mine": run_job.using(queue_name="documents").enqueue(mine.pk),
        "theirs": run_job.using(queue_name="documents").enqueue(theirs.pk),
        "system": purge_job_files.enqueue(),
    }
    DBTaskResult.objects.filter(pk__in=[r.id for r in results.values()]).update(
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path="builtins.RuntimeError",
        traceback=f"Traceback (most recent call last):\n  File ...\n{ERROR}\n",
    )
    # A result without a finishing time (a worker that died) sorts last, without an error.
    DBTaskResult.objects.filter(pk=results["system"].id).update(finished_at=None)
    yield {"mine_job": mine, "theirs_job": theirs} | {k: str(r.id) for k, r in results.items()}
    kinds._KINDS.pop(PROBE, None)


def test_an_admin_sees_the_failed_tasks_of_their_jurisdiction_only(world, as_user, failures):
    body = as_user(world.county_admin).get(URL).content.decode()
    assert failures["mine"] in body and ERROR in body
    assert reverse("jobs:detail", args=[failures["mine_job"].pk]) in body
    assert failures["theirs"] not in body, "a sibling county's job was shown"
    assert failures["system"] not in body and "清除过期任务文件" not in body
    # The province's admin: both counties' jobs and the system task.
    province = UserFactory(username="province_admin", organization=world.province)
    body = as_user(province).get(URL).content.decode()
    assert all(failures[key] in body for key in ("mine", "theirs", "system"))
    assert "清除过期任务文件" in body


def test_a_read_only_cadre_gets_403(world, as_user, failures):
    client = as_user(world.county_viewer)
    assert client.get(URL).status_code == 403
    response = client.post(URL, {"task": failures["mine"], "do": "delete"})
    assert response.status_code == 403
    assert DBTaskResult.objects.filter(pk=failures["mine"]).exists()


def test_a_sibling_county_admin_cannot_retry_or_delete_another_countys_task(
    world, as_user, failures
):
    client = as_user(world.sibling_admin)
    for do in ("retry", "delete"):
        response = client.post(URL, {"task": failures["mine"], "do": do}, follow=True)
        assert "这条失败记录已不存在" in response.content.decode()
    assert DBTaskResult.objects.get(pk=failures["mine"]).status == "FAILED"
    assert DBTaskResult.objects.count() == 3
    assert not AuditEvent.objects.filter(object_repr__startswith="失败的后台任务").exists()


def test_retry_queues_a_job_that_has_not_run_again_and_is_audited(world, as_user, failures):
    client = as_user(world.county_admin)
    response = client.post(URL, {"task": failures["mine"], "do": "retry"}, follow=True)
    assert "已重新排队" in response.content.decode()
    assert not DBTaskResult.objects.filter(pk=failures["mine"]).exists()
    again = DBTaskResult.objects.get(status="READY", task_path="ruhui.jobs.tasks.run_job",
                                     args_kwargs__args=[failures["mine_job"].pk])  # fmt: skip
    assert again.queue_name == "documents"
    event = AuditEvent.objects.get(object_repr__startswith="失败的后台任务")
    assert event.actor == world.county_admin and event.changes["操作"] == [None, "重试"]
    assert event.object_id == str(failures["mine_job"].pk)


def test_a_job_that_already_ended_is_not_retried(world, as_user, failures):
    Job.objects.filter(pk=failures["mine_job"].pk).update(status=JobStatus.FAILED, error="中断")
    client = as_user(world.county_admin)
    response = client.post(URL, {"task": failures["mine"], "do": "retry"}, follow=True)
    assert "这项任务已经失败，重试也不会再执行" in response.content.decode()
    assert DBTaskResult.objects.get(pk=failures["mine"]).status == "FAILED"


def test_delete_removes_the_task_and_is_audited(world, as_user, failures):
    province = UserFactory(username="province_admin", organization=world.province)
    client = as_user(province)
    response = client.post(URL, {"task": failures["system"], "do": "delete"}, follow=True)
    assert "已从失败列表删除：清除过期任务文件" in response.content.decode()
    assert not DBTaskResult.objects.filter(pk=failures["system"]).exists()
    event = AuditEvent.objects.get(object_repr="失败的后台任务：清除过期任务文件")
    assert event.action == "delete" and event.changes["失败原因"] == [None, ERROR]


def test_an_unknown_action_is_refused_with_a_message(world, as_user, failures):
    response = as_user(world.county_admin).post(
        URL, {"task": failures["mine"], "do": "run"}, follow=True
    )
    assert "请选择“重试”或“删除”" in response.content.decode()
    assert DBTaskResult.objects.count() == 3
