"""Password profiles (issue 19 item 3): asvs (≥ 10 characters, common-password list, every
length up to 128 accepted as typed, no composition rule) and mlps (also 3 of 4 character
classes, and rotation through the must_change_password path). Hypothesis property tests for the
validators, then the rotation through real requests; every place a password is set stamps
User.password_changed_at."""

import datetime
import string

import pytest
from django.contrib.auth.password_validation import (
    get_default_password_validators,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from ruhui.accounts import services
from ruhui.accounts.models import Role
from ruhui.accounts.validators import (
    MAX_LENGTH,
    CharacterClassesValidator,
    character_classes,
    password_due,
    profile_validators,
)
from tests.factories import PASSWORD, UserFactory

CJK = "入会工会职工平顶山舞钢"
#: Characters people type: ASCII letters, digits, punctuation, space, some Chinese.
TYPED = st.characters(
    codec="utf-8",
    categories=("Lu", "Ll", "Nd", "Po", "Ps", "Pe", "Sm", "Zs", "Lo"),
)


def _messages(password, profile, user=None) -> list[str] | None:
    with override_settings(AUTH_PASSWORD_VALIDATORS=profile_validators(profile)):
        try:
            validate_password(password, user, get_default_password_validators())
        except ValidationError as exc:
            return exc.messages
    return None


@given(st.text(alphabet=TYPED, min_size=0, max_size=9))
@hsettings(max_examples=60, deadline=None)
def test_asvs_refuses_every_password_under_ten_characters(password):
    messages = _messages(password, "asvs")
    assert messages and any("至少需要 10 个字符" in m for m in messages)


@given(
    st.text(
        alphabet=st.sampled_from(string.ascii_lowercase + CJK + " "),
        min_size=16,
        max_size=MAX_LENGTH,
    )
)
@hsettings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_asvs_accepts_any_long_phrase_without_composition_rules(password):
    """16–128 characters of lower case letters, Chinese and spaces only: accepted under asvs
    (no class rule), and the hash checks the whole value (nothing truncated)."""
    if password.isdigit() or len(set(password)) < 3:  # the common/numeric lists may apply
        return
    assert _messages(password, "asvs") is None
    user = UserFactory.build()
    user.set_password(password)
    assert user.check_password(password)
    assert not user.check_password(password[:-1])


@pytest.mark.parametrize("length", [64, 100, 128])
def test_asvs_accepts_64_to_128_characters(length):
    password = ("长城 horse battery 订书钉 " * 20)[:length]
    assert len(password) == length
    assert _messages(password, "asvs") is None
    assert _messages(password, "mlps") is not None  # lower case, Chinese, space: 2 classes


def test_more_than_128_is_refused_in_chinese_not_truncated():
    messages = _messages("a b c d e " * 13, "asvs")  # 130 characters
    assert messages == ["密码太长（130 个字符），最多 128 个字符，请缩短。"]


@pytest.mark.parametrize("profile", ["asvs", "mlps"])
def test_common_password_is_refused_by_both(profile):
    messages = _messages("password123", profile)
    assert messages and any("太常见" in m for m in messages)


@given(st.text(alphabet=TYPED, min_size=10, max_size=60))
@hsettings(max_examples=150, deadline=None)
def test_mlps_class_rule_matches_the_reference_count(password):
    """The mlps validator refuses exactly when fewer than 3 of the 4 classes appear; its
    message is Chinese and names the classes to add."""
    reference = {
        "大写": any(c in string.ascii_uppercase for c in password),
        "小写": any(c in string.ascii_lowercase for c in password),
        "数字": any(c in string.digits for c in password),
        "符号": any(c not in string.ascii_letters and c not in string.digits for c in password),
    }
    count = sum(reference.values())
    assert len(character_classes(password)) == count
    try:
        CharacterClassesValidator(3).validate(password)
    except ValidationError as exc:
        assert count < 3
        (message,) = exc.messages
        assert f"当前只有 {count} 类" in message and "请加入" in message
    else:
        assert count >= 3


@given(
    st.text(alphabet=st.sampled_from(string.ascii_lowercase), min_size=12, max_size=40),
    st.sampled_from(["A", "Q", "Z"]),
    st.sampled_from(["7", "0"]),
    st.sampled_from(["-", "!", " ", "会"]),
)
@hsettings(max_examples=60, deadline=None)
def test_mlps_accepts_three_classes_and_asvs_does_not_need_them(lower, upper, digit, symbol):
    three = upper + lower + digit
    assert _messages(three, "mlps") is None
    assert _messages(lower + symbol + lower, "asvs") is None
    two = _messages(lower + digit, "mlps")
    assert two and any("至少 3 类" in m for m in two)


# ---- Rotation (mlps) -----------------------------------------------------------------------


def test_rotation_only_under_mlps(db, settings):
    user = UserFactory(role=Role.CLERK)
    user.password_changed_at = timezone.now() - datetime.timedelta(days=91)
    settings.RUHUI_PASSWORD_PROFILE = "asvs"
    assert not password_due(user)
    settings.RUHUI_PASSWORD_PROFILE = "mlps"
    settings.RUHUI_PASSWORD_ROTATION_DAYS = 90
    assert password_due(user)
    user.password_changed_at = timezone.now() - datetime.timedelta(days=89)
    assert not password_due(user)
    # Never recorded: counted from the date joined.
    user.password_changed_at = None
    user.date_joined = timezone.now() - datetime.timedelta(days=120)
    assert password_due(user)


def test_a_due_password_goes_through_the_change_page(world, settings, client):
    settings.RUHUI_PASSWORD_PROFILE = "mlps"
    settings.RUHUI_PASSWORD_ROTATION_DAYS = 90
    settings.AUTH_PASSWORD_VALIDATORS = profile_validators("mlps")
    user = world.county_viewer
    user.password_changed_at = timezone.now() - datetime.timedelta(days=100)
    user.save(update_fields=["password_changed_at"])
    client.force_login(user)
    response = client.get("/members/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    page = client.get("/accounts/password/").content.decode()
    assert "密码已使用超过 90 天，请修改" in page
    weak = "onlylowercaseletters"
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
    )
    assert response.status_code == 200 and "至少 3 类" in response.content.decode()
    strong = "Rotation-2026-ok"
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert timezone.now() - user.password_changed_at < datetime.timedelta(minutes=1)
    assert client.get("/members/").status_code == 200


def test_every_password_set_stamps_the_time(world):
    before = timezone.now()
    created, _password = services.user_create(
        actor=world.city_admin,
        username="stamped",
        full_name="新干部",
        organization=world.county,
        role=Role.CLERK,
    )
    assert created.password_changed_at >= before
    created.password_changed_at = None
    created.save(update_fields=["password_changed_at"])
    services.user_reset_password(actor=world.city_admin, user=created)
    created.refresh_from_db()
    assert created.password_changed_at >= before
    created.password_changed_at = None
    created.save(update_fields=["password_changed_at"])
    services.user_change_password(user=created, new_password="Another-pass-2026")
    created.refresh_from_db()
    assert created.password_changed_at >= before
    # createsuperuser's path (the manager, no service): stamped on creation.
    from ruhui.accounts.models import User

    root = User.objects.create_superuser("root_admin", password="Root-pass-2026!")
    assert root.password_changed_at is not None and root.password_changed_at >= before
