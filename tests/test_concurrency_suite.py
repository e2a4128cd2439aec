"""Concurrency (issue 19 item 8): 20 threads behind a barrier, each with its own connection and
real transactions on PostgreSQL, do the same thing at once. Each case must have exactly one
effect, the others a clear refusal (a ValidationError, a form page, a 429), and never an
unhandled exception or a 500. The lost-update case is in tests/test_lost_updates.py."""

import datetime
from collections import Counter

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from ruhui.campaigns import services as campaign_services
from ruhui.campaigns.models import Decomposition, Target
from ruhui.campaigns.services import TargetLine
from ruhui.enterprises import services as enterprise_services
from ruhui.enterprises.models import Enterprise
from ruhui.joining import services as joining_services
from ruhui.joining.models import Application
from ruhui.members import services as member_services
from ruhui.members.models import ChangeType, Member, Transfer, TransferStatus
from ruhui.orgs.models import Organization
from tests.concurrency import THREADS, race
from tests.enterprises.factories import make_enterprise
from tests.factories import OrganizationFactory
from tests.figures_report import note
from tests.joining.form_data import join_form_data
from tests.members.factories import join, make_id_number, make_phone

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")
    cache.clear()  # the public form's rate limits
    yield
    cache.clear()


def report(case: str, outcomes, effects: int) -> None:
    errors = [value for kind, value in outcomes if kind == "error"]
    assert not errors, errors
    assert effects == 1, outcomes
    note("concurrency", f"{case}: {len(outcomes)} threads, {effects} effect, {len(errors)} errors")


def test_one_id_number_registered_20_times_at_once(world):
    number = make_id_number()
    unions = [world.county_trade, world.county_enterprise]

    def attempt(i):
        return member_services.member_join(
            actor=world.county_admin,
            union=unions[i % 2],
            data={"name": "王强", "id_number": number, "phone": make_phone()},
        ).pk

    outcomes = race(attempt)
    kinds = Counter(kind for kind, _ in outcomes)
    assert kinds == {"ok": 1, "refused": THREADS - 1}, outcomes
    assert all("会员" in message for kind, message in outcomes if kind == "refused"), (
        outcomes
    )  # the Chinese conflict message, not a database error
    report("same ID number inserted", outcomes, Member.objects.count())


def test_20_identical_public_join_posts_make_one_application(world):
    link = joining_services.join_link_for(world.county_trade)
    url = reverse("join:form", args=[link.token])
    data = join_form_data()

    def attempt(i):
        response = Client().post(url, data)
        assert response.status_code in (302, 429), (response.status_code, i)
        return response.status_code

    outcomes = race(attempt)
    assert Counter(kind for kind, _ in outcomes) == {"ok": THREADS}, outcomes
    assert any(value == 302 for _, value in outcomes)
    report("identical public join POST", outcomes, Application.objects.count())


def test_one_transfer_code_accepted_20_times_at_once(world):
    member = join(world.county_admin, world.county_trade, name="刘洋")
    transfer = member_services.transfer_issue(
        actor=world.county_admin, member=member, on=datetime.date.today()
    )
    receivers = [world.county_enterprise, world.sibling_trade]
    actors = [world.county_admin, world.sibling_admin]

    def attempt(i):
        return member_services.transfer_accept(
            actor=actors[i % 2], code=transfer.code, union=receivers[i % 2]
        ).pk

    outcomes = race(attempt)
    kinds = Counter(kind for kind, _ in outcomes)
    assert kinds == {"ok": 1, "refused": THREADS - 1}, outcomes
    member.refresh_from_db()
    accepted = Transfer.objects.get(pk=transfer.pk)
    assert accepted.status == TransferStatus.ACCEPTED
    assert member.union_id == accepted.accepted_union_id and member.status == "active"
    assert member.events.filter(change_type=ChangeType.TRANSFER_IN).count() == 1
    report("one transfer code accepted", outcomes, int(accepted.accepted_union_id is not None))


def test_one_enterprise_built_20_times_at_once(world):
    enterprise = make_enterprise(world.county_admin, world.county, name="舞钢鹰城物流有限公司")
    before = Organization.objects.count()

    def attempt(i):
        return enterprise_services.union_build(
            actor=world.county_admin,
            enterprise=Enterprise.objects.get(pk=enterprise.pk),
            parent=world.county,
            union_data={"founded_on": datetime.date(2026, 3, 8)},
        ).union_id

    outcomes = race(attempt)
    kinds = Counter(kind for kind, _ in outcomes)
    assert kinds == {"ok": 1, "refused": THREADS - 1}, outcomes
    enterprise.refresh_from_db()
    created = Organization.objects.count() - before
    assert enterprise.union_id == next(v for kind, v in outcomes if kind == "ok")
    report("union_build on one enterprise", outcomes, created)


def test_20_decompositions_saved_at_once_leave_one_whole(world):
    campaign = campaign_services.campaign_create(
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
    units = [world.county, world.sibling, world.industry]
    units += [
        OrganizationFactory(parent=world.city, name=f"平顶山市第{i}产业工会", code=f"CY{i}")
        for i in range(3)
    ]

    def lines_of(i):
        # Each save names a different half of the units, with its own figures.
        chosen = [u for k, u in enumerate(units) if (k + i) % 2 == 0]
        return [TargetLine(u, 100 + i, 10 + i) for u in chosen]

    def attempt(i):
        campaign_services.decomposition_save(
            actor=world.city_admin,
            campaign=campaign,
            unit=world.city,
            lines=lines_of(i),
            declared_baseline_total=sum(line.baseline for line in lines_of(i)),
        )
        return i

    outcomes = race(attempt)
    assert Counter(kind for kind, _ in outcomes) == {"ok": THREADS}, outcomes
    targets = {
        t.unit_id: (t.baseline_declared, t.new_members)
        for t in Target.objects.filter(campaign=campaign)
    }
    # The stored decomposition is exactly one of the saves, never a mix of two.
    whole = [
        i
        for i in range(THREADS)
        if targets == {line.unit.pk: (line.baseline, line.target) for line in lines_of(i)}
    ]
    assert len(whole) == 1, targets
    decomposition = Decomposition.objects.get(campaign=campaign, unit=world.city)
    assert decomposition.declared_baseline_total == sum(
        line.baseline for line in lines_of(whole[0])
    )
    report("decomposition_save", outcomes, len(whole))
