"""Tests for field encryption, blind indexes (ruhui.core.crypto) and masking."""

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from ruhui.core import crypto, masking
from ruhui.core.crypto import DecryptionError, KeyRing

SRC = Path(__file__).resolve().parents[2] / "src"
KEY_1 = bytes(range(32))
KEY_2 = bytes(range(100, 132))
INDEX_KEY = bytes(range(200, 232))
CONTEXT = "member.id_number"
ID = "41040219900101123X"


@pytest.fixture
def old_ring():
    return KeyRing({1: KEY_1}, 1, INDEX_KEY)


@pytest.fixture
def ring():
    return KeyRing({1: KEY_1, 2: KEY_2}, 2, INDEX_KEY)


def _decode(token):
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))


def test_round_trip(ring):
    token = crypto.encrypt(ID, context=CONTEXT, keyring=ring)
    assert crypto.decrypt(token, context=CONTEXT, keyring=ring) == ID
    assert ID not in token
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)


@given(st.text(max_size=64))
def test_round_trip_any_text(text):
    ring = KeyRing({7: KEY_1}, 7)
    assert (
        crypto.decrypt(crypto.encrypt(text, context="x", keyring=ring), context="x", keyring=ring)
        == text
    )


def test_token_layout_and_random_nonce(ring):
    first = crypto.encrypt(ID, context=CONTEXT, keyring=ring)
    second = crypto.encrypt(ID, context=CONTEXT, keyring=ring)
    assert first != second
    raw = _decode(first)
    assert raw[0] == 2
    assert len(raw) == 1 + 12 + len(ID.encode()) + 16
    assert raw[1:13] != _decode(second)[1:13]


def test_every_flipped_byte_is_detected(ring):
    raw = bytearray(_decode(crypto.encrypt(ID, context=CONTEXT, keyring=ring)))
    for position in range(len(raw)):
        tampered = bytearray(raw)
        tampered[position] ^= 0x01
        token = base64.urlsafe_b64encode(bytes(tampered)).decode()
        with pytest.raises(DecryptionError):
            crypto.decrypt(token, context=CONTEXT, keyring=ring)


def test_wrong_context_rejected(ring):
    token = crypto.encrypt(ID, context=CONTEXT, keyring=ring)
    with pytest.raises(DecryptionError):
        crypto.decrypt(token, context="member.phone", keyring=ring)


@pytest.mark.parametrize("token", ["", "abc", "!!!!", "A" * 10, "ñ"])
def test_malformed_tokens_rejected(ring, token):
    with pytest.raises(DecryptionError):
        crypto.decrypt(token, context=CONTEXT, keyring=ring)


@given(st.lists(st.text(max_size=24), max_size=8), st.lists(st.text(max_size=40), max_size=4))
def test_decrypt_many_agrees_with_decrypt(texts, garbage):
    ring = KeyRing({1: KEY_1, 2: KEY_2}, 2, INDEX_KEY)
    old = crypto.encrypt("旧密钥", context=CONTEXT, keyring=KeyRing({1: KEY_1}, 1))
    other = crypto.encrypt("别的用途", context="member.phone", keyring=ring)
    tokens = [*crypto.encrypt_many(texts, context=CONTEXT, keyring=ring), old, other, *garbage]
    expected = []
    for token in tokens:
        try:
            expected.append(crypto.decrypt(token, context=CONTEXT, keyring=ring))
        except DecryptionError:
            expected.append(None)
    assert crypto.decrypt_many(tokens, context=CONTEXT, keyring=ring) == expected
    assert expected[: len(texts) + 1] == [*texts, "旧密钥"] and expected[len(texts) + 1] is None


def test_decrypt_many_answers_none_for_every_tampered_byte(ring):
    raw = bytearray(_decode(crypto.encrypt(ID, context=CONTEXT, keyring=ring)))
    tampered = []
    for position in range(len(raw)):
        changed = bytearray(raw)
        changed[position] ^= 0x01
        tampered.append(base64.urlsafe_b64encode(bytes(changed)).decode())
    bad = ["", "abc", "!!!!", "A" * 10, "ñ"]
    assert crypto.decrypt_many(tampered + bad, context=CONTEXT, keyring=ring) == [None] * (
        len(tampered) + len(bad)
    )


def test_rotation_old_tokens_still_decrypt(old_ring, ring):
    old_token = crypto.encrypt(ID, context=CONTEXT, keyring=old_ring)
    assert _decode(old_token)[0] == 1
    assert crypto.decrypt(old_token, context=CONTEXT, keyring=ring) == ID
    new_token = crypto.encrypt(ID, context=CONTEXT, keyring=ring)
    assert _decode(new_token)[0] == 2
    with pytest.raises(DecryptionError, match="编号 2"):
        crypto.decrypt(new_token, context=CONTEXT, keyring=old_ring)


def test_same_id_different_key_material_fails():
    token = crypto.encrypt(ID, context=CONTEXT, keyring=KeyRing({1: KEY_1}, 1))
    with pytest.raises(DecryptionError):
        crypto.decrypt(token, context=CONTEXT, keyring=KeyRing({1: KEY_2}, 1))


