"""Member registry pages: roster, exact ID lookup, detail and reveal, join and edit, the
membership lifecycle and transfers by certificate (凭证接转); the dues pages are in views_dues.

Full ID numbers and phones never travel in a URL: the lookup and the reveal are POSTs, marked
sensitive so error reports leave them out, and their responses are not cached."""

import re
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ruhui.core import divisions
from ruhui.core.masking import mask_id_number
from ruhui.core.stale import FIELD as STAMP
from ruhui.members import selectors, services
from ruhui.members.codes import ChangeReason
from ruhui.members.forms import (
    IdNumberLookupForm,
    MemberFilterForm,
    MemberForm,
    MembershipChangeForm,
    TransferAcceptForm,
    TransferCancelForm,
    TransferIssueForm,
    TransferRejectForm,
)
from ruhui.members.models import Member, Transfer, TransferStatus
from ruhui.members.views_dues import dues_form
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import get_scoped_or_404, in_jurisdiction, scoped
from ruhui.web.access import cadre_required, require_perm
from ruhui.web.forms import apply_validation_error, querystring_without_page
from ruhui.web.pagination import CappedPaginator

PAGE_SIZE = 50
#: A resident ID number typed into the search box would end up in the URL and the logs.
ID_LIKE = re.compile(r"^(\d{17}[\dXx]|\d{15})$")
MSG_ID_IN_SEARCH = _(
    "请不要在搜索框中输入身份证号（会出现在网址和浏览记录中），请使用下方「按身份证号精确查找」。"
)
MSG_NOT_INCOMING = _("只有转入工会（或其上级）可以退回这份接转凭证。")
MSG_NOT_OUTGOING = _("只有转出工会（或其上级）可以撤销这份接转凭证。")
MSG_TRANSFER_CLOSED = _("这份接转凭证已办理（%(status)s），不能再退回或撤销。")
DUES_NOTE = "连续 6 个月未缴纳会费，经工会研究按自动退会处理。"
LIFECYCLE = {
    # action: (service, title, the model's guard, default reason)
    "retain": (services.member_retain, "保留会籍", Member.can_retain, ""),
    "withdraw": (services.member_withdraw, "退会", Member.can_end, ChangeReason.OWN_REQUEST),
    "expel": (services.member_expel, "除名", Member.can_end, ChangeReason.CRIME),
}
TRANSFER_ROWS = ("member", "member__union", "from_union", "to_union", "accepted_union")


def _member(request, member_pk: int) -> Member:
    return get_scoped_or_404(
        request.user, Member.objects.select_related("union", "origin_union"), pk=member_pk
    )


def _transfer(request, transfer_pk: int) -> Transfer:
    return get_scoped_or_404(
        request.user, Transfer.objects.select_related(*TRANSFER_ROWS), pk=transfer_pk
    )


def _posted(request):
    """The submitted data on POST (even when empty, so required fields report), else None."""
    return request.POST if request.method == "POST" else None


def _flash_errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _page(request, qs):
    return CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@require_GET
@cadre_required
def member_list(request):
    form = MemberFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_bound else {}
    query = querystring_without_page(request)
    if ID_LIKE.match(filters.get("q", "")):
        messages.warning(request, MSG_ID_IN_SEARCH)
        qs = Member.objects.none()
        # The refused number is not written back into the page: not in the search box, not in
        # the pagination or export links.
        params = request.GET.copy()
        params.pop("q", None)
        form = MemberFilterForm(params, user=request.user)
        params.pop("page", None)
        query = params.urlencode()
    else:
        qs = selectors.member_list(user=request.user, **filters)
    return render(
        request,
        "members/list.html",
        {
            "form": form,
            "page_obj": _page(request, qs),
            "query": query,
            "lookup_form": IdNumberLookupForm(),
            "dues_form": dues_form(request),
        },
    )


@sensitive_post_parameters("id_number")
@sensitive_variables()
@never_cache
@require_http_methods(["GET", "POST"])
@cadre_required
def member_find(request):
    form = IdNumberLookupForm(_posted(request))
    results, masked = None, ""
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["id_number"]
        results = list(selectors.member_find_by_id_number(user=request.user, number=number))
        masked = mask_id_number(number)
        form = IdNumberLookupForm()
    return render(
        request, "members/find.html", {"form": form, "results": results, "masked": masked}
    )


