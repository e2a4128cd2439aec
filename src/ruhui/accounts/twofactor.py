"""The second factor (issue 19): TOTP through django-otp, ten single-use recovery codes, and who
must use it (`settings.RUHUI_REQUIRE_2FA`).

`RUHUI_REQUIRE_2FA` is "roles@kinds", e.g. "admin,security,auditor@province,city": those roles
(accounts.Role values) in organizations of those kinds (orgs.choices.OrgKind values). Several
clauses are separated by ";" ("admin@province,city;security,auditor"); a clause without "@"
applies at every level, and "*" stands for every role. Empty: nobody is forced (anyone may enrol).

Recovery codes are stored as `salt$HMAC-SHA256(SECRET_KEY, salt + code)`. A code is 10 random
characters from a 31-letter alphabet (≈ 49.5 bits), so a slow password hash adds nothing against
guessing over the network (axes locks after 5 failures), and it would make a login that tries
ten stored codes take seconds. Keying the hash with SECRET_KEY means a copy of the database alone
does not let anyone test candidate codes offline; the per-code salt keeps equal codes apart.
"""

import hmac
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache

import segno
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from ruhui.accounts.models import RecoveryCode, Role
from ruhui.audit.services import Action, audit_record
from ruhui.orgs.choices import OrgKind

RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 10
#: No 0/o, 1/l/i: a code copied from paper must not be ambiguous.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_HMAC_SALT = "ruhui.accounts.twofactor.recovery-code"
DEVICE_NAME = "认证应用"

MSG_BAD_CODE = _(
    "验证码不正确或已过期：请输入认证应用当前显示的 6 位数字（或一个未用过的恢复码），"
    "并确认手机时间准确。"
)
MSG_ALREADY = _("您已启用两步验证；如需更换手机，请先停用再重新启用。")
MSG_NOT_ENROLLED = _("您尚未启用两步验证。")
MSG_RESET_SELF = _("不能重置自己的两步验证：请在「两步验证」页输入验证码后停用，再重新启用。")


# --- Who must use it -----------------------------------------------------------------------


@dataclass(frozen=True)
class Clause:
    roles: frozenset[str] | None  # None: every role
    kinds: frozenset[str] | None  # None: every level

    def applies(self, role: str, kind: str | None) -> bool:
        return (self.roles is None or role in self.roles) and (
            self.kinds is None or kind in self.kinds
        )


def _names(text: str, valid: set[str], what: str, setting: str) -> frozenset[str] | None:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if names == ["*"]:
        return None
    unknown = [n for n in names if n not in valid]
    if unknown or not names:
        raise ImproperlyConfigured(
            f"RUHUI_REQUIRE_2FA={setting!r}: unknown {what} {unknown or '(empty)'}; "
            f"use comma-separated values of {sorted(valid)} or '*'."
        )
    return frozenset(names)


@lru_cache(maxsize=8)
def parse_requirement(setting: str) -> tuple[Clause, ...]:
    """The clauses of a RUHUI_REQUIRE_2FA value; ImproperlyConfigured names a wrong entry."""
    clauses = []
    for part in (setting or "").split(";"):
        part = part.strip()
        if not part:
            continue
        roles_text, _at, kinds_text = part.partition("@")
        roles = _names(roles_text, set(Role.values), "role(s)", setting)
        kinds = (
            _names(kinds_text, set(OrgKind.values), "organization kind(s)", setting)
            if _at
            else None
        )
        clauses.append(Clause(roles=roles, kinds=kinds))
    return tuple(clauses)


def is_required(user) -> bool:
    """Whether RUHUI_REQUIRE_2FA obliges this user to have a second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    clauses = parse_requirement(getattr(settings, "RUHUI_REQUIRE_2FA", "") or "")
    if not clauses:
        return False
    kind = user.organization.kind if user.organization_id else None
    return any(clause.applies(user.role, kind) for clause in clauses)


# --- Devices -------------------------------------------------------------------------------


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


#: In the session: whether the account had a confirmed device when this session signed in.
#: A session without a verified device then needs no query per request to know whether it
#: should have one (the device was there at login → sign in again with a code); a device
#: confirmed later ends the account's other sessions (views_twofactor), so none is missed.
DEVICE_AT_LOGIN = "ruhui_2fa_at_login"


def note_login(request, user) -> None:
    """Called at login (accounts.signals): one query per sign-in instead of one per request."""
    request.session[DEVICE_AT_LOGIN] = has_confirmed_device(user)


def session_needs_device(request, user) -> bool:
    """Whether this unverified session belongs to an account that had a device at sign-in (or,
    for a session signed in before the note existed, has one now; noted then)."""
    noted = request.session.get(DEVICE_AT_LOGIN)
    if noted is None:
        noted = request.session[DEVICE_AT_LOGIN] = has_confirmed_device(user)
    return bool(noted)


def find_pending_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def pending_device(user) -> TOTPDevice:
    """The user's unconfirmed device (created on first visit): reloading the enrolment page
    keeps the same secret, so a QR code already scanned stays valid."""
    device = find_pending_device(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    """The secret for manual entry, in groups of four letters."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG drawn here (no image request, nothing leaves)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, dark="#000", light="#fff", title="两步验证二维码", svgclass="qr-code"
    )


