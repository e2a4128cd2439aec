"""Small builders for the coverage tests: rows made with the ORM (the positions' and ledger's
services belong to the other parts), on top of tests/conftest.py's world."""

import datetime
from decimal import Decimal

from ruhui.orgs.choices import SIX_HAVE_CODES
from ruhui.orgs.models import StandardItem, WorkerGroup
from ruhui.positions.choices import ActivityKind, ConsultationLevel, PositionKind
from ruhui.positions.models import Consultation, ServiceActivity, ServicePosition


def groups(*codes):
    return list(WorkerGroup.objects.filter(code__in=codes))


def position(union, *, name="小哥驿站", division=None, serves=("02",), status="running"):
    made = ServicePosition.objects.create(
        kind=PositionKind.STATION,
        name=name,
        running_union=union,
        division_code=division or union.division_code,
        address="建设路 1 号",
        latitude=Decimal("33.300000"),
        longitude=Decimal("113.520000"),
        status=status,
    )
    made.groups.set(groups(*serves))
    return made


def activity(union, *, on, counts, amount="100.00", kind=ActivityKind.SUMMER, title="送清凉"):
    return ServiceActivity.objects.create(
        kind=kind,
        title=title,
        union=union,
        starts_on=on,
        amount=Decimal(amount) if amount else None,
        group_counts=counts,
        workers_served=sum(counts.values()),
    )


def consultation(union, *, on, covered, covers=("02",)):
    made = Consultation.objects.create(
        level=ConsultationLevel.INDUSTRY,
        industry="快递",
        union=union,
        employer_association="快递行业协会",
        topics=["wage"],
        held_on=on,
        agreed=True,
        workers_covered=covered,
    )
    made.groups.set(groups(*covers))
    return made


def meet(union, *codes, met=True):
    """Record 六有 items of a union (all six by default)."""
    for code in codes or SIX_HAVE_CODES:
        StandardItem.objects.update_or_create(
            union=union, item=code, defaults={"met": met, "checked_on": datetime.date(2019, 6, 1)}
        )
