"""The project page: a project with its whole history (events, updates, self-assessments,
inspections, the subsidy with its events and payments, the close-out figures) and the form of
each step the user may take now; every step is one service of `projects.services`."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ruhui.orgs.scoping import get_scoped_or_404
from ruhui.projects import figures, forms, selectors, services
from ruhui.projects.choices import ProjectKind, SubsidyStatus
from ruhui.projects.models import Inspection
from ruhui.projects.views import require_some_write
from ruhui.web.access import cadre_required, require_perm
from ruhui.web.forms import apply_validation_error

# --- the project page ---------------------------------------------------------------------

PROJECT_FORMS = {
    "update": forms.UpdateForm,
    "assess": forms.AssessmentForm,
    "decide": forms.DecideForm,
    "subsidy_apply": forms.SubsidyApplyForm,
    "city_review": forms.CityReviewForm,
    "province_review": forms.ProvinceReviewForm,
    "disburse": forms.DisbursementForm,
    "inspect": forms.InspectionForm,
    "follow_up": forms.FollowUpForm,
    "link_union": forms.UnionLinkForm,
}


@require_http_methods(["GET", "POST"])
@cadre_required
def project(request, project_pk):
    """A project with everything about it, and the forms of the steps the user may take."""
    require_perm(request.user, "projects.view_plan")
    item = selectors.project_get(user=request.user, pk=project_pk)
    require_some_write(request)
    which = request.POST.get("action", "") if request.method == "POST" else ""
    bound = {
        name: cls(request.POST if which == name else None, request.FILES if which == name else None)
        for name, cls in PROJECT_FORMS.items()
    }
    can_link = item.can_link_union(request.user)
    if can_link:
        field = bound["link_union"].fields["union"]
        field.queryset = selectors.union_candidates(project=item)
        field.initial = item.founded_union_id
        # Nothing to choose from (no union founded yet): the card says what to do instead.
        can_link = "form" if item.founded_union_id or field.queryset.exists() else "none"
    error = None
    if request.method == "POST":
        try:
            done = _project_action(request, item, which, bound.get(which))
        except ValidationError as exc:
            if which in bound:
                apply_validation_error(bound[which], exc)
            error = " ".join(exc.messages)
        else:
            messages.success(request, done)
            return redirect(reverse("projects:project", args=[item.pk]))
    history = selectors.project_history(project=item)
    subsidy = history["subsidy"]
    user = request.user
    can = {
        "start": item.can_start(user),
        "work": item.can_work(user),
        "assess": item.can_assess(user),
        "decide": item.can_decide(user),
        "apply": item.can_work(user)
        and (subsidy is None or subsidy.can_resubmit(user))
        and item.status not in ("closed", "failed"),
        "city_review": bool(subsidy and subsidy.can_city_review(user)),
        "province_review": bool(subsidy and subsidy.can_province_review(user)),
        "disburse": bool(subsidy and subsidy.can_disburse(user)),
        "link_union": can_link,
        "inspect": user.has_perm("projects.record_inspection")
        and item.plan.unit.path.startswith(user.organization.path)
        and item.plan.unit_id != user.organization_id,
    }
    recorded = None
    if item.kind == ProjectKind.SERVICE:  # the services recorded against it (服务台账)
        recorded = (figures.recorded_coverage([item.pk]) or {}).get(item.pk)
    return render(
        request,
        "projects/project.html",
        {
            "project": item,
            "recorded_coverage": recorded,
            "plan": item.plan,
            "campaign": item.plan.campaign,
            "can": can,
            "forms": bound,
            "error": error,
            "which": which,
            "subsidy_statuses": SubsidyStatus,
            **history,
        },
        status=400 if error else 200,
    )


def _data(form):
    if form is None:
        raise ValidationError("不认识的操作，请刷新页面后重试。")
    if not form.is_valid():
        raise ValidationError("请按提示修改后再提交。")
    return form.cleaned_data


def _project_action(request, item, which, form) -> str:
    user, files = request.user, request.FILES.getlist("files")
    if which == "start":
        services.project_start(actor=user, project=item)
        return "项目已开始实施。"
    if which == "update":
        d = _data(form)
        services.project_update_add(
            actor=user, project=item, on=d["on"], text=d["text"], uploads=files
        )
        return "实施进展已记录。"
    if which == "link_union":
        union = _data(form)["union"]
        services.project_union_link(actor=user, project=item, union=union)
        return f"已登记建成的工会：{union.name}。" if union else "已取消登记建成的工会。"
    if which == "assess":
        d = _data(form)
        data = {k: d[k] for k in ("text", "claimed_members", "claimed_coverage")}
        services.assessment_submit(actor=user, project=item, data=data, uploads=files)
        return "绩效自评报告已提交，等待审核认定。"
    if which == "decide":
        d = _data(form)
        services.project_decide(
            actor=user,
            project=item,
            qualified=d["qualified"] == "yes",
            opinion=d["opinion"],
            rectify_by=d["rectify_by"] or None,
        )
        return "审核认定已记录。"
    subsidy = getattr(item, "subsidy", None) if which != "subsidy_apply" else None
    if which == "subsidy_apply":
        d = _data(form)
        services.subsidy_apply(actor=user, project=item, amount=d["amount"], purpose=d["purpose"])
        return "补助申请已提交，等待市总初审。"
    if which == "follow_up":
        d = _data(form)
        inspection = get_scoped_or_404(
            user, Inspection.objects.filter(projects=item), pk=request.POST.get("inspection_pk")
        )
        services.inspection_follow_up(
            actor=user,
            inspection=inspection,
            follow_up=d["follow_up"],
            closed_on=d["closed_on"] or None,
        )
        return "整改落实情况已记录。"
    if which == "inspect":
        d = _data(form)
        data = {
            "kind": d["kind"],
            "inspected_unit": item.plan.unit,
            "on": d["on"],
            "findings": d["findings"],
            "rectification": d["rectification"],
            "rectify_by": d["rectify_by"] or None,
        }
        services.inspection_record(
            actor=user, campaign=item.plan.campaign, data=data, projects=[item], uploads=files
        )
        return "检查记录已保存。"
    if subsidy is None:
        raise ValidationError("该项目还没有补助申请。")
    if which == "city_review":
        d = _data(form)
        services.subsidy_city_review(
            actor=user,
            subsidy=subsidy,
            decision=d["decision"],
            opinion=d["opinion"],
            recommended_amount=d["recommended_amount"] or None,
        )
        return "市总初审意见已记录。"
    if which == "province_review":
        d = _data(form)
        services.subsidy_province_review(
            actor=user,
            subsidy=subsidy,
            approve=d["approve"] == "yes",
            opinion=d["opinion"],
            approved_amount=d["approved_amount"] or None,
            notice_number=d["notice_number"],
            notice_on=d["notice_on"] or None,
        )
        return "省总审核意见已记录。"
    if which == "disburse":
        d = _data(form)
        services.disbursement_record(
            actor=user,
            subsidy=subsidy,
            amount=d["amount"],
            paid_on=d["paid_on"],
            voucher_number=d["voucher_number"],
        )
        return "拨付记录已保存。"
    raise ValidationError("不认识的操作，请刷新页面后重试。")