def _detail_context(request, member: Member) -> dict:
    user = request.user
    transfers = scoped(user, member.transfers.select_related(*TRANSFER_ROWS)).order_by(
        "-issued_on", "-id"
    )
    manage = user.has_perm("members.manage_membership")
    return {
        "member": member,
        "household_name": divisions.full_name(member.household_division)
        if member.household_division
        else "",
        "events": selectors.member_events(member=member),
        "transfers": transfers,
        "pending": next((t for t in transfers if t.status == TransferStatus.PENDING), None),
        "can_edit": user.has_perm("members.change_member"),
        "can_retain": manage and member.can_retain(),
        "can_end": manage and member.can_end(),
        "can_transfer": user.has_perm("members.manage_transfers") and member.can_transfer_out(),
        "can_cancel_transfer": user.has_perm("members.manage_transfers"),
        "can_reveal": user.has_perm("members.reveal_personal_data"),
    }


@require_GET
@cadre_required
def member_detail(request, member_pk: int):
    member = _member(request, member_pk)
    return render(request, "members/detail.html", _detail_context(request, member))


@sensitive_variables()
@never_cache
@require_POST
@cadre_required
def member_reveal(request, member_pk: int):
    member = _member(request, member_pk)
    require_perm(request.user, "members.reveal_personal_data")
    revealed = services.reveal_personal_data(actor=request.user, member=member)
    context = _detail_context(request, member) | {"revealed": revealed}
    return render(request, "members/detail.html", context)


