"""Password validators with Chinese messages, and the two password profiles (issue 19).

`RUHUI_PASSWORD_PROFILE=asvs` (OWASP ASVS 5.0 level 2): at least 10 characters, the common-
password list, and every length up to 128 accepted as typed (no composition rule, nothing cut
off). `mlps` (等保 2.0 level 3) adds 3 of 4 character classes and a rotation: a password older
than `RUHUI_PASSWORD_ROTATION_DAYS` must be changed at the next request (see middleware)."""

import datetime

from django.conf import settings
from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ValidationError
from django.utils import timezone

MAX_LENGTH = 128


class ChineseMinimumLengthValidator(MinimumLengthValidator):
    """Django 5.2's message for this rule changed wording and lost its zh-hans translation."""

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(
                self.get_error_message(),
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_error_message(self):
        return f"密码长度太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"你的密码必须包含至少 {self.min_length} 个字符。"


class MaximumLengthValidator:
    """An upper bound well above what people type (ASVS: at least 64 must be accepted), so a
    megabyte-long "password" cannot tie up the hasher. Nothing is ever truncated."""

    def __init__(self, max_length: int = MAX_LENGTH):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                f"密码太长（{len(password)} 个字符），最多 {self.max_length} 个字符，请缩短。",
                code="password_too_long",
            )

    def get_help_text(self):
        return f"密码最多 {self.max_length} 个字符，可以使用空格和任意文字。"


CLASS_NAMES = ("大写字母", "小写字母", "数字", "符号")


def character_classes(password: str) -> set[str]:
    """Which of the four classes (ASCII upper, lower, digit; anything else is a symbol,
    including spaces and Chinese characters) the password uses."""
    found = set()
    for char in password:
        if "A" <= char <= "Z":
            found.add("大写字母")
        elif "a" <= char <= "z":
            found.add("小写字母")
        elif "0" <= char <= "9":
            found.add("数字")
        else:
            found.add("符号")
    return found


class CharacterClassesValidator:
    """等保 (mlps profile): at least `min_classes` of upper case, lower case, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        found = character_classes(password)
        if len(found) < self.min_classes:
            missing = "、".join(name for name in CLASS_NAMES if name not in found)
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号四类中的至少 {self.min_classes} 类，"
                f"当前只有 {len(found)} 类，请加入：{missing}。",
                code="password_classes",
            )

    def get_help_text(self):
        return f"密码须包含大写字母、小写字母、数字、符号四类中的至少 {self.min_classes} 类。"


def profile_validators(profile: str) -> list[dict]:
    """AUTH_PASSWORD_VALIDATORS for a profile (settings.py builds its list from this)."""
    validators = [
        {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
        {
            "NAME": "ruhui.accounts.validators.ChineseMinimumLengthValidator",
            "OPTIONS": {"min_length": 10},
        },
        {
            "NAME": "ruhui.accounts.validators.MaximumLengthValidator",
            "OPTIONS": {"max_length": MAX_LENGTH},
        },
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    ]
    if profile == "mlps":
        validators.append(
            {
                "NAME": "ruhui.accounts.validators.CharacterClassesValidator",
                "OPTIONS": {"min_classes": 3},
            }
        )
    return validators


def rotation_days() -> int | None:
    """The rotation period in days under the mlps profile; None when passwords do not expire."""
    if getattr(settings, "RUHUI_PASSWORD_PROFILE", "asvs") != "mlps":
        return None
    return int(settings.RUHUI_PASSWORD_ROTATION_DAYS) or None


def password_due(user, now: datetime.datetime | None = None) -> bool:
    """Whether the user's password is older than the rotation period (counted from the date
    joined when its change was never recorded)."""
    days = rotation_days()
    if days is None or not getattr(user, "is_authenticated", False):
        return False
    since = user.password_changed_at or user.date_joined
    return since is not None and (now or timezone.now()) - since > datetime.timedelta(days=days)
