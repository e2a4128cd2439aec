"""The demo's services ledger (服务台账), consultations and social workers (issue 18) for
`make demo`: a year (2019) of entries of every kind by the counties and city trade unions —
四季送 (舞钢's 夏送清凉 for 快递员 among them), 互助保险, 帮扶救助, 法律援助, 普惠服务, 职业道德
教育, 技能培训 and 其他 — with amounts and counts by group; three are linked to the 2019 drive's
维护服务 projects (demo/projects.py), so their close-out shows the recorded coverage. Some entries
list the people served: members of the demo registry (matched by their ID numbers, as a cadre
types them from the card) and non-members (counted only). Four collective consultations with
their signed text, and a few social workers — most township and community unions still have
none, which is what the 倾斜 list ranks.

Everything goes through `positions.ledger_services` / `ledger_registers`, as the county's (or
the city's) admin. Idempotent: nothing happens once the first entry exists. Runs after the
projects' demo (it links their projects) and before the 空壳 demo (which adds recent service
to every other aged union and skips unions that already have a social worker).
"""

from __future__ import annotations

import datetime
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from ruhui.accounts.models import User
from ruhui.core import crypto, idnumber
from ruhui.enterprises.models import Enterprise
from ruhui.members.models import HELD_STATUSES, Member
from ruhui.members.personal import ID_CONTEXT
from ruhui.members.services import held_membership
from ruhui.orgs.models import Organization
from ruhui.positions import ledger_registers, ledger_services
from ruhui.positions.choices import ActivityKind as K
from ruhui.positions.models import ServiceActivity, ServicePosition
from ruhui.projects.choices import ProjectKind
from ruhui.projects.models import Project

D = datetime.date
#: The demo accounts that record for their unit's subtree; the city's admin for the rest.
ACTORS = {"WG": "wg_admin", "BF": "bf_admin", "JX": "jx_admin", "GJ": "gj_admin", "XH": "xh_admin"}
CITY_ACTOR = "pds_admin"

