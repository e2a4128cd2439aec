"""项目清单+责任制 pages: the overview, a unit's plan, the consolidated list, the review queue and the
attachment download (the project page is views_project). Thin: parse → fetch through the
scoped selectors → form → one service → render; a service's Chinese message comes back next to
the field (or in a banner) with what was typed kept."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from ruhui.campaigns import selectors as campaign_selectors
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import NOT_FOUND, get_scoped_or_404, scoped
from ruhui.projects import forms, selectors, services
from ruhui.projects.choices import PlanStatus
from ruhui.projects.models import PlanTask, Project
from ruhui.tabular.attachments import attachment_response
from ruhui.web.access import MSG_NO_PERM, cadre_required, require_perm
from ruhui.web.forms import apply_validation_error, querystring_without_page

#: A POST needs one of these (a read-only role gets the 403 page before any form is read).
WRITE_PERMS = (
    "projects.edit_plan",
    "projects.review_plan",
    "projects.review_subsidy",
    "projects.record_disbursement",
    "projects.record_inspection",
)
MSG_READ_ONLY = "该行动计划已报送市总，不能修改；如需修改，请联系市总退回"


def require_some_write(request) -> None:
    if request.method == "POST" and not any(request.user.has_perm(p) for p in WRITE_PERMS):
        raise PermissionDenied(MSG_NO_PERM)


# --- overview -----------------------------------------------------------------------------


@require_GET
@cadre_required
def index(request):
    """Each campaign the user sees, with the plans of their units and their states."""
    require_perm(request.user, "projects.view_plan")
    campaigns = selectors.overview(user=request.user)
    queue = selectors.review_queue(user=request.user)
    return render(request, "projects/index.html", {"campaigns": campaigns, "queue": queue})


# --- the plan page ------------------------------------------------------------------------


def _scheme_milestone(campaign):
    return campaign.milestones.filter(title__contains="实施方案").order_by("due_on").first()


def _plan_forms(plan, unit, data=None, files=None, which=None, edit_project=None):
    """The plan page's forms; only the one POSTed (`which`) is bound."""

    def bound(name):
        return data if which == name else None

    header_initial = (
        {
            f: getattr(plan, f)
            for f in ("leader_name", "leader_title", "contact_name", "contact_phone")
        }
        | {
            "scheme_submitted_on": plan.scheme_submitted_on.isoformat()
            if plan.scheme_submitted_on
            else ""
        }
        if plan
        else {}
    )
    project_initial = (
        forms.ProjectForm.initial_of(edit_project)
        if edit_project
        else {"kind": "build", "responsible_unit": unit.pk}
    )
    return {
        "header_form": forms.PlanHeaderForm(bound("header"), initial=header_initial),
        "scheme_form": forms.SchemeForm(bound("scheme"), files if which == "scheme" else None),
        "task_form": forms.TaskForm(bound("task"), prefix="task"),
        "project_form": forms.ProjectForm(
            bound("project"), initial=project_initial, unit=unit, prefix="project"
        ),
        "opinion_form": forms.OpinionForm(bound("opinion")),
    }


@require_http_methods(["GET", "POST"])
@cadre_required
def plan(request, slug, unit_pk):
    """A unit's action plan: header, 实施方案, work list, the two project tables, the review
    buttons, the history."""
    require_perm(request.user, "projects.view_plan")
    campaign = campaign_selectors.campaign_get(user=request.user, slug=slug)
    unit = campaign_selectors.unit_get(user=request.user, campaign=campaign, pk=unit_pk)
    the_plan = selectors.plan_find(user=request.user, campaign=campaign, unit=unit)
    require_some_write(request)
    edit_project = _edit_project(request, the_plan)
    which = request.POST.get("action", "") if request.method == "POST" else None
    page_forms = _plan_forms(
        the_plan, unit, request.POST, request.FILES, _form_of(which), edit_project
    )
    error = None
    if request.method == "POST":
        try:
            done = _plan_action(request, campaign, unit, the_plan, which, page_forms)
        except ValidationError as exc:
            target = page_forms.get(f"{_form_of(which)}_form") if _form_of(which) else None
            if target is not None and target.is_bound:
                apply_validation_error(target, exc)
            error = " ".join(exc.messages)
        else:
            messages.success(request, done)
            return redirect(reverse("projects:plan", args=[campaign.slug, unit.pk]))
    context = {
        "campaign": campaign,
        "unit": unit,
        "plan": the_plan,
        "error": error,
        "milestone": _scheme_milestone(campaign),
        "edit_project": edit_project,
        "edit_task": _edit_task(request, the_plan),
        **page_forms,
    }
    if the_plan is not None:
        context |= selectors.plan_page(plan=the_plan)
        context["can_edit"] = the_plan.can_edit(request.user)
        context["can_review"] = the_plan.can_review(request.user)
        context["locked_message"] = (
            MSG_READ_ONLY
            if the_plan.status == PlanStatus.SUBMITTED and request.user.organization_id == unit.pk
            else ""
        )
    else:
        context["can_open"] = request.user.organization_id == unit.pk and request.user.has_perm(
            "projects.edit_plan"
        )
    return render(request, "projects/plan.html", context, status=400 if error else 200)


def _form_of(which):
    return {
        "header": "header",
        "scheme": "scheme",
        "task_save": "task",
        "project_save": "project",
        "return": "opinion",
        "consolidate": "opinion",
    }.get(which or "")


def _edit_project(request, plan):
    pk = request.GET.get("edit") or request.POST.get("project_pk")
    if not pk or plan is None:
        return None
    return get_scoped_or_404(request.user, Project.objects.filter(plan=plan), pk=pk)


