"""Campaign pages that write: starting and editing a campaign (goals, phases, deadlines, the
groups' responsibility map), and a unit's task decomposition, typed in or imported from its
table (checked, then confirmed, on the job page). Every rule is the services'; their Chinese
messages come back on the forms."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ruhui.campaigns import selectors, services
from ruhui.campaigns.forms import (
    AssignmentFormSet,
    CampaignForm,
    DecompositionForm,
    MilestoneFormSet,
    PhaseFormSet,
    TargetUploadForm,
    assignments_of,
    assisting_units,
    milestones_of,
    phases_of,
)
from ruhui.campaigns.jobs import TARGET_IMPORT, target_import_start
from ruhui.campaigns.services import TargetLine
from ruhui.jobs.selectors import recent_jobs
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import in_jurisdiction, jurisdiction_root
from ruhui.web.access import cadre_required, require_perm

#: Uploads listed on the targets page (the latest checks and commits of this unit's table).
RECENT_UPLOADS = 5


def _plan_formsets(data, campaign=None, owner=None):
    units = assisting_units(owner or campaign.owner)
    initial = {"phases": None, "milestones": None, "assignments": None}
    if campaign is not None and data is None:
        initial["phases"] = [
            {"name": p.name, "starts_on": p.starts_on, "ends_on": p.ends_on, "tasks": p.tasks}
            for p in campaign.phases.all()
        ]
        initial["milestones"] = [
            {"title": m.title, "due_on": m.due_on, "note": m.note}
            for m in campaign.milestones.all()
        ]
        initial["assignments"] = [
            {"group": a.group.code, "unit": a.unit_id}
            for a in campaign.assignments.select_related("group")
        ]
    return (
        PhaseFormSet(data, prefix="phases", initial=initial["phases"]),
        MilestoneFormSet(data, prefix="milestones", initial=initial["milestones"]),
        AssignmentFormSet(
            data,
            prefix="assignments",
            initial=initial["assignments"],
            form_kwargs={"units": units},
        ),
    )


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_http_methods(["GET", "POST"])
@cadre_required
def campaign_create(request):
    require_perm(request.user, "campaigns.manage_campaign")
    owner = jurisdiction_root(request.user)
    data = request.POST if request.method == "POST" else None
    form = CampaignForm(
        data,
        creating=True,
        suggested_slug=services.suggest_slug(owner, timezone.localdate().year) if owner else "",
    )
    phases, milestones, assignments = _plan_formsets(data, owner=owner)
    if data is not None and all(f.is_valid() for f in (form, phases, milestones, assignments)):
        try:
            campaign = services.campaign_create(
                actor=request.user,
                owner=owner,
                slug=form.cleaned_data["slug"],
                data=form.service_data(),
                focus_groups=form.cleaned_data["focus_groups"],
                phases=phases_of(phases),
                milestones=milestones_of(milestones),
                assignments=assignments_of(assignments),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"已建立集中行动「{campaign.name}」。")
            return redirect(reverse("campaigns:dashboard", args=[campaign.slug]))
    return render(
        request,
        "campaigns/form.html",
        {
            "form": form,
            "phases": phases,
            "milestones": milestones,
            "assignments": assignments,
            "owner": owner,
            "creating": True,
        },
    )


@require_http_methods(["GET", "POST"])
@cadre_required
def campaign_edit(request, campaign_slug):
    campaign = selectors.campaign_get(user=request.user, slug=campaign_slug)
    if not in_jurisdiction(request.user, campaign.owner):
        raise PermissionDenied("只有组织这次行动的单位可以修改行动方案。")
    require_perm(request.user, "campaigns.manage_campaign")
    data = request.POST if request.method == "POST" else None
    form = CampaignForm(data, instance=campaign, creating=False)
    if data is None:
        form.fields["focus_groups"].initial = campaign.focus_groups.all()
    phases, milestones, assignments = _plan_formsets(data, campaign=campaign)
    if data is not None and all(f.is_valid() for f in (form, phases, milestones, assignments)):
        try:
            services.campaign_update(
                actor=request.user,
                campaign=campaign,
                data=form.service_data(),
                focus_groups=form.cleaned_data["focus_groups"],
                phases=phases_of(phases),
                milestones=milestones_of(milestones),
                assignments=assignments_of(assignments),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "行动方案已保存。")
            return redirect(reverse("campaigns:dashboard", args=[campaign.slug]))
    return render(
        request,
        "campaigns/form.html",
        {
            "form": form,
            "phases": phases,
            "milestones": milestones,
            "assignments": assignments,
            "owner": campaign.owner,
            "campaign": campaign,
            "creating": False,
        },
    )


def _decomposable(request, campaign, org_pk) -> Organization:
    return selectors.unit_get(user=request.user, campaign=campaign, pk=org_pk)


def _decomposition_form(data, campaign, unit):
    """The unit's decomposition and the form that edits it (filled with what is stored)."""
    view = selectors.decomposition_view(campaign=campaign, unit=unit)
    units = selectors.decomposable_units(view=view)
    initial = {}
    for pk, target in view.targets.items():
        initial |= {
            f"baseline_{pk}": target.baseline_declared,
            f"target_{pk}": target.new_members,
            f"note_{pk}": target.note,
        }
    if view.declared:
        initial["declared_baseline_total"] = view.declared.declared_baseline_total
        initial["declared_target_total"] = view.declared.declared_target_total
    return view, DecompositionForm(data, units=units, initial=initial)


