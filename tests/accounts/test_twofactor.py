"""The second factor (issue 19 item 2): TOTP enrolment with an inline segno QR code, ten hashed
single-use recovery codes, login with a code (a wrong code answered exactly like a wrong
password, counted by django-axes), RUHUI_REQUIRE_2FA enforcement, and the security
administrator's reset. Codes are computed from the device key as an authenticator app would."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ruhui.accounts import twofactor
from ruhui.accounts.middleware import TwoFactorMiddleware
from ruhui.accounts.models import RecoveryCode, Role
from ruhui.accounts.services import token_create
from ruhui.audit.models import AuditEvent
from tests.accounts.helpers import CLIENT_IP, LOGIN_URL, errors_in, is_logged_in
from tests.factories import PASSWORD, UserFactory

ENROL_URL = "/accounts/2fa/"
WRONG = "Wrong-password-77"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
STEP = dt.timedelta(seconds=30)


def code_for(device) -> str:
    """The code an authenticator app shows now for this device."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def wrong_code_for(device) -> str:
    right = int(code_for(device))
    return f"{(right + 500_000) % 1_000_000:06d}"


def login(client, username, password=PASSWORD, code=None):
    data = {"username": username, "password": password}
    if code is not None:
        data["otp_token"] = code
    return client.post(LOGIN_URL, data, REMOTE_ADDR=CLIENT_IP)


def enrol(client, user) -> tuple[TOTPDevice, list[str]]:
    """Enrol `user` through the page (the client is logged in as them); the device and codes."""
    page = client.get(ENROL_URL)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post(ENROL_URL, {"action": "confirm", "code": code_for(device)})
    assert done.status_code == 200, done.content.decode()[:500]
    codes = re.findall(r'<li class="masked">([a-z0-9]{5}-[a-z0-9]{5})</li>', done.content.decode())
    device.refresh_from_db()
    assert device.confirmed
    return device, codes


def without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def enrolled(world, client, clock):
    """county_admin with a confirmed device, logged out again; the clock a step later."""
    client.force_login(world.county_admin)
    device, codes = enrol(client, world.county_admin)
    client.post("/accounts/logout/")
    clock.shift(STEP)
    return device, codes


# --- The requirement parser ----------------------------------------------------------------


def test_the_production_requirement_parses_into_roles_and_kinds():
    (clause,) = twofactor.parse_requirement("admin,security,auditor@province,city")
    assert clause.roles == {"admin", "security", "auditor"}
    assert clause.kinds == {"province", "city"}
    assert clause.applies("auditor", "city")
    assert not clause.applies("auditor", "county")
    assert not clause.applies("clerk", "city")


def test_clauses_without_a_level_and_with_every_role():
    clauses = twofactor.parse_requirement(" admin@city ; security,auditor ; *@province ")
    assert len(clauses) == 3
    assert clauses[1].kinds is None and clauses[1].applies("security", "group")
    assert clauses[2].roles is None and clauses[2].applies("readonly", "province")
    assert twofactor.parse_requirement("") == ()


@pytest.mark.parametrize("value", ["boss@city", "admin@galaxy", "@city", "admin@"])
def test_an_unknown_role_or_kind_is_refused_by_name(value):
    with pytest.raises(ImproperlyConfigured, match="RUHUI_REQUIRE_2FA"):
        twofactor.parse_requirement(value)


def test_a_wrong_setting_stops_the_server_at_start(settings):
    settings.RUHUI_REQUIRE_2FA = "admin,boss@city"
    with pytest.raises(ImproperlyConfigured, match="boss"):
        TwoFactorMiddleware(lambda request: None)
    settings.RUHUI_REQUIRE_2FA = "admin,security,auditor@province,city"
    assert TwoFactorMiddleware(lambda request: None)


