"""Rate limits for the public pages (PUB-2), and the simple human check offered past them.

Fixed-window counters in the default cache (Redis in production, shared by every web process).
Keys are hashed, so neither an IP address nor an ID number's blind index is kept in the cache in
the clear. The limits live in settings.RUHUI_RATELIMITS as {name: [requests, seconds]}.

The human check is an arithmetic question in Chinese. Only a random id travels in the form; the
question and its answer stay in the cache under that id, and the page shows the question as a
picture (joining.challenge), so neither is readable from the HTML. A question is used up by the
first answer to it, right or wrong, and lives ten minutes. A correct answer lets one request
through; past `challenge_ip` correct answers an address is refused outright until the window
ends, so even a script that reads the picture gains a bounded number of requests.
"""

import hashlib
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

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
    """A question to show (as a picture) and the random id the form sends back with the answer."""

    token: str
    question: str


def _challenge_key(token: str) -> str:
    return "rl:challenge:" + hashlib.sha256(token.encode()).hexdigest()[:32]


def new_challenge() -> Challenge:
    """An addition of two numbers from one to nine, asked in Chinese characters; the answer is
    kept server-side for CHALLENGE_MAX_AGE seconds under a random 128-bit id."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = secrets.token_urlsafe(16)
    cache.set(_challenge_key(token), a + b, timeout=CHALLENGE_MAX_AGE)
    return Challenge(token=token, question=f"{NUMBERS[a]}加{NUMBERS[b]}等于几？")


def challenge_passed(token: str, answer: str) -> bool:
    """A correct first answer to a question asked less than ten minutes ago.

    The question is used up by this call whatever the answer, so guessing costs a new page each
    time; of two concurrent answers only the one whose delete succeeds counts."""
    if not token or len(token) > 64:
        return False
    key = _challenge_key(token)
    expected = cache.get(key)
    if expected is None or not cache.delete(key):
        return False
    text = "".join(str(answer or "").split())
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return text.isdigit() and int(text) == expected
