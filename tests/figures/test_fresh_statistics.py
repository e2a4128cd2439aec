"""A whole-campaign recomputation first refreshes stale planner statistics of the registry
tables it reads: right after a large import, PostgreSQL planned the campaign query from the
statistics of the tables before it (over 10 minutes at 1M members instead of 3 s)."""

import pytest

from ruhui.campaigns.progress import progress_refresh
from ruhui.core import bulk
from ruhui.figures import selectors as figures
from ruhui.projects.figures import closeout_refresh
from tests.projects.factories import make_campaign

TABLES = {"members_membershipevent", "members_member", "orgs_organization"}


@pytest.fixture
def checked(monkeypatch):
    seen = []
    monkeypatch.setattr(bulk, "fresh_statistics", lambda table: seen.append(table) or False)
    return seen


@pytest.mark.parametrize("recompute", [progress_refresh, closeout_refresh])
def test_each_recomputation_checks_the_registry_statistics_first(world, checked, recompute):
    campaign = make_campaign(world)
    checked.clear()
    recompute(campaign)
    assert set(checked) == TABLES


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_stale_statistics_are_refreshed_after_an_import(world, tmp_path):
    from django.db import connection

    from tests.importing.test_member_import import good_row, roster, run

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner statistics")
    run(world, roster(tmp_path / "a.xlsx", [good_row() for _ in range(1200)]), dry_run=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")  # the counts of the commit above
    refreshed = set(figures.fresh_statistics())
    assert {"members_membershipevent", "members_member"} <= refreshed
    assert figures.fresh_statistics() == []  # fresh now
