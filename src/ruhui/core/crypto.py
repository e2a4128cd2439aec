"""Field encryption (AES-256-GCM) and keyed blind indexes for personal data (PI-2).

Token format: base64url, unpadded, of ``key_id (1 byte) | nonce (12 bytes) | ciphertext+tag``.
The associated data binds the format version, the key id and a ``context`` such as
'member.id_number', so a token copied into another column does not decrypt.

Keys come from Django settings, read at call time (importing needs no settings):
``RUHUI_FIELD_KEYS`` ({key_id: 32-byte key}), ``RUHUI_FIELD_KEY_ID`` (the id new tokens use;
older ids stay readable for rotation) and ``RUHUI_BLIND_INDEX_KEY`` (bytes, separate from the
encryption keys). Every function also takes ``keyring=`` so tests and tools can pass keys.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import os
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured

VERSION = b"ruhui.field.v1"
NONCE_BYTES = 12
KEY_BYTES = 32
_MIN_TOKEN = 1 + NONCE_BYTES + 16
_SHA256_BLOCK = 64
_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


class DecryptionError(Exception):
    """A token that cannot be decrypted: tampered, wrong context, unknown key or malformed."""


def _as_key(value: bytes | str, name: str) -> bytes:
    """Accept raw bytes, or a str holding hex (64 chars) or base64 of 32 bytes."""
    if isinstance(value, str):
        try:
            raw = (
                bytes.fromhex(value)
                if len(value) == 2 * KEY_BYTES
                else base64.b64decode(value, validate=True)
            )
        except (ValueError, binascii.Error) as error:
            raise ImproperlyConfigured(f"{name} is neither hex nor base64.") from error
    else:
        raw = bytes(value)
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(f"{name} must be {KEY_BYTES} bytes, got {len(raw)}.")
    return raw


@dataclass(frozen=True)
class KeyRing:
    """Encryption keys by id, the id for new tokens, and the blind-index key."""

    keys: Mapping[int, bytes]
    current_id: int
    blind_index_key: bytes | None = None
    _ciphers: dict[int, AESGCM] = field(default_factory=dict, init=False, repr=False, compare=False)
    _index_pads: list = field(default_factory=list, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keys = {}
        for key_id, key in self.keys.items():
            number = int(key_id)
            if not 0 <= number <= 255:
                raise ImproperlyConfigured(f"Field key id {key_id!r} must be 0–255.")
            keys[number] = _as_key(key, f"RUHUI_FIELD_KEYS[{key_id}]")
        if int(self.current_id) not in keys:
            raise ImproperlyConfigured(f"RUHUI_FIELD_KEY_ID {self.current_id} has no key.")
        object.__setattr__(self, "keys", keys)
        object.__setattr__(self, "current_id", int(self.current_id))
        if self.blind_index_key is not None:
            index_key = self.blind_index_key
            if isinstance(index_key, str):
                index_key = _as_key(index_key, "RUHUI_BLIND_INDEX_KEY")
            if len(index_key) < 16:
                raise ImproperlyConfigured("RUHUI_BLIND_INDEX_KEY must be at least 16 bytes.")
            if index_key in keys.values():
                raise ImproperlyConfigured("RUHUI_BLIND_INDEX_KEY must differ from field keys.")
            object.__setattr__(self, "blind_index_key", bytes(index_key))

    def cipher(self, key_id: int) -> AESGCM:
        """The AES-GCM object for ``key_id`` (cached); KeyError if the id is unknown."""
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            cipher = self._ciphers[key_id] = AESGCM(self.keys[key_id])
        return cipher

    def index_pads(self):
        """SHA-256 states after the blind-index key's inner and outer HMAC pads (RFC 2104),
        computed once: HMAC of a short value then costs two hash copies, not a key setup."""
        if not self._index_pads:
            key = self.blind_index_key
            if len(key) > _SHA256_BLOCK:
                key = hashlib.sha256(key).digest()
            key = key.ljust(_SHA256_BLOCK, b"\0")
            self._index_pads.extend(
                (
                    hashlib.sha256(key.translate(_IPAD)),
                    hashlib.sha256(key.translate(_OPAD)),
                )
            )
        return self._index_pads


_settings_cache: tuple[tuple[object, ...], KeyRing] | None = None


def _keys() -> KeyRing:
    """The KeyRing built from Django settings (rebuilt whenever those settings change)."""
    global _settings_cache
    from django.conf import settings

    try:
        keys = settings.RUHUI_FIELD_KEYS
        current = settings.RUHUI_FIELD_KEY_ID
    except AttributeError as error:
        raise ImproperlyConfigured(
            "RUHUI_FIELD_KEYS and RUHUI_FIELD_KEY_ID must be set to encrypt personal data."
        ) from error
    index_key = getattr(settings, "RUHUI_BLIND_INDEX_KEY", None)
    signature = (tuple((str(k), v) for k, v in keys.items()), current, index_key)
    if _settings_cache is None or _settings_cache[0] != signature:
        _settings_cache = (signature, KeyRing(keys, current, index_key))
    return _settings_cache[1]


@functools.lru_cache(maxsize=64)
def _aad(key_id: int, context: str) -> bytes:
    """Associated data: format version, key id and context."""
    return VERSION + b"|" + bytes([key_id]) + b"|" + context.encode("utf-8")


def encrypt(plaintext: str, *, context: str, keyring: KeyRing | None = None) -> str:
    """Encrypt ``plaintext`` with the current key, bound to ``context``; returns a token."""
    if not context:
        raise ValueError("context is required")
    ring = keyring or _keys()
    key_id = ring.current_id
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring.cipher(key_id).encrypt(nonce, plaintext.encode("utf-8"), _aad(key_id, context))
    return base64.urlsafe_b64encode(bytes([key_id]) + nonce + sealed).rstrip(b"=").decode("ascii")


def encrypt_many(
    plaintexts: list[str], *, context: str, keyring: KeyRing | None = None
) -> list[str]:
    """``encrypt`` for many values at once (the importer's path): the same tokens, with the
    nonces drawn from the OS in one call instead of one call per value."""
    if not context:
        raise ValueError("context is required")
    ring = keyring or _keys()
    key_id = ring.current_id
    seal = ring.cipher(key_id).encrypt
    aad = _aad(key_id, context)
    prefix = bytes([key_id])
    nonces = os.urandom(NONCE_BYTES * len(plaintexts))
    encode = base64.urlsafe_b64encode
    tokens = []
    for i, plaintext in enumerate(plaintexts):
        nonce = nonces[i * NONCE_BYTES : (i + 1) * NONCE_BYTES]
        raw = prefix + nonce + seal(nonce, plaintext.encode("utf-8"), aad)
        tokens.append(encode(raw).rstrip(b"=").decode("ascii"))
    return tokens


def decrypt(token: str, *, context: str, keyring: KeyRing | None = None) -> str:
    """Decrypt a token made by ``encrypt`` with the same context; DecryptionError otherwise."""
    ring = keyring or _keys()
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError, binascii.Error) as error:
        raise DecryptionError("密文格式不正确，无法解密。") from error
    if len(raw) < _MIN_TOKEN:
        raise DecryptionError("密文长度不正确，无法解密。")
    key_id, nonce, sealed = raw[0], raw[1 : 1 + NONCE_BYTES], raw[1 + NONCE_BYTES :]
    if key_id not in ring.keys:
        raise DecryptionError(f"密文使用的密钥（编号 {key_id}）不可用，无法解密。")
    try:
        plain = ring.cipher(key_id).decrypt(nonce, sealed, _aad(key_id, context))
    except InvalidTag as error:
        raise DecryptionError("密文校验失败：数据被篡改或用途（context）不符。") from error
    return plain.decode("utf-8")


_URLSAFE = bytes.maketrans(b"-_", b"+/")


def decrypt_many(
    tokens: list[str], *, context: str, keyring: KeyRing | None = None
) -> list[str | None]:
    """``decrypt`` for many tokens at once (the importer's comparison of stored values): the
    same plaintexts, and None for a token that does not decrypt instead of an exception."""
    ring = keyring or _keys()
    aads: dict[int, bytes] = {}
    decode = binascii.a2b_base64
    plain: list[str | None] = []
    for token in tokens:
        try:
            raw = decode((token + "=" * (-len(token) % 4)).encode("ascii").translate(_URLSAFE))
            key_id = raw[0]
            aad = aads.get(key_id)
            if aad is None:
                aad = aads[key_id] = _aad(key_id, context)
            plain.append(
                ring.cipher(key_id)
                .decrypt(raw[1 : 1 + NONCE_BYTES], raw[1 + NONCE_BYTES :], aad)
                .decode("utf-8")
            )
        except (ValueError, TypeError, IndexError, KeyError, InvalidTag, binascii.Error):
            plain.append(None)
    return plain


def normalize_for_index(value: str) -> str:
    """NFKC (full-width → ASCII), all whitespace removed, upper-cased: the indexed form."""
    if value.isascii() and value.isalnum():
        return value.upper()  # what NFKC, split and join leave unchanged
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def blind_index(value: str, *, context: str, keyring: KeyRing | None = None) -> str:
    """Deterministic keyed index: full 64-hex HMAC-SHA256 over context and normalised value."""
    if not context:
        raise ValueError("context is required")
    ring = keyring or _keys()
    if ring.blind_index_key is None:
        raise ImproperlyConfigured("RUHUI_BLIND_INDEX_KEY must be set to index personal data.")
    inner, outer = ring.index_pads()
    inner = inner.copy()
    inner.update(_index_prefix(context) + normalize_for_index(value).encode("utf-8"))
    outer = outer.copy()
    outer.update(inner.digest())
    # = hmac.new(blind_index_key, prefix + value, sha256).hexdigest(), without the key setup
    return outer.hexdigest()


@functools.lru_cache(maxsize=64)
def _index_prefix(context: str) -> bytes:
    context_bytes = context.encode("utf-8")
    return len(context_bytes).to_bytes(2, "big") + context_bytes


def current_keyring() -> KeyRing:
    """The keys from settings, for a caller that encrypts or indexes many values in one go."""
    return _keys()
