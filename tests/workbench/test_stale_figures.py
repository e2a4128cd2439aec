"""The workbench at a province's scale (issue 20): after a change, figures whose last count was
slow are shown as they were, under 「数字统计于 …，正在按最新记录重新统计」, while the figures
queue counts them anew; once counted, the line goes and the numbers are the records'."""

import datetime
import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks import task_backends

from ruhui.members.models import HELD_STATUSES, Member
from ruhui.orgs.scoping import scoped
from tests.core.test_remembered_stale import QUEUES, run
from tests.enterprises.factories import make_enterprise
from tests.members.factories import join
from tests.workbench.test_todos import headcount, shown

STALE = re.compile(r"数字统计于 (?:\d{4}-\d\d-\d\d )?(\d\d:\d\d:\d\d)，正在按最新记录重新统计")


@pytest.fixture
def deferred(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": QUEUES}
    }
    backend = task_backends["default"]
    yield backend.results
    backend.clear()


def page(client) -> str:
    return client.get(reverse("workbench:home")).content.decode()


def held(body: str) -> int:
    return int(
        re.search(
            r"在册会员（在籍、保留、接转中）</span>\s*<span class=\"stat-value\">(\d+)<", body
        )[1]
    )


def test_a_slow_figure_is_shown_stale_then_fresh(
    world, as_user, settings, deferred, django_capture_on_commit_callbacks, figure
):
    settings.RUHUI_FIGURE_SLOW_S = 0  # every count is slow, as at a province
    admin = world.county_admin
    client = as_user(admin)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):  # each change commits, as in use
        join(admin, world.county_trade, on=today)
    before = timezone.localtime().replace(microsecond=0)
    with CaptureQueriesContext(connection) as counting:
        first = page(client)  # the first count ever: inline, no line
    assert not STALE.search(first) and held(first) == 1
    after = timezone.localtime()
    seconds = int((after - before).total_seconds()) + 1
    counted_at = {
        (before + datetime.timedelta(seconds=s)).strftime("%H:%M:%S") for s in range(seconds + 1)
    }
    with django_capture_on_commit_callbacks(execute=True):
        join(admin, world.county_trade, on=today)
        headcount(admin, make_enterprise(admin, world.county_trade, name="舞钢丁有限公司"), 70)
    with CaptureQueriesContext(connection) as stale:
        bodies = [page(client) for _ in range(5)]
    read = " ".join(q["sql"] for q in stale.captured_queries)
    assert "members_member" not in read and "enterprises_enterprise" not in read  # no recount
    figure(
        "workbench after a change, slow figures",
        f"{len(counting)} queries counting inline, {len(stale) // 5} showing the previous count",
    )
    for body in bodies:
        line = STALE.search(body)
        assert line and line[1] in counted_at  # the time of the first count
        assert 'class="muted progress-at" role="status"' in body
        assert held(body) == 1  # the previous count
        assert shown_threshold(body) == 0
    # one recount per figure (members, enterprise alerts), however many opened the page
    assert sorted(result.args[0] for result in deferred) == [
        "workbench.enterprise_alerts",
        "workbench.members",
    ]
    run(deferred)
    body = page(client)
    assert not STALE.search(body)
    records = scoped(admin, Member).filter(status__in=HELD_STATUSES).count()
    assert held(body) == records == 2
    assert shown(client)["threshold"][0] == 1


def shown_threshold(body: str) -> int:
    found = re.search(
        r'data-todo="threshold">\s*<a href="[^"]+"><span class="todo-count">(\d+)<', body
    )
    return int(found[1]) if found else 0


def test_fast_figures_are_counted_inline_and_never_stale(
    world, as_user, settings, deferred, django_capture_on_commit_callbacks
):
    settings.RUHUI_FIGURE_SLOW_S = 60
    client = as_user(world.county_admin)
    assert held(page(client)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        join(world.county_admin, world.county_trade, on=datetime.date.today())
    body = page(client)
    assert not STALE.search(body) and held(body) == 1
    assert deferred == []


def test_a_count_of_another_day_shows_its_date(
    world, as_user, settings, deferred, django_capture_on_commit_callbacks
):
    """The latest value is kept up to a day: one counted yesterday says so."""
    settings.RUHUI_FIGURE_SLOW_S = 0
    client = as_user(world.county_admin)
    page(client)
    today = timezone.localdate()
    key = (
        f"remembered:workbench.members:{world.county.path}:{today.replace(month=1, day=1)}:{today}"
    )
    latest = caches["progress"].get(f"{key}:latest")
    latest["as_of"] -= datetime.timedelta(days=1)
    caches["progress"].set(f"{key}:latest", latest)
    with django_capture_on_commit_callbacks(execute=True):
        join(world.county_admin, world.county_trade, on=today)
    yesterday = timezone.localtime(latest["as_of"])
    line = STALE.search(page(client))
    assert line and line[0].startswith(f"数字统计于 {yesterday:%Y-%m-%d %H:%M:%S}，")


def test_the_page_reloads_once_the_recount_has_run(
    world, as_user, settings, deferred, django_capture_on_commit_callbacks
):
    """The stale line polls figures_state: nothing to do while the recount is queued, a reload
    (HX-Refresh) once it ran."""
    settings.RUHUI_FIGURE_SLOW_S = 0
    client = as_user(world.county_admin)
    state = f"{reverse('workbench:figures_state')}?on={timezone.localdate()}"
    assert f'hx-get="{state}"' not in page(client)
    with django_capture_on_commit_callbacks(execute=True):
        join(world.county_admin, world.county_trade, on=timezone.localdate())
    assert f'hx-get="{state}"' in page(client)
    with CaptureQueriesContext(connection) as polled:
        waiting = client.get(state)
    assert waiting.status_code == 204 and "HX-Refresh" not in waiting
    read = " ".join(q["sql"] for q in polled.captured_queries)
    assert "members_member" not in read and "enterprises_enterprise" not in read
    run(deferred)
    done = client.get(state)
    assert done.status_code == 200 and done["HX-Refresh"] == "true"
    assert f'hx-get="{state}"' not in page(client)
