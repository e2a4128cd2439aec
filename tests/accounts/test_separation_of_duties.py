"""三员分立 (issue 19): every role × every guarded capability, through real HTTP requests, with
RUHUI_SEPARATION_OF_DUTIES on and off.

Each cell is one request by a cadre of the city federation (平顶山市总工会) with that role. An
allowed cell must succeed (a page or a redirect after the write, and the write happened); a
refused one must get the 403 page in Chinese and change nothing. The expected table is written
out below: it is the documentation of docs/guide/administration.md 「三员分立」 in test form."""

from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.test import Client

from ruhui.accounts.models import ApiToken, Role, User
from ruhui.accounts.models import UserSession as Session
from ruhui.accounts.services import token_create
from ruhui.audit.models import AuditEvent
from ruhui.demo.world import DEMO_PASSWORD, DEMO_USERS
from tests.factories import PASSWORD, UserFactory
from tests.figures_report import note
from tests.members.factories import join

ROLES = [Role.ADMIN, Role.REVIEWER, Role.CLERK, Role.READONLY, Role.SECURITY, Role.AUDITOR]
A, R, C, V, S, U = ROLES  # admin, reviewer, clerk, viewer (只读), security, auditor (审计)

#: capability → (roles allowed with separation OFF, roles allowed with separation ON)
EXPECTED = {
    "audit_read": ({A, U}, {U}),
    "user_manage": ({A}, {A}),
    "org_manage": ({A}, {A}),
    "security_page": ({A, S}, {S}),
    "lockout_release": ({A, S}, {S}),
    "token_revoke_other": ({A, S}, {S}),
    "twofactor_reset": ({A, S}, {S}),
    "sessions_revoke_other": ({A, S}, {A, S}),
    "member_edit": ({A, R, C}, {A, R, C}),
    "member_transfer": ({A, R}, {A, R}),
    "enterprise_create": ({A, R, C}, {A, R, C}),
    "own_password_page": (set(ROLES), set(ROLES)),
}
CHECKED = {"on": 0, "off": 0}


@pytest.fixture
def cast(world):
    target = world.county_viewer
    member = join(world.county_admin, world.county_trade, name="三员样本会员")
    return world, target, member


def _lock(target):
    AccessAttempt.objects.create(
        username=target.username,
        ip_address="203.0.113.9",
        user_agent="test",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )


def _target_session(target):
    """The target signs in on another device (a real login, so the session is recorded)."""
    other = Client()
    other.post("/accounts/login/", {"username": target.username, "password": PASSWORD})
    assert "_auth_user_id" in other.session
    return other


def _attempt(capability, client, target, member):
    """Make the request; return (allowed?, the response). `allowed` checks the effect too."""
    if capability == "audit_read":
        r = client.get("/accounts/audit/")
        return r.status_code == 200 and "审计日志" in r.content.decode(), r
    if capability == "user_manage":
        r = client.get("/accounts/users/new/")
        return r.status_code == 200, r
    if capability == "org_manage":
        r = client.get("/orgs/new/")
        return r.status_code == 200, r
    if capability == "security_page":
        r = client.get("/accounts/security/")
        return r.status_code == 200, r
    if capability == "lockout_release":
        _lock(target)
        r = client.post(f"/accounts/users/{target.pk}/unlock/")
        released = not AccessAttempt.objects.filter(username=target.username).exists()
        return r.status_code == 302 and released, r
    if capability == "token_revoke_other":
        token, _raw = token_create(actor=target, name="同步")
        r = client.post(f"/accounts/users/{target.pk}/tokens/revoke/", {"token": token.pk})
        token.refresh_from_db()
        return r.status_code == 302 and token.revoked_at is not None, r
    if capability == "twofactor_reset":
        before = AuditEvent.objects.filter(object_id=str(target.pk)).count()
        r = client.post(f"/accounts/users/{target.pk}/reset-2fa/")
        after = AuditEvent.objects.filter(object_id=str(target.pk)).count()
        return r.status_code == 302 and after > before, r
    if capability == "sessions_revoke_other":
        _target_session(target)
        sessions_before = Session.objects.count()
        r = client.post(f"/accounts/users/{target.pk}/sessions/revoke/")
        return r.status_code == 302 and Session.objects.count() < sessions_before, r
    if capability == "member_edit":
        r = client.get(f"/members/{member.pk}/edit/")
        return r.status_code == 200, r
    if capability == "member_transfer":
        r = client.get(f"/members/{member.pk}/transfer/")
        return r.status_code == 200, r
    if capability == "enterprise_create":
        r = client.get("/enterprises/new/")
        return r.status_code == 200, r
    if capability == "own_password_page":
        r = client.get("/accounts/password/")
        return r.status_code == 200 and "我的登录会话" in r.content.decode(), r
    raise AssertionError(capability)


