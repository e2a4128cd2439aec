"""The demo's 空壳 risk list and social workers' 倾斜 list (issue 18) for `make demo`.

Two base unions founded well over `RUHUI_EMPTY_SHELL_DAYS` ago never got going — 宝丰's 马街村
工会 (a chair elected, nothing else of the 六有; no member joined; no service recorded) and 叶县's
盐都物流 company union (nothing recorded at all) — and are what pds_admin sees on
/positions/shells/. Every other base union of the demo that is old enough passed its county's
re-check of the 六有 (recorded as a met item, 「复查已达标」, dated within the last year, through
`orgs.services.standard_set`) and gave its members a 会员普惠性服务 within the last six months
(an entry of the services ledger through `positions.ledger_services.activity_create`), so
that only those two are listed. The internal systems and the fund set-up keep the states the
organizations' demo gave them. An aged union none of whose subtree holds a member (in the full
demo, some unions the enterprise survey founded) gets its first few members through the
registry's join service — unless the demo is seeded without members.

Social workers: five of the township, community and eight-group trade unions already have one
(`positions.ledger_registers.social_worker_create`, unless the ledger's demo assigned one), so the
倾斜 list at /positions/priority/ ranks the others by the 2019 drive's new eight-group members.

Idempotent: nothing happens once the two unions exist. Run after every other demo part (their
unions, members and ledger entries come first).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ruhui.accounts.models import User
from ruhui.figures.selectors import BASE_KINDS
from ruhui.orgs import services as org_services
from ruhui.orgs.choices import SIX_HAVE_CODES, OrgKind
from ruhui.orgs.models import Organization, StandardItem, WorkerGroup
from ruhui.positions.choices import ActivityKind
from ruhui.positions.models import ServiceActivity, SocialWorker
from ruhui.positions.shells import QUIET_MONTHS, months_before

#: The two unions that never got going: (code, parent code, name, kind, groups, age in days,
#: the 六有 items met).
CANDIDATES = [
    ("BF-MJ", "BF-T1", "宝丰县城关镇马街村工会", OrgKind.COMMUNITY, ["货车司机"], 420, ["has_elected_chair"]),
    ("YX-YD", "YX", "叶县盐都物流有限公司工会", OrgKind.ENTERPRISE, ["货车司机", "快递员"], 300, []),
]  # fmt: skip
#: Unions that already have a social worker: (union code, name, phone, assigned days ago).
SOCIAL_WORKERS = [
    ("WG-KD", "赵雪梅", "13937500101", 500),
    ("WG-T1", "孙浩", "13937500102", 420),
    ("BF-T1", "周敏", "13937500103", 380),
    ("GJ-HY", "吴磊", "13937500104", 300),
    ("JX-C1", "郑丽", "13937500105", 200),
]
RECHECK_NOTE = "复查已达标。"


def seed(today: datetime.date | None = None) -> dict:
    """The two 空壳 candidates, the other aged unions' re-check and recent service, the social
    workers (see the module docstring)."""
    today = today or timezone.localdate()
    if Organization.objects.filter(code=CANDIDATES[0][0]).exists():
        return {"candidates": len(CANDIDATES)}
    with transaction.atomic():
        city_admin = User.objects.get(username="pds_admin")
        _candidates(city_admin, today)
        aged = _aged_unions(today)
        joined = _first_members(city_admin, aged, today)
        rechecked = _recheck(city_admin, aged, today)
        served = _recent_service(city_admin, aged, today)
        workers = _social_workers(city_admin, today)
    return {
        "candidates": len(CANDIDATES),
        "joined": joined,
        "rechecked": rechecked,
        "served": served,
        "social_workers": workers,
    }


def _candidates(actor, today: datetime.date) -> None:
    for code, parent_code, name, kind, groups, age, met in CANDIDATES:
        parent = Organization.objects.get(code=parent_code)
        union = org_services.organization_create(
            actor=actor,
            parent=parent,
            data={
                "code": code,
                "name": name,
                "kind": kind,
                "division_code": parent.division_code,
                "founded_on": today - datetime.timedelta(days=age),
                "chair_name": "马建军" if met else "",
            },
            groups=list(WorkerGroup.objects.filter(name__in=groups)),
        )
        checked = today - datetime.timedelta(days=age - 60)
        for item in met:
            org_services.standard_set(
                actor=actor, union=union, item=item, met=True, checked_on=checked
            )


def _aged_unions(today: datetime.date) -> list[Organization]:
    days = int(getattr(settings, "RUHUI_EMPTY_SHELL_DAYS", 180))
    return list(
        Organization.objects.filter(
            kind__in=BASE_KINDS,
            is_active=True,
            founded_on__lt=today - datetime.timedelta(days=days),
        )
        .exclude(code__in=[c[0] for c in CANDIDATES])
        .order_by("path")
    )


def _first_members(actor, unions: list[Organization], today: datetime.date) -> int:
    """Members for the aged unions none of whose subtree holds one (in the full demo, some
    unions the enterprise survey founded): a few workers of its groups joined between its
    founding and today, through the registry's join service."""
    from ruhui.demo.members import Generator
    from ruhui.members.models import HELD_STATUSES, Member
    from ruhui.members.services import member_join

    if not Member.objects.exists():  # a demo seeded without members (its registry comes later)
        return 0
    people = Generator(seed=18, today=today)
    n = 0
    for i, union in enumerate(unions):
        if Member.objects.filter(
            union__path__startswith=union.path, status__in=HELD_STATUSES
        ).exists():
            continue
        groups = [g.code for g in union.groups.all() if g.code != "99"] or ["99"]
        for k in range(3 + i % 3):
            group = groups[k % len(groups)]
            day = people.day_between(union.founded_on, today)
            person = people.person(group, day, migrant=True)
            member_join(
                actor=actor,
                union=union,
                data={
                    "name": people.name(person.sex),
                    "id_number": person.id_number,
                    "phone": people.phone(),
                    "group": group,
                    "is_migrant_worker": True,
                },
                joined_on=day,
            )
            n += 1
    return n