def test_is_required_follows_the_setting(world, settings):
    settings.RUHUI_REQUIRE_2FA = "admin@province,city"
    assert twofactor.is_required(world.city_admin)
    assert not twofactor.is_required(world.county_admin)
    settings.RUHUI_REQUIRE_2FA = ""
    assert not twofactor.is_required(world.city_admin)


# --- Enrolment -----------------------------------------------------------------------------


def test_enrolment_page_draws_the_qr_code_inline_as_svg(world, client):
    client.force_login(world.county_admin)
    response = client.get(ENROL_URL)
    html = response.content.decode()
    device = TOTPDevice.objects.get(user=world.county_admin)
    assert response.status_code == 200
    assert re.search(r"<svg[^>]*class=\"qr-code\"", html)
    assert "<img" not in html.split("<main", 1)[-1].split("</main>", 1)[0]
    assert "no-store" in response["Cache-Control"]
    assert "Content-Security-Policy" in response
    # The secret for manual entry, in groups of four.
    assert twofactor.secret_base32(device) in html
    assert not device.confirmed
    # Reloading keeps the same secret: the QR code already scanned stays valid.
    client.get(ENROL_URL)
    assert TOTPDevice.objects.filter(user=world.county_admin).count() == 1


def test_a_wrong_code_does_not_confirm(world, client, clock):
    client.force_login(world.county_admin)
    client.get(ENROL_URL)
    device = TOTPDevice.objects.get(user=world.county_admin)
    response = client.post(ENROL_URL, {"action": "confirm", "code": wrong_code_for(device)})
    assert response.status_code == 200
    assert "验证码不正确或已过期" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not RecoveryCode.objects.exists()


def test_a_post_never_creates_the_secret(world, client):
    client.force_login(world.county_admin)
    response = client.post(ENROL_URL, {"action": "confirm", "code": "123456"})
    assert response.status_code == 302 and response["Location"] == ENROL_URL
    assert not TOTPDevice.objects.exists()
    assert "请先用认证应用扫描" in client.get(ENROL_URL).content.decode()


def test_an_empty_or_unknown_post_is_a_form_error(world, client):
    client.force_login(world.county_admin)
    client.get(ENROL_URL)
    assert "请填写验证码" in client.post(ENROL_URL, {"action": "confirm"}).content.decode()
    assert "无法识别" in client.post(ENROL_URL, {}).content.decode()


def test_confirming_shows_ten_codes_once_and_stores_only_hashes(world, client, clock):
    client.force_login(world.county_admin)
    device, codes = enrol(client, world.county_admin)
    assert len(codes) == len(set(codes)) == 10
    rows = list(
        RecoveryCode.objects.filter(user=world.county_admin).values_list("digest", flat=True)
    )
    assert len(rows) == 10
    stored = " ".join(rows)
    for code in codes:
        assert code not in stored and code.replace("-", "") not in stored
    # The session that enrolled is verified with the new device.
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    # The codes are not shown again.
    later = client.get(ENROL_URL).content.decode()
    assert not any(code in later for code in codes)
    assert "未用的恢复码" in later


def test_enrolment_is_audited_without_secret_or_codes(world, client, clock):
    client.force_login(world.county_admin)
    device, codes = enrol(client, world.county_admin)
    events = AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, object_id=world.county_admin.pk
    )
    assert events.count() == 1
    assert events.get().org_path == world.county.path
    dump = str(list(AuditEvent.objects.values()))
    assert device.key not in dump
    assert twofactor.secret_base32(device).replace(" ", "") not in dump
    assert not any(code in dump or code.replace("-", "") in dump for code in codes)


# --- Login ---------------------------------------------------------------------------------


def test_login_with_the_current_code_verifies_the_session(world, client, enrolled):
    device, _codes = enrolled
    response = login(client, "county_admin", code=code_for(device))
    assert response.status_code == 302
    assert is_logged_in(client)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/").status_code == 200


def test_login_without_the_code_fails_like_a_wrong_password(world, client, enrolled):
    response = login(client, "county_admin")
    assert response.status_code == 200
    assert not is_logged_in(client)
    assert "请输入一个正确的用户名和密码" in errors_in(response, "form-errors")[0]


