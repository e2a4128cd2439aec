"""Lists too long to count on every page: the member registry of a province holds ten million
rows, and an exact COUNT(*) of them is seconds of the page's time on each request."""

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """A paginator that counts at most `cap` rows (settings.RUHUI_LIST_COUNT_CAP): beyond it the
    list says 「超过 N 条」 and its pages stop at the cap — the user narrows the filters to see
    further. Below the cap the count is exact, as Django's."""

    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap if cap is not None else settings.RUHUI_LIST_COUNT_CAP

    @cached_property
    def _found(self) -> int:
        # A sliced queryset counts in a subquery with LIMIT: the scan stops after cap + 1 rows.
        # Without the list's order, which would make the database walk the rows in that order
        # (a million heap reads for a city's 600,000 members) instead of reading an index.
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._found, self.cap)

    @property
    def capped(self) -> bool:
        """More rows than the cap: the list shows the first `cap` of them."""
        return self._found > self.cap
