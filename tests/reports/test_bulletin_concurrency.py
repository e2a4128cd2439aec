"""Two admins publishing the same 通报 at once (real transactions on PostgreSQL): one version is
published, the other is told 「已被他人处理」."""

import datetime

import pytest
from django.db import connection

from ruhui.reports import bulletin_services as services
from ruhui.reports.choices import BulletinStatus
from ruhui.reports.models import Bulletin, BulletinEvent
from tests.factories import UserFactory
from tests.projects.test_concurrency import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")


def test_two_publishers_at_once_make_one_version(people, drive):
    bulletin = services.bulletin_create(
        actor=people.city_admin,
        campaign=drive,
        cut_off=datetime.date(2019, 7, 31),
        data={"title": "关于集中行动推进情况的通报", "number": "平工组〔2019〕12号"},
    )
    services.bulletin_build(bulletin.pk)
    second = UserFactory(username="city_admin2", organization=people.city)
    outcomes = at_once(
        lambda: services.bulletin_publish(actor=people.city_admin, bulletin=bulletin),
        lambda: services.bulletin_publish(actor=second, bulletin=bulletin),
    )
    assert outcomes.count("ok") == 1, outcomes
    (refusal,) = [o for o in outcomes if o != "ok"]
    assert refusal[0] == "refused" and "已被他人处理" in refusal[1], outcomes
    assert BulletinEvent.objects.filter(bulletin=bulletin, action="publish").count() == 1
    assert Bulletin.objects.get(pk=bulletin.pk).status == BulletinStatus.PUBLISHED
    assert Bulletin.objects.filter(campaign=drive).count() == 1
