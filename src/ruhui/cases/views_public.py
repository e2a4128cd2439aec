"""The public 典型经验 pages (no login): the list of published cases (filter by group, a page at
a time), one case as plain paragraphs, and its photos. Only published cases are read; a case
never shows who submitted or published it, only its unit. No script, no inline style: the
site's CSP holds (tests/cases/test_public.py)."""

from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ruhui.cases import selectors
from ruhui.members.codes import EIGHT_GROUP_CHOICES as GROUPS
from ruhui.tabular.attachments import CONTENT_TYPES

PAGE_SIZE = 10
GROUP_CODES = {code for code, _label in GROUPS}
# Stored copies must be revalidated: a withdrawn case disappears at once, from every cache.
PUBLIC_CACHE = "no-cache"


@require_GET
def case_list(request):
    group = request.GET.get("group", "")
    group = group if group in GROUP_CODES else ""
    page = Paginator(selectors.published_cases(group=group), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    response = render(
        request,
        "cases/public/list.html",
        {
            "page_obj": page,
            "groups": GROUPS,
            "group": group,
            "query": f"group={group}" if group else "",
        },
    )
    response["Cache-Control"] = PUBLIC_CACHE
    return response


@require_GET
def case_detail(request, case_slug):
    item = selectors.published_case(slug=case_slug)
    response = render(request, "cases/public/detail.html", {"case": item})
    response["Cache-Control"] = PUBLIC_CACHE
    return response


@require_GET
def case_photo(request, case_slug, photo_pk):
    """A photo of a published case, shown inline (it was re-encoded without metadata)."""
    item = selectors.published_photo(slug=case_slug, pk=photo_pk)
    response = FileResponse(
        open(item.path, "rb"),  # noqa: SIM115 (FileResponse closes it when sent)
        content_type=CONTENT_TYPES[item.kind],
    )
    response["Cache-Control"] = PUBLIC_CACHE
    response["X-Content-Type-Options"] = "nosniff"
    return response
