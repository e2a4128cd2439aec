"""The job pages, one for every kind: the list of recent jobs, a job's progress and result
(check → confirm for imports, approval for jobs that wait for it), and its result file.

Every job is fetched through `jobs_visible` (scoped to the user's jurisdiction), so a job
outside it is the same 404 as a missing one."""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from ruhui.jobs import deadletter, progress, selectors, services
from ruhui.jobs.forms import DecisionForm
from ruhui.jobs.kinds import PROGRESS, all_kinds, get_kind
from ruhui.jobs.models import Job, JobStatus
from ruhui.jobs.retention import MSG_PURGED
from ruhui.orgs.scoping import get_scoped_or_404
from ruhui.web.access import cadre_required

MSG_APPROVED = _("已批准，任务已开始；文件只有申请人本人能下载。")
MSG_REJECTED = _("已驳回这项申请。")
MSG_NO_FILE = _("结果文件不存在。")
MSG_RETRIED = _("已重新排队：%(task)s。")
MSG_DISCARDED = _("已从失败列表删除：%(task)s。")
MSG_BAD_ACTION = _("请选择“重试”或“删除”。")


def _job_or_404(request, job_pk: int) -> Job:
    job = get_scoped_or_404(
        request.user,
        selectors.jobs_visible(user=request.user).select_related(
            "organization", "created_by", "decided_by", "parent"
        ),
        pk=job_pk,
    )
    if job.status == JobStatus.RUNNING:
        services.reap_stale_jobs(Job.objects.filter(pk=job.pk))
        job.refresh_from_db()
    return job


@require_GET
@cadre_required
def job_list(request):
    kinds = {kind.key: kind for kind in all_kinds()}
    chosen = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    mine = request.GET.get("mine") == "1"
    queryset = selectors.recent_jobs(
        user=request.user, kinds=[chosen] if chosen in kinds else None, own=mine
    )
    if status in JobStatus.values:
        queryset = queryset.filter(status=status)
    else:
        status = ""
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "jobs/list.html",
        {
            "page_obj": page,
            "kinds": sorted(kinds.values(), key=lambda kind: kind.label),
            "chosen": chosen if chosen in kinds else "",
            "statuses": JobStatus.choices,
            "status": status,
            "mine": mine,
            "awaiting": selectors.jobs_awaiting_approval(user=request.user)[:50],
            "dead_letter": deadletter.may_use(request.user),
        },
    )


@require_GET
@cadre_required
def job_detail(request, job_pk: int):
    job = _job_or_404(request, job_pk)
    kind = get_kind(job.kind)
    errors = Paginator(job.summary.get("errors", []), 100).get_page(request.GET.get("page"))
    back_label, back_url = kind.back(job)
    context = {
        "job": job,
        "kind": kind,
        "back_label": back_label,
        "back_url": back_url,
        "progress": progress.read(PROGRESS, job.pk),
        "errors": errors,
        "commit": job.commits.order_by("pk").first() if job.dry_run else None,
        "can_confirm": services.can_confirm(request.user, job),
        "confirm_prompt": kind.confirm_prompt(job),
        "can_download": bool(job.result_path)
        and job.files_purged_at is None
        and services.result_refusal(request.user, job) is None,
        "own": job.created_by_id == request.user.pk,
        "can_decide": services.can_decide(request.user, job),
        "decision_form": DecisionForm(),
        "approval_rows": settings.RUHUI_FULL_EXPORT_APPROVAL_ROWS,
        "description": kind.describe(job),
    }
    return render(request, "jobs/job.html", context)


@require_GET
@cadre_required
def job_status(request, job_pk: int):
    """Polled by the job page (every two seconds) until the job ends."""
    job = _job_or_404(request, job_pk)
    return JsonResponse(
        {
            "status": job.status,
            "label": job.get_status_display(),
            "progress": progress.read(PROGRESS, job.pk) or {},
            "finished": job.is_finished or job.status == JobStatus.AWAITING_APPROVAL,
        }
    )


@require_POST
@cadre_required
def job_confirm(request, job_pk: int):
    job = _job_or_404(request, job_pk)
    if not request.user.has_perm(get_kind(job.kind).permission):
        raise PermissionDenied
    try:
        commit = services.job_confirm(actor=request.user, job=job)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("jobs:detail", job_pk=job.pk)
    return redirect("jobs:detail", job_pk=commit.pk)


@require_POST
@cadre_required
def job_decide(request, job_pk: int):
    """Approve or reject a job waiting for approval (another admin of the jurisdiction): a job
    in the jurisdiction that the user may not decide is a 403 with the reason, not a 404."""
    job = get_scoped_or_404(request.user, Job.objects.select_related("organization"), pk=job_pk)
    services.check_approver(actor=request.user, job=job)
    form = DecisionForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.job_decide(
                actor=request.user, job=job, approve=approve, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, MSG_APPROVED if approve else MSG_REJECTED)
    else:
        for message in (m for errors in form.errors.values() for m in errors):
            messages.error(request, message)
    return redirect("jobs:detail", job_pk=job.pk)


@require_GET
@cadre_required
def job_result(request, job_pk: int):
    job = _job_or_404(request, job_pk)
    refusal = services.result_refusal(request.user, job)
    if refusal is not None:
        raise PermissionDenied(refusal)
    if job.files_purged_at is not None:
        raise Http404(MSG_PURGED)
    path = Path(job.result_path) if job.result_path else None
    if job.status != JobStatus.SUCCEEDED or path is None or not path.exists():
        raise Http404(MSG_NO_FILE)
    services.result_downloaded(actor=request.user, job=job)
    name = get_kind(job.kind).result_name(job)
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)


@cadre_required
def failed_tasks(request):
    """The dead-letter list (admins): background tasks that failed every try, each with its
    job when it ran one; POST `task` and `do` (retry or delete), audited."""
    if not deadletter.may_use(request.user):
        raise PermissionDenied
    if request.method == "POST":
        do = request.POST.get("do", "")
        try:
            if do not in ("retry", "delete"):
                raise ValidationError(MSG_BAD_ACTION)
            task = deadletter.failed_task(user=request.user, task_id=request.POST.get("task", ""))
            if do == "retry":
                deadletter.retry(actor=request.user, task=task)
            else:
                deadletter.discard(actor=request.user, task=task)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            done = MSG_RETRIED if do == "retry" else MSG_DISCARDED
            messages.success(request, done % {"task": task.label})
        return redirect("jobs:failed")
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(
        request,
        "jobs/failed.html",
        {
            "tasks": deadletter.failed_tasks(user=request.user),
            "system": deadletter.may_see_system_tasks(request.user),
            "queues": settings.RUHUI_TASK_QUEUES,
            "limit": deadletter.LIMIT,
        },
    )
