"""The API answers as its OpenAPI document says: schemathesis, in-process, as a county cadre.

Every phase schemathesis runs by default (examples, coverage, fuzzing, stateful) against
/api/v1/openapi.json through Django's WSGI handler, with a bearer token of 舞钢's admin and a
county with members, enterprises, applications and a campaign. The checks are the contract:
no server error, every status declared, every content type declared, every body in its
declared schema. Bounded (examples per operation and a time limit) to stay well under three
minutes on a two-core machine; a seed keeps CI's runs alike.

Schemathesis calls the app from its own worker threads. They are handed this test's database
connection, so every request sees the fixtures and every write is rolled back with the test, on
SQLite and PostgreSQL alike; nothing is written to disk (no example database, no cache).
"""

import datetime
import os
import time

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connections
from hypothesis import configuration as hypothesis_configuration
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events
from schemathesis.engine.statistic import Statistic

from ruhui.accounts.services import token_create
from ruhui.campaigns import services as campaign_services
from ruhui.joining import services as joining_services
from tests.enterprises.factories import make_enterprise, survey
from tests.joining.test_services import form
from tests.members.factories import join

MAX_EXAMPLES = int(os.environ.get("RUHUI_CONTRACT_EXAMPLES", "100"))
MAX_SECONDS = 150  # schemathesis stops here at the latest; the assertion below allows 180
SEED = int(os.environ.get("RUHUI_CONTRACT_SEED", "13"))
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)


@pytest.fixture
def county(world):
    """舞钢 with data behind every operation: members, enterprises with surveys, a pending online
    application, the city's campaign; and one of each in the sibling county, to stay unseen."""
    admin = world.county_admin
    for union, name in ((world.county_trade, "舞钢甲"), (world.county_enterprise, "舞钢乙")):
        join(admin, union, name=name, group="快递员", on=datetime.date(2019, 5, 1))
    join(world.sibling_admin, world.sibling_trade, name="宝丰丙")
    enterprise = make_enterprise(admin, world.county, name="舞钢顺达物流有限公司")
    survey(admin, enterprise, datetime.date(2026, 4, 1))
    make_enterprise(world.sibling_admin, world.sibling, name="宝丰某公司")
    joining_services.application_submit(
        link=joining_services.join_link_for(world.county_trade), data=form(), consent=True
    )
    campaign_services.campaign_create(
        actor=world.city_admin,
        owner=world.city,
        slug="pds-2026",
        data={
            "name": "农民工入会集中行动（2026）",
            "year": 2026,
            "starts_on": datetime.date(2026, 4, 1),
            "ends_on": datetime.date(2026, 12, 31),
            "goal_new_members": 100,
        },
    )
    _token, raw = token_create(actor=admin, name="契约测试")
    return raw


@pytest.fixture
def app():
    """Django's WSGI handler whose requests, from any thread, use this test's connection."""
    connection = connections[DEFAULT_DB_ALIAS]
    handler = WSGIHandler()

    def shared(environ, start_response):
        connections[DEFAULT_DB_ALIAS] = connection
        return handler(environ, start_response)

    # As Django's test client does: a request's end must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    connection.inc_thread_sharing()
    try:
        yield shared
    finally:
        connection.dec_thread_sharing()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def hypothesis_home(tmp_path):
    """Hypothesis's own caches (constants, unicode data) go to the test's temporary folder."""
    before = vars(hypothesis_configuration)["__hypothesis_home_directory"]
    hypothesis_configuration.set_hypothesis_home_dir(tmp_path / "hypothesis")
    yield
    hypothesis_configuration.set_hypothesis_home_dir(before)


def test_the_api_answers_as_its_schema_says(county, app, hypothesis_home):
    config = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "workers": 1,
            "headers": {"Authorization": f"Bearer {county}"},
            "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "cache": {"enabled": False},
        }
    )
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    started = time.monotonic()
    statistic = Statistic()
    errors = []
    phases = {}
    stream = schemathesis.engine.from_schema(schema).execute()
    for event in stream:
        if time.monotonic() - started > MAX_SECONDS:
            stream.stop()  # a safety net: one pass of every phase takes far less
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            statistic.on_scenario_finished(event.recorder)
            phase = str(getattr(event, "phase", "fuzzing"))
            phases[phase] = phases.get(phase, 0) + len(event.recorder.cases)
        elif isinstance(event, events.NonFatalError | events.FatalError):
            errors.append(getattr(event, "info", event))
    seconds = time.monotonic() - started

    operations = sum(1 for _ in schema.get_all_operations())
    print(
        f"\nschemathesis: {operations} operations, {statistic.total_cases} cases "
        f"in {seconds:.0f} s ({', '.join(f'{k} {v}' for k, v in phases.items())}); "
        f"{statistic.total_failures} failures, {len(errors)} errors"
    )
    failures = [
        f"{label}: {failure.title} — {failure.message}\n{group.code_sample}\n"
        f"→ {group.response.status_code if group.response else ''} "
        f"{group.response.content[:300] if group.response else ''}"
        for label, grouped in statistic.failures.items()
        for group in grouped.values()
        for failure in group.failures
    ]
    assert not failures, "\n".join(failures)
    assert not errors, "\n".join(str(e) for e in errors)
    assert statistic.total_cases > operations
    assert statistic.tested_operations, "no check ran"
    assert seconds < 180
