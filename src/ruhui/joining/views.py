"""Cadre pages of online joining: the review queue, one application with its decision, and the
join links with their QR codes and posters. Everything is scoped; decisions go through
joining.services, which apply the registry's rules (one person, one membership; 凭证接转)."""

import io
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ruhui.core import crypto, divisions
from ruhui.joining import posters, selectors, services
from ruhui.joining.forms import KIND_SHORT, OPEN, LinkFilterForm, QueueFilterForm, RejectForm
from ruhui.joining.models import Application, ApplicationKind, ApplicationStatus, JoinLink
from ruhui.members.personal import ID_CONTEXT
from ruhui.members.selectors import held_membership
from ruhui.orgs.scoping import get_scoped_or_404, in_jurisdiction
from ruhui.web.access import cadre_required, require_perm
from ruhui.web.forms import querystring_without_page

#: What approving and rejecting mean at each step (the buttons' labels).
STEP_JOIN = {"approve": _("批准入会"), "reject": _("不予通过"), "step": _("入会审核")}
STEP_OUT = {"approve": _("同意转出"), "reject": _("不同意转出"), "step": _("原工会同意转出")}
STEP_IN = {"approve": _("接收转入"), "reject": _("不予接收"), "step": _("新工会接收转入")}
MSG_APPROVED_JOIN = _("已批准「{name}」入会，会员号 {number}。")
MSG_ALREADY_HERE = _("「{name}」已是本工会会员（会员号 {number}），申请已办结，未重复登记。")
MSG_CONVERTED = _(
    "「{name}」已是「{union}」会员：申请已转为会员关系接转（转会申请 {number}），"
    "待原工会同意转出后再由本工会接收。"
)
MSG_BUSY = _("「{name}」已有一份会员关系接转正在办理，本申请未通过：{reason}")
MSG_OUT = _("已同意「{name}」转出，待「{union}」接收转入。")
MSG_IN = _("「{name}」已转入「{union}」，会员号不变。")
MSG_REJECTED = _("已对申请 {number} 作出不予通过的决定，申请人可在查询页面看到原因。")
MSG_REGENERATED = _("「{union}」的入会二维码已重新生成：旧海报和旧链接已停用，请下载新海报张贴。")
MSG_NOT_YOURS = _("这一步（{step}）由「{union}」办理，您可以查看，不能办理。")
MSG_NO_LINK = _("该工会还没有入会二维码：请在「入会二维码」页面点“重新生成”。")
POSTER_NAME = "{union}-入会海报.{ext}"


def _application(request, application_pk: int) -> Application:
    queryset = Application.objects.select_related(
        "union", "from_union", "transfer", "member__union", "converted_to", "decided_by"
    )
    return get_scoped_or_404(request.user, queryset, pk=application_pk)


def _admitting_union(request, org_pk: int):
    return get_scoped_or_404(request.user, selectors.admitting_unions(user=request.user), pk=org_pk)


def _page(request, queryset):
    return Paginator(queryset, settings.RUHUI_PAGE_SIZE).get_page(request.GET.get("page"))


def _flash(request, exc: Exception, application: Application | None = None) -> None:
    """A service's refusal as a message on the page, never a server error."""
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
        return
    decider = services.deciding_union(application) if application is not None else None
    if decider is not None and not in_jurisdiction(request.user, decider):
        step = step_labels(application)["step"]
        messages.error(request, MSG_NOT_YOURS.format(step=step, union=decider.name))
    else:
        messages.error(request, str(exc) or _("您没有办理这份申请的权限。"))


def step_labels(application: Application) -> dict:
    if application.kind == ApplicationKind.JOIN:
        return STEP_JOIN
    if application.status == ApplicationStatus.AWAITING_IN:
        return STEP_IN
    return STEP_OUT


# --- queue ----------------------------------------------------------------------------------


@require_GET
@cadre_required
def application_queue(request):
    form = QueueFilterForm(request.GET or None)
    filters = form.filters()
    qs = selectors.application_queue(
        user=request.user, status=filters["status"], kind=filters["kind"]
    )
    if filters["q"]:
        qs = qs.filter(Q(name__contains=filters["q"]) | Q(number=filters["q"].upper()))
    page_obj = _page(request, qs)
    for application in page_obj:
        application.decider = services.deciding_union(application)
        application.kind_short = KIND_SHORT[application.kind]
        application.can_decide = services.can_decide(request.user, application)
    return render(
        request,
        "joining/queue.html",
        {
            "form": form,
            "tab": OPEN if filters["status"] == OPEN else "all",
            "page_obj": page_obj,
            "query": querystring_without_page(request),
            "open_count": selectors.open_count(user=request.user),
        },
    )


# --- one application ------------------------------------------------------------------------


@sensitive_variables("number")
def _membership_warning(application: Application):
    """For a join still to be decided: the membership the applicant already holds, if any."""
    if application.kind != ApplicationKind.JOIN or application.status != ApplicationStatus.PENDING:
        return None
    number = crypto.decrypt(application.id_number_encrypted, context=ID_CONTEXT)
    return held_membership(number)


