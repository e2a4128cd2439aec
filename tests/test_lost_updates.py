"""Lost updates (issue 19 item 8): the edit forms of a member, an enterprise and an organization
carry the record's `updated_at`; of two cadres who opened the same form, the second to save gets
「该记录已被他人修改，请刷新后重试」 and nothing of the first's save is overwritten. The check is in
the update services, under the row lock, so it also holds for two saves at the same moment
(PostgreSQL, real transactions)."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from ruhui.core.stale import MSG_STALE, check_unchanged, stamp
from ruhui.enterprises import services as enterprise_services
from ruhui.enterprises.models import Enterprise
from ruhui.members import services as member_services
from ruhui.members.models import Member
from ruhui.orgs import services as org_services
from ruhui.orgs.models import Organization
from tests.concurrency import THREADS, race
from tests.enterprises.factories import make_enterprise
from tests.figures_report import note
from tests.members.factories import join

STALE = "该记录已被他人修改，请刷新后重试"


@dataclass
class Case:
    name: str
    url: str
    model: type
    pk: int
    field: str  # a text field both cadres change


def _cases(world) -> list[Case]:
    member = join(world.county_admin, world.county_trade, name="张伟")
    enterprise = make_enterprise(world.county_admin, world.county, name="舞钢顺达物流有限公司")
    org = world.county_enterprise
    return [
        Case("member", reverse("members:edit", args=[member.pk]), Member, member.pk, "name"),
        Case(
            "enterprise",
            reverse("enterprises:edit", args=[enterprise.pk]),
            Enterprise,
            enterprise.pk,
            "address",
        ),
        Case("organization", reverse("orgs:edit", args=[org.pk]), Organization, org.pk, "address"),
    ]


def _opened(client: Client, url: str) -> dict:
    """The edit form as the browser would submit it untouched, taken from the page's form."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["form"]
    data = {}
    for bound in form:
        value = bound.value()
        if value is True:
            data[bound.name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.name] = [str(v) for v in value]
        elif value not in (None, False, ""):
            data[bound.name] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _value(case: Case, who: str) -> str:
    if case.field == "name":
        return {"first": "张卫", "second": "张为"}[who]
    return f"舞钢市{ {'first': '建设', 'second': '人民'}[who] }路1号"


@pytest.mark.django_db
def test_the_second_saver_of_an_opened_form_is_refused(world):
    for case in _cases(world):
        first, second = _client(world.county_admin), _client(world.city_admin)
        form_one, form_two = _opened(first, case.url), _opened(second, case.url)
        assert form_one["updated_at"] == form_two["updated_at"]
        saved = first.post(case.url, form_one | {case.field: _value(case, "first")})
        assert saved.status_code == 302, (case.name, saved.content.decode()[:2000])
        refused = second.post(case.url, form_two | {case.field: _value(case, "second")})
        assert refused.status_code == 200, case.name
        body = refused.content.decode()
        assert STALE in body, (case.name, body[:3000])
        record = case.model.objects.get(pk=case.pk)
        assert getattr(record, case.field) == _value(case, "first"), case.name
        # After a refresh the second cadre's save goes through.
        again = second.post(
            case.url, _opened(second, case.url) | {case.field: _value(case, "second")}
        )
        assert again.status_code == 302, case.name
        assert getattr(case.model.objects.get(pk=case.pk), case.field) == _value(case, "second")
        note("lost update", f"{case.name}: second saver refused, first save kept")


@pytest.mark.django_db
def test_a_form_without_its_stamp_still_saves_and_a_garbled_one_is_refused(world):
    case = _cases(world)[2]
    client = _client(world.county_admin)
    data = _opened(client, case.url)
    garbled = client.post(case.url, data | {"updated_at": "昨天", case.field: "甲"})
    assert STALE in garbled.content.decode()
    assert getattr(case.model.objects.get(pk=case.pk), case.field) != "甲"
    del data["updated_at"]
    assert client.post(case.url, data | {case.field: "乙"}).status_code == 302


def test_check_unchanged_compares_to_the_microsecond():
    now = datetime.datetime(2026, 5, 1, 8, 0, 0, 123456, tzinfo=datetime.UTC)
    record = type("R", (), {"updated_at": now})()
    check_unchanged(record, None)
    check_unchanged(record, "")
    check_unchanged(record, stamp(now))
    check_unchanged(record, now)
    for stale in (
        stamp(now + datetime.timedelta(microseconds=1)),
        now.replace(tzinfo=None).isoformat(),
        "2026-05-01",
        "不是时间",
    ):
        with pytest.raises(ValidationError) as err:
            check_unchanged(record, stale)
        assert err.value.messages == [MSG_STALE]


SAVERS = {
    Member: lambda actor, pk, field, value, seen: member_services.member_update(
        actor=actor, member=Member.objects.get(pk=pk), data={field: value}, updated_at=seen
    ),
    Enterprise: lambda actor, pk, field, value, seen: enterprise_services.enterprise_update(
        actor=actor, enterprise=Enterprise.objects.get(pk=pk), data={field: value}, updated_at=seen
    ),
    Organization: lambda actor, pk, field, value, seen: org_services.organization_update(
        actor=actor,
        organization=Organization.objects.get(pk=pk),
        data={field: value},
        updated_at=seen,
    ),
}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_one_opened_form_keep_exactly_one(world):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")
    for case in _cases(world):
        seen = case.model.objects.get(pk=case.pk).updated_at
        save = SAVERS[case.model]

        def attempt(i, case=case, save=save, seen=seen):
            if case.field == "name":
                value = "张" + "甲乙丙丁戊己庚辛壬癸"[i % 10] + "一二"[i // 10]
            else:
                value = f"舞钢市第{i + 1}路"
            save(world.county_admin, case.pk, case.field, value, seen)
            return value

        outcomes = race(attempt)
        oks = [value for kind, value in outcomes if kind == "ok"]
        errors = [value for kind, value in outcomes if kind == "error"]
        assert len(outcomes) == THREADS, outcomes
        assert not errors, errors
        assert len(oks) == 1, outcomes
        assert {value for kind, value in outcomes if kind == "refused"} == {MSG_STALE}
        assert getattr(case.model.objects.get(pk=case.pk), case.field) == oks[0]
        note(
            "concurrency",
            f"lost update ({case.name}): {THREADS} threads, 1 effect, {len(errors)} errors",
        )