#: (union code, kind, title, starts, ends, amount, {group: count}, project name,
#:  (members listed, non-members listed), note)
ENTRIES = [
    ("WG", K.SPRING, "“春风行动”快递物流企业专场招聘会", D(2019, 2, 20), None, "6800.00",
     {"01": 30, "02": 45, "99": 60}, None, (0, 0), "组织 18 家快递、物流企业现场招聘，发放用工信息。"),
    ("WG-KD", K.SUMMER, "夏送清凉进快递网点", D(2019, 7, 10), D(2019, 7, 12), "9600.00",
     {"01": 42, "02": 186}, "夏送清凉进快递网点和货运站", (3, 2),
     "走访 23 个快递网点和 2 个货运站，送去绿豆、毛巾、藿香正气水和防暑药箱。"),
    ("WG", K.AUTUMN, "金秋助学·困难职工子女", D(2019, 8, 20), None, "20000.00",
     {"01": 6, "02": 8, "99": 11}, None, (0, 0), "资助考入大学的困难职工子女 25 名，每人 800 元。"),
    ("WG-T1", K.WINTER, "冬送温暖·垭口街道", D(2019, 1, 25), None, "15600.00",
     {"01": 20, "99": 58}, None, (0, 0), "春节前走访慰问困难职工和一线货车司机。"),
    ("WG", K.HARDSHIP, "困难职工帮扶救助（第三季度）", D(2019, 9, 12), None, "12000.00",
     {"02": 3, "04": 2, "99": 7}, None, (2, 1), "因病致困职工医疗救助 12 人。"),
    ("WG", K.LEGAL_AID, "快递员工资争议法律援助", D(2019, 10, 15), None, None,
     {"02": 4}, None, (1, 0), "为 4 名快递员代写仲裁申请书，争议已调解结案。"),
    ("BF", K.SUMMER, "高温慰问货车司机", D(2019, 7, 18), None, "7500.00",
     {"01": 150}, None, (0, 3), "在 207 国道货运停车场设点慰问。"),
    ("BF", K.SKILLS, "新就业形态劳动者安全驾驶与职业技能培训", D(2019, 9, 5), D(2019, 9, 6),
     "18000.00", {"02": 60, "06": 85}, "新就业形态劳动者职业技能和安全培训", (0, 0),
     "电动车安全驾驶、交通法规和急救知识两天培训。"),
    ("BF", K.INSURANCE, "职工互助保险集中投保", D(2019, 4, 10), None, "30000.00",
     {"01": 80, "99": 220}, None, (0, 0), "为一线职工办理住院医疗互助保障，每人 100 元。"),
    ("YX", K.ETHICS, "职业道德讲堂进物流园区", D(2019, 5, 16), None, None,
     {"01": 70, "02": 35}, None, (0, 0), "“诚信服务、安全行车”主题讲座。"),
    ("LS", K.WINTER, "冬送温暖·环卫工人和送餐员", D(2019, 12, 20), None, "9000.00",
     {"06": 40, "99": 35}, None, (0, 0), "发放棉衣、手套和米面油。"),
    ("JX", K.BENEFITS, "农民工会员普惠服务卡办理", D(2019, 6, 15), D(2019, 6, 30), "2400.00",
     {"04": 36, "99": 120}, "农民工会员普惠服务卡办理", (2, 0),
     "集中为农民工会员办理普惠服务卡，享受合作商户折扣。"),
    ("JX", K.HARDSHIP, "家政服务员困难帮扶", D(2019, 11, 20), None, "10000.00",
     {"04": 5}, None, (1, 0), "对 5 名因病困难的家政服务员给予救助。"),
    ("WD", K.SPRING, "春送岗位·家政护理专场", D(2019, 3, 5), None, "3000.00",
     {"03": 25, "04": 40}, None, (0, 0), "家政、护理企业专场招聘，现场达成意向 41 人。"),
    ("ZH", K.SUMMER, "送清凉进建筑工地和外卖站点", D(2019, 8, 2), None, "8800.00",
     {"06": 55, "99": 140}, None, (0, 0), "为一线职工送去防暑降温用品。"),
    ("XH", K.LEGAL_AID, "新就业形态劳动者法律咨询日", D(2019, 6, 26), None, None,
     {"02": 12, "06": 18, "07": 6}, None, (0, 2), "律师现场解答劳动合同、工伤认定问题。"),
    ("XH", K.OTHER, "职工书屋开放日", D(2019, 10, 10), None, "1500.00",
     {"99": 45}, None, (0, 0), "职工书屋新增图书 300 册，开放阅读。"),
    ("SL", K.AUTUMN, "金秋助学", D(2019, 8, 28), None, "7500.00",
     {"99": 15}, None, (0, 0), "资助困难职工子女 15 名。"),
    ("XC", K.BENEFITS, "会员普惠观影日", D(2019, 9, 20), None, "3600.00",
     {"05": 40, "99": 60}, None, (0, 0), "组织商场信息员等会员观看电影。"),
    ("GX", K.SKILLS, "保安员职业技能等级培训", D(2019, 11, 8), D(2019, 11, 10), "9600.00",
     {"08": 48}, None, (0, 0), "保安员（五级）职业技能培训，48 人取得证书。"),
    ("GJ-KD", K.ETHICS, "快递员职业道德与服务规范培训", D(2019, 4, 23), None, "4200.00",
     {"02": 120}, None, (2, 0), "寄递安全、文明投递和诚信服务专题培训。"),
    ("GJ-WS", K.INSURANCE, "网约送餐员意外伤害互助保障", D(2019, 5, 20), None, "15500.00",
     {"06": 310}, None, (0, 0), "为网约送餐员办理意外伤害互助保障，每人 50 元。"),
    ("GJ-HY", K.SUMMER, "司机之家送清凉", D(2019, 7, 25), None, "7800.00",
     {"01": 260}, None, (0, 0), "在司机之家为过往货车司机提供凉茶、休息和免费体检。"),
    ("PMSM-WL", K.WINTER, "冬送温暖·物流公司一线司机", D(2019, 1, 18), None, "18000.00",
     {"01": 90}, None, (0, 0), "慰问春节期间坚守岗位的一线货车司机。"),
]  # fmt: skip

#: (union code, level, industry, association or None for the union's enterprise, topics,
#:  held, agreed, term, workers, groups, congress)
CONSULTATIONS = [
    ("GJ-KD", "industry", "快递业", "平顶山市快递协会", ["wage", "safety"], D(2019, 6, 28),
     True, (D(2019, 7, 1), D(2021, 6, 30)), 1860, ["02"], D(2019, 6, 20)),
    ("WG", "regional", "", "舞钢市垭口街道商会", ["general", "women"], D(2019, 9, 10),
     True, (D(2019, 10, 1), D(2022, 9, 30)), 940, ["01", "02", "05"], D(2019, 9, 3)),
    ("GJ-WS", "industry", "网约配送", "平顶山市餐饮与外卖配送行业协会", ["safety"],
     D(2019, 11, 15), False, (None, None), 620, ["06"], None),
    ("BF", "enterprise", "", None, ["wage"], D(2019, 5, 22),
     True, (D(2019, 6, 1), D(2020, 5, 31)), 0, ["01"], D(2019, 5, 15)),
]  # fmt: skip

#: (union code, name, phone, starts, ends): the ledger's social workers; the 空壳 demo adds five.
SOCIAL_WORKERS = [
    ("GJ-KD", "钱晓燕", "13937500201", D(2019, 3, 1), None),
    ("XH-T1", "冯志刚", "13937500202", D(2019, 5, 6), None),
    ("LS-C1", "褚丽娜", "13937500203", D(2019, 2, 18), D(2019, 12, 31)),
]

