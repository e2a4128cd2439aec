"""通报 pages (at /reports/<slug>/bulletins/): the list with the default cut-offs, the create
form, a bulletin's page (figures, downloads with checksums, edit / generate / publish / correct
for the campaign owner, history) and the scoped downloads. Thin: parse → scoped selectors →
form → one service → render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from ruhui.orgs.scoping import NOT_FOUND
from ruhui.reports import bulletin_services as services
from ruhui.reports import forms, selectors
from ruhui.reports.choices import BULLETIN_FILES
from ruhui.tabular.attachments import attachment_response
from ruhui.web.access import MSG_NO_PERM, cadre_required, require_perm
from ruhui.web.forms import apply_validation_error

WRITE_PERMS = ("reports.edit_bulletin", "reports.publish_bulletin")


def _writer(user, campaign) -> bool:
    return user.organization_id == campaign.owner_id and user.has_perm("reports.edit_bulletin")


@require_GET
@cadre_required
def bulletin_list(request, slug):
    """The campaign's bulletins (drafts for the owner's level, published for everyone in it)."""
    require_perm(request.user, "reports.view_report")
    campaign = selectors.campaign_get(user=request.user, slug=slug)
    context = selectors.bulletin_index(user=request.user, campaign=campaign)
    context |= {"campaign": campaign, "can_create": _writer(request.user, campaign)}
    return render(request, "reports/bulletins.html", context)


@require_http_methods(["GET", "POST"])
@cadre_required
def bulletin_new(request, slug):
    """A new draft: cut-off (a month end), title, 文号."""
    require_perm(request.user, "reports.view_report")
    campaign = selectors.campaign_get(user=request.user, slug=slug)
    if not _writer(request.user, campaign):
        raise PermissionDenied(MSG_NO_PERM)
    initial = {
        "cut_off": request.GET.get("cut_off", ""),
        "title": f"关于{campaign.name}推进情况的通报",
    }
    form = forms.BulletinForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            bulletin = services.bulletin_create(
                actor=request.user, campaign=campaign, cut_off=data["cut_off"], data=data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "已建立通报草稿，请点击“生成文件”。")
            return redirect("reports:bulletin", campaign.slug, bulletin.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "reports/bulletin_new.html", {"campaign": campaign, "form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
@cadre_required
def bulletin(request, slug, bulletin_pk):
    """A bulletin: figures as of its cut-off, files with their SHA-256, the owner's buttons."""
    require_perm(request.user, "reports.view_report")
    campaign = selectors.campaign_get(user=request.user, slug=slug)
    found = selectors.bulletin_get(user=request.user, campaign=campaign, pk=bulletin_pk)
    if request.method == "POST" and not any(request.user.has_perm(p) for p in WRITE_PERMS):
        raise PermissionDenied(MSG_NO_PERM)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    edit = forms.BulletinForm(
        request.POST if action == "update" else None,
        with_cut_off=False,
        initial={"title": found.title, "number": found.number},
    )
    correction = forms.CorrectionForm(request.POST if action == "correct" else None)
    error = None
    if request.method == "POST":
        try:
            done, target = _act(request.user, found, action, edit, correction)
        except ValidationError as exc:
            form = correction if action == "correct" else edit
            if form.is_bound:
                apply_validation_error(form, exc)
            error = " ".join(exc.messages)
        else:
            messages.success(request, done)
            return redirect("reports:bulletin", campaign.slug, target.pk)
    context = {
        "campaign": campaign,
        "bulletin": found,
        "edit_form": edit,
        "correction_form": correction,
        "error": error,
        "files": [
            (kind, BULLETIN_FILES[kind][0], found.files[kind])
            for kind in BULLETIN_FILES
            if kind in found.files
        ],
        "can_edit": found.can_edit(request.user),
        "can_publish": found.can_publish(request.user),
        "can_correct": found.can_correct(request.user),
        **selectors.bulletin_history(user=request.user, bulletin=found),
    }
    return render(request, "reports/bulletin.html", context, status=400 if error else 200)


def _act(user, found, action, edit, correction):
    if action == "update":
        if not edit.is_valid():
            raise ValidationError("请按提示修改后再保存。")
        return "已保存；请重新生成文件。", services.bulletin_update(
            actor=user, bulletin=found, data=edit.cleaned_data
        )
    if action == "render":
        services.bulletin_render(actor=user, bulletin=found)
        return "正在按截止日期的数据生成通报文件，稍候刷新页面即可下载核对。", found
    if action == "publish":
        services.bulletin_publish(actor=user, bulletin=found)
        return "已发布：数据和文件已固定，各单位可以查看和下载。", found
    if action == "correct":
        correction.is_valid()
        reason = correction.cleaned_data.get("reason", "")
        made = services.bulletin_correct(actor=user, bulletin=found, reason=reason)
        return "已建立更正稿，请生成文件、核对后发布。", made
    raise ValidationError("不认识的操作，请刷新页面后重试。")


@require_GET
@cadre_required
def bulletin_file(request, slug, bulletin_pk, file_kind):
    """A bulletin's .docx / .pdf / .xlsx / chart, to those who see the bulletin (never cached)."""
    require_perm(request.user, "reports.view_report")
    campaign = selectors.campaign_get(user=request.user, slug=slug)
    found = selectors.bulletin_get(user=request.user, campaign=campaign, pk=bulletin_pk)
    item = found.files.get(file_kind) if file_kind in BULLETIN_FILES else None
    if item is None:
        raise Http404(NOT_FOUND)
    response = attachment_response(item["path"], filename=item["name"], kind=file_kind)
    response["X-Content-SHA256"] = item["sha256"]
    return response