def test_a_code_is_not_accepted_twice(world, client, enrolled):
    device, _codes = enrolled
    code = code_for(device)
    assert login(client, "county_admin", code=code).status_code == 302
    client.post("/accounts/logout/")
    assert login(client, "county_admin", code=code).status_code == 200
    assert not is_logged_in(client)


def test_wrong_code_and_wrong_password_get_the_same_answer(world, client, enrolled):
    device, _codes = enrolled
    wrong_code = login(Client(), "county_admin", code=wrong_code_for(device))
    wrong_password = login(Client(), "county_admin", WRONG, code=code_for(device))
    unknown_user = login(Client(), "no_such_cadre", WRONG, code=wrong_code_for(device))
    assert wrong_code.status_code == wrong_password.status_code == unknown_user.status_code == 200
    assert without_csrf(wrong_code) == without_csrf(wrong_password)
    assert errors_in(wrong_code, "form-errors") == errors_in(unknown_user, "form-errors")
    # The code typed is never echoed back.
    assert wrong_code_for(device) not in wrong_code.content.decode()


def test_a_wrong_code_is_a_failed_login_in_the_audit_log(world, client, enrolled):
    device, _codes = enrolled
    before = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).count()
    login(client, "county_admin", code=wrong_code_for(device))
    failed = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED)
    assert failed.count() == before + 1
    assert failed.first().actor_username == "county_admin"


def test_five_wrong_codes_lock_the_account(world, client, enrolled, clock):
    device, _codes = enrolled
    answers = []
    for _ in range(5):
        answers.append(login(client, "county_admin", code=wrong_code_for(device)).status_code)
        clock.shift(dt.timedelta(seconds=20))  # past django-otp's own throttle delay
    assert answers == [200, 200, 200, 200, 429]  # the fifth failure locks, as with passwords
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOCKOUT).count() == 1
    clock.shift(STEP)
    locked = login(client, "county_admin", code=code_for(device))
    assert locked.status_code == 429
    assert "账号已锁定" in locked.content.decode()
    assert not is_logged_in(client)


def test_a_right_code_resets_the_failure_count(world, client, enrolled, clock):
    device, _codes = enrolled
    for _ in range(4):
        login(client, "county_admin", code=wrong_code_for(device))
        clock.shift(dt.timedelta(seconds=20))
    assert AccessAttempt.objects.filter(username="county_admin").exists()
    clock.shift(STEP)
    assert login(client, "county_admin", code=code_for(device)).status_code == 302
    assert not AccessAttempt.objects.filter(username="county_admin").exists()


def test_a_recovery_code_logs_in_once(world, client, enrolled):
    _device, codes = enrolled
    assert login(client, "county_admin", code=codes[0].upper()).status_code == 302
    assert is_logged_in(client)
    assert DEVICE_ID_SESSION_KEY in client.session
    client.post("/accounts/logout/")
    assert login(client, "county_admin", code=codes[0]).status_code == 200
    assert not is_logged_in(client)
    assert RecoveryCode.objects.filter(user=world.county_admin, used_at__isnull=False).count() == 1
    assert login(client, "county_admin", code=codes[1].replace("-", "")).status_code == 302


def test_a_code_given_by_an_account_without_a_device_is_ignored(world, client):
    assert login(client, "county_viewer", code="123456").status_code == 302


# --- Regenerate, disable -------------------------------------------------------------------


def test_regenerating_recovery_codes_voids_the_old_ones(world, client, enrolled, clock):
    device, old = enrolled
    login(client, "county_admin", code=code_for(device))
    clock.shift(STEP)
    refused = client.post(ENROL_URL, {"action": "regenerate", "code": wrong_code_for(device)})
    assert "验证码不正确或已过期" in refused.content.decode()
    response = client.post(ENROL_URL, {"action": "regenerate", "code": code_for(device)})
    new = re.findall(
        r'<li class="masked">([a-z0-9]{5}-[a-z0-9]{5})</li>', response.content.decode()
    )
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/accounts/logout/")
    assert login(client, "county_admin", code=old[3]).status_code == 200
    assert login(client, "county_admin", code=new[3]).status_code == 302


