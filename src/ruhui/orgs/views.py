"""Organization pages: list, tree (with its search and branches opened on demand), detail,
create, edit, deactivate, reactivate, move; the standard checklist and its evidence."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ruhui.core.stale import FIELD as STAMP
from ruhui.orgs import selectors, services
from ruhui.orgs.choices import OrgKind
from ruhui.orgs.forms import DeactivateForm, MoveForm, OrganizationForm, StandardItemForm
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import get_scoped_or_404
from ruhui.tabular.attachments import attachment_response
from ruhui.web.access import cadre_required, require_perm
from ruhui.web.forms import apply_validation_error, querystring_without_page

#: The longest text the tree's search box takes (the longest name is 120 characters).
SEARCH_MAX = 120


@require_GET
@cadre_required
def org_list(request):
    filters = {
        k: request.GET.get(k, "").strip() for k in ("q", "kind", "division", "active", "base")
    }
    qs = selectors.organization_list(user=request.user, **filters).prefetch_related("groups")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/list.html",
        {
            "page_obj": page,
            "filters": filters,
            "kinds": OrgKind.choices,
            "query": querystring_without_page(request),
        },
    )


def _tree_options(request) -> dict:
    """The tree page's state carried from link to link: inactive units shown or not."""
    show_inactive = request.GET.get("inactive") == "1"
    return {"show_inactive": show_inactive, "inactive_qs": "inactive=1" if show_inactive else ""}


@require_GET
@cadre_required
def org_tree(request):
    options = _tree_options(request)
    q = request.GET.get("q", "").strip()[:SEARCH_MAX]
    open_pk = request.GET.get("open", "").strip()
    open_org = get_scoped_or_404(request.user, Organization, pk=open_pk) if open_pk else None
    include_inactive = options["show_inactive"]
    if q:
        context = {
            "search": selectors.organization_search(
                user=request.user, q=q, include_inactive=include_inactive
            )
        }
    else:
        context = {
            "tree": selectors.organization_tree(
                user=request.user, open_org=open_org, include_inactive=include_inactive
            ),
            "open_org": open_org,
        }
    return render(request, "orgs/tree.html", context | options | {"q": q})


@require_GET
@cadre_required
def org_suggest(request):
    """Suggestions for a form's organization search box (orgs.forms.OrgPicker): the
    <option>s of its <datalist>, from the user's jurisdiction. `field` names the box's
    parameter (htmx sends the box's value under its own name), `kinds` the kinds of
    organization the field offers."""
    text = request.GET.get(request.GET.get("field", ""), "")[:60]
    kinds = [k for k in request.GET.get("kinds", "").split(",") if k in OrgKind.values]
    suggestions = selectors.organization_suggestions(user=request.user, text=text, kinds=kinds)
    return render(request, "orgs/_suggestions.html", {"suggestions": suggestions})


@require_GET
@cadre_required
def org_children(request, org_pk: int):
    """A branch of the tree opened: its children as a fragment for htmx; without JS (a plain
    link), the tree page with that branch open."""
    org = get_scoped_or_404(request.user, Organization, pk=org_pk)
    options = _tree_options(request)
    if request.headers.get("HX-Request") == "true":
        children = selectors.organization_children(
            user=request.user, organization=org, include_inactive=options["show_inactive"]
        )
        response = render(
            request, "orgs/_tree_children.html", {"children": children, "parent": org} | options
        )
    else:
        query = urlencode({"open": org.pk, **({"inactive": 1} if options["show_inactive"] else {})})
        response = redirect(f"{reverse('orgs:tree')}?{query}#org-{org.pk}")
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@cadre_required
def org_detail(request, org_pk: int):
    org = get_scoped_or_404(request.user, Organization, pk=org_pk)
    return render(
        request,
        "orgs/detail.html",
        {
            "org": org,
            "standards": selectors.standard_checklist(union=org),
            "children": Organization.objects.get_children(org).prefetch_related("groups"),
            "breadcrumb": selectors.organization_ancestors_in_scope(
                user=request.user, organization=org
            ),
            "can_manage": request.user.has_perm("orgs.manage_organization"),
            "is_own_root": org.pk == request.user.organization_id,
        },
    )


