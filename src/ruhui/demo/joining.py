"""Demo online applications (`make demo`): join links for every admitting union and a queue for
舞钢 and the city's 快递行业工会 — pending, approved, rejected and withdrawn applications, one
applicant who is already a member in another county (approval turns it into a transfer) and one
self-service transfer. Written through the services, so members, events and audit rows are real.
Idempotent: nothing happens when applications already exist.
"""

from django.utils import timezone

from ruhui.accounts.models import User
from ruhui.demo.members import Generator
from ruhui.joining import services
from ruhui.joining.models import Application
from ruhui.members.models import HELD_STATUSES, Member
from ruhui.members.selectors import held_membership
from ruhui.orgs.choices import ADMITTING_KINDS
from ruhui.orgs.models import Organization

SEED = 5150
#: (union code, group, outcome) — outcome: pending / approved / rejected / withdrawn.
PLAN = (
    ("WG", "02", "pending"),
    ("WG", "06", "pending"),
    ("WG", "01", "pending"),
    ("WG", "03", "pending"),
    ("WG", "08", "pending"),
    ("WG", "02", "approved"),
    ("WG", "06", "approved"),
    ("WG", "04", "rejected"),
    ("WG", "99", "withdrawn"),
    ("GJ", "02", "pending"),
    ("GJ", "06", "pending"),
    ("GJ", "01", "approved"),
    ("GJ", "02", "rejected"),
)
REJECTION = "您的工作单位已建立工会，请向本单位工会申请入会；如有疑问请致电 0375-2222222。"


def _unions_under(code: str) -> list[Organization]:
    root = Organization.objects.get(code=code)
    return list(
        Organization.objects.filter(
            path__startswith=root.path, is_active=True, kind__in=ADMITTING_KINDS
        ).order_by("path")
    )


def _target(unions: list[Organization], group: str, n: int) -> Organization:
    serving = [u for u in unions if u.groups.filter(code=group).exists()]
    pool = serving or unions
    return pool[n % len(pool)]


def seed_demo_applications() -> dict:
    for union in Organization.objects.filter(is_active=True, kind__in=ADMITTING_KINDS):
        services.join_link_for(union)
    if Application.objects.exists() or not Member.objects.exists():
        return {"applications": Application.objects.count()}
    gen = Generator(seed=SEED, today=timezone.localdate())
    cadres = {
        "WG": User.objects.get(username="wg_admin"),
        "GJ": User.objects.get(username="gj_admin"),
    }
    unions = {code: _unions_under(code) for code in cadres}
    for n, (code, group, outcome) in enumerate(PLAN):
        union = _target(unions[code], group, n)
        person = gen.person(group if group != "99" else "99", gen.today, migrant=n % 3 != 2)
        if held_membership(person.id_number) is not None:
            continue  # the generator met a demo member: skip rather than convert by accident
        application = services.application_submit(
            link=services.join_link_for(union),
            data={
                "name": gen.name(person.sex),
                "id_number": person.id_number,
                "phone": gen.phone(),
                "household_division": person.region,
                "is_migrant_worker": "是" if person.migrant else "否",
                "group": group,
                "employer_name": "美团外卖舞钢站点" if group == "06" else "",
                "work_location": "舞钢市垭口街道" if code == "WG" else "平顶山市新华区",
            },
            consent=True,
        )
        if outcome == "approved":
            services.application_approve(actor=cadres[code], application=application)
        elif outcome == "rejected":
            services.application_reject(
                actor=cadres[code], application=application, reason=REJECTION
            )
        elif outcome == "withdrawn":
            services.application_withdraw(application=application)
    _member_elsewhere_applies(gen, unions["WG"])
    _self_service_transfer(unions["WG"])
    return {"applications": Application.objects.count()}


def _member_elsewhere_applies(gen: Generator, wg_unions: list[Organization]) -> None:
    """A 宝丰 member applies in 舞钢: the reviewer is warned, approval starts a transfer."""
    baofeng = Organization.objects.get(code="BF")
    member = (
        Member.objects.filter(union__path__startswith=baofeng.path, status="active")
        .order_by("id")
        .first()
    )
    if member is None:
        return
    from ruhui.core import crypto
    from ruhui.members.personal import ID_CONTEXT

    services.application_submit(
        link=services.join_link_for(_target(wg_unions, member.group, 0)),
        data={
            "name": member.name,
            "id_number": crypto.decrypt(member.id_number_encrypted, context=ID_CONTEXT),
            "phone": gen.phone(),
            "household_division": member.household_division,
            "is_migrant_worker": "是" if member.is_migrant_worker else "否",
            "group": member.group,
            "employer_name": "舞钢市顺达物流有限公司",
            "work_location": "舞钢市矿建街道",
        },
        consent=True,
    )


def _self_service_transfer(wg_unions: list[Organization]) -> None:
    """A 舞钢 member changes job within the county and asks to move from the phone."""
    wg_paths = [u.path for u in wg_unions]
    member = (
        Member.objects.filter(union__in=wg_unions, status__in=HELD_STATUSES, status="active")
        .exclude(phone_encrypted="")
        .order_by("id")
        .first()
    )
    if member is None or len(wg_paths) < 2:
        return
    target = next(u for u in wg_unions if u.pk != member.union_id)
    services.transfer_request_submit(
        member=member,
        to_union=target,
        link=services.join_link_for(target),
        employer_name=f"{target.name.removesuffix('工会')}",
        work_location="舞钢市",
        consent=True,
    )
