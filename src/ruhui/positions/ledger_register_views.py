"""The collective-consultation register (/positions/consultations/…) and the social workers
(/positions/social-workers/…): list, page, form; the signed text downloaded through the scoped
view. Thin: parse → fetch through the scoped selectors → form → one service → render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ruhui.core.masking import mask_phone
from ruhui.positions import ledger_forms as forms
from ruhui.positions import ledger_registers as services
from ruhui.positions import ledger_selectors as selectors
from ruhui.positions.choices import TOPICS
from ruhui.tabular.attachments import attachment_response
from ruhui.web.access import cadre_required, require_perm
from ruhui.web.forms import apply_validation_error, querystring_without_page

PAGE_SIZE = 30
MSG_FIX = "请按提示修改后再保存。"
TOPIC_LABELS = dict(TOPICS)


def _topics(codes) -> str:
    return "、".join(str(TOPIC_LABELS.get(c, c)) for c in codes or ())


@require_GET
@cadre_required
def consultation_list(request):
    """The consultations of the user's subtree by level, topic and year."""
    require_perm(request.user, "positions.view_consultation")
    form = forms.ConsultationFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    items = selectors.consultation_list(
        user=request.user,
        level=data.get("level", ""),
        topic=data.get("topic", ""),
        year=data.get("year"),
    )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    for item in page.object_list:
        item.topics_text = _topics(item.topics)
    context = {
        "form": form,
        "page_obj": page,
        "query": querystring_without_page(request),
        "can_edit": request.user.has_perm("positions.edit_consultation"),
    }
    return render(request, "positions/consultation_list.html", context)


@require_GET
@cadre_required
def consultation(request, consultation_pk):
    """A consultation with its sides, topics, term, coverage and signed text."""
    require_perm(request.user, "positions.view_consultation")
    item = selectors.consultation_get(user=request.user, pk=consultation_pk)
    context = {
        "item": item,
        "topics_text": _topics(item.topics),
        "can_edit": request.user.has_perm("positions.edit_consultation"),
    }
    return render(request, "positions/consultation_detail.html", context)


def _consultation_save(request, item=None):
    require_perm(request.user, "positions.edit_consultation")
    user = request.user
    form = forms.ConsultationForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=forms.ConsultationForm.initial_for(item, user=user),
        unions=selectors.union_choices(user=user),
        employers=selectors.employer_choices(user=user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        files = request.FILES.getlist("files")
        try:
            if item is None:
                item = services.consultation_create(actor=user, data=data, files=files)
            else:
                item = services.consultation_update(
                    actor=user, consultation=item, data=data, files=files
                )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "集体协商已保存。")
            return redirect(reverse("positions:consultation", args=[item.pk]))
    context = {"form": form, "item": item, "error": MSG_FIX if form.is_bound else ""}
    status = 400 if form.is_bound else 200
    return render(request, "positions/consultation_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@cadre_required
def consultation_create(request):
    """Register a collective consultation."""
    return _consultation_save(request)


@require_http_methods(["GET", "POST"])
@cadre_required
def consultation_edit(request, consultation_pk):
    """Correct a consultation of the user's subtree, or add to its signed text."""
    require_perm(request.user, "positions.view_consultation")
    item = selectors.consultation_get(user=request.user, pk=consultation_pk)
    return _consultation_save(request, item)


@require_GET
@cadre_required
def consultation_file(request, consultation_file_pk):
    """The signed text of a consultation the user sees (a download, never cached)."""
    require_perm(request.user, "positions.view_consultation")
    item = selectors.consultation_file_get(user=request.user, pk=consultation_file_pk)
    return attachment_response(item.path, filename=item.original_name, kind=item.kind)


# --- social workers ----------------------------------------------------------------------


@require_GET
@cadre_required
def worker_list(request):
    """The social workers of the user's subtree, phones masked."""
    require_perm(request.user, "positions.view_social_worker")
    unions = selectors.union_choices(user=request.user)
    form = forms.SocialWorkerFilterForm(request.GET or None, unions=unions)
    data = form.cleaned_data if form.is_valid() else {}
    workers = selectors.social_worker_list(
        user=request.user, current=data.get("current", ""), union_id=data.get("union") or None
    )
    page = Paginator(workers, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for worker in page.object_list:
        worker.phone_shown = mask_phone(worker.phone)
        worker.current = worker.ends_on is None or worker.ends_on >= today
    context = {
        "form": form,
        "page_obj": page,
        "query": querystring_without_page(request),
        "can_edit": request.user.has_perm("positions.edit_social_worker"),
    }
    return render(request, "positions/worker_list.html", context)


def _worker_save(request, worker=None):
    require_perm(request.user, "positions.edit_social_worker")
    user = request.user
    initial = {"union": user.organization_id, "starts_on": timezone.localdate().isoformat()}
    if worker is not None:
        initial = {
            "name": worker.name,
            "phone": "",  # never shown in clear: left blank, the number is kept
            "union": worker.union_id,
            "starts_on": worker.starts_on.isoformat(),
            "ends_on": worker.ends_on.isoformat() if worker.ends_on else "",
        }
    form = forms.SocialWorkerForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        unions=selectors.union_choices(user=user),
    )
    if worker is not None and worker.phone:
        form.fields["phone"].help_text = f"现为 {mask_phone(worker.phone)}；留空则保持不变。"
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if worker is None:
                services.social_worker_create(actor=user, data=data)
            else:
                data["phone"] = data["phone"] or worker.phone
                services.social_worker_update(actor=user, worker=worker, data=data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "社会化工会工作者已保存。")
            return redirect(reverse("positions:social_workers"))
    end_form = forms.SocialWorkerEndForm(initial={"ends_on": timezone.localdate().isoformat()})
    context = {
        "form": form,
        "worker": worker,
        "end_form": end_form,
        "error": MSG_FIX if form.is_bound else "",
    }
    status = 400 if form.is_bound else 200
    return render(request, "positions/worker_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@cadre_required
def worker_create(request):
    """Assign a social worker to a union of the user's subtree."""
    return _worker_save(request)


@require_http_methods(["GET", "POST"])
@cadre_required
def worker_edit(request, worker_pk):
    """Correct an assignment of the user's subtree."""
    require_perm(request.user, "positions.view_social_worker")
    worker = selectors.social_worker_get(user=request.user, pk=worker_pk)
    return _worker_save(request, worker)


@require_POST
@cadre_required
def worker_end(request, worker_pk):
    """End an assignment on the day given."""
    require_perm(request.user, "positions.edit_social_worker")
    worker = selectors.social_worker_get(user=request.user, pk=worker_pk)
    form = forms.SocialWorkerEndForm(request.POST)
    form.is_valid()
    try:
        services.social_worker_end(
            actor=request.user, worker=worker, ends_on=form.cleaned_data.get("ends_on")
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(reverse("positions:social_worker_edit", args=[worker.pk]))
    messages.success(request, f"{worker.name}的派驻已结束。")
    return redirect(reverse("positions:social_workers"))