#: A signed agreement's stand-in (a one-page PDF; the general attachment check accepts it).
SIGNED_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_serial = itertools.count(1)


def seed() -> dict:
    """The ledger, the consultations and the social workers (see the module docstring), once."""
    if ServiceActivity.objects.filter(title=ENTRIES[0][2]).exists():
        return {"activities": 0}
    users = {
        u.username: u for u in User.objects.filter(username__in=[*ACTORS.values(), CITY_ACTOR])
    }
    with transaction.atomic():
        activities = [_entry(users, entry) for entry in ENTRIES]
        consultations = [_consultation(users, item) for item in CONSULTATIONS]
        workers = [_worker(users, item) for item in SOCIAL_WORKERS]
    return {
        "activities": len(activities),
        "consultations": len(consultations),
        "social_workers": len(workers),
    }


def _actor(users, union: Organization):
    code = union.code.split("-")[0]
    return users.get(ACTORS.get(code, CITY_ACTOR)) or users[CITY_ACTOR]


def _entry(users, entry) -> ServiceActivity:
    code, kind, title, starts, ends, amount, counts, project_name, listed, note = entry
    union = Organization.objects.get(code=code)
    actor = _actor(users, union)
    project = None
    if project_name:
        project = Project.objects.filter(
            kind=ProjectKind.SERVICE, name=project_name, plan__unit__path__in=_ancestors(union)
        ).first()
    position = (
        ServicePosition.objects.filter(running_union__path__startswith=union.path)
        .order_by("pk")
        .first()
    )
    activity = ledger_services.activity_create(
        actor=actor,
        data={
            "kind": kind,
            "title": title,
            "union": union,
            "starts_on": starts,
            "ends_on": ends,
            "amount": amount,
            "group_counts": counts,
            "workers_served": sum(counts.values()),
            "project": project.pk if project else None,
            "position": position.pk if position else None,
            "note": note,
        },
    )
    members, others = listed
    for member in _members(union, members):
        number = crypto.decrypt(member.id_number_encrypted, context=ID_CONTEXT)
        ledger_services.recipient_add(actor=actor, activity=activity, id_number=number)
    for n in range(others):
        # A non-member: typed by ID number (when on hand) or only counted; nothing is kept.
        number = _outsider_number(union.division_code) if n % 2 == 0 else ""
        group = next(iter(counts))
        ledger_services.recipient_add(actor=actor, activity=activity, id_number=number, group=group)
    return activity


def _ancestors(union: Organization) -> list[str]:
    step = Organization.steplen
    return [union.path[:end] for end in range(step, len(union.path) + 1, step)]


def _members(union: Organization, count: int) -> list[Member]:
    if not count:
        return []
    return list(
        Member.objects.filter(
            union__path__startswith=union.path, status__in=HELD_STATUSES
        ).order_by("pk")[:count]
    )


def _outsider_number(division: str) -> str:
    """A valid ID number that no member of the demo holds."""
    region = division if len(division) == 6 and not division.endswith("00") else "410402"
    while True:
        n = next(_serial)
        first17 = f"{region}{D(1985, 3, 1) + datetime.timedelta(days=n * 37):%Y%m%d}{n % 900:03d}"
        number = first17 + idnumber.checksum_char(first17)
        if held_membership(number) is None:
            return number


def _consultation(users, item):
    code, level, industry, association, topics, held, agreed, term, workers, groups, congress = item
    union = Organization.objects.get(code=code)
    actor = _actor(users, union)
    employer = None
    if association is None:
        employer = (
            Enterprise.objects.filter(union__path__startswith=union.path).order_by("pk").first()
        )
        if employer is None:
            association = f"{union.name.removesuffix('总工会')}货运物流企业协会"
        else:
            union = employer.union or union  # the enterprise's own union sits at the table
            workers = workers or 120
    upload = SimpleUploadedFile(
        f"{union.name}集体合同（签字盖章）.pdf", SIGNED_PDF, content_type="application/pdf"
    )
    return ledger_registers.consultation_create(
        actor=actor,
        data={
            "level": level,
            "industry": industry,
            "union": union,
            "employer": employer.pk if employer else None,
            "employer_association": association or "",
            "topics": topics,
            "held_on": held,
            "agreed": agreed,
            "term_from": term[0],
            "term_to": term[1],
            "workers_covered": workers,
            "groups": groups,
            "congress_on": congress,
        },
        files=[upload],
    )


def _worker(users, item):
    code, name, phone, starts, ends = item
    union = Organization.objects.get(code=code)
    return ledger_registers.social_worker_create(
        actor=_actor(users, union),
        data={"name": name, "phone": phone, "union": union, "starts_on": starts, "ends_on": ends},
    )