@sensitive_post_parameters("id_number", "phone")
@sensitive_variables()
@never_cache
@require_http_methods(["GET", "POST"])
@cadre_required
def member_create(request):
    require_perm(request.user, "members.add_member")
    initial = {}
    union_pk = request.GET.get("union", "").strip()
    if union_pk.isdigit():
        initial["union"] = get_scoped_or_404(request.user, Organization, pk=union_pk)
    form = MemberForm(_posted(request), user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_join(
                actor=request.user, union=form.cleaned_data["union"], data=form.service_data()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request, f"已登记会员「{member.name}」，会员号 {member.member_number}。"
            )
            return redirect("members:detail", member_pk=member.pk)
    return render(request, "members/form.html", {"form": form, "creating": True})


@sensitive_post_parameters("id_number", "phone")
@sensitive_variables()
@never_cache
@require_http_methods(["GET", "POST"])
@cadre_required
def member_edit(request, member_pk: int):
    member = _member(request, member_pk)
    require_perm(request.user, "members.change_member")
    form = MemberForm(_posted(request), user=request.user, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(
                actor=request.user,
                member=member,
                data=form.service_data(),
                updated_at=form.cleaned_data.get(STAMP),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"已保存会员「{form.cleaned_data['name']}」的信息。")
            return redirect("members:detail", member_pk=member.pk)
    return render(request, "members/form.html", {"form": form, "member": member})


def _membership_change(request, member_pk: int, action: str):
    member = _member(request, member_pk)
    require_perm(request.user, "members.manage_membership")
    service, title, guard, reason = LIFECYCLE[action]
    from_dues = action == "withdraw" and request.GET.get("from") == "dues"
    form = MembershipChangeForm(
        _posted(request),
        default_reason="" if from_dues else reason,
        default_note=DUES_NOTE if from_dues else "",
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            service(
                actor=request.user,
                member=member,
                reason=data["reason"],
                on=data["on"],
                note=data["note"],
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # a state the action does not apply to
                _flash_errors(request, exc)
                return redirect("members:detail", member_pk=member.pk)
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"已为会员「{member.name}」办理{title}。")
            return redirect("members:detail", member_pk=member.pk)
    context = {
        "form": form,
        "member": member,
        "action": action,
        "title": title,
        "applies": guard(member),
    }
    return render(request, "members/change.html", context)


@require_http_methods(["GET", "POST"])
@cadre_required
def member_retain(request, member_pk: int):
    return _membership_change(request, member_pk, "retain")


@require_http_methods(["GET", "POST"])
@cadre_required
def member_withdraw(request, member_pk: int):
    return _membership_change(request, member_pk, "withdraw")


@require_http_methods(["GET", "POST"])
@cadre_required
def member_expel(request, member_pk: int):
    return _membership_change(request, member_pk, "expel")


@require_http_methods(["GET", "POST"])
@cadre_required
def transfer_issue(request, member_pk: int):
    member = _member(request, member_pk)
    require_perm(request.user, "members.manage_transfers")
    form = TransferIssueForm(_posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        target = "residence_union" if form.cleaned_data.get("residence_union") else "to_union_code"
        try:
            transfer = services.transfer_issue(
                actor=request.user, member=member, **form.service_kwargs()
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                _flash_errors(request, exc)
                return redirect("members:detail", member_pk=member.pk)
            apply_validation_error(form, exc, {"to_union": target})
        else:
            messages.success(
                request,
                f"已为会员「{member.name}」办理转出，接转凭证号 {transfer.code}。"
                "请打印凭证交给会员，凭证被接收前会员仍计在本工会。",
            )
            return redirect("members:transfer_certificate", transfer_pk=transfer.pk)
    return render(request, "members/transfer_issue.html", {"form": form, "member": member})


@require_GET
@cadre_required
def transfer_certificate(request, transfer_pk: int):
    transfer = _transfer(request, transfer_pk)
    query = urlencode({"code": transfer.code})
    accept_url = request.build_absolute_uri(f"{reverse('members:transfer_accept')}?{query}")
    # segno writes only path data and fixed attributes: nothing from the request is echoed.
    qr = segno.make(accept_url, error="m").svg_inline(scale=4, svgclass="qr")
    return render(
        request,
        "members/certificate.html",
        {
            "transfer": transfer,
            "qr_svg": mark_safe(qr),  # noqa: S308
            "member_visible": in_jurisdiction(request.user, transfer.member.union),
        },
    )


@require_GET
@cadre_required
def transfer_list(request):
    tab = "in" if request.GET.get("tab") == "in" else "out"
    status = request.GET.get("status", TransferStatus.PENDING)
    if status not in (*TransferStatus.values, "all"):
        status = TransferStatus.PENDING
    selector = selectors.transfers_incoming if tab == "in" else selectors.transfers_outgoing
    qs = selector(user=request.user, status="" if status == "all" else status)
    return render(
        request,
        "members/transfers.html",
        {
            "tab": tab,
            "status": status,
            "statuses": TransferStatus.choices,
            "page_obj": _page(request, qs.select_related("member__union")),
            "query": querystring_without_page(request),
            "pending_out": selectors.transfers_outgoing(user=request.user).count(),
            "pending_in": selectors.transfers_incoming(user=request.user).count(),
            "can_act": request.user.has_perm("members.manage_transfers"),
        },
    )


@require_http_methods(["GET", "POST"])
@cadre_required
def transfer_accept(request):
    require_perm(request.user, "members.manage_transfers")
    code = (request.POST.get("code") or request.GET.get("code") or "").strip()[:20]
    preview = selectors.transfer_for_code(request.user, code) if code else None
    initial = {"code": code}
    target = preview.to_union if preview else None
    if target and target.admits_members and in_jurisdiction(request.user, target):
        initial["union"] = target
    form = TransferAcceptForm(_posted(request), user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.transfer_accept(
                actor=request.user, code=form.cleaned_data["code"], union=form.cleaned_data["union"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                f"会员「{transfer.member.name}」已转入「{transfer.accepted_union.name}」。",
            )
            return redirect("members:detail", member_pk=transfer.member_id)
    context = {"form": form, "preview": preview, "code": code}
    return render(request, "members/transfer_accept.html", context)


def _close_transfer(request, transfer_pk: int, *, reject: bool):
    transfer = _transfer(request, transfer_pk)
    require_perm(request.user, "members.manage_transfers")
    side = transfer.to_union if reject else transfer.from_union
    if side is None or not in_jurisdiction(request.user, side):
        raise PermissionDenied(MSG_NOT_INCOMING if reject else MSG_NOT_OUTGOING)
    if transfer.status != TransferStatus.PENDING:
        messages.error(request, MSG_TRANSFER_CLOSED % {"status": transfer.get_status_display()})
        return redirect("members:transfer_certificate", transfer_pk=transfer.pk)
    form = (TransferRejectForm if reject else TransferCancelForm)(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            if reject:
                services.transfer_reject(
                    actor=request.user, transfer=transfer, reason=form.cleaned_data["reason"]
                )
            else:
                services.transfer_cancel(
                    actor=request.user, transfer=transfer, note=form.cleaned_data["note"]
                )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                _flash_errors(request, exc)
                return redirect("members:transfers")
            apply_validation_error(form, exc)
        else:
            done = "退回" if reject else "撤销"
            messages.success(
                request,
                f"已{done}接转凭证 {transfer.code}，会员「{transfer.member.name}」恢复原会籍状态。",
            )
            return redirect(f"{reverse('members:transfers')}?tab={'in' if reject else 'out'}")
    return render(
        request,
        "members/transfer_close.html",
        {"form": form, "transfer": transfer, "reject": reject},
    )


@require_http_methods(["GET", "POST"])
@cadre_required
def transfer_reject(request, transfer_pk: int):
    return _close_transfer(request, transfer_pk, reject=True)


@require_http_methods(["GET", "POST"])
@cadre_required
def transfer_cancel(request, transfer_pk: int):
    return _close_transfer(request, transfer_pk, reject=False)
