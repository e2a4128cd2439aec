"""Rate limits for the public pages (PUB-2), and the simple human check offered past them.

Fixed-window counters in the default cache (Redis in production, shared by every web process).
Keys are hashed, so neither an IP address nor an ID number's blind index is kept in the cache in
the clear. The limits live in settings.RUHUI_RATELIMITS as {name: [requests, seconds]}.

The human check is an arithmetic question in Chinese whose answer travels signed in the form;
each question is accepted once and for ten minutes. It stops scripts that replay one request,
not a determined attacker — which is what a generous per-IP limit in front of it is for.
"""

import hashlib
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache

CHALLENGE_SALT = "ruhui.ratelimit.challenge"
CHALLENGE_MAX_AGE = 600
NUMBERS = "零一二三四五六七八九十"


def _key(name: str, value: str, window: int) -> str:
    digest = hashlib.sha256(f"{name}:{value}".encode()).hexdigest()[:32]
    return f"rl:{name}:{digest}:{int(time.time() // window)}"


def hit(name: str, value: str) -> bool:
    """Count one request against the limit `name` for `value`; False once it is exceeded."""
    limit, window = settings.RUHUI_RATELIMITS[name]
    key = _key(name, value, window)
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    return count <= limit


def exceeded(name: str, value: str) -> bool:
    """Whether the limit is already used up, without counting a request."""
    limit, window = settings.RUHUI_RATELIMITS[name]
    return (cache.get(_key(name, value, window)) or 0) >= limit


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def new_challenge() -> Challenge:
    """An addition of two numbers from one to nine, asked in Chinese characters."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = signing.dumps({"s": a + b, "n": secrets.token_hex(8)}, salt=CHALLENGE_SALT)
    return Challenge(
        question=f"{NUMBERS[a]}加{NUMBERS[b]}等于几？（请填写阿拉伯数字）", token=token
    )


def challenge_passed(token: str, answer: str) -> bool:
    """A correct answer to a recent question not answered before."""
    try:
        payload = signing.loads(token or "", salt=CHALLENGE_SALT, max_age=CHALLENGE_MAX_AGE)
    except signing.BadSignature:
        return False
    text = "".join(str(answer or "").split())
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if not text.isdigit() or int(text) != payload.get("s"):
        return False
    return cache.add(f"rl:challenge:{payload.get('n')}", 1, timeout=CHALLENGE_MAX_AGE + 60)