def _recheck(actor, unions: list[Organization], today: datetime.date) -> int:
    """The 六有 items not yet met, met at a re-check within the last year."""
    met = set(
        StandardItem.objects.filter(
            union__in=unions, item__in=SIX_HAVE_CODES, met=True
        ).values_list("union_id", "item")
    )
    n = 0
    for i, union in enumerate(unions):
        checked = today - datetime.timedelta(days=30 + (i * 7) % 300)
        for item in SIX_HAVE_CODES:
            if (union.pk, item) in met:
                continue
            org_services.standard_set(
                actor=actor,
                union=union,
                item=item,
                met=True,
                checked_on=checked,
                note=RECHECK_NOTE,
            )
            n += 1
    return n


def _recent_service(actor, unions: list[Organization], today: datetime.date) -> int:
    """A 会员普惠性服务 for each aged union without a ledger entry in the last six months."""
    from ruhui.positions.ledger_services import activity_create

    since = months_before(today, QUIET_MONTHS)
    active = set(
        ServiceActivity.objects.filter(starts_on__gte=since, starts_on__lte=today).values_list(
            "union__path", flat=True
        )
    )
    n = 0
    for i, union in enumerate(unions):
        if any(path.startswith(union.path) for path in active):
            continue
        groups = [g.code for g in union.groups.all() if g.code != "99"] or ["99"]
        counts = {code: 6 + (i * 5 + k * 3) % 25 for k, code in enumerate(groups)}
        activity_create(
            actor=actor,
            data={
                "kind": ActivityKind.BENEFITS,
                "title": "会员普惠服务日：体检优惠和电影票",
                "union": union,
                "starts_on": today - datetime.timedelta(days=10 + (i * 11) % 150),
                "amount": f"{800 + (i * 137) % 2400}.00",
                "group_counts": counts,
                "workers_served": sum(counts.values()),
                "note": "向本会会员发放普惠服务卡，组织体检优惠。",
            },
        )
        n += 1
    return n


def _social_workers(actor, today: datetime.date) -> int:
    """The social workers assigned so far (unless the ledger's demo assigned one already)."""
    from ruhui.positions.ledger_registers import social_worker_create

    n = 0
    for code, name, phone, age in SOCIAL_WORKERS:
        union = Organization.objects.filter(code=code).first()
        if union is None or SocialWorker.objects.filter(union=union).exists():
            continue
        social_worker_create(
            actor=actor,
            data={
                "name": name,
                "phone": phone,
                "union": union,
                "starts_on": today - datetime.timedelta(days=age),
            },
        )
        n += 1
    return n