@require_http_methods(["GET", "POST"])
@cadre_required
def org_create(request):
    require_perm(request.user, "orgs.manage_organization")
    initial = {}
    parent_pk = request.GET.get("parent", "").strip()
    if parent_pk.isdigit():
        initial["parent"] = get_scoped_or_404(request.user, Organization, pk=parent_pk)
    form = OrganizationForm(request.POST or None, user=request.user, creating=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_create(
                actor=request.user,
                parent=form.cleaned_data["parent"],
                data=form.service_data(),
                groups=form.cleaned_data["groups"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"已新建组织「{org.name}」。")
            return redirect("orgs:detail", org_pk=org.pk)
    return render(request, "orgs/form.html", {"form": form, "creating": True})


@require_http_methods(["GET", "POST"])
@cadre_required
def org_edit(request, org_pk: int):
    org = get_scoped_or_404(request.user, Organization, pk=org_pk)
    require_perm(request.user, "orgs.manage_organization")
    form = OrganizationForm(request.POST or None, instance=org, user=request.user, creating=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(
                actor=request.user,
                organization=Organization.objects.get(pk=org.pk),
                data=form.service_data(),
                groups=form.cleaned_data["groups"],
                updated_at=form.cleaned_data.get(STAMP),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"已保存「{form.cleaned_data['name']}」。")
            return redirect("orgs:detail", org_pk=org.pk)
    return render(request, "orgs/form.html", {"form": form, "creating": False, "org": org})


@require_http_methods(["GET", "POST"])
@cadre_required
def org_deactivate(request, org_pk: int):
    org = get_scoped_or_404(request.user, Organization, pk=org_pk)
    require_perm(request.user, "orgs.manage_organization")
    form = DeactivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_deactivate(
                actor=request.user, organization=org, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc, {"deactivation_reason": "reason"})
        else:
            messages.success(request, f"已撤销「{org.name}」。")
            return redirect("orgs:detail", org_pk=org.pk)
    return render(request, "orgs/deactivate.html", {"form": form, "org": org})


@require_POST
@cadre_required
def org_reactivate(request, org_pk: int):
    org = get_scoped_or_404(request.user, Organization, pk=org_pk)
    require_perm(request.user, "orgs.manage_organization")
    try:
        services.organization_reactivate(actor=request.user, organization=org)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已恢复「{org.name}」。")
    return redirect("orgs:detail", org_pk=org.pk)


@require_http_methods(["GET", "POST"])
@cadre_required
def org_move(request, org_pk: int):
    org = get_scoped_or_404(request.user, Organization, pk=org_pk)
    require_perm(request.user, "orgs.manage_organization")
    form = MoveForm(request.POST or None, user=request.user, organization=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_move(
                actor=request.user, organization=org, new_parent=form.cleaned_data["new_parent"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                f"已将「{org.name}」及其下级组织移到"
                f"「{form.cleaned_data['new_parent'].name}」之下。",
            )
            return redirect("orgs:detail", org_pk=org.pk)
    return render(request, "orgs/move.html", {"form": form, "org": org})


MSG_STANDARD_SAVED = "已保存「{item}」的达标情况。"


@require_http_methods(["GET", "POST"])
@cadre_required
def org_standards(request, org_pk: int):
    """The checklist page: every item with its own form (met, date, note, how, evidence)."""
    org = get_scoped_or_404(request.user, Organization, pk=org_pk)
    can_manage = request.user.has_perm("orgs.manage_organization")
    if request.method == "POST":
        require_perm(request.user, "orgs.manage_organization")
    sections = selectors.standard_checklist(union=org)
    rows = {row.code: row for section in sections for row in section.rows}
    posted = request.POST.get("item", "") if request.method == "POST" else ""
    if request.method == "POST" and posted not in rows:
        messages.error(request, services.MSG_STANDARD_UNKNOWN % {"item": posted[:40]})
        return redirect("orgs:standards", org_pk=org.pk)
    if can_manage:
        for code, row in rows.items():
            data = (request.POST, request.FILES) if code == posted else ()
            row.form = StandardItemForm(*data, item=code, record=row.record)
    form = rows[posted].form if posted else None
    if form is not None and form.is_valid():
        try:
            services.standard_set(
                actor=request.user,
                union=org,
                item=posted,
                uploads=request.FILES.getlist(f"{posted}-files"),
                **form.service_data(),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, MSG_STANDARD_SAVED.format(item=rows[posted].label))
            return redirect(f"{reverse('orgs:standards', args=[org.pk])}#item-{posted}")
    context = {"org": org, "sections": sections, "can_manage": can_manage}
    return render(request, "orgs/standards.html", context, status=400 if form else 200)


@require_GET
@cadre_required
def standard_evidence(request, org_pk: int, evidence_pk: int):
    """An evidence file, to those who see its union (a download, never cached)."""
    org = get_scoped_or_404(request.user, Organization, pk=org_pk)
    item = selectors.standard_evidence_get(user=request.user, union=org, pk=evidence_pk)
    return attachment_response(item.path, filename=item.original_name, kind=item.kind)
