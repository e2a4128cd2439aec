"""Two people acting at once on one row (real transactions on PostgreSQL): exactly one step
happens, the other person is told 「已被他人处理」 (or why not), never a 500; payments never
exceed the approved amount; the dual approval takes two people."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Sum

from ruhui.orgs.choices import WORKER_GROUPS
from ruhui.orgs.models import WorkerGroup
from ruhui.projects import services
from ruhui.projects.choices import PlanStatus, SubsidyStatus
from ruhui.projects.models import ActionPlan, Disbursement, PlanEvent, SubsidyApplication
from tests.projects.factories import submitted_plan

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")
    # The eight groups come from a migration; a flushed (transactional) test database lost them.
    for code, name in WORKER_GROUPS:
        WorkerGroup.objects.get_or_create(code=code, defaults={"name": name})


def at_once(*calls) -> list:
    """Run the calls in threads released together; each outcome: "ok", ("refused", message),
    ("denied", message) or ("error", repr) — the last is what these tests look for."""
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def attempt(call):
        try:
            barrier.wait(timeout=20)
            call()
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(("refused", " ".join(exc.messages)))
        except PermissionDenied as exc:
            outcomes.append(("denied", str(exc)))
        except Exception as exc:
            outcomes.append(("error", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_reviewers_consolidate_and_return_one_plan_at_once(people, drive):
    plan = submitted_plan(people, drive)
    outcomes = at_once(
        lambda: services.plan_consolidate(actor=people.city_admin, plan=plan),
        lambda: services.plan_return(actor=people.city_reviewer, plan=plan, opinion="请补充"),
    )
    assert outcomes.count("ok") == 1, outcomes
    (refusal,) = [o for o in outcomes if o != "ok"]
    assert refusal[0] == "refused" and "已被他人处理" in refusal[1], outcomes
    decided = PlanEvent.objects.filter(plan=plan, from_status=PlanStatus.SUBMITTED).values_list(
        "to_status", flat=True
    )
    assert len(decided) == 1
    assert ActionPlan.objects.get(pk=plan.pk).status == decided[0]


@pytest.fixture
def approved_subsidy(people, drive, settings):
    settings.RUHUI_SUBSIDY_DUAL_APPROVAL = Decimal("50000.00")
    plan = submitted_plan(people, drive)
    services.plan_consolidate(actor=people.city_admin, plan=plan)
    project = plan.projects.get(kind="build")
    subsidy = services.subsidy_apply(
        actor=people.county_admin, project=project, amount="80000", purpose="建会经费"
    )
    services.subsidy_city_review(actor=people.city_reviewer, subsidy=subsidy, decision="recommend")
    services.subsidy_send_up(actor=people.city_admin, campaign=drive)
    return SubsidyApplication.objects.get(pk=subsidy.pk)


NOTICE = {"approve": True, "notice_number": "豫工基〔2019〕20号", "notice_on": "2019-06-28"}


def test_the_same_reviewer_twice_at_once_is_still_one_approval(people, approved_subsidy):
    outcomes = at_once(
        *[
            lambda: services.subsidy_province_review(
                actor=people.province_reviewer, subsidy=approved_subsidy, **NOTICE
            )
        ]
        * 2
    )
    assert outcomes.count("ok") == 1, outcomes
    assert not [o for o in outcomes if o != "ok" and o[0] == "error"], outcomes
    subsidy = SubsidyApplication.objects.get(pk=approved_subsidy.pk)
    assert subsidy.status == SubsidyStatus.FIRST_APPROVED and subsidy.second_approver is None


def test_two_reviewers_at_once_make_the_two_approvals(people, approved_subsidy):
    outcomes = at_once(
        lambda: services.subsidy_province_review(
            actor=people.province_reviewer, subsidy=approved_subsidy, **NOTICE
        ),
        lambda: services.subsidy_province_review(
            actor=people.province_reviewer2, subsidy=approved_subsidy, **NOTICE
        ),
    )
    assert outcomes == ["ok", "ok"], outcomes
    subsidy = SubsidyApplication.objects.get(pk=approved_subsidy.pk)
    assert subsidy.status == SubsidyStatus.APPROVED
    assert {subsidy.first_approver, subsidy.second_approver} == {
        people.province_reviewer,
        people.province_reviewer2,
    }


def test_twenty_payments_at_once_never_exceed_the_approval(people, approved_subsidy):
    for reviewer in (people.province_reviewer, people.province_reviewer2):
        services.subsidy_province_review(actor=reviewer, subsidy=approved_subsidy, **NOTICE)
    subsidy = SubsidyApplication.objects.get(pk=approved_subsidy.pk)  # 80,000 approved
    outcomes = at_once(
        *[
            (
                lambda n=n: services.disbursement_record(
                    actor=people.province_admin,
                    subsidy=subsidy,
                    amount="7000",
                    paid_on="2019-07-01",
                    voucher_number=f"2019-07-{n:03d}",
                )
            )
            for n in range(20)
        ]
    )
    assert outcomes.count("ok") == 11, outcomes  # 11 × 7,000 = 77,000 ≤ 80,000 < 84,000
    refusals = [o for o in outcomes if o != "ok"]
    assert all(o[0] == "refused" and "余额 3000.00 元" in o[1] for o in refusals), refusals
    total = Disbursement.objects.filter(subsidy=subsidy).aggregate(t=Sum("amount"))["t"]
    assert total == Decimal("77000.00")
