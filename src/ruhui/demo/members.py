"""Synthetic demo members for the demo world (`make demo`): a few thousand people across the
demo unions, with histories, written through the member services so events and audit rows are
real. Every person is invented: names from Faker('zh_CN'), ID numbers built from real county
codes with a correct check character, phones in the mobile ranges. Deterministic for a seed
(given the same date), idempotent (nothing happens when members already exist).

The two demo drives' windows hold exactly the 农民工 the drives were designed with
(`ruhui.demo.campaigns.DRIVES`: per unit, some ahead of target, some behind, one at 0): those
members are placed first, spread over the window's months; every other 农民工 (the rest of the
registry, rejoiners) joins outside the windows, so the dashboards show the design, computed from
these records like any other figure. Others (not 农民工) join whenever: the drives don't count
them.
"""

from __future__ import annotations

import calendar
import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from faker import Faker

from ruhui.core import divisions, idnumber
from ruhui.members import codes, services
from ruhui.members.models import HELD_STATUSES, Member, MembershipEvent, Transfer
from ruhui.orgs.choices import ADMITTING_KINDS
from ruhui.orgs.models import Organization

if TYPE_CHECKING:
    from ruhui.demo.campaigns import Drive

ACTOR = "pds_admin"
SOURCE = codes.MemberSource.DEMO
CITY = "PDS"
#: 平顶山's counties and districts (ID numbers of locals) and migrant-source counties elsewhere
#: in 河南 (南阳、周口、驻马店、许昌、漯河、信阳、商丘).
LOCAL_PREFIX = "4104"
SOURCE_PREFECTURES = ("411300", "411600", "411700", "411000", "411100", "411500", "411400")

GROUP_CODE = {label: code for code, label in codes.EIGHT_GROUPS.items}
EIGHT = [code for code, _label in codes.EIGHT_GROUPS.items if code != "99"]
OTHER = "99"

#: Share of men per group; 99 is everybody else.
MALE_SHARE = {
    "01": 0.97,
    "02": 0.85,
    "03": 0.2,
    "04": 0.08,
    "05": 0.3,
    "06": 0.9,
    "07": 0.55,
    "08": 0.9,
    OTHER: 0.55,
}
#: 用工形式 per group: (code, weight).
FORMS = {
    "01": (("4", 5), ("1", 3), ("5", 2)),
    "02": (("1", 4), ("2", 3), ("5", 3)),
    "03": (("2", 4), ("1", 3), ("3", 2), ("4", 1)),
    "04": (("4", 5), ("3", 4), ("5", 1)),
    "05": (("2", 5), ("3", 3), ("1", 2)),
    "06": (("5", 7), ("4", 2), ("2", 1)),
    "07": (("1", 7), ("4", 3)),
    "08": (("2", 5), ("1", 5)),
    OTHER: (("1", 8), ("2", 1), ("3", 1)),
}
#: New forms of employment (新就业形态): platform and flexible work in these groups.
NEW_FORM_GROUPS = {"01", "02", "06"}
EDUCATION = {
    True: (
        ("81", 6),
        ("71", 42),
        ("61", 20),
        ("41", 6),
        ("47", 8),
        ("44", 4),
        ("31", 11),
        ("21", 3),
    ),
    False: (("71", 15), ("61", 18), ("41", 10), ("31", 27), ("21", 25), ("14", 2), ("90", 3)),
}
POLITICAL = (("13", 84), ("03", 9), ("01", 6), ("02", 1))
ETHNICITY = (("01", 980), ("03", 15), ("11", 3), ("02", 2))
#: Join years of everybody outside the drives' quotas (the drives' windows get theirs from
#: `ruhui.demo.campaigns.DRIVES`): the registry starts in 2015; the eight groups grow from 2018.
YEAR_WEIGHTS = {
    OTHER: {2015: 4, 2016: 2.5, 2017: 2.5, 2018: 2.5, 2019: 3, 2020: 1.5, 2021: 2, 2022: 1.5},
    "eight": {2015: 1.5, 2016: 1, 2017: 1.5, 2018: 3, 2019: 3.5, 2020: 2, 2021: 2.5, 2022: 2},
}
#: Tries to draw a 农民工's join date outside the drives' windows before giving up.
OUTSIDE_TRIES = 50
LATER_YEAR_WEIGHT = 1.5  # 2023 onwards
EMPLOYERS = {
    "01": ("平顶山{short}通达货运有限公司", "个体货运（{short}）", "河南鹰城物流有限公司"),
    "02": (
        "中通快递{short}网点",
        "圆通速递{short}分部",
        "韵达快递{short}营业部",
        "顺丰速运{short}营业点",
        "京东物流{short}站点",
        "极兔速递{short}网点",
    ),
    "03": ("平顶山市第一人民医院（劳务派遣）", "{short}康宁护理服务有限公司", "{short}颐养中心"),
    "04": ("{short}好帮手家政服务有限公司", "{short}巧媳妇家政服务部", "个体家政服务"),
    "05": ("{short}丹尼斯百货", "{short}万达广场商户", "{short}胖东来商贸"),
    "06": ("美团外卖{short}配送站", "饿了么{short}配送站", "众包骑手（{short}）"),
    "07": ("{short}链家房产经纪有限公司", "{short}安居房产中介服务部"),
    "08": (
        "平顶山市保安服务有限公司",
        "{short}安居物业服务有限公司",
        "{short}卫士保安服务有限公司",
    ),
}