def test_disabling_needs_a_code_and_removes_everything(world, client, enrolled, clock):
    device, _codes = enrolled
    login(client, "county_admin", code=code_for(device))
    clock.shift(STEP)
    client.post(ENROL_URL, {"action": "disable", "code": "000000"})
    assert TOTPDevice.objects.filter(user=world.county_admin, confirmed=True).exists()
    response = client.post(ENROL_URL, {"action": "disable", "code": code_for(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.county_admin, confirmed=True).exists()
    assert not RecoveryCode.objects.filter(user=world.county_admin).exists()
    client.post("/accounts/logout/")
    assert login(client, "county_admin").status_code == 302


# --- Enforcement ---------------------------------------------------------------------------

WALKED = [
    "/",
    "/members/",
    "/orgs/",
    "/accounts/users/",
    "/accounts/tokens/",
    "/accounts/password/",
]


def test_an_account_that_must_enrol_reaches_only_the_enrolment_page(world, client, settings):
    settings.RUHUI_REQUIRE_2FA = "admin@county"
    client.force_login(world.county_admin)
    for url in WALKED:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == ENROL_URL, url
    assert client.get(ENROL_URL).status_code == 200
    assert client.get("/static/web/css/ruhui.css").status_code in (200, 404)
    api = client.get("/api/v1/assessment/schemes")
    assert api.status_code == 403
    assert "两步验证" in api.json()["detail"]
    # Logging out stays possible.
    assert client.post("/accounts/logout/").status_code == 302
    assert not is_logged_in(client)
    # Others are not affected.
    client.force_login(world.county_viewer)
    assert client.get("/").status_code == 200


def test_api_tokens_are_left_alone(world, client, settings):
    settings.RUHUI_REQUIRE_2FA = "admin@county"
    _token, raw = token_create(actor=world.county_admin, name="对接")
    response = client.get("/api/v1/assessment/schemes", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200


def test_a_password_change_that_is_due_comes_first(world, client, settings):
    settings.RUHUI_REQUIRE_2FA = "admin@county"
    world.county_admin.must_change_password = True
    world.county_admin.save()
    client.force_login(world.county_admin)
    assert client.get("/").url == "/accounts/password/"
    assert client.get("/accounts/password/").status_code == 200
    assert client.get(ENROL_URL).url == "/accounts/password/"
    world.county_admin.must_change_password = False
    world.county_admin.save()
    assert client.get("/").url == ENROL_URL
    assert client.get(ENROL_URL).status_code == 200


def test_after_enrolment_the_account_reaches_everything(world, client, settings, clock):
    settings.RUHUI_REQUIRE_2FA = "admin@county"
    client.force_login(world.county_admin)
    enrol(client, world.county_admin)
    for url in WALKED:
        assert client.get(url).status_code == 200, url


def test_a_session_not_verified_with_the_device_is_sent_to_log_in(world, client, clock):
    other = Client()
    other.force_login(world.county_admin)
    client.force_login(world.county_admin)
    enrol(client, world.county_admin)
    # Not even the 两步验证 page: a password-only session cannot turn the factor off.
    response = other.get(ENROL_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    assert not is_logged_in(other)
    api = Client()
    api.force_login(world.county_admin)
    assert api.get("/api/v1/assessment/schemes").status_code == 401
    assert client.get("/members/").status_code == 200


# --- Reset by the security administrator (the view is H1's user security page) -------------


def reset_url(user) -> str:
    return f"/accounts/users/{user.pk}/reset-2fa/"


def test_reset_removes_the_factor_and_the_user_must_enrol_again(world, client, enrolled, settings):
    settings.RUHUI_REQUIRE_2FA = "admin@county"
    client.force_login(world.city_admin)
    response = client.post(reset_url(world.county_admin))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.county_admin).exists()
    assert not RecoveryCode.objects.filter(user=world.county_admin).exists()
    event = AuditEvent.objects.filter(action=AuditEvent.Action.DELETE).get()
    assert event.actor == world.city_admin and event.object_id == str(world.county_admin.pk)
    user = Client()
    assert login(user, "county_admin").status_code == 302
    assert user.get("/").url == ENROL_URL


def test_reset_triangle(world, client, settings):
    settings.RUHUI_SEPARATION_OF_DUTIES = True
    security = UserFactory(username="city_security", organization=world.city, role=Role.SECURITY)
    county_security = UserFactory(
        username="county_security", organization=world.county, role=Role.SECURITY
    )
    sibling_security = UserFactory(
        username="sibling_security", organization=world.sibling, role=Role.SECURITY
    )
    TOTPDevice.objects.create(user=county_security, name="认证应用", confirmed=True)
    # Read-only, and the admin once duties are separated: 403. A sibling county: 404.
    for outsider, status in [
        (world.county_viewer, 403),
        (world.county_admin, 403),
        (world.city_admin, 403),
        (sibling_security, 404),
    ]:
        client.force_login(outsider)
        assert client.post(reset_url(county_security)).status_code == status, outsider
    assert TOTPDevice.objects.filter(user=county_security).exists()
    # The security administrator of the city resets it.
    client.force_login(security)
    assert client.post(reset_url(county_security)).status_code == 302
    assert not TOTPDevice.objects.filter(user=county_security).exists()


def test_no_one_resets_their_own_factor_from_the_user_page(world, client, enrolled):
    device, _codes = enrolled
    login(client, "county_admin", code=code_for(device))
    assert client.post(reset_url(world.county_admin)).status_code == 403
    assert TOTPDevice.objects.filter(user=world.county_admin).exists()


# --- Done when (issue 19) ------------------------------------------------------------------


def test_with_duties_separated_the_city_auditor_must_enrol_before_the_audit_log(
    world, client, settings, clock
):
    settings.RUHUI_SEPARATION_OF_DUTIES = True
    settings.RUHUI_REQUIRE_2FA = "admin,security,auditor@province,city"
    auditor = UserFactory(username="pds_auditor", organization=world.city, role=Role.AUDITOR)

    assert login(client, "pds_auditor").status_code == 302
    assert client.get("/accounts/audit/")["Location"] == ENROL_URL
    device, _codes = enrol(client, auditor)
    assert client.get("/accounts/audit/").status_code == 200

    # Next day: the password alone is not enough, with the code the log opens.
    client.post("/accounts/logout/")
    clock.shift(STEP)
    assert login(client, "pds_auditor").status_code == 200
    assert login(client, "pds_auditor", code=code_for(device)).status_code == 302
    assert client.get("/accounts/audit/").status_code == 200

    # The city admin, enrolled too, still cannot open the audit log.
    admin = Client()
    admin.force_login(world.city_admin)
    enrol(admin, world.city_admin)
    assert admin.get("/accounts/audit/").status_code == 403


def test_a_page_asks_nothing_of_the_device_table(world, client, enrolled, clock):
    """Whether a session should have been verified is noted at sign-in: a request of an account
    without a factor does not query the devices; one with a factor only lets django-otp load
    the session's own device by its id (OTPMiddleware)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    device, _codes = enrolled
    cases = ((world.county_viewer, "", 0), (world.county_admin, code_for(device), 1))
    for user, code, device_queries in cases:
        client.post(
            "/accounts/login/",
            {"username": user.username, "password": PASSWORD, "otp_token": code},
        )
        assert is_logged_in(client)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/members/").status_code == 200
        assert sum("otp_totp_totpdevice" in q["sql"] for q in queries) == device_queries, user
        client.post("/accounts/logout/")