def _audit(actor, target, action: str, what: str) -> None:
    # Never the secret or a code: only what happened and to whom.
    # org_path given: request.user is a lazy object whose type carries no scope_field.
    audit_record(
        actor=actor,
        action=action,
        obj=target,
        org_path=target.organization.path if target.organization_id else "",
        changes={"两步验证": what},
        object_repr=f"{target.username}（两步验证）",
    )


# --- Recovery codes ------------------------------------------------------------------------


def normalize_code(raw: str) -> str:
    return re.sub(r"[\s-]", "", raw or "").lower()


def _digest(code: str, salt: str, secret: str | None = None) -> str:
    return salted_hmac(_HMAC_SALT, salt + code, secret=secret, algorithm="sha256").hexdigest()


def recovery_digest(code: str) -> str:
    salt = secrets.token_hex(8)
    return f"{salt}${_digest(normalize_code(code), salt)}"


def _digest_matches(stored: str, code: str) -> bool:
    salt, _sep, expected = stored.partition("$")
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(hmac.compare_digest(_digest(code, salt, key), expected) for key in keys)


def _new_recovery_code() -> str:
    code = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return f"{code[:5]}-{code[5:]}"


def _replace_recovery_codes(user) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, digest=recovery_digest(code)) for code in codes
    )
    return codes


def unused_recovery_codes(user) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def use_recovery_code(user, raw: str) -> bool:
    """Consume one of the user's unused recovery codes; False when none matches."""
    code = normalize_code(raw)
    if len(code) != RECOVERY_CODE_LENGTH:
        return False
    with transaction.atomic():
        for row in RecoveryCode.objects.select_for_update().filter(user=user, used_at__isnull=True):
            if _digest_matches(row.digest, code):
                row.used_at = timezone.now()
                row.save(update_fields=["used_at"])
                return True
    return False


# --- Verification --------------------------------------------------------------------------


def _verify_totp(device: TOTPDevice, raw: str) -> bool:
    token = re.sub(r"\s", "", raw or "")
    if not re.fullmatch(r"\d{6}", token):
        return False
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        ok = locked.verify_token(token)  # drift, replay (last_t) and throttling: django-otp's
    if ok:
        device.refresh_from_db()
    return ok


def verify_second_factor(user, raw: str) -> TOTPDevice | None:
    """The user's confirmed device when `raw` is its current code or an unused recovery code
    (consumed); None otherwise. A user without a device has no second factor to pass."""
    device = confirmed_device(user)
    if device is None or not (raw or "").strip():
        return None
    if _verify_totp(device, raw) or use_recovery_code(user, raw):
        return device
    return None


# --- Services ------------------------------------------------------------------------------


@transaction.atomic
def confirm_enrolment(*, user, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the pending device with a current code; return the ten recovery codes (shown
    once). ValidationError (in Chinese) when the code is wrong or a device is already on."""
    if has_confirmed_device(user):
        raise ValidationError(MSG_ALREADY)
    if device.user_id != user.pk or device.confirmed or not _verify_totp(device, token):
        raise ValidationError(MSG_BAD_CODE)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    codes = _replace_recovery_codes(user)
    _audit(user, user, Action.CREATE, "启用（认证应用已绑定，生成 10 个恢复码）")
    return codes


@transaction.atomic
def regenerate_recovery_codes(*, user, token: str) -> list[str]:
    """New recovery codes (the old ones stop working), after a current code."""
    if not has_confirmed_device(user):
        raise ValidationError(MSG_NOT_ENROLLED)
    if verify_second_factor(user, token) is None:
        raise ValidationError(MSG_BAD_CODE)
    codes = _replace_recovery_codes(user)
    _audit(user, user, Action.UPDATE, "重新生成恢复码（旧恢复码作废）")
    return codes


@transaction.atomic
def disable(*, user, token: str) -> None:
    """Turn the user's own second factor off, after a current code or a recovery code."""
    if not has_confirmed_device(user):
        raise ValidationError(MSG_NOT_ENROLLED)
    if verify_second_factor(user, token) is None:
        raise ValidationError(MSG_BAD_CODE)
    _remove_factor(user)
    _audit(user, user, Action.DELETE, "本人停用")


def _remove_factor(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()


@transaction.atomic
def reset(*, actor, user) -> None:
    """A security administrator (or, without separation of duties, an admin) removes a user's
    devices and recovery codes; the user must enrol again. Jurisdiction and the permission
    `accounts.manage_security` are checked by the caller (the view); one's own factor is
    turned off on the 两步验证 page with a code instead."""
    if actor.pk == user.pk:
        raise PermissionDenied(MSG_RESET_SELF)
    _remove_factor(user)
    _audit(actor, user, Action.DELETE, "由安全管理员重置（须重新启用）")