@dataclass
class Person:
    id_number: str
    born: datetime.date
    sex: str
    region: str
    migrant: bool


@dataclass
class Plan:
    """Counts of the history to write; scaled to the number of members."""

    withdrawn: int
    retained: int
    expelled: int
    transfers_accepted: int
    transfers_pending: int
    transfers_rejected: int
    transfers_open: int  # accepted by certificate at a union the certificate did not name
    rejoiners: int

    @classmethod
    def for_count(cls, count: int) -> Plan:
        return cls(
            withdrawn=max(3, round(count * 0.03)),
            retained=max(2, round(count * 0.01)),
            expelled=1 if count < 1000 else 2,
            transfers_accepted=max(3, round(count * 0.01)),
            transfers_pending=max(2, round(count * 0.002)),
            transfers_rejected=1 if count < 1000 else 2,
            transfers_open=1 if count < 1000 else 3,
            rejoiners=max(2, round(count * 0.002)),
        )


@dataclass
class Generator:
    """Deterministic fake people and dates for one seed."""

    seed: int
    today: datetime.date
    #: (first, last day) of the drives' windows: 农民工 outside the quotas join outside them.
    windows: tuple[tuple[datetime.date, datetime.date], ...] = ()
    rng: random.Random = field(init=False)
    fake: Faker = field(init=False)
    used_numbers: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311  (fake data, not secrets)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(self.seed)
        self.local = [d.code for d in divisions.children(LOCAL_PREFIX + "00") if _is_real(d.code)]
        self.elsewhere = [
            d.code for p in SOURCE_PREFECTURES for d in divisions.children(p) if _is_real(d.code)
        ]

    def pick(self, weighted):
        items, weights = zip(*weighted, strict=True)
        return self.rng.choices(items, weights=weights)[0]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def day_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        if end <= start:
            return start
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def join_date(
        self, group: str, founded: datetime.date | None, *, outside: bool = False
    ) -> datetime.date:
        """A join date by YEAR_WEIGHTS, not before the union was founded; with `outside`, not
        in a drive's window either (as far as the union's dates allow)."""
        first = max(datetime.date(2015, 1, 1), founded or datetime.date(2015, 1, 1))
        weights = YEAR_WEIGHTS["eight" if group != OTHER else OTHER]
        years = list(range(first.year, self.today.year + 1))
        year_weights = [weights.get(y, LATER_YEAR_WEIGHT) for y in years]
        for _ in range(OUTSIDE_TRIES if outside else 1):
            chosen = self.rng.choices(years, weights=year_weights)[0]
            start = max(first, datetime.date(chosen, 1, 1))
            day = self.day_between(start, min(datetime.date(chosen, 12, 31), self.today))
            if not self.in_window(day):
                break
        return day

    def in_window(self, day: datetime.date) -> bool:
        return any(first <= day <= last for first, last in self.windows)

    def drive_day(self, drive: Drive, first: datetime.date) -> datetime.date | None:
        """A day of a drive's window from `first` on, its month drawn by the drive's weights."""
        first = max(first, drive.starts_on)
        last = min(drive.ends_on, self.today)
        if first > last:
            return None
        months = []
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        year, month = self.rng.choices(
            months, weights=[drive.months.get(m, 1) for _y, m in months]
        )[0]
        end = datetime.date(year, month, calendar.monthrange(year, month)[1])
        return self.day_between(max(first, datetime.date(year, month, 1)), min(end, last))

    def person(self, group: str, joined: datetime.date, migrant: bool) -> Person:
        """Someone aged 18–60 today and at least 18 when joining, with a valid ID number."""
        sex = "1" if self.chance(MALE_SHARE[group]) else "2"
        oldest = _years_before(self.today, 60) + datetime.timedelta(days=1)
        youngest = min(_years_before(self.today, 18), _years_before(joined, 18))
        mode = _years_before(self.today, 36)
        while True:
            offset = self.rng.triangular(0, (youngest - oldest).days, (mode - oldest).days)
            born = oldest + datetime.timedelta(days=int(offset))
            if migrant:
                region = self.rng.choice(self.elsewhere if self.chance(0.45) else self.local)
            else:
                region = (
                    self.rng.choice(self.local)
                    if self.chance(0.9)
                    else self.rng.choice(self.elsewhere)
                )
            seq = self.rng.randrange(0, 500) * 2 + (1 if sex == "1" else 0)
            first17 = f"{region}{born:%Y%m%d}{seq:03d}"
            number = first17 + idnumber.checksum_char(first17)
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                return Person(number, born, sex, region, migrant)

    def name(self, sex: str) -> str:
        first = self.fake.first_name_male() if sex == "1" else self.fake.first_name_female()
        return self.fake.last_name() + first

    def phone(self) -> str:
        return f"1{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}"


