"""The demo data: the 2015 table's 16 units plus 科教文卫体工会 and 市直工会, and demo cadres."""

import datetime
import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from ruhui.accounts.models import User
from ruhui.audit.models import AuditEvent
from ruhui.core import idnumber
from ruhui.demo.members import Generator, seed_demo_members
from ruhui.demo.world import CITY_ORDER, DEMO_PASSWORD, DEMO_USERS
from ruhui.members import codes
from ruhui.members.models import HELD_STATUSES, ChangeType, Member, MembershipEvent, Transfer
from ruhui.members.services import reveal_personal_data
from ruhui.orgs.choices import ADMITTING_KINDS
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import visible_organizations
from tests.profiles import run


def test_seed_demo_builds_the_city_and_is_idempotent(db):
    call_command("seed_demo", verbosity=0)
    count = Organization.objects.count()
    call_command("seed_demo", verbosity=0)
    assert Organization.objects.count() == count
    city = Organization.objects.get(code="PDS")
    units = Organization.objects.get_children(city)
    assert len(CITY_ORDER) == 18
    assert set(units.values_list("code", flat=True)) == set(CITY_ORDER)
    kinds = set(Organization.objects.values_list("kind", flat=True))
    assert {"enterprise", "trade", "joint", "community", "township", "branch", "group"} <= kinds


def test_demo_logins_see_their_own_units(db, client):
    call_command("seed_demo", verbosity=0)
    wg = User.objects.get(username="wg_admin")
    assert wg.check_password(DEMO_PASSWORD)
    names = set(visible_organizations(wg).values_list("name", flat=True))
    assert "舞钢市总工会" in names and all("宝丰" not in n for n in names)
    pds = User.objects.get(username="pds_admin")
    assert visible_organizations(pds).count() == Organization.objects.count() - 1
    gj = set(
        visible_organizations(User.objects.get(username="gj_admin")).values_list("name", flat=True)
    )
    assert gj == {
        "平顶山市工交工会",
        "平顶山市道路货运行业工会",
        "平顶山市快递行业工会",
        "平顶山市网约送餐员联合工会",
    }


# ---- Demo members (ruhui.demo.members): a small count keeps these fast.

DEMO_TEST_MEMBERS = 300


@pytest.fixture
def demo_members(db):
    call_command("seed_demo", members=0, verbosity=0)
    return seed_demo_members(count=DEMO_TEST_MEMBERS)


def test_demo_members_fill_every_union_with_a_realistic_mix(demo_members):
    members = Member.objects.all()
    assert demo_members["created"] == members.count() >= DEMO_TEST_MEMBERS
    city = Organization.objects.get(code="PDS")
    base_unions = Organization.objects.filter(
        path__startswith=city.path, kind__in=ADMITTING_KINDS, is_active=True
    )
    assert base_unions.count() > 50
    empty = base_unions.exclude(members__status__in=HELD_STATUSES).values_list("code", flat=True)
    assert list(empty) == []
    assert set(members.values_list("group", flat=True)) == set(codes.EIGHT_GROUPS.codes)
    migrant_share = members.filter(is_migrant_worker=True).count() / members.count()
    assert 0.5 <= migrant_share <= 0.9
    delivery = Member.objects.filter(union__code__endswith="-KD").values_list("group", flat=True)
    assert Counter(delivery).most_common(1)[0][0] == "02"  # 快递行业工会: mostly 快递员
    years = Counter(d.year for d in members.values_list("joined_on", flat=True))
    assert min(years) == 2015 and years[2019] > years[2017]
    assert len(set(members.values_list("employment_form", flat=True))) >= 4


def test_demo_members_are_valid_people_stored_masked(demo_members):
    today = datetime.date.today()
    actor = User.objects.get(username="pds_admin")
    for member in Member.objects.order_by("?")[:40]:
        number = reveal_personal_data(actor=actor, member=member)["id_number"]
        info = idnumber.parse(number)
        assert info.county_known and number[:4] in (
            "4104",
            "4110",
            "4111",
            "4113",
            "4114",
            "4115",
            "4116",
            "4117",
        )
        age = (today - info.birth_date).days / 365.25
        assert 18 <= age <= 60
        assert (member.joined_on - info.birth_date).days / 365.25 >= 18
        assert member.id_number_masked == number[:6] + "********" + number[14:]
        assert re.fullmatch(r"1[3-9]\d\*{4}\d{4}", member.phone_masked)
        assert number not in member.id_number_encrypted


def test_demo_histories_hold_every_change_type(demo_members):
    assert set(MembershipEvent.objects.values_list("change_type", flat=True)) == set(
        ChangeType.values
    )
    assert set(Transfer.objects.values_list("status", flat=True)) >= {
        "accepted",
        "pending",
        "rejected",
    }
    assert Member.objects.values("id_number_hash").annotate(n=Count("id")).filter(n__gt=1)
    statuses = Counter(Member.objects.values_list("status", flat=True))
    assert statuses["withdrawn"] and statuses["retained"] and statuses["transferring"]
    # Written by the services: every membership has its 入会 event and an audit row.
    assert MembershipEvent.objects.filter(change_type="1").count() == Member.objects.count()
    assert AuditEvent.objects.filter(object_type="members.member", action="create").count() == (
        Member.objects.count()
    )
    # Transfers move members between counties: accepted ones stand in another county now.
    for transfer in Transfer.objects.filter(status="accepted").select_related(
        "from_union", "accepted_union"
    ):
        assert transfer.from_union.code.split("-")[0] != transfer.accepted_union.code.split("-")[0]


