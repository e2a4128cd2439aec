"""考核评比 pages (at /assessment/): the campaigns, a campaign's ranking (with compute and
finalize for the city), the scheme editor, a unit's page (its self-assessment, its projects'
self-assessments, its scores, the city's adjust and decide forms), the exports and the
attachments. Thin: parse → fetch through the scoped selectors → form → one service → render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from ruhui.assessment import documents, forms, selectors, services
from ruhui.audit.services import Action, audit_record
from ruhui.orgs.scoping import NOT_FOUND
from ruhui.tabular.attachments import attachment_response
from ruhui.web.access import cadre_required, require_perm
from ruhui.web.forms import apply_validation_error

DONE = {
    "compute": "得分已按考核方案重新计算。",
    "finalize": "考核评比已定稿：得分和结果不再改变。",
    "self": "自评报告已报送。",
    "adjust": "调整分已保存。",
    "decide": "考核结果已保存。",
}


@require_GET
@cadre_required
def index(request):
    """The campaigns the user sees, each with the state of its assessment."""
    require_perm(request.user, "assessment.view_assessment")
    items = selectors.campaigns(user=request.user)
    return render(request, "assessment/index.html", {"campaigns": items})


@require_http_methods(["GET", "POST"])
@cadre_required
def ranking(request, slug):
    """The units by total with the score of every criterion; the city computes and finalizes."""
    require_perm(request.user, "assessment.view_assessment")
    campaign = selectors.campaign_get(user=request.user, slug=slug)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    error = ""
    if request.method == "POST":
        require_perm(request.user, "assessment.manage_assessment")
        try:
            if action == "compute":
                services.assessment_compute(
                    actor=request.user, campaign=campaign, today=request.POST.get("as_of", "")
                )
            elif action == "finalize":
                services.assessment_finalize(actor=request.user, campaign=campaign)
            else:
                raise ValidationError("未知的操作：请刷新页面后再试。")
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, DONE[action])
            return redirect(reverse("assessment:ranking", args=[campaign.slug]))
    table = selectors.ranking(user=request.user, campaign=campaign)
    context = {
        "campaign": campaign,
        "ranking": table,
        "error": error,
        "can_manage": table.scheme.can_manage(request.user),
        "can_edit": table.scheme.can_edit(request.user),
        "units": selectors.units_with_self_assessment(user=request.user, campaign=campaign),
        "as_of": request.POST.get("as_of")
        if action == "compute" and error
        else f"{services.default_as_of(campaign, table.scheme):%Y-%m-%d}",
    }
    return render(request, "assessment/ranking.html", context, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
@cadre_required
def scheme(request, slug):
    """The criteria and their weights (together 100), saved as a whole by the city."""
    require_perm(request.user, "assessment.view_assessment")
    campaign = selectors.campaign_get(user=request.user, slug=slug)
    current = services.scheme_for(campaign)
    weights = services.scheme_weights(current) if current.pk else services.default_weights(campaign)
    form = forms.SchemeForm(request.POST or None, weights=weights)
    if request.method == "POST":
        require_perm(request.user, "assessment.manage_assessment")
        try:
            services.scheme_save(actor=request.user, campaign=campaign, weights=request.POST)
        except ValidationError as exc:
            form.is_valid()
            apply_validation_error(form, exc)
        else:
            messages.success(request, "考核方案已保存。")
            return redirect(reverse("assessment:ranking", args=[campaign.slug]))
    context = {
        "campaign": campaign,
        "scheme": current,
        "form": form,
        "saved": current.pk is not None,
        "can_edit": current.can_edit(request.user),
        "total": sum(weights.values()),
    }
    return render(request, "assessment/scheme.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@cadre_required
def unit(request, slug, unit_pk):
    """A unit's self-assessment (its own cadres write it), its projects' self-assessments,
    its scores; the city adjusts and decides here."""
    require_perm(request.user, "assessment.view_assessment")
    campaign = selectors.campaign_get(user=request.user, slug=slug)
    org = selectors.assessed_unit_get(user=request.user, campaign=campaign, pk=unit_pk)
    current = services.scheme_for(campaign)
    row = selectors.assessment_find(user=request.user, scheme=current, unit=org)
    own = selectors.self_assessment_find(user=request.user, campaign=campaign, unit=org)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    self_form = forms.SelfAssessmentForm(
        request.POST if action == "self" else None,
        request.FILES if action == "self" else None,
        initial={"text": own.text if own else ""},
    )
    adjust_form = forms.AdjustForm(
        request.POST if action == "adjust" else None,
        initial={"adjustment": row.adjustment if row else 0, "reason": ""},
    )
    decide_form = forms.DecideForm(
        request.POST if action == "decide" else None,
        initial={"result": row.result if row else "", "recommended": bool(row and row.recommended)},
    )
    error = ""
    if request.method == "POST":
        form = {"self": self_form, "adjust": adjust_form, "decide": decide_form}.get(action)
        if form is None:
            raise Http404(NOT_FOUND)
        try:
            _act(request, action, campaign, org, row, form)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            error = " ".join(exc.messages)
        else:
            messages.success(request, DONE[action])
            return redirect(reverse("assessment:unit", args=[campaign.slug, org.pk]))
    context = {
        "campaign": campaign,
        "unit": org,
        "scheme": current,
        "row": row,
        "own": own,
        "projects": selectors.project_self_assessments(campaign=campaign, unit=org),
        "self_form": self_form,
        "adjust_form": adjust_form,
        "decide_form": decide_form,
        "error": error,
        "can_write": (
            request.user.organization_id == org.pk
            and request.user.has_perm("assessment.submit_self")
            and not current.is_final
        ),
        "can_review": bool(row and row.can_review(request.user)),
    }
    return render(request, "assessment/unit.html", context, status=400 if error else 200)


def _act(request, action, campaign, org, row, form) -> None:
    user = request.user
    form.is_valid()
    data = form.cleaned_data
    if action == "self":
        require_perm(user, "assessment.submit_self")
        services.self_assessment_submit(
            actor=user,
            campaign=campaign,
            unit=org,
            text=data.get("text", ""),
            uploads=request.FILES.getlist("files"),
        )
        return
    require_perm(user, "assessment.manage_assessment")
    if row is None:
        raise ValidationError(services.MSG_NOT_COMPUTED)
    if action == "adjust":
        services.assessment_adjust(
            actor=user,
            assessment=row,
            adjustment=data.get("adjustment", ""),
            reason=data.get("reason", ""),
        )
    else:
        services.assessment_decide(
            actor=user,
            assessment=row,
            result=data.get("result", ""),
            recommended=bool(data.get("recommended")),
        )


def _export(request, slug, kind):
    require_perm(request.user, "assessment.view_assessment")
    campaign = selectors.campaign_get(user=request.user, slug=slug)
    table = selectors.ranking(user=request.user, campaign=campaign)
    audit_record(
        actor=request.user,
        action=Action.EXPORT,
        org_path=request.user.organization.path,
        object_repr=documents.title_of(table),
        changes={"单位数": [None, len(table.rows)], "格式": [None, kind]},
    )
    return documents.download(table, kind)


@require_GET
@cadre_required
def export_xlsx(request, slug):
    """The ranking the user sees as .xlsx."""
    return _export(request, slug, "xlsx")


@require_GET
@cadre_required
def export_docx(request, slug):
    """The ranking the user sees as .docx."""
    return _export(request, slug, "docx")


@require_GET
@cadre_required
def attachment(request, file_pk):
    """An attachment of a self-assessment the user sees (a download, never cached)."""
    require_perm(request.user, "assessment.view_assessment")
    item = selectors.file_get(user=request.user, pk=file_pk)
    return attachment_response(item.path, filename=item.original_name, kind=item.kind)