def _is_real(code: str) -> bool:
    """County-level codes that appear on ID cards (not functional zones like 410471)."""
    return not code[4:].startswith("7")


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _union_weight(union: Organization) -> float:
    weight = {
        "trade": 5,
        "joint": 3,
        "enterprise": 4,
        "regional": 3,
        "township": 2,
        "community": 2,
        "branch": 1.5,
        "group": 1,
    }.get(union.kind, 1)
    return weight * (1.6 if union.division_code == "410400" else 1)


def _group_for(gen: Generator, union_groups: list[str]) -> str:
    if union_groups and gen.chance(0.85):
        return gen.rng.choice(union_groups)
    return gen.rng.choice(EIGHT) if gen.chance(0.15) else OTHER


def _employer(gen: Generator, union: Organization, group: str, short: str) -> str:
    if union.kind == "enterprise":
        return union.name.removesuffix("工会")
    if group in EMPLOYERS:
        return gen.rng.choice(EMPLOYERS[group]).format(short=short)
    return gen.fake.company()


def _member_data(
    gen: Generator,
    union: Organization,
    group: str,
    short: str,
    joined: datetime.date | None = None,
) -> dict:
    """A member's fields; `joined` given: a drive's 农民工, joining that day."""
    if joined is None:
        migrant = gen.chance(0.74 if group != OTHER else 0.58)
        joined = gen.join_date(group, union.founded_on, outside=migrant)
    else:
        migrant = True
    person = gen.person(group, joined, migrant)
    form = gen.pick(FORMS[group])
    data = {
        "name": gen.name(person.sex),
        "id_number": person.id_number,
        "phone": gen.phone(),
        "ethnicity": gen.pick(ETHNICITY),
        "political_status": gen.pick(POLITICAL),
        "education": gen.pick(EDUCATION[migrant]),
        "household_type": gen.pick((("2", 9), ("4", 1)) if migrant else (("1", 8), ("3", 2))),
        "household_division": person.region,
        "employment_status": "1",
        "employment_form": form,
        "employer_name": _employer(gen, union, group, short),
        "is_migrant_worker": migrant,
        "group": group,
        "new_employment_form": group in NEW_FORM_GROUPS and form in ("4", "5"),
        "joined_on": joined,
        "collection_method": gen.pick((("1", 4), ("2", 6))),
        "verification_status": gen.pick((("1", 6), ("0", 4))),
    }
    if gen.chance(0.2):
        data["technical_grade"] = gen.pick((("5", 5), ("4", 3), ("3", 2)))
    if gen.chance(0.55):
        data["provincial_status"] = "1"
        data["provincial_entered_on"] = gen.day_between(
            joined, min(joined + datetime.timedelta(days=90), gen.today)
        )
    if gen.chance(0.85):  # dues paid recently; the rest become 6-month lapse candidates
        recent = max(joined, gen.today - datetime.timedelta(days=150))
        data["last_dues_paid_on"] = gen.day_between(recent, gen.today)
    return data


