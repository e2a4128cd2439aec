"""Two cadres approving the same application at the same moment: one member, one clear refusal,
never an error or a second membership (real transactions on PostgreSQL)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from ruhui.joining import services
from ruhui.joining.models import Application, ApplicationStatus
from ruhui.members.models import Member
from tests.members.factories import make_id_number, make_phone


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_cadres_approve_the_same_application_at_once(world):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")
    application = services.application_submit(
        link=services.join_link_for(world.county_trade),
        data={
            "name": "赵敏",
            "id_number": make_id_number(),
            "phone": make_phone(),
            "group": "06",
        },
        consent=True,
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(actor):
        try:
            barrier.wait(timeout=10)
            services.application_approve(actor=actor, application=application)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(("refused", exc.messages[0]))
        except Exception as exc:  # any other outcome is the failure this test looks for
            outcomes.append(("error", repr(exc)))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(world.county_admin,)),
        threading.Thread(target=attempt, args=(world.city_admin,)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(map(str, outcomes))[0].startswith("('refused'"), outcomes
    assert "ok" in outcomes, outcomes
    assert Member.objects.count() == 1
    assert Application.objects.get().status == ApplicationStatus.APPROVED
