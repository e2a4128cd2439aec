"""Demo enterprise survey (`make demo`): a few hundred invented enterprises across the demo
counties and industry unions, a park directory, two to four 五清 surveys each over 2024–2026 and
the union-building that followed — written through the services, so audit rows, headcount
history and the organization tree are real.

Patterns a cadre should find on the pages: enterprises that already have one of the demo unions
(linked by 「建会」 to it, so the registry's members count for them); delivery stations and express
outlets covered by the counties' joint and trade unions; enterprises that built a union during
the drive (新建工会 in the tree); un-unionised ones of 25 or more workers (alerts); sharp
headcount changes; surveys overdue; next actions past their due date. Deterministic for a seed
(given the same date), idempotent (nothing happens when enterprises exist).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from faker import Faker

from ruhui.enterprises import services
from ruhui.enterprises.choices import HeadcountSource
from ruhui.enterprises.codes import ALPHABET, check_digit
from ruhui.enterprises.models import Enterprise, Park, Survey
from ruhui.orgs.models import Organization

SEED = 2024
DEMO_ENTERPRISES = 360
TEST_DEMO_ENTERPRISES = 60
FIRST_SURVEY = datetime.date(2024, 3, 1)

#: County code → (townships, parks [(name, kind)]); the first park gets the county's
#: township union as its 园区工会.
PLACES = {
    "WG": (
        ("垭口街道", "寺坡街道", "院岭街道", "八台镇", "尚店镇"),
        (("舞钢市产业集聚区", "cluster"),),
    ),
    "BF": (
        ("城关镇", "周庄镇", "杨庄镇", "大营镇"),
        (("宝丰县产业集聚区", "cluster"), ("宝丰县商贸物流园区", "logistics")),
    ),
    "YX": (("昆阳街道", "九龙街道", "廉村镇", "任店镇"), (("叶县产业集聚区", "cluster"),)),
    "LS": (("鲁阳街道", "琴台街道", "张良镇", "梁洼镇"), (("鲁山县产业集聚区", "cluster"),)),
    "JX": (("龙山街道", "东城街道", "堂街镇", "薛店镇"), (("郏县产业集聚区", "cluster"),)),
    "WD": (
        ("东环路街道", "建设路街道", "东高皇街道", "蒲城街道"),
        (("平顶山市化工产业集聚区", "cluster"),),
    ),
    "ZH": (
        ("南环路街道", "马庄街道", "轻工路街道", "曹镇乡"),
        (("平顶山市湛河物流园区", "logistics"),),
    ),
    "XH": (("矿工路街道", "中兴路街道", "西市场街道", "焦店镇"), ()),
    "SL": (("高庄街道", "龙兴街道", "人民路街道"), (("石龙区工业园区", "industrial"),)),
    "XC": (("滍阳镇", "湖滨街道"), (("平顶山市新城区商务中心区", "commerce"),)),
    "GX": (
        ("遵化店镇", "皇台街道"),
        (("平顶山高新技术产业开发区", "hightech"), ("平顶山高新区电商物流园", "logistics")),
    ),
}
#: Districts of the city centre, where the city-level industry unions' enterprises sit.
CENTRE = ("XH", "WD", "ZH", "SL")
BRANDS = [
    "鑫源",
    "华通",
    "宏达",
    "金鹰",
    "恒信",
    "安泰",
    "瑞丰",
    "中原",
    "鹰城",
    "永盛",
    "德顺",
    "盛世",
    "嘉禾",
    "兴业",
    "长青",
    "天成",
    "博远",
    "汇丰",
    "康达",
    "福临",
    "和泰",
    "润泽",
    "新锐",
    "众诚",
    "佳美",
    "同心",
    "宏图",
    "泰和",
    "顺发",
    "丰源",
    "绿洲",
    "锦程",
]


@dataclass(frozen=True)
class Kind:
    """A kind of enterprise: name pattern, industry, groups, flags, unit, size range."""

    name: str
    industry: str
    groups: tuple[str, ...]
    size: tuple[int, int]
    weight: float
    unit: str = ""  # a city-level industry union that shares responsibility, if any
    flags: tuple[str, ...] = ()
    prefix: str = "91"
    in_park: float = 0.0


KINDS = (
    Kind("{short}{brand}物流有限公司", "G", ("01",), (12, 120), 8, "GJ", in_park=0.5),
    Kind("{short}{brand}货运车队", "G", ("01",), (8, 60), 4, "GJ", ("is_affiliated_operator",)),
    Kind("{express}{short}{brand}网点", "G", ("02",), (6, 45), 8, "GJ"),
    Kind(
        "{short}{brand}配送服务有限公司",
        "H",
        ("06",),
        (15, 90),
        4,
        "GJ",
        ("is_third_party_delivery",),
    ),
    Kind(
        "{platform}{short}{brand}配送站", "H", ("06",), (10, 70), 5, "GJ", ("is_delivery_station",)
    ),
    Kind("{short}{brand}护理服务有限公司", "Q", ("03",), (8, 60), 4, "KJWWT"),
    Kind(
        "{short}{brand}颐养院",
        "Q",
        ("03",),
        (10, 80),
        3,
        "KJWWT",
        ("is_private_non_enterprise",),
        "52",
    ),
    Kind("{short}{brand}家政服务有限公司", "O", ("04",), (5, 50), 5, "CM"),
    Kind("{short}{brand}购物广场", "F", ("05",), (30, 260), 4, "CM"),
    Kind("{short}{brand}房地产经纪有限公司", "K", ("07",), (5, 45), 4, "JS"),
    Kind("{short}{brand}保安服务有限公司", "L", ("08",), (20, 220), 3, "SZ"),
    Kind(
        "{short}{brand}物业服务有限公司",
        "K",
        ("08", "04"),
        (12, 160),
        5,
        "",
        ("is_property_company",),
    ),
    Kind("{brand}建设集团{short}项目部", "E", (), (20, 600), 3, "JS", ("is_construction_project",)),
    Kind("{short}{brand}种植专业合作社", "A", (), (5, 40), 3, "", ("is_agricultural_coop",), "93"),
    Kind("{short}{brand}机械制造有限公司", "C", (), (25, 480), 6, "", in_park=0.8),
    Kind("{short}{brand}纺织有限公司", "C", (), (30, 300), 3, "QF", in_park=0.7),
)
EXPRESS = ("中通快递", "圆通速递", "申通快递", "韵达快递", "顺丰速运", "极兔速递", "京东物流")
PLATFORMS = ("美团外卖", "饿了么")
#: Demo unions that already cover an enterprise: union code → (enterprise name, kind index).
KNOWN = {
    "PMSM-WL": ("平煤神马集团物流有限公司", 0),
    "QF-FZ": ("平顶山市纺织有限公司", 15),
    "KJWWT-KY": ("平顶山市康养中心", 6),
    "SZ-BA": ("平顶山市保安服务有限公司", 10),
}
REASONS_BY_GROUP = {
    "01": (("03", 4), ("02", 3), ("01", 2), ("04", 1)),
    "02": (("02", 5), ("03", 3), ("05", 2)),
    "06": (("03", 5), ("02", 4), ("06", 1)),
    "": (("01", 4), ("05", 3), ("04", 2), ("07", 1), ("06", 1), ("08", 1)),
}
#: 企业规模小、职工人数少 is a reason only below the 25-worker line that makes building a union
#: of its own expected (the alerts); a larger enterprise gives one of its group's other reasons.
SMALL_FIRM_REASON = "01"
SMALL_FIRM_BELOW = 25
ATTITUDE_BY_REASON = {"04": (("4", 3), ("3", 1)), "05": (("3", 3), ("2", 2)), "09": (("1", 1),)}
SURVEYORS = {"WG": "wg_admin", "BF": "bf_admin", "GJ": "gj_admin"}


class Demo:
    def __init__(self, seed: int, today: datetime.date) -> None:
        self.rng = random.Random(seed)  # noqa: S311  (fake data, not secrets)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.today = today
        self.names: set[str] = set()

    def pick(self, weighted):
        items, weights = zip(*weighted, strict=True)
        return self.rng.choices(items, weights=weights)[0]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def day(self, start: datetime.date, end: datetime.date) -> datetime.date:
        if end <= start:
            return start
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def uscc(self, prefix: str, division: str) -> str:
        body = prefix + division + "MA" + "".join(self.rng.choice(ALPHABET) for _ in range(7))
        return body + check_digit(body)

    def name(self, kind: Kind, short: str) -> str:
        for _ in range(50):
            name = kind.name.format(
                short=short,
                brand=self.rng.choice(BRANDS),
                express=self.rng.choice(EXPRESS),
                platform=self.rng.choice(PLATFORMS),
            )
            if name not in self.names:
                self.names.add(name)
                return name
        name = f"{name}{len(self.names)}"
        self.names.add(name)
        return name


def demo_enterprise_count() -> int:
    return TEST_DEMO_ENTERPRISES if settings.TESTING else DEMO_ENTERPRISES


def seed_demo_enterprises(count: int | None = None, seed: int = SEED) -> dict:
    """Create the demo parks and `count` enterprises with survey histories, through the
    services. Idempotent: when any enterprise exists, nothing is written."""
    from ruhui.accounts.models import User
    from ruhui.demo.world import SHORT

    count = demo_enterprise_count() if count is None else count
    if Enterprise.objects.exists() or count <= 0:
        return _summary(created=0)
    users = {u.username: u for u in User.objects.select_related("organization")}
    actor = users["pds_admin"]
    units = {
        o.code: o
        for o in Organization.objects.filter(
            code__in=[*SHORT, *KNOWN, "PMSM", "GJ", "JS", "CM", "KJWWT", "SZ", "QF"]
        )
    }
    units |= {
        o.code: o
        for o in Organization.objects.filter(code__regex=r"^[A-Z]+-(T1|KD|WS)$", is_active=True)
    }
    demo = Demo(seed, timezone.localdate())
    with transaction.atomic():
        parks = _parks(demo, actor, units)
        plan = _plan(demo, count, units, SHORT)
        for n, item in enumerate(plan):
            _enterprise(demo, n, item, users, actor, units, parks)
    return _summary(created=Enterprise.objects.count())


def _summary(*, created: int) -> dict:
    return {
        "created": created,
        "enterprises": Enterprise.objects.count(),
        "unionised": Enterprise.objects.filter(union_status="built").count(),
        "surveys": Survey.objects.count(),
        "parks": Park.objects.count(),
    }


def _parks(demo: Demo, actor, units) -> dict[str, list[Park]]:
    parks: dict[str, list[Park]] = {}
    for code, (_townships, listed) in PLACES.items():
        county = units.get(code)
        if county is None:
            continue
        for i, (name, kind) in enumerate(listed):
            union = units.get(f"{code}-T1") if i == 0 and demo.chance(0.6) else None
            park = services.park_create(
                actor=actor,
                responsible_unit=county,
                union=union,
                data={"name": name, "kind": kind, "division_code": county.division_code},
            )
            parks.setdefault(code, []).append(park)
    return parks


def _plan(demo: Demo, count: int, units, short_names) -> list[dict]:
    """What to create: the enterprises of the known unions first, then a weighted mix."""
    plan = []
    for union_code, (name, kind_index) in KNOWN.items():
        if union_code in units:
            place = demo.rng.choice(CENTRE)
            plan.append(
                {
                    "kind": KINDS[kind_index],
                    "name": name,
                    "county": place,
                    "unit": union_code.split("-")[0],
                    "union": union_code,
                }
            )
    counties = [c for c in PLACES if c in units]
    for county in counties:  # one delivery station and one express outlet per county, covered
        for kind_index, union_suffix in ((4, "WS"), (2, "KD")):
            kind = KINDS[kind_index]
            brand_name = (
                f"{demo.rng.choice(PLATFORMS)}{short_names[county]}配送站"
                if kind_index == 4
                else f"{demo.rng.choice(EXPRESS)}{short_names[county]}网点"
            )
            if brand_name in demo.names:
                continue
            demo.names.add(brand_name)
            plan.append(
                {
                    "kind": kind,
                    "name": brand_name,
                    "county": county,
                    "unit": county,
                    "union": f"{county}-{union_suffix}",
                }
            )
    weights = [k.weight for k in KINDS]
    while len(plan) < count:
        kind = demo.rng.choices(KINDS, weights=weights)[0]
        city_unit = kind.unit and kind.unit in units and demo.chance(0.3)
        county = demo.rng.choice(CENTRE if city_unit else counties)
        unit = kind.unit if city_unit else county
        plan.append(
            {
                "kind": kind,
                "name": demo.name(kind, short_names[county]),
                "county": county,
                "unit": unit,
                "union": "",
            }
        )
    return plan[:count]


def _enterprise(demo: Demo, n: int, item: dict, users, actor, units, parks) -> None:
    kind: Kind = item["kind"]
    county = units[item["county"]]
    unit = units[item["unit"]]
    townships, _listed = PLACES[item["county"]]
    surveyor = users.get(SURVEYORS.get(item["unit"], ""), actor)
    park = None
    county_parks = parks.get(item["county"], [])
    if county_parks and demo.chance(kind.in_park):
        park = demo.rng.choice(county_parks)
    data = {
        "name": item["name"],
        "division_code": county.division_code,
        "township": demo.rng.choice(townships) if demo.chance(0.95) else "",
        "address": f"{demo.fake.street_name()}{demo.rng.randint(1, 299)}号",
        "industry": kind.industry,
        "groups": list(kind.groups),
        "is_non_public": kind.prefix != "52" and not item["union"].startswith("PMSM"),
        "is_platform_company": False,
    }
    for flag in kind.flags:
        data[flag] = True
    if "is_construction_project" in kind.flags:
        data["project_scale"] = "large" if demo.chance(0.5) else "small"
    if demo.chance(0.75) and "is_construction_project" not in kind.flags:
        data["uscc"] = demo.uscc(kind.prefix, county.division_code)
    elif demo.chance(0.4):
        data["legacy_registration_number"] = (
            county.division_code + f"{demo.rng.randrange(10**9):09d}"
        )
    enterprise = services.enterprise_create(
        actor=actor, responsible_unit=unit, data=data, park=park
    )
    _history(demo, n, enterprise, kind, item, surveyor, units)


def _history(
    demo: Demo, n: int, enterprise: Enterprise, kind: Kind, item: dict, surveyor, units
) -> None:
    """Two to four surveys (a few enterprises none), with the headcount moving between them and
    the union status moving towards a union; some get built, linked or left overdue."""
    today = demo.today
    known_union = units.get(item["union"]) if item["union"] else None
    if known_union is None and demo.chance(0.07):
        return  # listed, never surveyed yet: overdue from the start
    surveys = demo.rng.choice((2, 2, 3, 3, 3, 4))
    # Most were surveyed again lately; some last saw a surveyor long ago (overdue now).
    stale = demo.chance(0.2)
    last = (
        demo.day(FIRST_SURVEY + datetime.timedelta(days=200), today - datetime.timedelta(days=200))
        if stale
        else demo.day(today - datetime.timedelta(days=170), today)
    )
    dates = [last]
    for _ in range(surveys - 1):
        earlier = dates[0] - datetime.timedelta(days=demo.rng.randint(60, 240))
        if earlier < FIRST_SURVEY:
            break
        dates.insert(0, earlier)
    low, high = kind.size
    size = round(demo.rng.triangular(low, high, low))  # most are small
    crossing = not known_union and demo.chance(0.12)
    if crossing:  # grows past the 25-worker threshold during the drive
        size = demo.rng.randint(16, 23)
    builds = not known_union and demo.chance(0.16) and len(dates) >= 2
    build_at = demo.rng.randrange(1, len(dates)) if builds else None
    status = "none"
    group = kind.groups[0] if kind.groups and kind.groups[0] in REASONS_BY_GROUP else ""
    for i, on in enumerate(dates):
        last = i == len(dates) - 1
        if crossing and last:
            size = demo.rng.randint(25, 38)
        elif last and demo.chance(0.1):
            size = max(1, round(size * demo.rng.choice((0.55, 0.6, 1.5, 1.7))))  # sharp change
        elif i:
            size = max(1, round(size * demo.rng.uniform(0.9, 1.12)))
        migrant = round(size * demo.rng.uniform(0.4, 0.9))
        if known_union is not None:
            status = "built"
        elif build_at is not None and i == build_at - 1:
            status = "preparing"
        elif build_at is not None and i >= build_at:
            status = "built"
        fields = {
            "surveyed_on": on,
            "union_status": status,
            "employees_total": size,
            "migrant_workers": migrant,
            "surveyor_name": demo.fake.name(),
        }
        if kind.groups and demo.chance(0.7):
            shares = [demo.rng.uniform(0.3, 0.9) for _ in kind.groups]
            fields["group_counts"] = {
                g: int(size * s / len(kind.groups))
                for g, s in zip(kind.groups, shares, strict=True)
            }
        if status != "built":
            reason = "09" if status == "preparing" else _reason(demo, group, size)
            fields["reason"] = reason
            if demo.chance(0.9):
                fields["legal_rep_attitude"] = demo.pick(
                    ATTITUDE_BY_REASON.get(reason, (("2", 3), ("3", 3), ("1", 2), ("4", 1)))
                )
                if fields["legal_rep_attitude"] == "4":
                    fields["attitude_notes"] = "法人认为建会增加负担，需进一步做工作。"
            if demo.chance(0.85):
                action = {"preparing": "03"}.get(status) or demo.pick(
                    (("01", 4), ("02", 3), ("05", 2), ("06", 1))
                )
                fields["next_action"] = action
                fields["next_action_due"] = on + datetime.timedelta(
                    days=demo.rng.choice((30, 45, 60, 90))
                )
                fields["next_action_owner_name"] = demo.fake.name()
        if (
            status == "built"
            and known_union is None
            and enterprise.union_id is None
            and i == build_at
        ):
            _build(demo, enterprise, on, surveyor, units, item)
        services.survey_record(actor=surveyor, enterprise=enterprise, data=fields)
        if i and demo.chance(0.15):
            between = demo.day(dates[i - 1], on)
            if between not in (dates[i - 1], on):
                services.headcount_record(
                    actor=surveyor,
                    enterprise=enterprise,
                    on=between,
                    employees_total=max(1, round(size * demo.rng.uniform(0.85, 1.05))),
                    source=HeadcountSource.IMPORT,
                )
        if known_union is not None and i == 0:
            # An existing demo union: linked from its founding date (or the first survey).
            services.union_build(
                actor=_city(),
                enterprise=enterprise,
                union=known_union,
                on=known_union.founded_on or on,
            )
        enterprise.refresh_from_db()


def _reason(demo: Demo, group: str, size: int) -> str:
    """未建会原因 as a surveyor would record it for an enterprise of `size` workers."""
    weighted = REASONS_BY_GROUP[group]
    if size >= SMALL_FIRM_BELOW:
        weighted = tuple((code, w) for code, w in weighted if code != SMALL_FIRM_REASON)
    return demo.pick(weighted)


def _city():
    from ruhui.accounts.models import User

    return User.objects.select_related("organization").get(username="pds_admin")


def _build(demo: Demo, enterprise: Enterprise, on: datetime.date, surveyor, units, item) -> None:
    """Built during the drive: a new enterprise union, or (small firms) the county's joint union."""
    enterprise.refresh_from_db()
    unit = units[item["unit"]]
    actor = _city()
    if (
        (enterprise.employees_total or 0) < 25
        and f"{item['county']}-WS" in units
        and enterprise.groups.filter(code="06").exists()
    ):
        services.union_build(
            actor=actor, enterprise=enterprise, union=units[f"{item['county']}-WS"], on=on
        )
        return
    services.union_build(
        actor=actor, enterprise=enterprise, parent=unit, union_data={"founded_on": on}
    )