def _top_unit(union: Organization) -> str:
    """The code of the unit directly under the city a demo union belongs to (WG-KD → WG)."""
    return union.code.split("-")[0]


def drive_scale(count: int, unions: int) -> float:
    """How much of the drives' design a registry of `count` members holds: all of it at the
    default demo size, proportionally less below it, and never more than half of what is left
    once every union has its first member."""
    from ruhui.demo.campaigns import DESIGN_MEMBERS, DRIVES

    designed = sum(sum(drive.joined.values()) for drive in DRIVES)
    room = max(0, count - unions) / 2
    return min(1.0, count / DESIGN_MEMBERS, room / designed if designed else 0.0)


def _drive_joins(
    gen: Generator, unions: list[Organization], groups: dict[int, list[str]], scale: float
) -> list[tuple[Organization, datetime.date]]:
    """The drives' 农民工: for every drive and unit, its designed number (× scale), each on a day
    of the window (by the drive's month weights) at a union of the unit open that day (the
    2019 drive's joins leaning to the eight groups' unions)."""
    from ruhui.demo.campaigns import DRIVES

    by_unit: dict[str, list[Organization]] = defaultdict(list)
    for union in unions:
        by_unit[_top_unit(union)].append(union)
    joins = []
    for drive in DRIVES:
        for code, designed in drive.joined.items():
            pool = by_unit.get(code, [])
            if not pool:
                continue
            first = min(u.founded_on or drive.starts_on for u in pool)
            for _ in range(round(designed * scale)):
                day = gen.drive_day(drive, first)
                if day is None:
                    break
                open_then = [u for u in pool if u.founded_on is None or u.founded_on <= day]
                weights = [
                    _union_weight(u) * (2 if drive.favour_groups and groups[u.pk] else 1)
                    for u in open_then
                ]
                joins.append((gen.rng.choices(open_then, weights=weights)[0], day))
    return joins


def _county_of(union: Organization) -> str | None:
    """The demo county a union belongs to (WG-KD → WG); None for the city-level units."""
    from ruhui.demo.world import SHORT

    prefix = union.code.split("-")[0]
    return prefix if prefix in SHORT else None


def _short(union: Organization) -> str:
    from ruhui.demo.world import SHORT

    return SHORT.get(union.code.split("-")[0], "平顶山")