def test_blind_index_is_deterministic_full_length(ring):
    first = crypto.blind_index(ID, context=CONTEXT, keyring=ring)
    assert first == crypto.blind_index(ID, context=CONTEXT, keyring=ring)
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert first == crypto.blind_index(" 41040219900101123x ", context=CONTEXT, keyring=ring)
    assert first == crypto.blind_index(
        "４１０４０２１９９００１０１１２３Ｘ", context=CONTEXT, keyring=ring
    )


def test_blind_index_differs_by_value_context_and_key(ring):
    base = crypto.blind_index(ID, context=CONTEXT, keyring=ring)
    assert base != crypto.blind_index("410402199001011248", context=CONTEXT, keyring=ring)
    assert base != crypto.blind_index(ID, context="member.phone", keyring=ring)
    other = KeyRing({1: KEY_1}, 1, bytes(range(50, 82)))
    assert base != crypto.blind_index(ID, context=CONTEXT, keyring=other)
    # Context and value are length-separated: shifting characters between them changes it.
    assert crypto.blind_index("bc", context="a", keyring=ring) != crypto.blind_index(
        "c", context="ab", keyring=ring
    )


def test_blind_index_does_not_depend_on_encryption_keys():
    one = KeyRing({1: KEY_1}, 1, INDEX_KEY)
    two = KeyRing({2: KEY_2}, 2, INDEX_KEY)
    assert crypto.blind_index(ID, context=CONTEXT, keyring=one) == crypto.blind_index(
        ID, context=CONTEXT, keyring=two
    )


def test_blind_index_needs_its_key():
    with pytest.raises(ImproperlyConfigured):
        crypto.blind_index(ID, context=CONTEXT, keyring=KeyRing({1: KEY_1}, 1))


@pytest.mark.parametrize(
    ("keys", "current", "index_key"),
    [
        ({1: b"short"}, 1, None),
        ({1: KEY_1}, 2, None),
        ({300: KEY_1}, 300, None),
        ({1: KEY_1}, 1, b"tiny"),
        ({1: KEY_1}, 1, KEY_1),
        ({1: "not base64!"}, 1, None),
    ],
)
def test_bad_keyrings_rejected(keys, current, index_key):
    with pytest.raises(ImproperlyConfigured):
        KeyRing(keys, current, index_key)


def test_string_keys_accepted():
    ring = KeyRing({"3": base64.b64encode(KEY_1).decode()}, "3", KEY_2.hex())
    assert ring.keys == {3: KEY_1}
    assert ring.current_id == 3
    assert ring.blind_index_key == KEY_2


def test_context_required(ring):
    with pytest.raises(ValueError, match="context"):
        crypto.encrypt(ID, context="", keyring=ring)
    with pytest.raises(ValueError, match="context"):
        crypto.blind_index(ID, context="", keyring=ring)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("41040219900101123X", "410402********123X"),
        ("41040219900101123x", "410402********123X"),
        ("110105491231002", "110**********02"),
        (None, ""),
        ("", ""),
    ],
)
def test_mask_id_number(value, expected):
    assert masking.mask_id_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812341234", "138****1234"),
        ("138 1234 1234", "138****1234"),
        ("1234567", "*****67"),
        ("12", "**"),
        (None, ""),
        ("", ""),
    ],
)
def test_mask_phone(value, expected):
    assert masking.mask_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("张三丰", "张*丰"),
        ("张三", "张*"),
        ("欧阳娜娜", "欧**娜"),
        ("张", "*"),
        (None, ""),
        ("", ""),
    ],
)
def test_mask_name(value, expected):
    assert masking.mask_name(value) == expected


_SETTINGS_SCRIPT = """
from django.conf import settings
settings.configure(RUHUI_FIELD_KEYS={1: bytes(range(32)), 2: bytes(range(100, 132))},
                   RUHUI_FIELD_KEY_ID=2, RUHUI_BLIND_INDEX_KEY=bytes(range(200, 232)))
from ruhui.core import crypto
token = crypto.encrypt("13812341234", context="member.phone")
assert crypto.decrypt(token, context="member.phone") == "13812341234"
assert len(crypto.blind_index("13812341234", context="member.phone")) == 64
settings.RUHUI_FIELD_KEY_ID = 1
assert crypto.decrypt(token, context="member.phone") == "13812341234"
assert crypto._keys().current_id == 1
print("ok")
"""

_UNCONFIGURED_SCRIPT = """
from django.conf import settings
settings.configure()
from django.core.exceptions import ImproperlyConfigured
from ruhui.core import crypto
try:
    crypto.encrypt("x", context="c")
except ImproperlyConfigured:
    print("ok")
"""


def _run_isolated(script: str) -> subprocess.CompletedProcess:
    """Run ``script`` in a fresh interpreter whose Django settings it configures itself."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(  # noqa: S603 (fixed scripts defined in this module)
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )


def test_keys_are_read_from_django_settings_at_call_time():
    result = _run_isolated(_SETTINGS_SCRIPT)
    assert result.stdout.strip() == "ok", result.stderr


def test_missing_settings_raise_improperly_configured():
    result = _run_isolated(_UNCONFIGURED_SCRIPT)
    assert result.stdout.strip() == "ok", result.stderr
