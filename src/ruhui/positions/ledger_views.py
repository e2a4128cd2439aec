"""The services ledger pages (/positions/activities/…): the ledger with its filters and export,
an entry with the people it served (added by ID number or imported), the entry form. Thin:
parse → fetch through the scoped selectors → form → one service → render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ruhui.audit.services import Action, audit_record
from ruhui.members.codes import EIGHT_GROUPS
from ruhui.positions import ledger_forms as forms
from ruhui.positions import ledger_selectors as selectors
from ruhui.positions import ledger_services as services
from ruhui.positions.choices import SENSITIVE_KINDS
from ruhui.positions.recipient_import import recipient_import_start
from ruhui.tabular import xlsxstream
from ruhui.tabular.cells import HEADER_STYLE, safe_cell
from ruhui.tabular.downloads import XLSX_TYPE, written_download
from ruhui.web.access import MSG_NO_PERM, cadre_required, require_perm
from ruhui.web.forms import apply_validation_error, querystring_without_page

PAGE_SIZE = 30
MSG_FIX = "请按提示修改后再保存。"
GROUP_LABELS = dict(forms.COUNT_GROUPS)


def _filtered(request):
    user = request.user
    unions = selectors.union_choices(user=user)
    positions = selectors.position_choices(user=user)
    form = forms.ActivityFilterForm(request.GET or None, unions=unions, positions=positions)
    data = form.cleaned_data if form.is_valid() else {}
    activities = selectors.activity_list(
        user=user,
        kind=data.get("kind", ""),
        union_id=data.get("union") or None,
        since=data.get("since"),
        until=data.get("until"),
        group=data.get("group", ""),
        position_id=data.get("position") or None,
    )
    return form, activities


def _groups_text(counts: dict) -> str:
    return "、".join(f"{GROUP_LABELS.get(c, c)} {n}" for c, n in (counts or {}).items())


@require_GET
@cadre_required
def activity_list(request):
    """The ledger of the user's subtree, filtered by kind, union, dates, group and position."""
    require_perm(request.user, "positions.view_activity")
    form, activities = _filtered(request)
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    for item in page.object_list:
        item.groups_text = _groups_text(item.group_counts)
    context = {
        "form": form,
        "page_obj": page,
        "query": querystring_without_page(request),
        "totals": selectors.activity_totals(activities),
        "can_edit": request.user.has_perm("positions.edit_activity"),
    }
    return render(request, "positions/ledger_list.html", context)


@require_GET
@cadre_required
def activity_export(request):
    """The filtered ledger as .xlsx (no person in it: counts only)."""
    require_perm(request.user, "positions.view_activity")
    _form, activities = _filtered(request)
    headers = ["服务类别", "活动名称", "组织工会", "开始日期", "结束日期", "服务阵地"]
    headers += ["支出金额（元）", "服务职工人数", *GROUP_LABELS.values(), "维护服务项目"]
    rows = 0

    def write(path):
        nonlocal rows
        book = xlsxstream.Workbook(path, styles={"header": HEADER_STYLE})
        sheet = book.add_sheet("服务台账", columns=[(0, len(headers) - 1, 14, None)], freeze=(1, 0))
        sheet.write_row(headers, "header")
        for a in activities.iterator(chunk_size=2000):
            counts = a.group_counts or {}
            sheet.write_row(
                [
                    a.get_kind_display(),
                    safe_cell(a.title),
                    safe_cell(a.union.name),
                    a.starts_on,
                    a.ends_on or "",
                    safe_cell(a.position.name if a.position else ""),
                    float(a.amount) if a.amount is not None else "",
                    a.workers_served,
                    *[counts.get(code, "") for code in GROUP_LABELS],
                    safe_cell(a.project.name if a.project else ""),
                ]
            )
            rows += 1
        sheet.autofilter(last_column=len(headers) - 1)
        book.close()

    response = written_download(write, ".xlsx", filename="服务台账.xlsx", content_type=XLSX_TYPE)
    audit_record(
        actor=request.user,
        action=Action.EXPORT,
        org_path=request.user.organization.path,
        object_repr="服务台账",
        changes={"条数": [None, rows]},
    )
    return response