def seed_demo_members(count: int = 3000, seed: int = 2019) -> dict:
    """Create `count` demo members with histories, through the services. Idempotent: when any
    member exists, nothing is written. Returns counts of what exists afterwards."""
    from ruhui.accounts.models import User

    if Member.objects.exists():
        return _summary(created=0)
    actor = User.objects.select_related("organization").get(username=ACTOR)
    city = Organization.objects.get(code=CITY)
    unions = list(
        Organization.objects.filter(
            path__startswith=city.path, kind__in=ADMITTING_KINDS, is_active=True
        )
        .prefetch_related("groups")
        .order_by("path")
    )
    if not unions or count <= 0:
        return _summary(created=0)
    from ruhui.demo.campaigns import DRIVES

    gen = Generator(
        seed=seed,
        today=timezone.localdate(),
        windows=tuple((drive.starts_on, drive.ends_on) for drive in DRIVES),
    )
    groups = {
        u.pk: [GROUP_CODE[g.name] for g in u.groups.all() if g.name in GROUP_CODE] for u in unions
    }

    # Every union gets one member first (its first tagged group, so all eight groups appear):
    # these anchors keep their membership, so every union still has members after the history.
    # Then the drives' 农民工, on their days; the rest are spread by weight.
    order = list(unions)
    gen.rng.shuffle(order)
    targets: list[tuple[Organization, datetime.date | None]] = [(u, None) for u in order[:count]]
    targets += _drive_joins(gen, unions, groups, drive_scale(count, len(unions)))
    targets += [
        (union, None)
        for union in gen.rng.choices(
            unions, weights=[_union_weight(u) for u in unions], k=max(0, count - len(targets))
        )
    ]
    with transaction.atomic():
        members: list[Member] = []
        numbers: dict[int, str] = {}
        for n, (union, joined) in enumerate(targets):
            tags = groups[union.pk]
            group = tags[0] if n < len(unions) and tags else _group_for(gen, tags)
            data = _member_data(gen, union, group, _short(union), joined)
            member = services.member_join(actor=actor, union=union, data=data, source=SOURCE)
            members.append(member)
            numbers[member.pk] = data["id_number"]
        anchors = {m.pk for m in members[: len(unions)]}
        history = [m for m in members if m.pk not in anchors]
        _write_history(gen, actor, history, numbers, unions, Plan.for_count(count))
    return _summary(created=Member.objects.count())


def _summary(*, created: int) -> dict:
    """What exists now: memberships (all and held), events and transfers, and how many were
    created by this call."""
    held = Member.objects.filter(status__in=HELD_STATUSES).count()
    return {
        "created": created,
        "members": Member.objects.count(),
        "held": held,
        "events": MembershipEvent.objects.count(),
        "transfers": Transfer.objects.count(),
    }


def _after(gen: Generator, day: datetime.date, *, min_days: int = 30) -> datetime.date | None:
    start = day + datetime.timedelta(days=min_days)
    return gen.day_between(start, gen.today) if start <= gen.today else None