def test_demo_members_are_idempotent_and_counted_by_the_command(db):
    out = StringIO()
    call_command("seed_demo", members=DEMO_TEST_MEMBERS, stdout=out)
    count = Member.objects.count()
    events = MembershipEvent.objects.count()
    assert f"演示会员：{count} 条会籍记录" in out.getvalue()
    out = StringIO()
    call_command("seed_demo", members=DEMO_TEST_MEMBERS, stdout=out)
    assert "已存在，未重复生成" in out.getvalue()
    assert seed_demo_members(count=DEMO_TEST_MEMBERS)["created"] == 0
    assert (Member.objects.count(), MembershipEvent.objects.count()) == (count, events)


def test_demo_people_are_deterministic_per_seed():
    today = datetime.date(2026, 1, 1)

    def people(seed):
        gen = Generator(seed=seed, today=today)
        return [
            (
                gen.name("1"),
                gen.person("02", datetime.date(2019, 5, 1), True).id_number,
                gen.phone(),
            )
            for _ in range(20)
        ]

    assert people(2019) == people(2019)
    assert people(2019) != people(2020)


# --- The demo never reaches production; its published logins are one-time ---------------------


def test_seed_demo_refuses_under_the_production_profile(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="生产环境（RUHUI_ENV=production）不能载入演示数据"):
        call_command("seed_demo", verbosity=0)
    assert Organization.objects.count() == 0
    assert User.objects.count() == 0
    assert Member.objects.count() == 0


def test_seed_demo_exits_non_zero_in_a_production_process(production_env, tmp_path):
    # A real production process: real secrets, its own SQLite file (allowed explicitly so the
    # profile starts); the command must stop before it touches the database at all.
    database = tmp_path / "prod.sqlite3"
    production_env.update({"DATABASE_URL": f"sqlite:///{database}", "RUHUI_ALLOW_SQLITE": "1"})
    result = run(["-m", "ruhui", "seed_demo"], production_env, tmp_path)
    assert result.returncode != 0
    assert "生产环境（RUHUI_ENV=production）不能载入演示数据" in result.stderr
    assert not database.exists() or database.stat().st_size == 0


def test_demo_accounts_must_change_the_published_password_at_first_login(db, client):
    call_command("seed_demo", verbosity=0)
    assert set(
        User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).values_list(
            "must_change_password", flat=True
        )
    ) == {True}
    response = client.post(
        "/accounts/login/", {"username": "wg_admin", "password": DEMO_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/accounts/password/"
    assert client.get("/members/").url == "/accounts/password/"
    client.post(
        "/accounts/password/",
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "Wugang-own-2026!",
            "new_password2": "Wugang-own-2026!",
        },
    )
    assert client.get("/members/").status_code == 200
    # Seeding again (a re-run of `make demo`) publishes the password again: changed again.
    call_command("seed_demo", verbosity=0)
    assert User.objects.get(username="wg_admin").must_change_password


def test_demo_jobs_show_a_confirmed_roster_check_and_an_export(db):
    from ruhui.demo.jobs import NEW_PEOPLE, seed_demo_jobs
    from ruhui.jobs.models import Job

    call_command("seed_demo", members=0, verbosity=0)
    assert seed_demo_jobs() == {"jobs": 0}  # an empty registry gets no second batch
    seed_demo_members(count=30)
    assert seed_demo_jobs() == {"jobs": 3}
    check, commit = Job.objects.filter(kind="member_import").order_by("pk")
    assert check.dry_run and commit.parent == check and check.status == commit.status == "succeeded"
    # Figures from the importer: the two bad rows refused with their reasons, the rest written.
    assert (commit.summary["created"], commit.summary["rejected"]) == (NEW_PEOPLE, 2)
    fields = sorted(error["field"] for error in commit.summary["errors"])
    assert fields == ["公民身份号码", "手机号码"]
    assert Member.objects.filter(union=commit.organization).count() >= NEW_PEOPLE
    export = Job.objects.get(kind="member_export")
    assert (
        export.status == "succeeded"
        and export.rows
        == Member.objects.filter(
            union__path__startswith=export.organization.path, status__in=HELD_STATUSES
        ).count()
    )
    assert seed_demo_jobs() == {"jobs": 3}  # idempotent


def test_demo_small_firm_reason_only_below_25_workers(db):
    """Issue 15: no demo enterprise of 25 or more workers gives 「企业规模小、职工人数少」."""
    from ruhui.enterprises.choices import REASONS
    from ruhui.enterprises.models import Enterprise, Survey

    small = "01"
    assert dict(REASONS.choices)[small] == "企业规模小、职工人数少"
    call_command("seed_demo", members=0, verbosity=0)
    reasoned = Survey.objects.exclude(reason="")
    assert reasoned.filter(employees_total__gte=25).exists()  # the rule is exercised
    assert reasoned.filter(employees_total__lt=25, reason=small).exists()
    assert not reasoned.filter(employees_total__gte=25, reason=small).exists()
    assert not Enterprise.objects.filter(
        employees_total__gte=25, latest_survey__reason=small
    ).exists()
