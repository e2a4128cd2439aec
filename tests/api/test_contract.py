"""The API answers as its OpenAPI document says: schemathesis, in-process, as a county cadre.

Every phase schemathesis runs by default (examples, coverage, fuzzing, stateful) against
/api/v1/openapi.json through Django's WSGI handler, with a bearer token of 舞钢's admin and a
county with members, enterprises, applications, campaigns, projects and subsidies, and service
positions. The checks are the contract: no server error, every status declared, every content
type declared, every body in its declared schema. Every operation the document declares must
have been answered in the fuzzing phase and in the coverage phase: an operation added later and
not fuzzed fails the test by name. Bounded (examples per operation, RUHUI_CONTRACT_EXAMPLES, and
a time limit) to stay under three minutes on a two-core machine; a seed keeps CI's runs alike.

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
from ruhui.projects import services as project_services
from tests.enterprises.factories import make_enterprise, survey
from tests.joining.test_services import form
from tests.members.factories import join
from tests.positions.coverage.conftest import activity, consultation, groups, position
from tests.projects.factories import add_people, make_campaign, submitted_plan

MAX_EXAMPLES = int(os.environ.get("RUHUI_CONTRACT_EXAMPLES", "10"))
STATEFUL_EXAMPLES = int(os.environ.get("RUHUI_CONTRACT_STATEFUL_EXAMPLES", "5"))
# A safety net only, far above the ≤ 3 min the run takes on a quiet machine (printed with the
# figures, docs/security.md): a loaded CI machine must not turn slowness into a failure.
MAX_SECONDS = int(os.environ.get("RUHUI_CONTRACT_MAX_SECONDS", "900"))
SEED = int(os.environ.get("RUHUI_CONTRACT_SEED", "13"))
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)


@pytest.fixture
def county(world):
    """舞钢 with data behind the operations: members, enterprises with surveys, a pending online
    application, the city's campaigns, a plan with projects and a subsidy, service positions with
    a ledger entry and a consultation; and some in the sibling county, to stay unseen."""
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
    # 服务阵地: a station, a ledger entry and a consultation here, a station in 宝丰.
    world.county_trade.groups.set(groups("02"))
    position(world.county_trade, name="舞钢小哥驿站", serves=("02", "06"))
    activity(world.county_trade, on=datetime.date(2019, 7, 1), counts={"02": 3}, amount="500.00")
    consultation(world.county_trade, on=datetime.date(2019, 5, 1), covered=40)
    position(world.sibling_trade, name="宝丰驿站")
    # 项目与补助: 舞钢's 2019 plan submitted and consolidated, a subsidy asked for and reviewed.
    add_people(world)
    drive = make_campaign(world)
    plan = submitted_plan(world, drive)
    project_services.plan_consolidate(actor=world.city_admin, plan=plan, opinion="同意汇总")
    subsidy = project_services.subsidy_apply(
        actor=admin, project=plan.projects.get(kind="build"), amount="30000", purpose="建会启动经费"
    )
    project_services.subsidy_city_review(
        actor=world.city_reviewer, subsidy=subsidy, decision="recommend", opinion="建议支持"
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


def _operation_labels(schema) -> set[str]:
    """Every operation the OpenAPI document declares (a broken definition fails here)."""
    labels = set()
    for result in schema.get_all_operations():
        labels.add(result.ok().label)
    return labels


def test_the_api_answers_as_its_schema_says(county, app, hypothesis_home, figure):
    config = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "workers": 1,
            "headers": {"Authorization": f"Bearer {county}"},
            "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
            "phases": {"stateful": {"generation": {"max-examples": STATEFUL_EXAMPLES}}},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "cache": {"enabled": False},
        }
    )
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    declared = _operation_labels(schema)
    started = time.monotonic()
    statistic = Statistic()
    errors = []
    phases: dict[str, int] = {}
    phase_seconds: dict[str, float] = {}
    exercised: dict[str, set[str]] = {}  # phase → operations that got at least one answer
    stopped = False
    stream = schemathesis.engine.from_schema(schema).execute()
    for event in stream:
        if time.monotonic() - started > MAX_SECONDS and not stopped:
            stopped = True
            stream.stop()  # a safety net; the coverage assertion below then names what was left
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            statistic.on_scenario_finished(event.recorder)
            phase = str(getattr(getattr(event, "phase", None), "value", None) or "fuzzing")
            recorder = event.recorder
            phases[phase] = phases.get(phase, 0) + len(recorder.cases)
            phase_seconds[phase] = phase_seconds.get(phase, 0.0) + event.elapsed_time
            answered = exercised.setdefault(phase, set())
            for case_id, interaction in recorder.interactions.items():
                if interaction.response is not None:
                    answered.add(recorder.cases[case_id].value.operation.label)
        elif isinstance(event, events.NonFatalError | events.FatalError):
            errors.append(getattr(event, "info", event))
    seconds = time.monotonic() - started

    fuzzed = exercised.get("fuzzing", set())
    figure(
        "schemathesis",
        f"{len(fuzzed & declared)} operations fuzzed, "
        f"{statistic.total_cases} cases, {statistic.total_failures} failures "
        f"(of {len(declared)} declared; {seconds:.0f} s; "
        + ", ".join(f"{k} {v} cases {phase_seconds[k]:.0f} s" for k, v in phases.items())
        + f"; {len(errors)} errors; load average {os.getloadavg()[0]:.1f})",
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
    # Every operation of the document was fuzzed and walked by the coverage phase: a new
    # operation (or one whose every request is refused before it is answered) fails here.
    assert not declared - fuzzed, f"not fuzzed: {sorted(declared - fuzzed)}"
    assert not declared - exercised.get("coverage", set()), (
        f"not covered: {sorted(declared - exercised.get('coverage', set()))}"
    )
    assert not stopped, f"stopped after {MAX_SECONDS} s: lower RUHUI_CONTRACT_EXAMPLES"
    assert statistic.total_cases > len(declared)
