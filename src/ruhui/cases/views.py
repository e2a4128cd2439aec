"""典型经验 cadre pages (at /cases/manage/): the list, the submit form, a case's page with the
steps its reviewer may take, a photo, and the newspaper export. Thin: parse → fetch through the
scoped selectors → form → one service → render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from ruhui.audit.services import Action, audit_record
from ruhui.cases import documents, forms, selectors, services
from ruhui.cases.personal import find_personal
from ruhui.reports.selectors import report_get
from ruhui.tabular.attachments import attachment_response
from ruhui.web.access import MSG_NO_PERM, cadre_required, require_perm
from ruhui.web.forms import apply_validation_error, querystring_without_page

PAGE_SIZE = 30
DONE = {
    "edit": "修改已保存。",
    "select": "已选用。",
    "publish": "已发布：公开页面上已经可以看到这篇典型经验。",
    "withdraw": "已撤下：公开页面上不再显示这篇典型经验。",
}


def _campaign_of(user, pk):
    if not pk:
        return None
    return selectors.visible_campaigns(user=user).filter(pk=pk).first()


@require_GET
@cadre_required
def index(request):
    """The cases of the user's subtree with filters (status, campaign, group), a page at a time."""
    require_perm(request.user, "cases.view_case")
    campaigns = list(selectors.visible_campaigns(user=request.user))
    form = forms.FilterForm(request.GET or None, campaigns=campaigns)
    filters = form.cleaned_data if form.is_valid() else {}
    cases = selectors.case_list(
        user=request.user,
        status=filters.get("status", ""),
        campaign_id=filters.get("campaign") or None,
        group=filters.get("group", ""),
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/index.html",
        {
            "form": form,
            "page_obj": page,
            "query": querystring_without_page(request),
            "can_submit": request.user.has_perm("cases.submit_case"),
            "reports": (
                selectors.reports_to_turn(user=request.user)
                if request.user.has_perm("cases.submit_case")
                else []
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@cadre_required
def submit(request):
    """A unit's cadre submits a case for its own unit."""
    require_perm(request.user, "cases.submit_case")
    campaigns = list(selectors.visible_campaigns(user=request.user))
    form = forms.CaseForm(request.POST or None, request.FILES or None, campaigns=campaigns)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_submit(
                actor=request.user,
                data=data,
                campaign=_campaign_of(request.user, data.get("campaign")),
                photos=request.FILES.getlist("photos"),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "典型经验已报送，等待上级选用。")
            return redirect(reverse("cases:case", args=[case.pk]))
    status = 400 if form.is_bound else 200
    return render(request, "cases/submit.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@cadre_required
def from_report(request, report_pk):
    """The submit form filled from a monthly report's 典型经验和创新做法 (its unit, campaign
    and text); submitting keeps the report as the case's source."""
    require_perm(request.user, "cases.submit_case")
    report = report_get(user=request.user, pk=report_pk)
    initial = {
        "title": f"{report.unit.name}{report.month[:4]}年{int(report.month[5:7])}月典型经验",
        "text": report.experience,
    }
    form = forms.CaseForm(request.POST or None, request.FILES or None, initial=initial)
    del form.fields["campaign"]  # the report's
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_submit(
                actor=request.user,
                data=form.cleaned_data,
                source_report=report,
                photos=request.FILES.getlist("photos"),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "月报中的典型经验已报送，等待上级选用。")
            return redirect(reverse("cases:case", args=[case.pk]))
    status = 400 if form.is_bound else 200
    context = {"form": form, "report": report}
    return render(request, "cases/submit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@cadre_required
def case(request, case_pk):
    """A case with its photos and history; its reviewer edits, selects, publishes, withdraws."""
    require_perm(request.user, "cases.view_case")
    item = selectors.case_get(user=request.user, pk=case_pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST" and not request.user.has_perm("cases.review_case"):
        raise PermissionDenied(MSG_NO_PERM)
    initial = {
        "title": item.title,
        "text": item.text,
        "groups": [g.code for g in item.groups.all()],
    }
    edit_form = forms.EditForm(request.POST if action == "edit" else None, initial=initial)
    withdraw_form = forms.WithdrawForm(request.POST if action == "withdraw" else None)
    error = ""
    if request.method == "POST":
        try:
            _act(request, item, action, edit_form, withdraw_form)
        except ValidationError as exc:
            if action == "edit":
                apply_validation_error(edit_form, exc)
            elif action == "withdraw":
                apply_validation_error(withdraw_form, exc)
            error = " ".join(exc.messages)
        else:
            messages.success(request, DONE[action])
            return redirect(reverse("cases:case", args=[item.pk]))
    context = {
        "case": item,
        "edit_form": edit_form,
        "withdraw_form": withdraw_form,
        "error": error,
        "personal": [f for f in (find_personal(item.title), find_personal(item.text)) if f],
        "can_edit": item.can_edit(request.user),
        "can_select": item.can_select(request.user),
        "can_publish": item.can_publish(request.user),
        "can_withdraw": item.can_withdraw(request.user),
    }
    return render(request, "cases/case.html", context, status=400 if error else 200)


def _act(request, item, action, edit_form, withdraw_form) -> None:
    user = request.user
    if action == "edit":
        if not edit_form.is_valid():
            raise ValidationError("请按提示修改后再提交。")
        services.case_update(actor=user, case=item, data=edit_form.cleaned_data)
    elif action == "select":
        services.case_select(actor=user, case=item)
    elif action == "publish":
        services.case_publish(actor=user, case=item)
    elif action == "withdraw":
        withdraw_form.is_valid()
        reason = withdraw_form.cleaned_data.get("reason", "")
        services.case_withdraw(actor=user, case=item, reason=reason)
    else:
        raise ValidationError("未知的操作：请刷新页面后再试。")


@require_GET
@cadre_required
def photo(request, photo_pk):
    """A photo of a case the user sees (a download, never cached)."""
    require_perm(request.user, "cases.view_case")
    item = selectors.photo_get(user=request.user, pk=photo_pk)
    return attachment_response(item.path, filename=item.original_name, kind=item.kind)


@require_GET
@cadre_required
def export_docx(request):
    """The selected cases of the user's subtree (optionally of one campaign) as a .docx for
    《平顶山工人》, in the order of the units."""
    require_perm(request.user, "cases.view_case")
    campaign = _campaign_of(request.user, request.GET.get("campaign"))
    ids = [int(v) for v in request.GET.getlist("id") if v.isdigit()]
    cases = selectors.selected_for_export(user=request.user, ids=ids)
    if campaign is not None:
        cases = [c for c in cases if c.campaign_id == campaign.pk]
    audit_record(
        actor=request.user,
        action=Action.EXPORT,
        org_path=request.user.organization.path,
        object_repr="典型经验（《平顶山工人》稿）",
        changes={"篇数": [None, len(cases)]},
    )
    return documents.cases_download(cases, filename="典型经验（《平顶山工人》稿）.docx")
