"""Dues pages: the dues-lapse candidates (会费候选), 记录会费 for the members ticked on a list
(with a confirmation step), and the upload of a 会费缴纳表 (checked and confirmed as a job)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ruhui.jobs.selectors import recent_jobs
from ruhui.members import selectors, services
from ruhui.members.dues_import import DUES_IMPORT, dues_import_start
from ruhui.members.forms import DuesImportForm, DuesRecordForm
from ruhui.web.access import cadre_required, require_perm
from ruhui.web.forms import apply_validation_error, querystring_without_page

PAGE_SIZE = 50
#: The pages a dues record starts from and returns to (with their filters and page).
DUES_PAGES = ("members:dues", "members:list")


@require_GET
@cadre_required
def dues_candidates(request):
    qs = selectors.dues_lapse_candidates(user=request.user)
    return render(
        request,
        "members/dues.html",
        {
            "page_obj": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")),
            "query": querystring_without_page(request),
            "can_manage": request.user.has_perm("members.manage_membership"),
            "dues_form": dues_form(request),
        },
    )


def dues_form(request) -> DuesRecordForm | None:
    """The date box above a list whose rows may be ticked for 记录会费 (None: the role may not)."""
    return DuesRecordForm() if request.user.has_perm("members.change_member") else None


def _dues_back(raw: str) -> str:
    """Where a dues record returns to: the page it came from, if it is one of DUES_PAGES."""
    for name in DUES_PAGES:
        base = reverse(name)
        if raw == base or raw.startswith(base + "?"):
            return raw
    return reverse(DUES_PAGES[0])


@require_POST
@cadre_required
def dues_record(request):
    """记录会费 for the members ticked on a list: the first POST shows them with the date to
    confirm (and the service's objections, if any); the POST with confirm=1 records."""
    require_perm(request.user, "members.change_member")
    form = DuesRecordForm(request.POST)
    back = _dues_back(request.POST.get("next", ""))
    if form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("confirm") == "1":
                done = services.dues_record_many(
                    actor=request.user, members=data["members"], paid_on=data["paid_on"]
                )
                messages.success(request, _dues_done(done))
                return redirect(back)
            services.dues_check(
                actor=request.user, members=data["members"], paid_on=data["paid_on"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
    try:
        ticked = form.fields["members"].to_python(request.POST.getlist("members"))
    except ValidationError:
        ticked = []
    selected = selectors.members_selected(user=request.user, ids=ticked[: services.DUES_LIMIT])
    return render(
        request,
        "members/dues_record.html",
        {"form": form, "selected": selected, "back": back, "ready": not form.errors},
    )


def _dues_done(done: services.DuesRecorded) -> str:
    text = f"已为 {done.recorded} 名会员记录 {done.paid_on:%Y-%m-%d} 缴纳的会费。"
    if done.unchanged:
        text += f"另有 {done.unchanged} 名会员已有同日或更晚的缴费记录，保持不变。"
    return text


@require_http_methods(["GET", "POST"])
@cadre_required
def dues_import(request):
    """导入会费缴纳表: upload a sheet, checked as a job; the check and its confirmation are on
    the shared job page."""
    require_perm(request.user, "members.change_member")
    form = DuesImportForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"union": request.user.organization},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = dues_import_start(
                actor=request.user,
                union=form.cleaned_data["union"],
                source=upload,
                original_name=upload.name,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return redirect("jobs:detail", job_pk=job.pk)
    recent = recent_jobs(user=request.user, kinds=[DUES_IMPORT])[:20]
    return render(request, "members/dues_import.html", {"form": form, "recent": recent})
