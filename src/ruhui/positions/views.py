"""The cadre pages of the service positions (at /positions/): the list with filters, a
position's page (photos and awards added there), the create and edit form, the .xlsx export,
the import (a job: check, then confirm) and a photo. Thin: parse → fetch through the scoped
selectors → form → one service → render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from ruhui.audit.services import Action, audit_record
from ruhui.positions import forms, selectors, services
from ruhui.positions.export import write_positions
from ruhui.positions.jobs import position_import_start
from ruhui.tabular.attachments import attachment_response
from ruhui.tabular.downloads import XLSX_TYPE, written_download
from ruhui.web.access import cadre_required, require_perm
from ruhui.web.forms import apply_validation_error, querystring_without_page

PAGE_SIZE = 30
VIEW, EDIT = "positions.view_position", "positions.edit_position"


def _filters(request):
    form = forms.FilterForm(
        request.GET or None, divisions=selectors.division_choices(user=request.user)
    )
    data = form.cleaned_data if form.is_valid() else {}
    filters = {
        "kind": data.get("kind", ""),
        "status": data.get("status", ""),
        "division": data.get("division", ""),
        "township": data.get("township", ""),
        "text": data.get("q", ""),
    }
    return form, filters


@require_GET
@cadre_required
def position_list(request):
    """The positions of the user's subtree, filtered, a page at a time."""
    require_perm(request.user, VIEW)
    form, filters = _filters(request)
    positions = selectors.position_list(user=request.user, **filters)
    page = Paginator(positions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "query": querystring_without_page(request),
        "export_query": request.GET.urlencode(),
        "can_edit": request.user.has_perm(EDIT),
    }
    return render(request, "positions/position_list.html", context)


def _initial(position) -> dict:
    initial = {
        field: getattr(position, field)
        for field in (
            "kind",
            "name",
            "code",
            "partner",
            "status",
            "division_code",
            "township",
            "address",
            "hours",
            "open_24h",
            "facilities",
            *services.STANDARD_FIELDS,
        )
    }
    initial["running_union"] = str(position.running_union_id)
    initial["latitude"] = f"{position.latitude:.6f}" if position.latitude is not None else ""
    initial["longitude"] = f"{position.longitude:.6f}" if position.longitude is not None else ""
    initial["groups"] = [g.code for g in position.groups.all()]
    initial["opened_on"] = position.opened_on.isoformat() if position.opened_on else ""
    return initial


def _data(request, form) -> dict:
    data = dict(form.cleaned_data)
    pk = data.get("running_union")
    # The union as typed; the service refuses one outside the jurisdiction, naming it.
    data["running_union"] = pk if pk and pk.isdigit() else None
    return data