@pytest.fixture(scope="module", autouse=True)
def matrix_figure():
    """Prints the figure once the module's matrix tests have run (either mode or both)."""
    yield
    if CHECKED["on"] or CHECKED["off"]:
        total = CHECKED["on"] + CHECKED["off"]
        note("SoD matrix", f"{total} cells checked ({CHECKED['on']} on/{CHECKED['off']} off)")


@pytest.mark.parametrize("mode", ["off", "on"])
def test_role_permission_matrix(cast, settings, client, mode):
    settings.RUHUI_SEPARATION_OF_DUTIES = mode == "on"
    world, target, member = cast
    wrong, cells = [], 0
    for role in ROLES:
        actor = UserFactory(username=f"pds_{role}", organization=world.city, role=role)
        client.force_login(actor)
        for capability, (allowed_off, allowed_on) in EXPECTED.items():
            expected = role in (allowed_on if mode == "on" else allowed_off)
            ok, response = _attempt(capability, client, target, member)
            if expected and not ok:
                wrong.append(f"{role} {capability}: expected allowed, got {response.status_code}")
            if not expected:
                if response.status_code != 403 or "权限" not in response.content.decode():
                    wrong.append(f"{role} {capability}: expected 403, got {response.status_code}")
                if ok:
                    wrong.append(f"{role} {capability}: refused but the effect happened")
            cells += 1
            AccessAttempt.objects.all().delete()  # a refused unlock leaves the target locked
        ApiToken.objects.filter(user=target).delete()
    assert not wrong, f"separation {mode}: {wrong}"
    assert cells == len(ROLES) * len(EXPECTED)
    CHECKED[mode] = cells


@pytest.mark.parametrize("mode", ["off", "on"])
def test_nav_shows_only_what_the_role_may_open(world, settings, client, mode):
    settings.RUHUI_SEPARATION_OF_DUTIES = mode == "on"
    labels, data_entries = {}, {}
    for role in (Role.ADMIN, Role.SECURITY, Role.AUDITOR):
        user = UserFactory(username=f"nav_{role}", organization=world.city, role=role)
        client.force_login(user)
        assert client.get("/").status_code == 200  # the 工作台 opens for every role
        body = client.get("/accounts/password/").content.decode()
        labels[role] = {
            name for name in ("审计日志", "用户管理", "账号安全", "新建组织") if name in body
        }
        data_entries[role] = {name for name in ("新增会员", "导入企业", "导入会员") if name in body}
    if mode == "on":
        assert labels[Role.ADMIN] == {"用户管理", "新建组织"}
        assert labels[Role.SECURITY] == {"账号安全"}
        assert labels[Role.AUDITOR] == {"审计日志"}
    else:
        assert labels[Role.ADMIN] == {"审计日志", "用户管理", "账号安全", "新建组织"}
        assert labels[Role.SECURITY] == {"账号安全"}
        assert labels[Role.AUDITOR] == {"审计日志"}
    assert data_entries[Role.ADMIN] == {"新增会员", "导入企业", "导入会员"}
    assert data_entries[Role.SECURITY] == data_entries[Role.AUDITOR] == set()


@pytest.mark.parametrize("officer", [Role.SECURITY, Role.AUDITOR])
def test_with_separation_an_admin_can_neither_grant_nor_take_over_an_officer(
    world, settings, client, officer
):
    settings.RUHUI_SEPARATION_OF_DUTIES = True
    client.force_login(world.city_admin)
    form = client.get("/accounts/users/new/").content.decode()
    assert 'value="auditor"' not in form and 'value="security"' not in form
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "sneaky",
            "full_name": "冒名",
            "organization": world.county.pk,
            "role": officer,
        },
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not User.objects.filter(username="sneaky").exists()
    # An existing officer account: no edit, no password reset by the admin.
    existing = UserFactory(username=f"the_{officer}", organization=world.county, role=officer)
    before = existing.password
    assert client.get(f"/accounts/users/{existing.pk}/edit/").status_code == 403
    response = client.post(f"/accounts/users/{existing.pk}/reset-password/")
    assert response.status_code == 403
    assert "超级管理员" in response.content.decode()
    existing.refresh_from_db()
    assert existing.password == before
    # Nor turn a business account into an officer.
    clerk = UserFactory(username="plain_clerk", organization=world.county, role=Role.CLERK)
    client.post(
        f"/accounts/users/{clerk.pk}/edit/",
        {
            "full_name": "录入员",
            "organization": world.county.pk,
            "role": officer,
            "is_active": "on",
        },
    )
    clerk.refresh_from_db()
    assert clerk.role == Role.CLERK


def test_without_separation_an_admin_may_still_grant_every_role(world, settings, client):
    settings.RUHUI_SEPARATION_OF_DUTIES = False
    client.force_login(world.city_admin)
    form = client.get("/accounts/users/new/").content.decode()
    assert 'value="auditor"' in form and 'value="security"' in form


