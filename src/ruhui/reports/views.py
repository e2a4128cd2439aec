"""月报 pages: the overview, the city's matrix of units × months, a unit's report of a month
and the attachment download. Thin: parse → fetch through the scoped selectors → form → one
service → render; a service's Chinese message comes back next to the field (or in a banner)
with what was typed kept."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from ruhui.orgs.scoping import NOT_FOUND
from ruhui.reports import forms, selectors, services
from ruhui.reports.choices import NARRATIVE, ReportKind
from ruhui.reports.figures import report_figures
from ruhui.reports.models import due_date, month_bounds
from ruhui.tabular.attachments import attachment_response
from ruhui.web.access import MSG_NO_PERM, cadre_required, require_perm
from ruhui.web.forms import apply_validation_error

WRITE_PERMS = ("reports.edit_report", "reports.review_report")


@require_GET
@cadre_required
def index(request):
    """The campaigns the user sees; for a reporting unit its months with their state."""
    require_perm(request.user, "reports.view_report")
    today = timezone.localdate()
    campaigns = selectors.overview(user=request.user, today=today)
    return render(request, "reports/index.html", {"campaigns": campaigns, "today": today})


@require_GET
@cadre_required
def matrix(request, slug):
    """Units × months: on time, late (days), missing, returned; each cell links to the report."""
    require_perm(request.user, "reports.view_report")
    campaign = selectors.campaign_get(user=request.user, slug=slug)
    today = timezone.localdate()
    table = selectors.matrix(user=request.user, campaign=campaign, today=today)
    return render(
        request,
        "reports/matrix.html",
        {
            "campaign": campaign,
            "matrix": table,
            "today": today,
            "can_schedule": services.can_set_schedule(request.user, campaign),
        },
    )


@require_http_methods(["GET", "POST"])
@cadre_required
def schedule(request, slug):
    """When the campaign's monthly reports are due (day of the next month) and from which
    month: the campaign owner's admins; others of the campaign get 403."""
    require_perm(request.user, "reports.view_report")
    campaign = selectors.campaign_get(user=request.user, slug=slug)
    if not services.can_set_schedule(request.user, campaign):
        raise PermissionDenied(services.MSG_NOT_OWNER_ADMIN.format(owner=campaign.owner.name))
    current = selectors.schedule(campaign)
    form = forms.ScheduleForm(
        request.POST or None,
        initial={"due_day": current.due_day, "first_month": current.first_month},
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.schedule_set(
                actor=request.user, campaign=campaign, **form.cleaned_data
            )
        except ValidationError as refused:
            apply_validation_error(form, refused)
        else:
            start = saved.first_month or f"{campaign.starts_on:%Y-%m}"
            messages.success(
                request, f"已保存：{start} 起每月的月报于次月 {saved.due_day} 日前报送。"
            )
            return redirect("reports:matrix", campaign.slug)
    return render(
        request,
        "reports/schedule.html",
        {"campaign": campaign, "form": form, "current": current},
    )


@require_http_methods(["GET", "POST"])
@cadre_required
def report(request, slug, unit_pk, month):
    """A unit's report of a month: figures (live while a draft, frozen once submitted), the
    narrative, attachments, the buttons the user's role may use, the history."""
    return _report_page(request, slug, unit_pk, selectors.month_or_404(month), ReportKind.MONTHLY)


@require_http_methods(["GET", "POST"])
@cadre_required
def year_end(request, slug, unit_pk):
    """A unit's year-end 专题报告 (the campaign year's December)."""
    return _report_page(request, slug, unit_pk, None, ReportKind.YEAR_END)


def _report_page(request, slug, unit_pk, month, kind):
    require_perm(request.user, "reports.view_report")
    campaign = selectors.campaign_get(user=request.user, slug=slug)
    unit = selectors.campaign_unit_get(user=request.user, campaign=campaign, pk=unit_pk)
    month = month or f"{campaign.year}-12"
    found = selectors.report_find(
        user=request.user, campaign=campaign, unit=unit, month=month, kind=kind
    )
    if request.method == "POST" and not any(request.user.has_perm(p) for p in WRITE_PERMS):
        raise PermissionDenied(MSG_NO_PERM)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    narrative = forms.NarrativeForm(
        request.POST if action in ("save", "submit") else None,
        request.FILES if action in ("save", "submit") else None,
        initial={name: getattr(found, name) for name in NARRATIVE} if found else {},
    )
    opinion = forms.OpinionForm(request.POST if action in ("read", "return") else None)
    error = None
    if request.method == "POST":
        try:
            done = _act(request, campaign, unit, month, kind, found, action, narrative, opinion)
        except ValidationError as exc:
            target = opinion if action in ("read", "return") else narrative
            if target.is_bound:
                apply_validation_error(target, exc)
            error = " ".join(exc.messages)
        else:
            messages.success(request, done)
            return redirect(request.path)
    day = selectors.due_day(campaign)
    first, last = month_bounds(month)
    in_window = last >= campaign.starts_on and first <= campaign.ends_on
    live = found is None or found.editable
    context = {
        "campaign": campaign,
        "unit": unit,
        "month": month,
        "kind": kind,
        "kind_label": ReportKind(kind).label,
        "report": found,
        "narrative_form": narrative,
        "opinion_form": opinion,
        "error": error,
        "due": due_date(month, day),
        "figures": (
            report_figures(campaign=campaign, unit=unit, month=month)
            if live and in_window
            else (found.figures if found else None)
        ),
        "figures_live": live,
        "progress_at": campaign.progress_at if live else found.figures_at,
        "narrative": [(label, getattr(found, name)) for name, label in NARRATIVE.items()]
        if found
        else [],
    }
    if found is not None:
        context |= selectors.report_history(report=found)
        context["can_edit"] = found.can_edit(request.user)
        context["can_review"] = found.can_review(request.user)
        context["cell"] = selectors.cell_of(found, month, context["due"], timezone.localdate())
    else:
        context["can_open"] = (
            request.user.organization_id == unit.pk
            and request.user.has_perm("reports.edit_report")
            and in_window
        )
    return render(request, "reports/report.html", context, status=400 if error else 200)


def _valid(form):
    if not form.is_valid():
        raise ValidationError(form.errors.as_data().get("__all__") or "请按提示修改后再提交。")
    return form.cleaned_data


def _act(request, campaign, unit, month, kind, found, action, narrative, opinion) -> str:
    """Run the one service the POSTed button asks for; return the success message."""
    user = request.user
    if action == "open":
        services.report_open(actor=user, campaign=campaign, unit=unit, month=month, kind=kind)
        return "已建立本月的报告，请填写工作进展等内容后报送。"
    if found is None:
        raise Http404(NOT_FOUND)
    if action in ("save", "submit"):
        data = _valid(narrative)
        with transaction.atomic():
            services.report_save(
                actor=user, report=found, data=data, uploads=request.FILES.getlist("files")
            )
            if action == "submit":
                services.report_submit(actor=user, report=found)
                return f"已向{campaign.owner.name}报送，统计数据已按报送时的记录固定。"
        return "已保存。"
    if action == "read":
        services.report_read(actor=user, report=found, opinion=_valid(opinion)["opinion"])
        return "已阅。"
    if action == "return":
        services.report_return(actor=user, report=found, opinion=_valid(opinion)["opinion"])
        return "已退回修改，并附上意见。"
    raise ValidationError("不认识的操作，请刷新页面后重试。")


@require_GET
@cadre_required
def attachment(request, report_attachment_pk):
    """A stored attachment, to those who see its report (a download, never cached)."""
    require_perm(request.user, "reports.view_report")
    item = selectors.attachment_get(user=request.user, pk=report_attachment_pk)
    return attachment_response(item.path, filename=item.original_name, kind=item.kind)