def _detail(request, application: Application, reject_form=None):
    user = request.user
    existing = _membership_warning(application)
    can_decide = services.can_decide(user, application)
    member = application.member
    context = {
        "application": application,
        "kind_short": KIND_SHORT[application.kind],
        "decider": services.deciding_union(application),
        "can_decide": can_decide,
        "can_manage": user.has_perm("members.manage_membership"),
        "labels": step_labels(application),
        "existing": existing,
        "existing_here": existing is not None and existing.union_id == application.union_id,
        "existing_visible": existing is not None and in_jurisdiction(user, existing.union),
        "member_visible": member is not None and in_jurisdiction(user, member.union),
        "others": selectors.same_person_applications(user=user, application=application)
        .select_related("union", "from_union")
        .order_by("-created_at"),
        "converted_from": application.converted_from.first(),
        "history": selectors.application_history(application),
        "household_name": divisions.full_name(application.household_division)
        if application.household_division
        else "",
        "reject_form": reject_form or RejectForm(),
    }
    return render(request, "joining/detail.html", context)


@require_GET
@cadre_required
def application_detail(request, application_pk: int):
    return _detail(request, _application(request, application_pk))


def _approved_message(after: Application) -> str:
    name = after.name
    if after.status == ApplicationStatus.CONVERTED:
        return MSG_CONVERTED.format(
            name=name, union=after.member.union.name, number=after.converted_to.number
        )
    if after.status == ApplicationStatus.REJECTED:
        return MSG_BUSY.format(name=name, reason=after.decision_reason)
    if after.status == ApplicationStatus.AWAITING_IN:
        return MSG_OUT.format(name=name, union=after.union.name)
    if after.status == ApplicationStatus.COMPLETED:
        return MSG_IN.format(name=name, union=after.union.name)
    if after.decision_reason:  # approved without a new member: already a member here
        return MSG_ALREADY_HERE.format(name=name, number=after.member.member_number)
    return MSG_APPROVED_JOIN.format(name=name, number=after.member.member_number)


@require_POST
@cadre_required
def application_approve(request, application_pk: int):
    application = _application(request, application_pk)
    require_perm(request.user, "members.manage_membership")
    try:
        decided = services.application_approve(actor=request.user, application=application)
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc, application)
    else:
        message = _approved_message(decided)
        level = (
            messages.WARNING if decided.status == ApplicationStatus.REJECTED else messages.SUCCESS
        )
        messages.add_message(request, level, message)
    return redirect("joining:detail", application_pk=application.pk)


@require_POST
@cadre_required
def application_reject(request, application_pk: int):
    application = _application(request, application_pk)
    require_perm(request.user, "members.manage_membership")
    form = RejectForm(request.POST)
    if not form.is_valid():
        if services.can_decide(request.user, application):
            return _detail(request, application, reject_form=form)
        _flash(request, ValidationError(form.errors["reason"]))
        return redirect("joining:detail", application_pk=application.pk)
    try:
        services.application_reject(
            actor=request.user, application=application, reason=form.cleaned_data["reason"]
        )
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc, application)
    else:
        messages.success(request, MSG_REJECTED.format(number=application.number))
    return redirect("joining:detail", application_pk=application.pk)


# --- join links and posters -----------------------------------------------------------------


def join_url(request, link: JoinLink) -> str:
    return request.build_absolute_uri(reverse("join:form", kwargs={"token": link.token}))


@require_GET
@cadre_required
def link_list(request):
    form = LinkFilterForm(request.GET or None)
    q = " ".join(form.cleaned_data["q"].split()) if form.is_valid() else ""
    qs = selectors.admitting_unions(user=request.user)
    if q:
        qs = qs.filter(name__contains=q)
    page_obj = _page(request, qs)
    links = selectors.active_links(page_obj)
    rows = []
    for union in page_obj:
        link = links.get(union.pk)
        if link is None:  # only a union saved outside the services (bulk loads) lacks one
            rows.append({"union": union, "link": None, "url": "", "qr": ""})
            continue
        url = join_url(request, link)
        qr = segno.make(url, error="m")
        rows.append({"union": union, "link": link, "url": url, "qr": qr.svg_data_uri(scale=2)})
    return render(
        request,
        "joining/links.html",
        {
            "form": form,
            "page_obj": page_obj,
            "rows": rows,
            "query": querystring_without_page(request),
            "can_regenerate": request.user.has_perm("orgs.manage_organization"),
        },
    )


def _poster(request, org_pk: int, ext: str):
    union = _admitting_union(request, org_pk)
    link = selectors.active_link(union)
    if link is None:
        raise Http404(MSG_NO_LINK)
    url = join_url(request, link)
    render_poster = posters.poster_png if ext == "png" else posters.poster_pdf
    data = render_poster(
        union_name=union.name,
        join_url=url,
        short_url=url.split("://", 1)[-1],
        groups_text="、".join(g.name for g in union.groups.all()),
    )
    response = FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=POSTER_NAME.format(union=union.name, ext=ext),
        content_type="image/png" if ext == "png" else "application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@cadre_required
def poster_png(request, org_pk: int):
    return _poster(request, org_pk, "png")


@require_GET
@cadre_required
def poster_pdf(request, org_pk: int):
    return _poster(request, org_pk, "pdf")


@require_http_methods(["GET", "POST"])
@cadre_required
def link_regenerate(request, org_pk: int):
    union = _admitting_union(request, org_pk)
    require_perm(request.user, "orgs.manage_organization")
    if request.method == "POST":
        try:
            services.join_link_regenerate(actor=request.user, union=union)
        except (ValidationError, PermissionDenied) as exc:
            _flash(request, exc)
        else:
            messages.success(request, MSG_REGENERATED.format(union=union.name))
        return redirect(f"{reverse('joining:links')}?{urlencode({'q': union.name})}")
    link = selectors.active_link(union)
    context = {"union": union, "link": link, "url": join_url(request, link) if link else ""}
    return render(request, "joining/regenerate.html", context)
