"""URL patterns of the positions app (see positions/urls.py)."""

urlpatterns: list = []