def test_security_admin_is_scoped(world, settings, client):
    """The triangle for the security pages: in scope works, a sibling county's user is 404."""
    settings.RUHUI_SEPARATION_OF_DUTIES = True
    security = UserFactory(username="wg_security", organization=world.county, role=Role.SECURITY)
    sibling_user = UserFactory(username="bf_clerk", organization=world.sibling, role=Role.CLERK)
    token, _raw = token_create(actor=sibling_user, name="宝丰同步")
    client.force_login(security)
    assert client.get(f"/accounts/users/{world.county_viewer.pk}/security/").status_code == 200
    assert client.get(f"/accounts/users/{sibling_user.pk}/security/").status_code == 404
    response = client.post(f"/accounts/users/{sibling_user.pk}/tokens/revoke/", {"token": token.pk})
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    # A token of another user posted against an in-scope user is not found either.
    response = client.post(
        f"/accounts/users/{world.county_viewer.pk}/tokens/revoke/", {"token": token.pk}
    )
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    body = client.get("/accounts/security/").content.decode()
    assert "county_viewer" in body and "bf_clerk" not in body


def test_security_actions_are_audited(world, settings, client):
    settings.RUHUI_SEPARATION_OF_DUTIES = True
    security = UserFactory(username="pds_sec", organization=world.city, role=Role.SECURITY)
    target = world.county_viewer
    _lock(target)
    token, _raw = token_create(actor=target, name="同步")
    client.force_login(security)
    page = client.get(f"/accounts/users/{target.pk}/security/").content.decode()
    assert "已被锁定" in page and "rh_" + token.prefix in page
    client.post(f"/accounts/users/{target.pk}/unlock/")
    client.post(f"/accounts/users/{target.pk}/tokens/revoke/", {"token": token.pk})
    client.post(f"/accounts/users/{target.pk}/sessions/revoke/")
    events = AuditEvent.objects.filter(actor=security).order_by("id")
    changes = [e.changes for e in events]
    assert {"lockout": ["锁定", "已解除"]} in changes
    assert any("revoked" in c for c in changes)
    assert any(c.get("sessions", [None, None])[1] == "全部结束" for c in changes)
    # The auditor (with separation) sees these events; the admin does not open the log.
    auditor = UserFactory(username="pds_aud", organization=world.city, role=Role.AUDITOR)
    client.force_login(auditor)
    assert "pds_sec" in client.get("/accounts/audit/").content.decode()
    client.force_login(world.city_admin)
    assert client.get("/accounts/audit/").status_code == 403


def test_demo_auditor_reads_the_log_and_the_demo_admin_does_not(db, settings, client):
    """Issue 19's 'done when', on the make demo world with the setting on (2FA is left to
    tests/accounts/test_twofactor.py): pds_admin gets 403, pds_auditor the log, pds_security
    the 账号安全 page."""
    call_command("seed_demo", members=0, verbosity=0)
    settings.RUHUI_SEPARATION_OF_DUTIES = True
    accounts = {u[0]: (u[2], u[3]) for u in DEMO_USERS}
    assert accounts["pds_auditor"] == ("PDS", Role.AUDITOR)
    assert accounts["pds_security"] == ("PDS", Role.SECURITY)
    User.objects.filter(username__in=accounts).update(must_change_password=False)
    for username, path, status in [
        ("pds_admin", "/accounts/audit/", 403),
        ("pds_auditor", "/accounts/audit/", 200),
        ("pds_security", "/accounts/audit/", 403),
        ("pds_security", "/accounts/security/", 200),
        ("pds_auditor", "/members/new/", 403),
        ("pds_security", "/members/new/", 403),
    ]:
        response = client.post(
            "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, username
        assert client.get(path).status_code == status, (username, path)
        client.post("/accounts/logout/")


def test_officers_are_opened_at_the_console(world, settings, client):
    """`ruhui create_officer`: the one way (besides a superuser) to open an auditor account;
    audited as 命令行; --reset issues a new one-time password."""
    settings.RUHUI_SEPARATION_OF_DUTIES = True
    out = StringIO()
    call_command(
        "create_officer", "pds_audit2", role="auditor", org="PDS", name="审计员", stdout=out
    )
    password = out.getvalue().strip().splitlines()[-1]
    officer = User.objects.get(username="pds_audit2")
    assert officer.role == Role.AUDITOR and officer.organization == world.city
    assert officer.must_change_password and officer.check_password(password)
    assert AuditEvent.objects.filter(actor_username="命令行", object_id=str(officer.pk)).exists()
    out = StringIO()
    call_command("create_officer", "pds_audit2", role="auditor", reset=True, stdout=out)
    officer.refresh_from_db()
    assert officer.check_password(out.getvalue().strip().splitlines()[-1])
    with pytest.raises(CommandError, match="组织代码「NOPE」不存在"):
        call_command("create_officer", "x_audit", role="auditor", org="NOPE")
    with pytest.raises(CommandError, match="已被使用"):
        call_command("create_officer", "pds_audit2", role="security", org="PDS")