def _write_history(
    gen: Generator,
    actor,
    members: list[Member],
    numbers: dict[int, str],
    unions: list[Organization],
    plan: Plan,
) -> None:
    """Withdrawals, retentions, an expulsion, transfers between counties and rejoiners."""
    pool = [m for m in members if m.joined_on <= gen.today - datetime.timedelta(days=120)]
    gen.rng.shuffle(pool)
    counties = {u.pk: _county_of(u) for u in unions}
    by_county: dict[str, list[Organization]] = {}
    for union in unions:
        if counties[union.pk]:
            by_county.setdefault(counties[union.pk], []).append(union)
    county_codes = list(by_county)

    def take(n: int, where=lambda m: True) -> list[Member]:
        chosen = []
        for member in list(pool):
            if len(chosen) == n:
                break
            if where(member):
                chosen.append(member)
                pool.remove(member)
        return chosen

    withdrawn = []
    for member in take(plan.withdrawn):
        # At least 45 days ago, so some of them can have rejoined since.
        earliest = member.joined_on + datetime.timedelta(days=30)
        on = gen.day_between(earliest, max(earliest, gen.today - datetime.timedelta(days=45)))
        reason = gen.pick((("5", 6), ("1", 2), ("4", 1), ("3", 1)))
        withdrawn.append(services.member_withdraw(actor=actor, member=member, reason=reason, on=on))
    for member in take(plan.retained):
        reason = gen.pick((("3", 5), ("2", 3), ("4", 2)))
        services.member_retain(
            actor=actor, member=member, reason=reason, on=_after(gen, member.joined_on)
        )
    for member in take(plan.expelled):
        services.member_expel(
            actor=actor, member=member, reason="6", on=_after(gen, member.joined_on, min_days=60)
        )

    def in_county(member: Member) -> bool:
        return counties.get(member.union_id) is not None

    def other_county_union(member: Member) -> Organization | None:
        home = counties[member.union_id]
        choices = [c for c in county_codes if c != home]
        if not choices:
            return None
        target_county = by_county[gen.rng.choice(choices)]
        same_kind = [u for u in target_county if u.kind == member.union.kind]
        return gen.rng.choice(same_kind or target_county)

    def issue(member: Member, to_union: Organization | None, *, recent: bool = False):
        if recent:
            on = gen.day_between(
                max(member.joined_on, gen.today - datetime.timedelta(days=60)), gen.today
            )
        else:
            on = _after(gen, member.joined_on, min_days=90)
        employer = to_union.name.removesuffix("工会") if to_union else "新单位未建工会"
        return services.transfer_issue(
            actor=actor, member=member, to_union=to_union, reason="1", new_employer=employer, on=on
        )

    for member in take(plan.transfers_accepted, in_county):
        target = other_county_union(member)
        if target is None:
            continue
        transfer = issue(member, target)
        accepted_on = gen.day_between(
            transfer.issued_on, min(transfer.issued_on + datetime.timedelta(days=30), gen.today)
        )
        services.transfer_accept(actor=actor, code=transfer.code, union=target, on=accepted_on)
    for member in take(plan.transfers_open, in_county):
        # A certificate without a named union, accepted where the member now lives.
        target = other_county_union(member)
        if target is None:
            continue
        townships = [u for u in by_county[counties[target.pk]] if u.kind == "township"]
        target = townships[0] if townships else target
        transfer = issue(member, None)
        services.transfer_accept(
            actor=actor,
            code=transfer.code,
            union=target,
            on=_after(gen, transfer.issued_on, min_days=1) or transfer.issued_on,
        )
    for member in take(plan.transfers_pending, in_county):
        target = other_county_union(member)
        if target is not None:
            issue(member, target, recent=True)
    for member in take(plan.transfers_rejected, in_county):
        target = other_county_union(member)
        if target is None:
            continue
        transfer = issue(member, target, recent=True)
        services.transfer_reject(
            actor=actor,
            transfer=transfer,
            reason="经核实，该职工未在本单位就业，请核对新工作单位。",
        )

    # Rejoiners: people who left and joined again later (a new membership, a new number).
    rejoined = 0
    for member in withdrawn:
        if rejoined == plan.rejoiners:
            break
        left_on = member.events.order_by("-id").first().effective_on
        joined_on = _after(gen, left_on, min_days=30)
        if joined_on is None or (member.is_migrant_worker and gen.in_window(joined_on)):
            continue  # a 农民工 joining again inside a drive's window would change its figures
        open_then = [u for u in unions if u.founded_on is None or u.founded_on <= joined_on]
        union = gen.rng.choice(open_then or unions)
        data = {
            "name": member.name,
            "id_number": numbers[member.pk],
            "phone": gen.phone(),
            "is_migrant_worker": member.is_migrant_worker,
            "group": member.group,
            "education": member.education,
            "political_status": member.political_status,
            "household_type": member.household_type,
            "household_division": member.household_division,
            "employment_form": member.employment_form,
            "employer_name": _employer(gen, union, member.group, _short(union)),
            "joined_on": joined_on,
            "collection_method": "1",
        }
        services.member_join(actor=actor, union=union, data=data, source=SOURCE)
        rejoined += 1