def _edit_task(request, plan):
    pk = request.GET.get("task") or request.POST.get("task_pk")
    if not pk or plan is None:
        return None
    return get_scoped_or_404(request.user, PlanTask.objects.filter(plan=plan), pk=pk)


def _valid(form):
    if not form.is_valid():
        raise ValidationError(form.errors.as_data().get("__all__") or "请按提示修改后再提交。")
    return form.cleaned_data


def _plan_action(request, campaign, unit, plan, which, page_forms) -> str:
    """Run the one service the POSTed button asks for; return the success message."""
    user = request.user
    if which == "open":
        services.plan_open(actor=user, campaign=campaign, unit=unit)
        return "已建立本单位的行动计划，请填写责任领导、工作清单和项目。"
    if plan is None:
        raise Http404(NOT_FOUND)
    if which == "header":
        services.plan_update(actor=user, plan=plan, data=_valid(page_forms["header_form"]))
        return "行动计划的基本信息已保存。"
    if which == "scheme":
        _valid(page_forms["scheme_form"])
        services.plan_attach(actor=user, plan=plan, upload=request.FILES["file"])
        return "实施方案已上传。"
    if which == "task_save":
        data = _valid(page_forms["task_form"])
        services.task_save(actor=user, plan=plan, data=data, task=_edit_task(request, plan))
        return "工作清单已保存。"
    if which == "task_delete":
        services.task_delete(actor=user, task=_edit_task(request, plan))
        return "已删除该项工作。"
    if which == "project_save":
        form = page_forms["project_form"]
        _valid(form)
        project = _edit_project(request, plan)
        saved = services.project_save(
            actor=user, plan=plan, data=form.service_data(), project=project
        )
        return f"项目「{saved.name}」已保存。"
    if which == "project_delete":
        project = _edit_project(request, plan)
        if project is None:
            raise Http404(NOT_FOUND)
        services.project_delete(actor=user, project=project)
        return f"已删除项目「{project.name}」。"
    if which == "submit":
        services.plan_submit(actor=user, plan=plan)
        return "行动计划已报送，等待上级审核。"
    if which == "return":
        opinion = _valid(page_forms["opinion_form"])["opinion"]
        services.plan_return(actor=user, plan=plan, opinion=opinion)
        return "已退回修改，并附上意见。"
    if which == "consolidate":
        opinion = _valid(page_forms["opinion_form"])["opinion"]
        services.plan_consolidate(actor=user, plan=plan, opinion=opinion)
        return "已汇总该行动计划，其中的项目已立项。"
    raise ValidationError("不认识的操作，请刷新页面后重试。")


# --- the consolidated list ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@cadre_required
def consolidated(request, slug):
    """The projects of every plan in the user's part of the campaign, filtered, with totals;
    the campaign owner's reviewers report the consolidated plans to the province here."""
    require_perm(request.user, "projects.view_plan")
    campaign = campaign_selectors.campaign_get(user=request.user, slug=slug)
    # The units that hold a plan of the campaign (each filters its subtree): a handful, where
    # every unit of the tree made the page a 5,000-option list.
    units = scoped(request.user, Organization).filter(
        path__startswith=campaign.owner.path, action_plans__campaign=campaign
    )
    form = forms.FilterForm(request.GET or None, units=units.distinct().order_by("path"))
    filters = selectors.Filters()
    if form.is_bound and form.is_valid():
        filters = selectors.Filters(**{k: v or "" for k, v in form.cleaned_data.items()})
        filters.unit = form.cleaned_data["unit"]
        filters.overdue = bool(form.cleaned_data["overdue"])
    can_report = request.user.organization_id == campaign.owner_id and request.user.has_perm(
        "projects.review_plan"
    )
    if request.method == "POST":
        require_perm(request.user, "projects.review_plan")
        try:
            if request.POST.get("action") == "send_subsidies":
                services.subsidy_send_up(actor=request.user, campaign=campaign)
                messages.success(request, "初审通过的补助申请已报省总审核。")
            else:
                reported = services.campaign_report(actor=request.user, campaign=campaign)
                messages.success(request, f"已将 {len(reported)} 份行动计划汇总上报省总。")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(reverse("projects:consolidated", args=[campaign.slug]))
    projects = selectors.consolidated(user=request.user, campaign=campaign, filters=filters)
    # The rows a page at a time; the totals above them count every row the filters keep.
    page = Paginator(projects, settings.RUHUI_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/consolidated.html",
        {
            "campaign": campaign,
            "form": form,
            "page_obj": page,
            "projects": page.object_list,
            "query": querystring_without_page(request),
            "totals": selectors.consolidated_totals(projects),
            "plans": list(selectors.campaign_plans(user=request.user, campaign=campaign)),
            "can_report": can_report,
        },
    )


# --- the review queue ---------------------------------------------------------------------


@require_GET
@cadre_required
def queue(request):
    """What waits for the user's level."""
    require_perm(request.user, "projects.view_plan")
    return render(
        request,
        "projects/queue.html",
        {"queue": selectors.review_queue(user=request.user), "today": timezone.localdate()},
    )


# --- attachments --------------------------------------------------------------------------


@require_GET
@cadre_required
def attachment(request, attachment_pk):
    """A stored attachment, to those who see its plan (a download, never cached)."""
    require_perm(request.user, "projects.view_plan")
    item = selectors.attachment_get(user=request.user, pk=attachment_pk)
    return attachment_response(item.path, filename=item.original_name, kind=item.kind)
