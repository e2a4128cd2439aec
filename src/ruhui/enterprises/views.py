"""Enterprise survey pages (scoped): the registry list and forms, the detail with survey history
and headcount chart, the phone-sized survey form, 「建会」, the worklist, the monitoring alerts,
the coverage dashboard and the park directory. Reads go through enterprises.selectors, writes
through enterprises.services, so every page checks what the API and the importer check."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ruhui.core import divisions
from ruhui.core.stale import FIELD as STAMP
from ruhui.enterprises import charts, selectors, services
from ruhui.enterprises.choices import FIVE_CLEAR, FLAGS
from ruhui.enterprises.codes import normalize_name, normalize_uscc
from ruhui.enterprises.forms import (
    COVERAGE_BY,
    GROUPS,
    NONE,
    EnterpriseFilterForm,
    EnterpriseForm,
    ParkForm,
    SurveyForm,
    UnionBuildForm,
    WorklistFilterForm,
)
from ruhui.enterprises.jobs import WORKLIST_EXPORT
from ruhui.enterprises.models import Enterprise, Park
from ruhui.jobs.selectors import recent_jobs
from ruhui.orgs.scoping import get_scoped_or_404, in_jurisdiction, scoped
from ruhui.web.access import cadre_required, require_perm
from ruhui.web.forms import apply_validation_error, querystring_without_page

PAGE_SIZE = 50
ALERT_ROWS = 200  # per alert list; the page says how many more there are
MSG_CREATED = _("已登记企业「%(name)s」。")
MSG_SAVED = _("已保存企业「%(name)s」的信息。")
MSG_SURVEYED = _("已记录「%(name)s」%(day)s 的排查（第 %(n)s 次），历史记录保留。")
MSG_BUILT = _("「%(name)s」已建会：由「%(union)s」覆盖。")
MSG_PARK_SAVED = _("已保存园区「%(name)s」。")
GROUP_LABELS = dict(GROUPS)
ENTERPRISE_ROWS = ("responsible_unit", "union", "park", "latest_survey")


def _enterprise(request, enterprise_pk: int) -> Enterprise:
    return get_scoped_or_404(
        request.user, Enterprise.objects.select_related(*ENTERPRISE_ROWS), pk=enterprise_pk
    )


def _posted(request):
    return request.POST if request.method == "POST" else None


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _with_places(enterprises):
    """Each enterprise's short location for tables: 舞钢市 · 垭口街道 (the county's own name)."""
    rows = list(enterprises)
    for e in rows:
        county = divisions.get(e.division_code)
        e.place = " · ".join(
            p for p in (county.name if county else e.division_code, e.township) if p
        )
    return rows


def _visible_duplicate(user, form) -> Enterprise | None:
    """The registered enterprise a refused registration duplicates, when the user may open it."""
    data = form.cleaned_data
    found = services.find_duplicate(
        uscc=normalize_uscc(data.get("uscc")),
        normalised_name=normalize_name(data.get("name")),
        division_code=data.get("division_code") or "",
        exclude_pk=form.enterprise.pk if form.enterprise else None,
    )
    if found and scoped(user, Enterprise).filter(pk=found[0].pk).exists():
        return found[0]
    return None


# --- list and forms -------------------------------------------------------------------------


@require_GET
@cadre_required
def enterprise_list(request):
    form = EnterpriseFilterForm(request.GET or None, user=request.user)
    qs = form.queryset().select_related("latest_survey")
    totals = qs.order_by().aggregate(
        employees=Sum("employees_total"), migrant=Sum("migrant_workers")
    )
    page_obj = _page(request, qs)
    page_obj.object_list = _with_places(page_obj.object_list)
    return render(
        request,
        "enterprises/list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "totals": totals,
            "query": querystring_without_page(request),
        },
    )


def _save_enterprise(request, form: EnterpriseForm):
    """Call the create or update service; on refusal put the messages on the form."""
    data = form.cleaned_data
    try:
        if form.enterprise is None:
            return services.enterprise_create(
                actor=request.user,
                responsible_unit=data["responsible_unit"],
                data=form.service_data(),
                park=data["park"],
            )
        return services.enterprise_update(
            actor=request.user,
            enterprise=form.enterprise,
            data=form.service_data(),
            park=data["park"],
            responsible_unit=data["responsible_unit"],
            updated_at=data.get(STAMP),
        )
    except ValidationError as exc:
        apply_validation_error(form, exc)
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
    return None


@require_http_methods(["GET", "POST"])
@cadre_required
def enterprise_create(request):
    require_perm(request.user, "enterprises.add_enterprise")
    form = EnterpriseForm(_posted(request), user=request.user)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        enterprise = _save_enterprise(request, form)
        if enterprise is not None:
            messages.success(request, MSG_CREATED % {"name": enterprise.name})
            return redirect("enterprises:detail", enterprise_pk=enterprise.pk)
        duplicate = _visible_duplicate(request.user, form)
    return render(
        request, "enterprises/form.html", {"form": form, "creating": True, "duplicate": duplicate}
    )


@require_http_methods(["GET", "POST"])
@cadre_required
def enterprise_edit(request, enterprise_pk: int):
    enterprise = _enterprise(request, enterprise_pk)
    require_perm(request.user, "enterprises.change_enterprise")
    form = EnterpriseForm(_posted(request), user=request.user, enterprise=enterprise)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        if _save_enterprise(request, form) is not None:
            messages.success(request, MSG_SAVED % {"name": form.cleaned_data["name"]})
            return redirect("enterprises:detail", enterprise_pk=enterprise.pk)
        duplicate = _visible_duplicate(request.user, form)
    context = {"form": form, "enterprise": enterprise, "duplicate": duplicate}
    return render(request, "enterprises/form.html", context)


# --- detail, survey, 建会 -----------------------------------------------------------------------


def _detail_context(request, enterprise: Enterprise, build_form=None) -> dict:
    user = request.user
    surveys = list(selectors.enterprise_surveys(enterprise=enterprise))
    labels = dict(FIVE_CLEAR)
    for s in surveys:
        s.clear = [(labels[k], ok) for k, ok in s.completeness().items()]
        s.group_list = [(GROUP_LABELS.get(c, c), n) for c, n in (s.group_counts or {}).items()]
    headcounts = list(selectors.enterprise_headcounts(enterprise=enterprise))
    found = selectors.alerts(user=user)
    union = enterprise.union
    members = None
    if union is not None:
        members = selectors.enterprise_members(Enterprise.objects.filter(pk=enterprise.pk))
        members = members.get(enterprise.pk, 0)
    can_build = user.has_perm("enterprises.build_union") and union is None
    if can_build and build_form is None:
        build_form = UnionBuildForm(user=user, enterprise=enterprise)
    return {
        "enterprise": enterprise,
        "flags": [str(label) for name, label in FLAGS if getattr(enterprise, name)],
        "groups": list(enterprise.groups.all()),
        "surveys": surveys,
        "headcounts": headcounts[::-1],
        "chart": charts.headcount_chart(headcounts),
        "alerts": {
            "threshold": found.threshold.filter(pk=enterprise.pk).first(),
            "sharp": found.sharp_change.filter(pk=enterprise.pk).first(),
            "overdue": found.overdue.filter(pk=enterprise.pk).exists(),
        },
        "members": members,
        "union_visible": union is not None and in_jurisdiction(user, union),
        "can_edit": user.has_perm("enterprises.change_enterprise"),
        "can_survey": user.has_perm("enterprises.add_survey"),
        "can_build": can_build,
        "build_form": build_form,
        "interval": settings.RUHUI_SURVEY_INTERVAL_DAYS,
    }


@require_GET
@cadre_required
def enterprise_detail(request, enterprise_pk: int):
    enterprise = _enterprise(request, enterprise_pk)
    return render(request, "enterprises/detail.html", _detail_context(request, enterprise))


@require_http_methods(["GET", "POST"])
@cadre_required
def survey_create(request, enterprise_pk: int):
    enterprise = _enterprise(request, enterprise_pk)
    require_perm(request.user, "enterprises.add_survey")
    form = SurveyForm(_posted(request), actor=request.user, latest=enterprise.latest_survey)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_record(
                actor=request.user, enterprise=enterprise, data=form.service_data()
            )
        except ValidationError as exc:
            form.apply_error(exc)
        else:
            n = enterprise.surveys.count()
            messages.success(
                request,
                MSG_SURVEYED % {"name": enterprise.name, "day": survey.surveyed_on, "n": n},
            )
            return redirect("enterprises:detail", enterprise_pk=enterprise.pk)
    return render(request, "enterprises/survey.html", {"form": form, "enterprise": enterprise})


@require_POST
@cadre_required
def union_build(request, enterprise_pk: int):
    enterprise = _enterprise(request, enterprise_pk)
    require_perm(request.user, "enterprises.build_union")
    form = UnionBuildForm(request.POST, user=request.user, enterprise=enterprise)
    if form.is_valid():
        try:
            built = services.union_build(
                actor=request.user, enterprise=enterprise, **form.service_kwargs()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc, {"founded_on": "founded_on"})
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, MSG_BUILT % {"name": built.name, "union": built.union.name})
            return redirect("enterprises:detail", enterprise_pk=enterprise.pk)
    context = _detail_context(request, enterprise, build_form=form)
    return render(request, "enterprises/detail.html", context, status=200)


# --- worklist, alerts, coverage -------------------------------------------------------------


@require_GET
@cadre_required
def worklist(request):
    form = WorklistFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    qs = selectors.worklist(user=request.user, **filters)
    query = querystring_without_page(request)
    page_obj = _page(request, qs)
    page_obj.object_list = _with_places(page_obj.object_list)
    return render(
        request,
        "enterprises/worklist.html",
        {
            "form": form,
            "page_obj": page_obj,
            "query": query,
            "today": timezone.localdate(),
            "can_build": request.user.has_perm("enterprises.build_union"),
            "filters": filters,
            "exports": recent_jobs(user=request.user, kinds=[WORKLIST_EXPORT], own=True)[:5],
        },
    )


@require_GET
@cadre_required
def alerts(request):
    found = selectors.alerts(user=request.user)
    return render(
        request,
        "enterprises/alerts.html",
        {
            "threshold": _with_places(found.threshold[:ALERT_ROWS]),
            "threshold_count": found.threshold.count(),
            "sharp": _with_places(found.sharp_change[:ALERT_ROWS]),
            "sharp_count": found.sharp_change.count(),
            "overdue": _with_places(found.overdue[:ALERT_ROWS]),
            "overdue_count": found.overdue.count(),
            "threshold_value": selectors.COMMITTEE_THRESHOLD,
            "interval": settings.RUHUI_SURVEY_INTERVAL_DAYS,
        },
    )


def _drill(by: str, key: str, **extra) -> str:
    """The enterprise list behind one figure of the coverage table."""
    params = {}
    if by == "division":
        params["division"] = key
    elif by == "park":
        params["park"] = key or NONE
    elif by == "industry":
        params["industry"] = key or NONE
    elif by == "group":
        params["group"] = key or NONE
    elif by == "responsible_unit":
        params |= {"responsible_unit": key, "exact_unit": "1"}
    params |= extra
    return f"{reverse('enterprises:list')}?{urlencode({k: v for k, v in params.items() if v})}"


def _with_links(by: str, row, total: bool = False):
    """Each figure's drill-down link; the total line's go to the whole (unfiltered) list."""

    def url(**extra):
        return _drill("" if total else by, row.key, **extra)

    row.links = {
        "enterprises": url(),
        "surveyed": url(surveyed="1"),
        "unionised": url(union_status="built"),
        "complete": url(complete="1"),
        "members": url(linked="1"),
    }
    return row


def _percent(rate) -> str:
    return "无" if rate is None else f"{rate * 100:.1f}%"


@require_GET
@cadre_required
def coverage(request):
    by = request.GET.get("by", "division")
    if by not in dict(COVERAGE_BY):
        by = "division"
    figures = selectors.coverage(user=request.user, by=by)
    rows = [_with_links(by, row) for row in figures.rows]
    total = _with_links(by, figures.total, total=True)
    for row in [*rows, total]:
        row.unionised_pct = _percent(row.unionised_rate)
        row.membership_pct = _percent(row.membership_rate)
        row.complete_pct = _percent(row.completeness_rate)
    parks = selectors.park_coverage(user=request.user)
    parks["pct"] = _percent(parks["rate"])
    return render(
        request,
        "enterprises/coverage.html",
        {"by": by, "choices": COVERAGE_BY, "rows": rows, "total": total, "parks": parks},
    )


# --- parks ----------------------------------------------------------------------------------


@require_GET
@cadre_required
def park_list(request):
    q = request.GET.get("q", "").strip()[:60]
    page_obj = _page(request, selectors.park_list(user=request.user, q=q))
    for park in page_obj:
        county = divisions.get(park.division_code)
        park.division_name = county.name if county else park.division_code
    parks = selectors.park_coverage(user=request.user)
    parks["pct"] = _percent(parks["rate"])
    return render(
        request,
        "enterprises/parks.html",
        {
            "page_obj": page_obj,
            "q": q,
            "query": querystring_without_page(request),
            "coverage": parks,
            "can_manage": request.user.has_perm("enterprises.manage_parks"),
        },
    )


@require_http_methods(["GET", "POST"])
@cadre_required
def park_create(request):
    require_perm(request.user, "enterprises.manage_parks")
    form = ParkForm(_posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            park = services.park_create(
                actor=request.user,
                responsible_unit=form.cleaned_data["responsible_unit"],
                data=form.service_data(),
                union=form.cleaned_data["union"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, MSG_PARK_SAVED % {"name": park.name})
            return redirect("enterprises:parks")
    return render(request, "enterprises/park_form.html", {"form": form, "creating": True})


@require_http_methods(["GET", "POST"])
@cadre_required
def park_edit(request, park_pk: int):
    park = get_scoped_or_404(
        request.user, Park.objects.select_related("responsible_unit"), pk=park_pk
    )
    require_perm(request.user, "enterprises.manage_parks")
    form = ParkForm(_posted(request), user=request.user, park=park)
    if request.method == "POST" and form.is_valid():
        try:
            services.park_update(
                actor=request.user,
                park=park,
                data=form.service_data(),
                union=form.cleaned_data["union"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, MSG_PARK_SAVED % {"name": form.cleaned_data["name"]})
            return redirect("enterprises:parks")
    return render(request, "enterprises/park_form.html", {"form": form, "park": park})


def _form_error(form, exc) -> None:
    if isinstance(exc, ValidationError):
        apply_validation_error(form, exc)
    else:
        form.add_error(None, str(exc))
