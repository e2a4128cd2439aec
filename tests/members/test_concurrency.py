"""One person, one membership under concurrent writes: one member and one clear conflict, never
an unhandled error (CONC-1). The race is real on PostgreSQL (two threads, two connections, real
transactions); on both databases the losing path — the unique index refusing the insert after
the pre-check passed — is also forced deterministically."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from ruhui.members import services
from ruhui.members.models import Member
from tests.members.factories import join, make_id_number, make_phone


@pytest.mark.django_db(transaction=True)
def test_index_refusal_after_a_passed_precheck_becomes_a_conflict(world, monkeypatch):
    number = make_id_number()
    join(world.county_admin, world.county_trade, id_number=number)
    # Pretend the pre-check ran before the other transaction committed.
    real = services.held_membership
    first = [True]

    def precheck_then_real(value):
        if first[0]:
            first[0] = False
            return None
        return real(value)

    monkeypatch.setattr(services, "held_membership", precheck_then_real)
    with pytest.raises(ValidationError) as err:
        join(world.sibling_admin, world.sibling_trade, id_number=number)
    assert "请通过会员接转办理" in err.value.message_dict["id_number"][0]
    assert Member.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_joins_of_one_person(world):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")
    number = make_id_number()
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(actor, union):
        try:
            barrier.wait(timeout=10)
            member = services.member_join(
                actor=actor,
                union=union,
                data={"name": "王强", "id_number": number, "phone": make_phone()},
            )
            outcomes.append(("ok", member.pk))
        except ValidationError as exc:
            outcomes.append(("conflict", exc.message_dict["id_number"][0]))
        except Exception as exc:  # any other outcome is the failure this test looks for
            outcomes.append(("error", repr(exc)))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(world.county_admin, world.county_trade)),
        threading.Thread(target=attempt, args=(world.sibling_admin, world.sibling_trade)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["conflict", "ok"], outcomes
    message = next(value for kind, value in outcomes if kind == "conflict")
    # The loser learns the person is taken; across counties, not where (no oracle).
    assert "请通过会员接转办理" in message or "无需重复入会" in message
    assert "宝丰" not in message and "舞钢" not in message
    assert Member.objects.filter(status="active").count() == 1
