"""The site's URLs plus two views that fail, for the 500 page (tests/web/test_error_pages.py)."""

from django.urls import path

from ruhui.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def boom(request):
    raise RuntimeError("boom: a secret detail that must not reach the page")


urlpatterns = [path("boom/", boom), path("api/v1/boom/", boom), *urlpatterns]