def _targets_page(request, campaign, unit, view, form, upload=None, status=200):
    can_edit = request.user.has_perm("campaigns.set_targets")
    recent = []
    if can_edit:
        recent = recent_jobs(user=request.user, kinds=[TARGET_IMPORT]).filter(
            organization=unit, options__campaign=campaign.pk
        )[:RECENT_UPLOADS]
    return render(
        request,
        "campaigns/targets.html",
        {
            "campaign": campaign,
            "unit": unit,
            "view": view,
            "form": form,
            "can_edit": can_edit,
            "upload": upload or TargetUploadForm(),
            "recent": recent,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@cadre_required
def targets(request, campaign_slug, org_pk):
    """A unit's task decomposition to its sub-units, with the checks it fails."""
    campaign = selectors.campaign_get(user=request.user, slug=campaign_slug)
    unit = _decomposable(request, campaign, org_pk)
    data = request.POST if request.method == "POST" else None
    view, form = _decomposition_form(data, campaign, unit)
    if data is not None:
        require_perm(request.user, "campaigns.set_targets")
        if form.is_valid():
            try:
                services.decomposition_save(
                    actor=request.user,
                    campaign=campaign,
                    unit=unit,
                    lines=[TargetLine(u, b, t, n) for u, b, t, n in form.lines()],
                    declared_baseline_total=form.cleaned_data["declared_baseline_total"],
                    declared_target_total=form.cleaned_data["declared_target_total"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, "任务分解已保存。")
                return redirect(reverse("campaigns:targets", args=[campaign.slug, unit.pk]))
    return _targets_page(request, campaign, unit, view, form)


@require_http_methods(["POST"])
@cadre_required
def targets_import(request, campaign_slug, org_pk):
    """Upload a decomposition table: its check runs as a job, whose page shows what the table
    holds and the checks it fails, and saves it on 确认导入. A file that is no table (or a
    hostile one) is refused here, on the targets page (422)."""
    campaign = selectors.campaign_get(user=request.user, slug=campaign_slug)
    unit = _decomposable(request, campaign, org_pk)
    require_perm(request.user, "campaigns.set_targets")
    upload = TargetUploadForm(request.POST, request.FILES)
    if upload.is_valid():
        try:
            job = target_import_start(
                actor=request.user,
                campaign=campaign,
                unit=unit,
                upload=upload.cleaned_data["file"],
            )
        except ValidationError as error:
            _apply_errors(upload, error)
        else:
            return redirect("jobs:detail", job_pk=job.pk)
    view, form = _decomposition_form(None, campaign, unit)
    return _targets_page(request, campaign, unit, view, form, upload=upload, status=422)