def _form(request, activity=None):
    user = request.user
    form = forms.ActivityForm(
        request.POST if request.method == "POST" else None,
        initial=forms.ActivityForm.initial_for(activity, user=user, params=request.GET),
        unions=selectors.union_choices(user=user),
        positions=selectors.position_choices(user=user),
        projects=selectors.project_choices(user=user),
    )
    focus = (
        EIGHT_GROUPS.code_for(request.GET.get("group") or "") if request.GET.get("group") else ""
    )
    if focus and activity is None:
        form.fields[f"g{focus}"].widget.attrs["autofocus"] = True
    return form, focus


def _save(request, activity=None):
    require_perm(request.user, "positions.edit_activity")
    form, focus = _form(request, activity)
    if request.method == "POST" and form.is_valid():
        try:
            if activity is None:
                activity = services.activity_create(actor=request.user, data=form.service_data())
            else:
                activity = services.activity_update(
                    actor=request.user, activity=activity, data=form.service_data()
                )
        except ValidationError as exc:
            form.apply_error(exc)
        else:
            messages.success(request, "服务活动已保存。")
            return redirect(reverse("positions:activity", args=[activity.pk]))
    context = {
        "form": form,
        "activity": activity,
        "focus": GROUP_LABELS.get(focus, ""),
        "error": MSG_FIX if form.is_bound else "",
    }
    return render(
        request, "positions/ledger_form.html", context, status=400 if form.is_bound else 200
    )


@require_http_methods(["GET", "POST"])
@cadre_required
def activity_create(request):
    """Record a service (?kind=summer&group=02 opens the form for 夏送清凉 to 快递员)."""
    return _save(request)


@require_http_methods(["GET", "POST"])
@cadre_required
def activity_edit(request, activity_pk):
    """Correct an entry of the user's subtree."""
    require_perm(request.user, "positions.view_activity")
    activity = selectors.activity_get(user=request.user, pk=activity_pk)
    return _save(request, activity)


@require_http_methods(["GET", "POST"])
@cadre_required
def activity(request, activity_pk):
    """An entry with its counts and the people it served (帮扶/法律援助: reviewers and admins
    only); who may record services adds a person by ID number here."""
    user = request.user
    require_perm(user, "positions.view_activity")
    item = selectors.activity_get(user=user, pk=activity_pk)
    can_edit = user.has_perm("positions.edit_activity")
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(MSG_NO_PERM)
    form = forms.RecipientForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recipient = services.recipient_add(
                actor=user,
                activity=item,
                id_number=data["id_number"],
                name=data["name"],
                group=data["group"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            done = (
                f"已登记会员{recipient.masked_name}。"
                if recipient.is_member
                else "已登记一名非会员（只计人数，不保存身份信息）。"
            )
            messages.success(request, done)
            return redirect(reverse("positions:activity", args=[item.pk]))
    groups = [(GROUP_LABELS.get(c, c), n) for c, n in (item.group_counts or {}).items()]
    context = {
        "activity": item,
        "groups": groups,
        "form": form,
        "import_form": forms.RecipientImportForm(),
        "counts": selectors.recipient_counts(item),
        "recipients": selectors.recipient_list(user=user, activity=item),
        "recipients_visible": selectors.recipients_visible(user, item),
        "sensitive": item.kind in SENSITIVE_KINDS,
        "can_edit": can_edit,
        "group_labels": GROUP_LABELS,
    }
    return render(
        request, "positions/ledger_detail.html", context, status=400 if form.errors else 200
    )


@require_POST
@cadre_required
def recipient_remove(request, recipient_pk):
    """Take a mistaken person off an activity's list (who may see the list and record)."""
    require_perm(request.user, "positions.edit_activity")
    recipient = selectors.recipient_get(user=request.user, pk=recipient_pk)
    if not selectors.recipients_visible(request.user, recipient.activity):
        raise PermissionDenied(MSG_NO_PERM)
    services.recipient_remove(actor=request.user, recipient=recipient)
    messages.success(request, "已移除一名服务对象。")
    return redirect(reverse("positions:activity", args=[recipient.activity_id]))


@require_POST
@cadre_required
def recipient_import(request, activity_pk):
    """Upload a list of people served: checked first on the job page, then confirmed."""
    require_perm(request.user, "positions.edit_activity")
    item = selectors.activity_get(user=request.user, pk=activity_pk)
    form = forms.RecipientImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            job = recipient_import_start(
                actor=request.user, activity=item, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            return redirect("jobs:detail", job_pk=job.pk)
    else:
        messages.error(request, "请选择要导入的服务对象名单文件（xlsx、xls 或 csv）。")
    return redirect(reverse("positions:activity", args=[item.pk]))