@require_http_methods(["GET", "POST"])
@cadre_required
def position_create(request):
    """A new position, run by a union of the user's jurisdiction."""
    require_perm(request.user, EDIT)
    unions = selectors.running_unions(user=request.user)
    initial = {"running_union": str(request.user.organization_id), "status": "running"}
    initial["division_code"] = request.user.organization.division_code
    form = forms.PositionForm(request.POST or None, unions=unions, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            position = services.position_create(actor=request.user, data=_data(request, form))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "阵地已保存。")
            return redirect("positions:detail", position_pk=position.pk)
    status = 400 if form.is_bound else 200
    context = {"form": form, "position": None}
    return render(request, "positions/position_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@cadre_required
def position_edit(request, position_pk):
    """Edit a position of the user's subtree."""
    position = selectors.position_get(user=request.user, pk=position_pk)
    require_perm(request.user, EDIT)
    unions = selectors.running_unions(user=request.user)
    form = forms.PositionForm(request.POST or None, unions=unions, initial=_initial(position))
    if request.method == "POST" and form.is_valid():
        try:
            services.position_update(
                actor=request.user, position=position, data=_data(request, form)
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "修改已保存。")
            return redirect("positions:detail", position_pk=position.pk)
    status = 400 if form.is_bound else 200
    context = {"form": form, "position": position}
    return render(request, "positions/position_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@cadre_required
def position_detail(request, position_pk):
    """A position with every field, its facilities, the stations' 六有, photos and awards; a
    cadre who may edit adds photos and awards here."""
    position = selectors.position_get(user=request.user, pk=position_pk)
    require_perm(request.user, VIEW)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    photo_form = forms.PhotoForm(
        request.POST if action == "photos" else None,
        request.FILES if action == "photos" else None,
    )
    award_form = forms.AwardForm(request.POST if action == "award" else None)
    if request.method == "POST":
        require_perm(request.user, EDIT)
        try:
            done = _act(request, position, action, photo_form, award_form)
        except ValidationError as exc:
            apply_validation_error(photo_form if action == "photos" else award_form, exc)
        else:
            messages.success(request, done)
            return redirect("positions:detail", position_pk=position.pk)
    context = {
        "position": position,
        "photo_form": photo_form,
        "award_form": award_form,
        "can_edit": request.user.has_perm(EDIT),
        "amap_url": _amap(position),
    }
    return render(request, "positions/position_detail.html", context, status=400 if action else 200)


def _act(request, position, action, photo_form, award_form) -> str:
    user = request.user
    if action == "photos":
        photo_form.is_valid()
        photos = services.position_add_photos(
            actor=user, position=position, uploads=request.FILES.getlist("photos")
        )
        return f"已上传 {len(photos)} 张照片（已去除拍摄信息和位置信息）。"
    if action == "award":
        award_form.is_valid()
        services.award_add(actor=user, position=position, data=award_form.cleaned_data)
        return "荣誉已添加。"
    if action == "remove_award":
        award = selectors.award_get(user=user, pk=request.POST.get("award", ""))
        if award.position_id != position.pk:
            raise PermissionDenied
        services.award_remove(actor=user, award=award)
        return "荣誉已删除。"
    if action == "remove_photo":
        photo = selectors.photo_get(user=user, pk=request.POST.get("photo", ""))
        if photo.position_id != position.pk:
            raise PermissionDenied
        services.position_remove_photo(actor=user, photo=photo)
        return "照片已删除。"
    raise ValidationError("未知的操作：请刷新页面后再试。")


def _amap(position) -> str:
    if position.latitude is None or position.longitude is None:
        return ""
    from urllib.parse import quote

    return (
        f"https://uri.amap.com/marker?position={position.longitude:.6f},{position.latitude:.6f}"
        f"&name={quote(position.name)}"
    )


@require_GET
@cadre_required
def position_photo(request, position_photo_pk):
    """A photo of a position the user sees (a download, never cached)."""
    require_perm(request.user, VIEW)
    item = selectors.photo_get(user=request.user, pk=position_photo_pk)
    return attachment_response(item.path, filename=item.original_name, kind=item.kind)


@require_GET
@cadre_required
def position_export(request):
    """The filtered list as .xlsx, with the columns the importer reads."""
    require_perm(request.user, VIEW)
    _form, filters = _filters(request)
    positions = selectors.for_export(user=request.user, **filters)
    count = positions.count()
    audit_record(
        actor=request.user,
        action=Action.EXPORT,
        org_path=request.user.organization.path,
        object_repr="服务阵地清单",
        changes={"条数": [None, count]},
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    return written_download(
        lambda path: write_positions(path, positions),
        ".xlsx",
        filename=f"服务阵地-{stamp}.xlsx",
        content_type=XLSX_TYPE,
    )


@require_http_methods(["GET", "POST"])
@cadre_required
def position_import(request):
    """The upload form; the check runs as a job whose page shows the rows and writes them on
    确认导入. A refused file stays on this page (422), not kept."""
    require_perm(request.user, EDIT)
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job = position_import_start(
                    actor=request.user,
                    unit=request.user.organization,
                    upload=form.cleaned_data["file"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                return redirect("jobs:detail", job_pk=job.pk)
        status = 422
    context = {"form": form, "export_url": reverse("positions:export")}
    return render(request, "positions/position_import.html", context, status=status)
