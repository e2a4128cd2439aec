"""The enterprises every page test uses: two in county A (one surveyed twice), one in the
sibling county, and a park in county A."""

import datetime
from types import SimpleNamespace

import pytest

from ruhui.enterprises import services
from tests.enterprises.factories import make_enterprise, make_uscc, survey


@pytest.fixture
def run_jobs(settings, django_capture_on_commit_callbacks):
    """`with run_jobs(): client.post(…)` runs the jobs the request queued once it commits, as
    the worker would: the immediate task backend (the test profile's default, set here too so
    these tests do not depend on RUHUI_ENV=test)."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": list(settings.RUHUI_TASK_QUEUES),
        }
    }
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def places(world):
    ca, sa = world.county_admin, world.sibling_admin
    park = services.park_create(
        actor=ca,
        responsible_unit=world.county,
        data={"name": "舞钢产业集聚区", "kind": "cluster", "division_code": "410481"},
    )
    shunda = make_enterprise(
        ca,
        world.county,
        name="舞钢顺达快递有限公司",
        uscc=make_uscc(),
        township="垭口街道",
        industry="G",
        groups="快递员",
        park=park,
    )
    survey(ca, shunda, datetime.date(2025, 3, 1), employees_total=18, migrant_workers=12)
    survey(
        ca,
        shunda,
        datetime.date(2026, 3, 1),
        employees_total=30,
        migrant_workers=20,
        next_action="约谈企业法人",
        next_action_due="2026-04-01",
        group_counts={"快递员": 25},
    )
    anju = make_enterprise(ca, world.county, name="舞钢安居物业服务有限公司", township="寺坡街道")
    yuantong = make_enterprise(
        sa, world.sibling, name="宝丰圆通速递分部", division_code="410421", township="城关镇"
    )
    survey(sa, yuantong, datetime.date(2026, 2, 1), employees_total=40, migrant_workers=30)
    return SimpleNamespace(world=world, park=park, shunda=shunda, anju=anju, yuantong=yuantong)
